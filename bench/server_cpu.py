"""CPU the API server spends per request, query by query: a steadier measure than throughput.

Starts ``talentflow serve --workers 1`` on the benchmark database, sends each dashboard query
``--requests`` times one after another (after 20 warm-up requests) and reads the server
process's user + system CPU time from ``/proc`` before and after. Throughput on a shared 2-CPU
machine moves with whatever else runs; the server's own CPU per request moves much less, so
this is how the steps of an optimisation are compared (``--env`` runs a variant, such as
``TALENTFLOW_GRAPHQL_FAST_PATH=false``).

    python bench/server_cpu.py --database-url postgresql://postgres@127.0.0.1:5432/tf_bench_full
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent


def _load(name: str, file: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, BENCH / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(
    driver: Any, url: str, pid: int, database_url: str, queries: Sequence[str], n: int
) -> Any:
    v = await driver.pick_variables(database_url, 42)
    out = {}
    async with httpx.AsyncClient(timeout=60.0) as client:
        for query in queries:
            doc = driver.TF_QUERIES[query]

            async def send(i: int, query: str = query, doc: str = doc) -> None:
                variables = driver.variables_for(query, "talentflow", v, i)
                r = await client.post(url, json={"query": doc, "variables": variables})
                if r.status_code != 200 or b'"errors"' in r.content:
                    raise RuntimeError(f"{query}: {r.text[:300]}")

            for i in range(20):
                await send(i)
            before, started = cpu_seconds(pid), time.perf_counter()
            for i in range(n):
                await send(i)
            cpu_ms = (cpu_seconds(pid) - before) * 1000 / n
            wall_ms = (time.perf_counter() - started) * 1000 / n
            out[query] = {"server_cpu_ms": round(cpu_ms, 2), "wall_ms": round(wall_ms, 2)}
            print(f"{query:19} server CPU {cpu_ms:6.2f} ms/request  wall {wall_ms:6.2f} ms")
    return out


def main(argv: Sequence[str] | None = None) -> None:
    run_all = _load("bench_run_all", "run_all.py")
    driver = run_all.load_driver()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--queries", nargs="+", default=list(driver.QUERIES))
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--env", nargs="*", default=[], help="NAME=VALUE for the server")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    env = {**os.environ, "DATABASE_URL": args.database_url, "TALENTFLOW_LOG_LEVEL": "WARNING"}
    env.update(dict(e.split("=", 1) for e in args.env))
    port = run_all.free_port()
    cmd = ["talentflow", "serve", "--port", str(port), "--workers", "1"]
    run_all.RESULTS.mkdir(parents=True, exist_ok=True)
    with run_all.server(cmd, env, run_all.ROOT, run_all.RESULTS / "server_cpu.log") as pid:
        url = f"http://127.0.0.1:{port}/graphql"
        run_all.wait_ready(url)
        result = asyncio.run(
            measure(driver, url, pid, args.database_url, args.queries, args.requests)
        )
    if args.out:
        args.out.write_text(json.dumps({"env": args.env, "result": result}, indent=1))


if __name__ == "__main__":
    main()
