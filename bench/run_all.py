"""Regenerate the performance section of docs/benchmarks.md with one command.

Creates (or reuses) a benchmark database, loads the synthetic dataset at ``--scale``, starts
``talentflow serve`` and the PostGraphile baseline with the same number of workers, drives the
five dashboard queries against both side by side (plus plain SQL), samples the API's peak RSS,
measures ingestion, stops what it started and rewrites the text between ``<!-- perf:start -->``
and ``<!-- perf:end -->`` (the rest of the file is kept).

    python bench/run_all.py --scale 0.2
    python bench/run_all.py --scale 1.0 --duration 10 --repeats 3 --authors 100000   # full
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import platform
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = BENCH / "results"
START, END = "<!-- perf:start -->", "<!-- perf:end -->"


def load_driver() -> Any:
    """bench/graphql.py, imported under another name (``graphql`` is graphql-core's)."""
    spec = importlib.util.spec_from_file_location("bench_graphql_driver", BENCH / "graphql.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


TARGETS = {"p99_ms": 100.0, "flows_vs_sql": 2.0, "ingest_obs_s": 5000.0, "ingest_vs_copy": 1 / 3}
QUERY_TITLES = {
    "moves_page": "(1) 50 moves + researcher, institutions, evidence",
    "researcher_profile": "(2) researcher profile",
    "institution_page": "(3) institution in/outflow per year",
    "country_flows": "(4) flows by country per year",
    "name_search": "(5) name search",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def vmhwm_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def descendants(pid: int) -> list[int]:
    out: list[int] = []
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                out.append(int(child))
                out.extend(descendants(int(child)))
    return out


def wait_ready(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            r = httpx.post(url, json={"query": "{ __typename }"}, timeout=5)
            if r.status_code == 200:
                return
        time.sleep(0.5)
    raise SystemExit(f"{url} did not come up in {timeout:.0f}s")


@contextlib.contextmanager
def server(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> Iterator[int]:
    """Start a server in its own process group; stop exactly that group afterwards."""
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=fh, stderr=fh, start_new_session=True)
    try:
        yield proc.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def machine() -> dict[str, str]:
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    pg = subprocess.run(
        ["psql", "-XAtc", "SHOW server_version", os.environ["BENCH_ADMIN_URL"]],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return {
        "nproc": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.0f} GiB",
        "postgresql": pg,
        "python": platform.python_version(),
        "node": node.stdout.strip(),
        "os": platform.platform(),
    }


def ensure_database(admin_url: str, name: str) -> str:
    exists = subprocess.run(
        ["psql", "-XAtc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'", admin_url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(["psql", "-Xqc", f"CREATE DATABASE {name}", admin_url], check=True)
    return admin_url.rsplit("/", 1)[0] + "/" + name


def run_graphql(args: argparse.Namespace, url: str) -> dict[str, Any]:
    driver = load_driver()
    env = {**os.environ, "DATABASE_URL": url, "TALENTFLOW_LOG_LEVEL": "WARNING"}
    tf_port, pgl_port = free_port(), free_port()
    RESULTS.mkdir(parents=True, exist_ok=True)
    tf_cmd = ["talentflow", "serve", "--port", str(tf_port), "--workers", str(args.workers)]
    pgl_cmd = ["node", "server.js", "--port", str(pgl_port), "--workers", str(args.workers)]
    with (
        server(tf_cmd, env, ROOT, RESULTS / "talentflow.log") as tf_pid,
        server(pgl_cmd, env, BENCH / "postgraphile", RESULTS / "postgraphile.log") as pgl_pid,
    ):
        tf_url = f"http://127.0.0.1:{tf_port}/graphql"
        pgl_url = f"http://127.0.0.1:{pgl_port}/graphql"
        wait_ready(tf_url)
        wait_ready(pgl_url)
        ns = argparse.Namespace(
            database_url=url,
            talentflow=tf_url,
            postgraphile=pgl_url,
            sql=True,
            queries=list(driver.QUERIES),
            concurrency=args.concurrency,
            duration=args.duration,
            repeats=args.repeats,
            seed=args.seed,
        )
        cells = asyncio.run(driver.measure(ns))
        tf_pids = [tf_pid, *descendants(tf_pid)]
        pgl_pids = [pgl_pid, *descendants(pgl_pid)]
        memory = {
            "talentflow_mb": [round(vmhwm_kb(p) / 1024, 1) for p in tf_pids],
            "postgraphile_mb": [round(vmhwm_kb(p) / 1024, 1) for p in pgl_pids],
        }
    return {"cells": driver.summary(cells), "memory": memory}


def run_ingest(args: argparse.Namespace) -> dict[str, Any]:
    out = RESULTS / "ingest.raw.json"
    subprocess.run(
        [sys.executable, str(BENCH / "ingest_pipeline.py"), "--admin-url", args.admin_url,
         "--authors", str(args.authors), "--seed", str(args.seed), "--out", str(out)],
        check=True, cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.read_text())
    return result


def _cell(cells: list[dict[str, Any]], target: str, query: str, c: int) -> dict[str, Any] | None:
    return next(
        (
            x
            for x in cells
            if x["target"] == target and x["query"] == query and x["concurrency"] == c
        ),
        None,
    )


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "n/a"


def render(args: argparse.Namespace, info: dict[str, Any]) -> str:
    g = info["graphql"]
    cells = g["cells"]
    m = info["machine"]
    lines = [
        START,
        "## API, flows and ingestion performance",
        "",
        f"Measured {info['date']} at **scale {args.scale}** "
        f"({info['counts']}), seed {args.seed}. "
        + (
            "This is the full-scale dataset."
            if args.scale >= 1.0
            else "Not the full-scale dataset: the full run is "
            "`python bench/run_all.py --scale 1.0 --duration 10 --repeats 3 --authors 100000`."
        ),
        "",
        f"Machine: {m['nproc']} cores, {m['memory']} memory, PostgreSQL {m['postgresql']}, "
        f"Python {m['python']}, Node {m['node']}. The load driver, both API servers and "
        "PostgreSQL share these cores, and other work ran on the machine at the same time: "
        "absolute figures are noisy, the **ratios** (measured side by side, alternating "
        "targets within each repeat) are the figures to read.",
        "",
        f"Command: `python bench/run_all.py --scale {args.scale} --duration {args.duration:g} "
        f"--repeats {args.repeats} --authors {args.authors} --workers {args.workers}`. Each "
        f"cell: {args.repeats} runs of {args.duration:g} s at fixed concurrency over loopback "
        f"(httpx, asyncio), median of the runs. Both servers run {args.workers} worker "
        "process(es) with a pool of 10 connections each.",
        "",
        "### Dashboard queries: Talentflow vs PostGraphile (v4.14, connection-filter, "
        "pg-aggregates)",
        "",
        "| query | conc. | Talentflow rps | PostGraphile rps | ratio | Talentflow p50 / p99 ms "
        "| PostGraphile p50 / p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for q, title in QUERY_TITLES.items():
        for c in args.concurrency:
            tf = _cell(cells, "talentflow", q, c)
            pg = _cell(cells, "postgraphile", q, c)
            if tf is None or pg is None:
                continue
            err = " (errors)" if tf["errors"] or pg["errors"] else ""
            lines.append(
                f"| {title}{err} | {c} | {tf['rps']:.1f} | {pg['rps']:.1f} | "
                f"{_ratio(tf['rps'], pg['rps'])} | {tf['p50_ms']:.0f} / {tf['p99_ms']:.0f} | "
                f"{pg['p50_ms']:.0f} / {pg['p99_ms']:.0f} |"
            )
    lines += [
        "",
        "### Plain SQL baselines (asyncpg, prepared statements, same concurrency)",
        "",
        "| statement | conc. | SQL rps | Talentflow rps | Talentflow / SQL | SQL p50 / p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for q, title in (
        ("country_flows", "flows by country per year"),
        ("moves_page", "50-move page"),
    ):
        for c in args.concurrency:
            s = _cell(cells, "sql", q, c)
            tf = _cell(cells, "talentflow", q, c)
            if s is None or tf is None:
                continue
            lines.append(
                f"| {title} | {c} | {s['rps']:.1f} | {tf['rps']:.1f} | "
                f"{_ratio(tf['rps'], s['rps'])} | {s['p50_ms']:.0f} / {s['p99_ms']:.0f} |"
            )
    mem = g["memory"]
    ing = info["ingest"]
    lines += [
        "",
        "### Memory (peak RSS, VmHWM)",
        "",
        f"- API (`talentflow serve --workers {args.workers}`), after the whole load above: "
        f"{', '.join(f'{x} MB' for x in mem['talentflow_mb'])} (per process).",
        f"- PostGraphile, same load: {', '.join(f'{x} MB' for x in mem['postgraphile_mb'])}.",
        f"- Ingest run ({ing['authors']} authors): {ing['pipeline_peak_rss_mb']} MB.",
        "",
        "### Ingestion (OpenAlex-shaped authors, jsonl ingester through `run_ingester`)",
        "",
        *(
            [
                f"Not re-measured in this run: figures of the run of {info['ingest_reused']} "
                "(`--skip-ingest`).",
                "",
            ]
            if info.get("ingest_reused")
            else []
        ),
        "| authors | observations | pipeline obs/s | COPY obs/s | pipeline / COPY |",
        "|---:|---:|---:|---:|---:|",
        f"| {ing['authors']} | {ing['observations']} | {ing['pipeline_obs_per_s']:.0f} | "
        f"{ing['copy_obs_per_s']:.0f} | {ing['ratio_to_copy']:.3f} |",
        "",
        f"Rows written by the pipeline: {ing['rows_written']}.",
        "",
        "### Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for q, title in QUERY_TITLES.items():
        c = max(args.concurrency)
        tf = _cell(cells, "talentflow", q, c)
        pg = _cell(cells, "postgraphile", q, c)
        if tf is None or pg is None:
            continue
        ok = tf["rps"] >= pg["rps"]
        lines.append(
            f"| {title}: ≥ PostGraphile rps (c={c}) | {_ratio(tf['rps'], pg['rps'])} | "
            f"{'yes' if ok else 'no'} |"
        )
        lines.append(
            f"| {title}: p99 < 100 ms (c={c}) | {tf['p99_ms']:.0f} ms | "
            f"{'yes' if tf['p99_ms'] < TARGETS['p99_ms'] else 'no'} |"
        )
    for c in args.concurrency:
        s = _cell(cells, "sql", "country_flows", c)
        tf = _cell(cells, "talentflow", "country_flows", c)
        if s and tf and tf["rps"]:
            slow = s["rps"] / tf["rps"]
            lines.append(
                f"| flows within 2× of plain SQL (c={c}) | {slow:.2f}× slower | "
                f"{'yes' if slow <= TARGETS['flows_vs_sql'] else 'no'} |"
            )
    lines += [
        f"| ingestion ≥ 5,000 obs/s | {ing['pipeline_obs_per_s']:.0f} obs/s | "
        f"{'yes' if ing['pipeline_obs_per_s'] >= TARGETS['ingest_obs_s'] else 'no'} |",
        f"| ingestion ≥ 1/3 of COPY | {ing['ratio_to_copy']:.3f} | "
        f"{'yes' if ing['ratio_to_copy'] >= TARGETS['ingest_vs_copy'] else 'no'} |",
        f"| API memory < 300 MB per worker | {max(mem['talentflow_mb'])} MB | "
        f"{'yes' if max(mem['talentflow_mb']) < 300 else 'no'} |",
        "",
    ]
    notes = (BENCH / "perf_notes.md").read_text() if (BENCH / "perf_notes.md").exists() else ""
    if notes:
        lines += [notes.rstrip(), ""]
    lines.append(END)
    return "\n".join(lines)


def write_doc(section: str) -> None:
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    DOC.write_text(text)


def counts(url: str) -> str:
    out = subprocess.run(
        ["psql", "-XAtc",
         "SELECT (SELECT count(*) FROM institution) || ' institutions, ' || "
         "(SELECT count(*) FROM researcher) || ' researchers, ' || "
         "(SELECT count(*) FROM move) || ' moves, ' || (SELECT count(*) FROM evidence) || "
         "' evidence rows'", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", help="benchmark database name (default: by scale)")
    parser.add_argument("--skip-generate", action="store_true", help="reuse the loaded data")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[10, 16])
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--authors", type=int, default=20_000)
    parser.add_argument(
        "--skip-ingest",
        action="store_true",
        help="reuse the last ingestion figures (bench/results/ingest.raw.json)",
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="rewrite the section from bench/results/perf.raw.json (after editing the notes)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.render_only:
        write_doc(render(args, json.loads((RESULTS / "perf.raw.json").read_text())))
        logger.info("wrote %s", DOC)
        return
    os.environ["BENCH_ADMIN_URL"] = args.admin_url
    name = args.database or f"tf_bench_s{str(args.scale).replace('.', '_')}"
    url = ensure_database(args.admin_url, name)
    if not args.skip_generate:
        subprocess.run(
            [sys.executable, str(BENCH / "generate.py"), "--seed", str(args.seed),
             "--scale", str(args.scale), "--database-url", url, "--reset"],
            check=True, cwd=ROOT,
        )  # fmt: skip
    else:
        from service.db.migrations import upgrade

        upgrade(url)  # indexes added since the data was loaded
    info: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "counts": counts(url),
    }
    info["graphql"] = run_graphql(args, url)
    previous = RESULTS / "ingest.raw.json"
    if args.skip_ingest and previous.exists():
        info["ingest"] = json.loads(previous.read_text())
        info["ingest_reused"] = datetime.fromtimestamp(previous.stat().st_mtime, UTC).strftime(
            "%Y-%m-%d %H:%M UTC"
        )
    else:
        info["ingest"] = run_ingest(args)
    (RESULTS / "perf.raw.json").write_text(json.dumps(info, indent=1, default=str))
    write_doc(render(args, info))
    logger.info("wrote %s", DOC)


if __name__ == "__main__":
    main()
