"""Ingestion with several workers at once: one OpenAlex-shaped workload split into N ingester
instances, run by N worker processes side by side, for N = 1, 2, 4.

The authors come from ``bench/ingest_pipeline.py``'s generator (the openalex plugin's mapping,
the ``jsonl`` ingester through ``run_ingester``), dealt round-robin into N disjoint files, one
instance each (``part0`` … ``part<N-1>``). For each N a freshly migrated database is ingested
by N child processes that start together (each builds its pool, says it is ready and waits for
the go) on the event loop ``talentflow ingest`` uses. Every round runs each N in turn, so the
figures of different N are taken side by side; the reported figures are medians over rounds.

Reported per N: the wall time from the go to the last worker's end, observations per second,
the workers' CPU seconds (user + system, summed), and how long their batches waited for their
turn on the write lock all batch transactions take turns on (``WRITE_LOCK_CLASS``) and held
it, from ``RunResult.write_lock_wait_s`` / ``write_lock_held_s``. ``lock_busy`` is the
summed hold time over the wall time: near 1, the lock is the bottleneck and more workers only
queue. The rows each N stored (researchers, institutions, affiliations, moves, evidence) are
compared: every N must store as many as one worker.

    python bench/ingest_workers.py --admin-url postgresql://postgres@127.0.0.1:5432/postgres \\
        --authors 20000 --workers 1 2 4 --rounds 2 --out bench/results/ingest_workers.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
COUNTED = ("researcher", "institution", "affiliation", "document", "move", "evidence")


def child(url: str, path: str, instance: str) -> None:
    """One worker: build the pool, say ``ready``, wait for ``go`` on stdin, ingest ``path`` as
    ``instance`` and print its figures as JSON."""
    from service import aio
    from service.config import Settings
    from service.db.pool import create_pool
    from service.ingest.pipeline import run_ingester

    async def go() -> dict[str, Any]:
        pool = await create_pool(url, min_size=2, max_size=4, statement_timeout_ms=0)
        try:
            settings = Settings(database_url=url)
            print("ready", flush=True)
            await asyncio.to_thread(sys.stdin.readline)
            t0, cpu0 = time.perf_counter(), time.process_time()
            started = time.time()
            result = await run_ingester(
                pool, "jsonl", {"path": path}, instance=instance, settings=settings
            )
            return {
                "started": started,
                "ended": time.time(),
                "seconds": time.perf_counter() - t0,
                "cpu_seconds": time.process_time() - cpu0,
                "lock_wait_s": result.write_lock_wait_s,
                "lock_held_s": result.write_lock_held_s,
                "status": result.status,
                "seen": result.seen,
                "rejected": result.rejected,
                "error": result.error,
            }
        finally:
            await pool.close()

    print(json.dumps(aio.run(go())), flush=True)


async def run_workers(admin_url: str, db: str, parts: list[Path]) -> dict[str, Any]:
    """Ingest ``parts`` (one instance each) into a fresh database, all workers at once."""
    from bench.ingest_pipeline import fresh_database

    url = await fresh_database(admin_url, db)
    procs = []
    for k, path in enumerate(parts):
        proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--child", url, str(path), f"part{k}",
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        procs.append(proc)
    for proc in procs:
        assert proc.stdout is not None
        line = await proc.stdout.readline()
        if line.strip() != b"ready":
            _, err = await proc.communicate()
            raise SystemExit(f"a worker failed to start:\n{err.decode()[-3000:]}")
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write(b"go\n")
        await proc.stdin.drain()
    workers = []
    for proc in procs:
        out, err = await proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"a worker failed:\n{err.decode()[-3000:]}")
        workers.append(json.loads(out.decode().strip().splitlines()[-1]))
    failed = [w for w in workers if w["status"] != "succeeded"]
    if failed:
        raise SystemExit(f"runs failed: {[w['error'] for w in failed]}")
    wall = max(w["ended"] for w in workers) - min(w["started"] for w in workers)
    conn = await asyncpg.connect(url)
    try:
        rows = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in COUNTED}
    finally:
        await conn.close()
    return {
        "wall_seconds": wall,
        "cpu_seconds": sum(w["cpu_seconds"] for w in workers),
        "lock_wait_s": sum(w["lock_wait_s"] for w in workers),
        "lock_held_s": sum(w["lock_held_s"] for w in workers),
        "worker_seconds": sum(w["seconds"] for w in workers),
        "seen": sum(w["seen"] for w in workers),
        "rows": rows,
    }


def split(authors: list[dict[str, Any]], n: int, tmp: Path) -> tuple[list[Path], int]:
    """``authors`` dealt round-robin into ``n`` files of observations; (paths, observations)."""
    from bench.ingest_pipeline import write_observations

    paths, total = [], 0
    for k in range(n):
        path = tmp / f"w{n}_part{k}.jsonl"
        total += write_observations(authors[k::n], path)
        paths.append(path)
    return paths, total


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from bench.ingest_pipeline import synthetic_authors

    authors = synthetic_authors(args.authors, args.seed)
    rounds: dict[int, list[dict[str, Any]]] = {n: [] for n in args.workers}
    with tempfile.TemporaryDirectory() as tmp:
        files = {n: split(authors, n, Path(tmp)) for n in args.workers}
        observations = {total for _, total in files.values()}
        assert len(observations) == 1, "every split holds the same observations"
        (n_obs,) = observations
        for r in range(args.rounds):
            for n in args.workers:
                got = await run_workers(args.admin_url, f"{args.db_prefix}_w{n}", files[n][0])
                rounds[n].append(got)
                logger.info(
                    "round %d, %d worker(s): %.2fs, CPU %.2fs, lock wait %.2fs, held %.2fs",
                    r + 1, n, got["wall_seconds"], got["cpu_seconds"], got["lock_wait_s"],
                    got["lock_held_s"],
                )  # fmt: skip
    base_rows = rounds[args.workers[0]][0]["rows"]
    mismatched = {
        n: got["rows"] for n, rs in rounds.items() for got in rs if got["rows"] != base_rows
    }
    out: dict[str, Any] = {
        "authors": args.authors,
        "observations": n_obs,
        "rounds": args.rounds,
        "rows": base_rows,
        "rows_differ": mismatched,
        "by_workers": {},
    }
    first = None
    for n, rs in rounds.items():
        wall = statistics.median(x["wall_seconds"] for x in rs)
        first = first or wall
        out["by_workers"][n] = {
            "wall_seconds": round(wall, 2),
            "obs_per_s": round(n_obs / wall, 1),
            "speedup": round(first / wall, 2),
            "cpu_seconds": round(statistics.median(x["cpu_seconds"] for x in rs), 2),
            "lock_wait_s": round(statistics.median(x["lock_wait_s"] for x in rs), 2),
            # the share of the workers' time spent queueing for the write lock
            "lock_wait_share": round(
                statistics.median(x["lock_wait_s"] / x["worker_seconds"] for x in rs), 3
            ),
            "lock_held_s": round(statistics.median(x["lock_held_s"] for x in rs), 2),
            # the share of the wall time some batch held the lock (1: the lock never idles)
            "lock_busy": round(
                statistics.median(x["lock_held_s"] / x["wall_seconds"] for x in rs), 3
            ),
            "each_round_wall": [round(x["wall_seconds"], 2) for x in rs],
        }
    return out


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--child":
        logging.basicConfig(level=logging.WARNING)
        child(argv[1], argv[2], argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--authors", type=int, default=20_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every N (median)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--db-prefix",
        default="tf_bench_workers",
        help="scratch databases are <prefix>_w<N> (dropped and re-created)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    result = asyncio.run(run(args))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
