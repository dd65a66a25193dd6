"""Read replicas: the share of read statements a replica serves under a dashboard load, and a
replica stopped mid-load.

Starts a primary cluster and a streaming replica of it (``initdb``, ``pg_basebackup -R``, from
the installed PostgreSQL server binaries, on free ports, in a temporary folder), loads a small
generated dataset into the primary, waits for the replica to replay it, then runs
``talentflow serve`` with ``TALENTFLOW_DATABASE_READ_URLS`` naming the replica and drives the
five dashboard queries of ``bench/graphql.py`` (plus a REST list) at ``--concurrency``:

1. routing: ``--duration`` seconds with the replica up. The server is stopped before the
   statistics are read, so every backend has flushed them; the share is the replica's
   committed transactions in the app's database over both servers' (``pg_stat_database``),
   with and without the replica's health checks (one a second);
2. failover: the same load again, with the replica stopped (``pg_ctl stop -m fast``) a third of
   the way in; every request must answer 200 without GraphQL errors.

    python bench/replica_routing.py --scale 0.02 --duration 8 --concurrency 8
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from tests.pg_cluster import Cluster, free_port, primary_and_replica  # noqa: E402

DB = "talentflow"
CHECK_INTERVAL_S = 1.0


def _load(name: str, file: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, HERE / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


async def commits(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        n = await conn.fetchval("SELECT xact_commit FROM pg_stat_database WHERE datname = $1", DB)
        return int(n)
    finally:
        await conn.close()


async def wait_replayed(cluster: Cluster) -> None:
    primary = await asyncpg.connect(cluster.primary_url())
    replica = await asyncpg.connect(cluster.replica_url())
    try:
        target = await primary.fetchval("SELECT pg_current_wal_lsn()")
        for _ in range(600):
            if await replica.fetchval("SELECT pg_last_wal_replay_lsn() >= $1", target):
                return
            await asyncio.sleep(0.1)
        raise RuntimeError("the replica did not catch up in 60 s")
    finally:
        await primary.close()
        await replica.close()


class Server:
    """``talentflow serve`` in a subprocess, on a free port."""

    def __init__(self, cluster: Cluster) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": cluster.primary_url(DB),
            "TALENTFLOW_DATABASE_READ_URLS": cluster.replica_url(DB),
            "TALENTFLOW_DATABASE_REPLICA_CHECK_INTERVAL_S": str(CHECK_INTERVAL_S),
            "TALENTFLOW_LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(self.port)],
            env=env,
            cwd=ROOT,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    async def ready(self) -> None:
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    if (await client.get(self.url + "/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError("the server did not become ready")

    async def metrics(self) -> dict[str, float]:
        async with httpx.AsyncClient() as client:
            text = (await client.get(self.url + "/metrics")).text
        found = {}
        for line in text.splitlines():
            m = re.match(r"(talentflow_db_(?:reads_total|replica_\w+))(\{[^}]*\})? (\S+)", line)
            if m:
                label = "primary" if 'server="primary"' in (m.group(2) or "") else "replica"
                key = m.group(1) + ("" if m.group(1).endswith("failovers_total") else f"[{label}]")
                found[key] = float(m.group(3))
        return found

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


async def drive(
    url: str, bodies: list[dict[str, Any]], concurrency: int, duration: float
) -> tuple[int, list[str]]:
    """Requests answered and the failures (status or GraphQL errors) over ``duration``."""
    done = 0
    failures: list[str] = []
    stop_at = time.monotonic() + duration
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker(w: int) -> None:
            nonlocal done
            i = w
            while time.monotonic() < stop_at:
                body = bodies[i % len(bodies)]
                i += concurrency
                if body.get("rest"):
                    r = await client.get(body["rest"])
                    ok = r.status_code == 200
                else:
                    r = await client.post("/graphql", json=body)
                    ok = r.status_code == 200 and "errors" not in r.json()
                done += 1
                if not ok:
                    failures.append(f"{r.status_code} {r.text[:200]}")

        await asyncio.gather(*(worker(w) for w in range(concurrency)))
    return done, failures


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    generate = _load("bench_generate", "generate.py")
    graphql = _load("bench_graphql", "graphql.py")
    with primary_and_replica() as cluster:
        admin = await asyncpg.connect(cluster.primary_url())
        await admin.execute(f'CREATE DATABASE "{DB}"')
        await admin.close()
        await asyncio.to_thread(_migrate, cluster.primary_url(DB))
        ds = generate.generate(args.seed, args.scale)
        counts = await generate.load(cluster.primary_url(DB), ds, reset=False)
        await wait_replayed(cluster)
        v = await graphql.pick_variables(cluster.primary_url(DB), args.seed)
        rng = random.Random(args.seed)
        bodies: list[dict[str, Any]] = []
        for i in range(200):
            query = rng.choice(graphql.QUERIES)
            bodies.append(
                {
                    "query": graphql.TF_QUERIES[query],
                    "variables": graphql.variables_for(query, "talentflow", v, i),
                }
            )
            if i % 5 == 0:
                bodies.append({"rest": "/api/v1/moves?limit=50"})

        # 1. routing
        before = (await commits(cluster.primary_url()), await commits(cluster.replica_url()))
        server = Server(cluster)
        await server.ready()
        t0 = time.monotonic()
        done, failures = await drive(server.url, bodies, args.concurrency, args.duration)
        app_counts = await server.metrics()
        server.stop()
        up_s = time.monotonic() - t0 + 2.0  # and the start-up before the load
        await asyncio.sleep(0.5)
        primary_tx = await commits(cluster.primary_url()) - before[0]
        replica_tx = await commits(cluster.replica_url()) - before[1]
        checks = round(up_s / CHECK_INTERVAL_S)
        routing = {
            "requests": done,
            "failed": len(failures),
            "primary_transactions": primary_tx,
            "replica_transactions": replica_tx,
            "replica_health_checks_about": checks,
            "replica_share": round(replica_tx / max(1, replica_tx + primary_tx), 4),
            "replica_share_without_checks": round(
                (replica_tx - checks) / max(1, replica_tx - checks + primary_tx), 4
            ),
            "app_counts": app_counts,
        }

        # 2. failover
        server = Server(cluster)
        await server.ready()

        async def stop_replica() -> float:
            await asyncio.sleep(args.duration / 3)
            t = time.monotonic()
            await asyncio.to_thread(cluster.stop_replica, "fast")
            return time.monotonic() - t

        stopping, (done2, failures2) = await asyncio.gather(
            stop_replica(), drive(server.url, bodies, args.concurrency, args.duration)
        )
        app_counts2 = await server.metrics()
        server.stop()
        failover = {
            "requests": done2,
            "failed": len(failures2),
            "first_failures": failures2[:3],
            "replica_stop_s": round(stopping, 2),
            "app_counts": app_counts2,
        }
        return {
            "scale": args.scale,
            "rows": counts,
            "concurrency": args.concurrency,
            "duration_s": args.duration,
            "routing": routing,
            "failover": failover,
        }


def _migrate(url: str) -> None:
    from service.db.migrations import upgrade

    upgrade(url)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args))
    print(json.dumps(result, indent=2))
    ok = result["failover"]["failed"] == 0 and result["routing"]["failed"] == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
