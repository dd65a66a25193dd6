"""Flows on a cache miss: the cold path next to the plain aggregate statement and a cache hit.

The statement is the one the API runs (from the rollups when they cover the filter, migration
0014); the same aggregate counted from the moves is timed beside it (``scan_sql_ms``). Set
``TALENTFLOW_FLOW_ROLLUPS=false`` in the environment to measure the API's miss on the scan.

``flows`` answers are kept per (level, period, filter) in each API process and forgotten on
every ``move_recorded`` notification, so the load driver (bench/graphql.py) measures hits after
its warm-up request. This script measures what a request costs when the cache is empty: it
starts ``talentflow serve`` (one worker), then for each round sends ``NOTIFY move_recorded``
(what the ``move`` insert trigger sends on commit), waits for the listener to hear it and times
one flows request (a miss), one right after it (a hit) and the plain SQL statement alone
(asyncpg, prepared). One request at a time: concurrent misses of one key wait for the first.

    python bench/flows_cold.py --database-url postgresql://postgres@127.0.0.1:5432/tf_bench_full \\
        --rounds 15 --out bench/results/flows_cold.raw.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
import httpx

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"


def load_driver() -> Any:
    spec = importlib.util.spec_from_file_location("bench_graphql_driver", BENCH / "graphql.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def timed_post(client: httpx.AsyncClient, url: str, query: str) -> float:
    start = time.perf_counter()
    r = await client.post(url, json={"query": query})
    elapsed = (time.perf_counter() - start) * 1000
    r.raise_for_status()
    if r.json().get("errors"):
        raise SystemExit(f"flows answered with errors: {r.text[:300]}")
    return elapsed


def scan_sql() -> tuple[str, list[object]]:
    """The same flows statement counted from the moves (the rollups left aside)."""
    from service.db.queries.flows import flows_sql as build
    from service.db.queries.moves import MoveFilter
    from service.domain.flows import Level, Period

    return build(Level.COUNTRY, Period.YEAR, MoveFilter(), rollups=False)


async def measure(database_url: str, api: str, rounds: int) -> dict[str, Any]:
    driver = load_driver()
    query = driver.TF_QUERIES["country_flows"]
    sql, params = driver.flows_sql()
    conn = await asyncpg.connect(database_url)
    miss: list[float] = []
    hit: list[float] = []
    plain: list[float] = []
    scan: list[float] = []
    try:
        stmt = await conn.prepare(sql)
        await stmt.fetch(*params)  # warm the plan and the buffers
        scan_stmt = await conn.prepare(scan_sql()[0])
        await scan_stmt.fetch(*scan_sql()[1])
        async with httpx.AsyncClient(timeout=60.0) as client:
            await timed_post(client, api, query)  # start the listener, warm the process
            for _ in range(rounds):
                await conn.execute("NOTIFY move_recorded")
                await asyncio.sleep(0.3)
                miss.append(await timed_post(client, api, query))
                hit.append(await timed_post(client, api, query))
                start = time.perf_counter()
                await stmt.fetch(*params)
                plain.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()
                await scan_stmt.fetch(*scan_sql()[1])
                scan.append((time.perf_counter() - start) * 1000)
    finally:
        await conn.close()
    return {
        "rounds": rounds,
        "miss_ms": round(statistics.median(miss), 1),
        "hit_ms": round(statistics.median(hit), 1),
        "sql_ms": round(statistics.median(plain), 1),
        "miss_vs_sql": round(statistics.median(miss) / statistics.median(plain), 2),
        "scan_sql_ms": round(statistics.median(scan), 1),
        "raw": {"miss": miss, "hit": hit, "sql": plain, "scan_sql": scan},
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "flows_cold.raw.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": args.database_url, "TALENTFLOW_LOG_LEVEL": "WARNING"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    log = args.out.with_suffix(".log").open("w")
    proc = subprocess.Popen(
        ["talentflow", "serve", "--port", str(port), "--workers", "1"],
        env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/graphql"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.post(url, json={"query": "{ __typename }"}, timeout=5).status_code == 200:
                    break
            time.sleep(0.5)
        result = asyncio.run(measure(args.database_url, url, args.rounds))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
        log.close()
    args.out.write_text(json.dumps(result, indent=1))
    logger.info(
        "flows, one request at a time, median of %d: miss %.0f ms, hit %.0f ms, SQL %.0f ms "
        "(miss / SQL %.2f×), the scan's SQL %.0f ms",
        result["rounds"], result["miss_ms"], result["hit_ms"], result["sql_ms"],
        result["miss_vs_sql"], result["scan_sql_ms"],
    )  # fmt: skip


if __name__ == "__main__":
    main()
