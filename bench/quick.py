"""A quick side-by-side check between two full runs: start Talentflow and PostGraphile on the
benchmark database, drive some dashboard queries at one concurrency, print the ratios and
append them (with a label) to ``bench/results/quick.jsonl``.

    python bench/quick.py --database tf_bench_full --label "parse cache" --duration 5
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _load(name: str, file: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, HERE / file)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main(argv: Sequence[str] | None = None) -> None:
    run_all = _load("bench_run_all", "run_all.py")
    driver = run_all.load_driver()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="tf_bench_full")
    parser.add_argument("--queries", nargs="+", default=list(driver.QUERIES))
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10])
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--driver",
        choices=("wrk", "httpx"),
        default="wrk" if shutil.which("wrk") else "httpx",
        help="what sends the GraphQL load (bench/graphql.py; default: wrk when installed)",
    )
    parser.add_argument("--pgl-workers", type=int, default=1)
    parser.add_argument("--no-sql", dest="sql", action="store_false")
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    url = args.admin_url.rsplit("/", 1)[0] + "/" + args.database
    env = {**os.environ, "DATABASE_URL": url, "TALENTFLOW_LOG_LEVEL": "WARNING"}
    results = run_all.RESULTS
    results.mkdir(parents=True, exist_ok=True)
    tf_port, pgl_port = run_all.free_port(), run_all.free_port()
    tf_cmd = ["talentflow", "serve", "--port", str(tf_port), "--workers", str(args.workers)]
    pgl_cmd = ["node", "server.js", "--port", str(pgl_port), "--workers", str(args.pgl_workers)]
    with (
        run_all.server(tf_cmd, env, run_all.ROOT, results / "talentflow.log") as tf_pid,
        run_all.server(
            pgl_cmd, env, run_all.BENCH / "postgraphile", results / "postgraphile.log"
        ) as pgl_pid,
    ):
        tf_url = f"http://127.0.0.1:{tf_port}/graphql"
        pgl_url = f"http://127.0.0.1:{pgl_port}/graphql"
        run_all.wait_ready(tf_url)
        run_all.wait_ready(pgl_url)
        ns = argparse.Namespace(
            database_url=url,
            talentflow=tf_url,
            postgraphile=pgl_url,
            sql=args.sql,
            queries=args.queries,
            concurrency=args.concurrency,
            duration=args.duration,
            repeats=args.repeats,
            seed=42,
            driver=args.driver,
        )
        cells = driver.summary(asyncio.run(driver.measure(ns)))
        mem = {
            "talentflow_mb": [
                round(run_all.vmhwm_kb(p) / 1024, 1) for p in [tf_pid, *run_all.descendants(tf_pid)]
            ],
            "postgraphile_mb": [
                round(run_all.vmhwm_kb(p) / 1024, 1)
                for p in [pgl_pid, *run_all.descendants(pgl_pid)]
            ],
        }
    by = {(c["target"], c["query"], c["concurrency"]): c for c in cells}
    print(f"\n{args.label} (workers {args.workers}, PostGraphile workers {args.pgl_workers})")
    for q in args.queries:
        for c in args.concurrency:
            tf, pgl = by.get(("talentflow", q, c)), by.get(("postgraphile", q, c))
            if tf is None or pgl is None:
                continue
            ratio = tf["rps"] / pgl["rps"] if pgl["rps"] else float("inf")
            print(
                f"{q:19s} c={c:<3d} TF {tf['rps']:7.1f} rps p99 {tf['p99_ms']:7.1f} | "
                f"PGL {pgl['rps']:7.1f} rps p99 {pgl['p99_ms']:7.1f} | {ratio:5.2f}x"
                + (f"  TF errors {tf['errors']}: {tf['first_error']}" if tf["errors"] else "")
            )
            sql = by.get(("sql", q, c))
            if sql is not None:
                print(f"{'':19s} c={c:<3d} SQL {sql['rps']:7.1f} rps p99 {sql['p99_ms']:7.1f}")
    print("memory", mem)
    with (results / "quick.jsonl").open("a") as fh:
        record = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "label": args.label,
            "workers": args.workers,
            "pgl_workers": args.pgl_workers,
            "duration": args.duration,
            "cells": [{k: v for k, v in c.items() if k != "runs"} for c in cells],
            "memory": mem,
        }
        fh.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
