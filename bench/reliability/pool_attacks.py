"""The pool-draining attacks, and a stream of unique large inputs, against a real
``talentflow serve`` on loopback, while ``/readyz`` and a normal dashboard query are measured.

Each attack runs for ``--seconds`` (default 12, at most 60) on a throwaway database of the
generated dataset (``bench/generate.py`` at ``--scale``, default 0.05: 10,000 researchers and
50,000 moves) created on the PostgreSQL server of ``DATABASE_URL`` and dropped at the end:

- ``exports``: 10 clients ask for ``/api/v1/researchers?format=csv`` and never read;
- ``hiring``: 10 clients ask without pause for hiring signals from 0001-01-01 to 9999-12-31
  (REST and GraphQL);
- ``subscriptions``: 10 websockets × 100 ``moveRecorded`` subscriptions with nested fields,
  and a ``NOTIFY`` of 20 moves per second; 20 more subscribers that never read and 500
  notifications;
- ``memory``: 200 unique ~90 KB GraphQL documents (accepted), 200 unique ~900 KB documents
  and 200 unique ~900 KB searches (refused); the server's RSS before and after.

    DATABASE_URL=postgresql://... python bench/reliability/pool_attacks.py [--json out.json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.reliability.common import RUNNING, percentile, rss_mb, running_service

DASHBOARD = """{ moves(first: 20) { totalCount edges { node { id status confidence
  date { text } researcher { name } from { name } to { name } } } } }"""
SUBSCRIPTION = "subscription { moveRecorded { id researcher { name } evidence { quote } } }"


class Monitor:
    """``/readyz`` every 200 ms and the dashboard query in a loop, during one attack."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.ready: list[int] = []
        self.latencies: list[float] = []
        self.graphql: list[float] = []
        self.rest: list[float] = []
        self.errors = 0
        self._stop = asyncio.Event()

    async def _ready(self, client: httpx.AsyncClient) -> None:
        while not self._stop.is_set():
            try:
                r = await client.get("/readyz", timeout=5)
                self.ready.append(r.status_code)
            except httpx.HTTPError:
                self.ready.append(0)
            await asyncio.sleep(0.2)

    async def _dashboard(self, client: httpx.AsyncClient) -> None:
        while not self._stop.is_set():
            for kind, out in (("graphql", self.graphql), ("rest", self.rest)):
                start = time.perf_counter()
                try:
                    if kind == "graphql":
                        r = await client.post("/graphql", json={"query": DASHBOARD}, timeout=10)
                        ok = r.status_code == 200 and "errors" not in r.json()
                    else:
                        r = await client.get("/api/v1/moves", params={"limit": 20}, timeout=10)
                        ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - start
                out.append(elapsed)
                self.latencies.append(elapsed)
                self.errors += not ok
            await asyncio.sleep(0.05)

    async def run(self, attack: Awaitable[dict[str, Any]]) -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=self.base) as client:
            watchers = [
                asyncio.create_task(self._ready(client)),
                asyncio.create_task(self._dashboard(client)),
            ]
            try:
                details = await attack
            finally:
                self._stop.set()
                await asyncio.gather(*watchers)
        lat = self.latencies
        return {
            **details,
            "readyz_checks": len(self.ready),
            "readyz_not_200": sum(1 for s in self.ready if s != 200),
            "dashboard_requests": len(lat),
            "dashboard_errors": self.errors,
            "dashboard_p50_ms": round(percentile(lat, 0.5) * 1000, 1),
            "dashboard_p99_ms": round(percentile(lat, 0.99) * 1000, 1),
            "graphql_p99_ms": round(percentile(self.graphql, 0.99) * 1000, 1),
            "rest_p99_ms": round(percentile(self.rest, 0.99) * 1000, 1),
        }


async def exports(base: str, seconds: float) -> dict[str, Any]:
    host, port = base.removeprefix("http://").split(":")
    statuses: list[str] = []
    writers = []
    for _ in range(10):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect((host, int(port)))
        reader, writer = await asyncio.open_connection(sock=sock)
        writer.write(
            f"GET /api/v1/researchers?format=csv HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        )
        await writer.drain()
        writers.append((reader, writer))
    await asyncio.sleep(0.5)
    for reader, _ in writers:  # the status line only, then never read again
        with contextlib.suppress(Exception):
            line = await asyncio.wait_for(reader.readline(), 2)
            statuses.append(line.decode().strip())
    await asyncio.sleep(seconds)
    for _, writer in writers:
        writer.close()
    return {"export_status_lines": sorted(set(statuses)), "export_clients": len(writers)}


async def hiring(base: str, seconds: float) -> dict[str, Any]:
    end = time.monotonic() + seconds
    codes: dict[str, int] = {}
    slowest = 0.0
    query = '{ hiringSignals(period: MONTH, since: "0001-01-01", until: "9999-12-31") { closed } }'

    async def one(client: httpx.AsyncClient, rest: bool) -> None:
        nonlocal slowest
        while time.monotonic() < end:
            start = time.perf_counter()
            if rest:
                r = await client.get(
                    "/api/v1/hiring-signals",
                    params={"period": "month", "since": "0001-01-01", "until": "9999-12-31"},
                    timeout=30,
                )
                code = f"{r.status_code} {r.json().get('code')}"
            else:
                r = await client.post("/graphql", json={"query": query}, timeout=30)
                body = r.json()
                code = f"{r.status_code} {body['errors'][0]['extensions']['code']}"
            slowest = max(slowest, time.perf_counter() - start)
            codes[code] = codes.get(code, 0) + 1

    async with httpx.AsyncClient(base_url=base) as client:
        await asyncio.gather(*(one(client, i % 2 == 0) for i in range(10)))
    return {"hiring_answers": codes, "hiring_slowest_ms": round(slowest * 1000, 1)}


async def subscriptions(base: str, database_url: str, seconds: float) -> dict[str, Any]:
    ws_url = base.replace("http://", "ws://") + "/graphql"
    received = 0
    refused = 0
    sockets = []

    async def open_socket(count: int) -> Any:
        nonlocal refused
        ws = await websockets.connect(ws_url, subprotocols=["graphql-transport-ws"])  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        await ws.recv()
        for i in range(count):
            await ws.send(
                json.dumps({"id": str(i), "type": "subscribe", "payload": {"query": SUBSCRIPTION}})
            )
        return ws

    async def reader(ws: Any) -> None:
        nonlocal received, refused
        with contextlib.suppress(Exception):
            async for raw in ws:
                message = json.loads(raw)
                payload = message.get("payload")
                errors = payload if message["type"] == "error" else (payload or {}).get("errors")
                if errors:
                    refused += 1
                elif message["type"] == "next":
                    received += 1

    for _ in range(10):
        sockets.append(await open_socket(100))
    readers = [asyncio.create_task(reader(ws)) for ws in sockets]
    silent = []
    for _ in range(20):  # subscribers that never read
        silent.append(await open_socket(1))
    await asyncio.sleep(1.0)
    conn = await asyncpg.connect(database_url)
    try:
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM move ORDER BY id LIMIT 500")]
        end = time.monotonic() + seconds
        sent = 0
        while time.monotonic() < end:
            for move_id in ids[sent % len(ids) : sent % len(ids) + 20]:
                await conn.execute("SELECT pg_notify('move_recorded', $1)", str(move_id))
            sent += 20
            await asyncio.sleep(1.0)
        for move_id in ids:  # 500 notifications at once for the silent ones
            await conn.execute("SELECT pg_notify('move_recorded', $1)", str(move_id))
        await asyncio.sleep(2.0)
    finally:
        await conn.close()
    # A silent client's own buffer may be full, so it has not read the close frame yet: read
    # what the server sent it until the close (or 5 s), then ask how the server closed it.
    for ws in silent:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(5):
                async for _ in ws:
                    pass
    closed_codes = sorted({ws.close_code for ws in silent if ws.close_code is not None})
    for ws in sockets + silent:
        await ws.close()
    for task in readers:
        task.cancel()
    return {
        "subscriptions_asked": 10 * 100 + 20,
        "subscriptions_refused": refused,
        "events_delivered": received,
        "notifications": sent + len(ids),
        "silent_close_codes": closed_codes,
    }


async def memory(base: str) -> dict[str, Any]:
    pid = RUNNING[base]
    researchers = "query($s: String) { researchers(filter: {search: $s}) { totalCount } }"
    before = rss_mb(pid)
    codes: dict[str, int] = {}
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        for i in range(200):
            pad = "#" + uuid.uuid4().hex * 2_800 + "\n"  # ~90 KB: accepted
            r = await client.post("/graphql", json={"query": pad + "{ __typename }"})
            codes[str(r.status_code)] = codes.get(str(r.status_code), 0) + 1
            pad = "#" + uuid.uuid4().hex * 28_000 + "\n"  # ~900 KB: refused unread
            r = await client.post("/graphql", json={"query": pad + "{ __typename }"})
            code = r.json()["errors"][0]["extensions"]["code"]
            codes[code] = codes.get(code, 0) + 1
            r = await client.post(
                "/graphql",
                json={"query": researchers, "variables": {"s": uuid.uuid4().hex * 28_000}},
            )
            code = r.json()["errors"][0]["extensions"]["code"]
            codes[code] = codes.get(code, 0) + 1
            if i == 19:
                before = rss_mb(pid)  # after a warm-up of 20 of each
    after = rss_mb(pid)
    return {
        "rss_after_warmup_mb": round(before, 1),
        "rss_end_mb": round(after, 1),
        "answers": codes,
    }


async def run(base: str, database_url: str, seconds: float) -> dict[str, Any]:
    attacks: dict[str, Callable[[], Awaitable[dict[str, Any]]]] = {
        "exports": lambda: exports(base, seconds),
        "hiring": lambda: hiring(base, seconds),
        "subscriptions": lambda: subscriptions(base, database_url, seconds),
        "memory": lambda: memory(base),
    }
    out: dict[str, Any] = {}
    out["baseline"] = await Monitor(base).run(asyncio.sleep(3, result={}))
    for name, attack in attacks.items():
        out[name] = await Monitor(base).run(attack())
        print(name, json.dumps(out[name]), flush=True)
    return out


async def create_database(server_url: str, scale: float) -> str:
    from service.db.urls import with_database

    name = f"tf_attacks_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = with_database(server_url, name)
    await asyncio.to_thread(
        os.system,
        f"{sys.executable} bench/generate.py --scale {scale} --database-url '{url}' > /dev/null",
    )
    return url


async def drop_database(server_url: str, url: str) -> None:
    name = url.rsplit("/", 1)[-1].split("?")[0]
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=12.0)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    seconds = min(args.seconds, 60.0)
    server_url = os.environ["DATABASE_URL"]
    url = asyncio.run(create_database(server_url, args.scale))
    try:
        with tempfile.TemporaryDirectory() as tmp, running_service(url, Path(tmp)) as base:
            result = asyncio.run(run(base, url, seconds))
    finally:
        asyncio.run(drop_database(server_url, url))
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")


if __name__ == "__main__":
    main()
