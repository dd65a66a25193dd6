"""A CSV export of 100,000 moves streams through a real HTTP server in bounded memory.

The ASGI test transport buffers whole bodies, so this test serves the app with uvicorn on a
local port and reads the stream over TCP, sampling the resident memory of the process (server and
client together) while every row arrives.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import asyncpg
import httpx
import uvicorn

from tests.api.rest.conftest import make_settings

N = 100_000
MB = 1024 * 1024
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as f:
        return int(f.read().split()[1]) * PAGE


class RssSampler:
    """The process's resident memory, sampled every 10 ms while the export runs."""

    def __init__(self) -> None:
        self.base = rss()
        self.peak = self.base
        self.stop = False

    async def run(self) -> None:
        while not self.stop:
            self.peak = max(self.peak, rss())
            await asyncio.sleep(0.01)
        self.peak = max(self.peak, rss())


async def insert_moves(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        a = await conn.fetchval(
            "INSERT INTO institution (slug, name, country_code) VALUES ('lab-a', 'Lab A', 'US') "
            "RETURNING id"
        )
        b = await conn.fetchval(
            "INSERT INTO institution (slug, name, country_code) VALUES ('lab-b', 'Lab B', 'CN') "
            "RETURNING id"
        )
        r = await conn.fetchval("INSERT INTO researcher (display_name) VALUES ('R') RETURNING id")
        # A bulk load for the test: no per-row notifications or foreign-key checks.
        await conn.execute("SET session_replication_role = replica")
        await conn.execute(
            """
            INSERT INTO move (researcher_id, from_institution_id, to_institution_id, from_country,
                              to_country, move_date, date_precision, confidence)
            SELECT $1, $2, $3, 'US', 'CN', date '2015-01-01' + (g % 3650), 'day', (g % 100) / 100.0
            FROM generate_series(1, $4::int) AS g
            """,
            r,
            a,
            b,
            N,
        )
        total: int = await conn.fetchval("SELECT sum(id) FROM move")
        return total
    finally:
        await conn.close()


async def test_csv_export_of_100k_moves_in_bounded_memory(db_url: str, tmp_path: Path) -> None:
    from service.api.app import create_app

    expected_sum = await insert_moves(db_url)
    app = create_app(make_settings(db_url, tmp_path), database_url=db_url)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):
            if server.started:
                break
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]

        rows = 0
        id_sum = 0
        body_bytes = 0
        header = b""
        partial = b""
        sampler = RssSampler()
        sampling = asyncio.create_task(sampler.run())
        started = time.perf_counter()
        async with (
            httpx.AsyncClient(timeout=60) as client,
            client.stream("GET", f"http://127.0.0.1:{port}/api/v1/moves?format=csv") as r,
        ):
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/csv")
            async for chunk in r.aiter_bytes():
                body_bytes += len(chunk)
                lines = (partial + chunk).split(b"\r\n")
                partial = lines.pop()
                for line in lines:
                    if not header:
                        header = line
                        continue
                    rows += 1
                    id_sum += int(line[: line.index(b",")])
        elapsed = time.perf_counter() - started
        sampler.stop = True
        await sampling
        peak = sampler.peak - sampler.base
    finally:
        server.should_exit = True
        await serving

    assert partial == b""
    assert header.startswith(b"id,researcher_id,")
    assert rows == N
    assert id_sum == expected_sum  # every move arrived, each once
    print(
        f"\nexport: {rows} rows, {body_bytes / MB:.1f} MB in {elapsed:.1f}s, "
        f"peak RSS growth {peak / MB:.1f} MB"
    )
    # The body is ~15 MB; streaming keeps the peak to a few chunks and one cursor batch.
    assert peak < 10 * MB
    assert peak < body_bytes / 2
