"""Throughput of the jsonl ingest path into PostgreSQL, next to a plain COPY of the same rows.

    DATABASE_URL=postgresql://user@host/postgres python bench/ingest_jsonl.py [--people 10000]
        [--repeat 3] [--batch-size 500] [--no-write]

Creates a scratch database per round, migrates it, ingests N researcher_seen + N affiliation_seen
observations through the full pipeline, runs the same file again as a second instance (every
observation is then "unchanged": the cost of a re-run), COPYs the same rows into a scratch table,
and writes the median figures between the ingest markers of docs/benchmarks.md. Rounds are
repeated because the figures move with whatever else the machine is doing; the load average is
written next to them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from service.config import load_settings
from service.db import migrations
from service.db.pool import create_pool
from service.db.urls import with_database
from service.ingest.pipeline import run_ingester

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
START, END = "<!-- ingest:start -->", "<!-- ingest:end -->"


def records(people: int) -> list[dict[str, object]]:
    labs = [f"Bench Lab {n}" for n in range(50)]
    out: list[dict[str, object]] = []
    for n in range(people):
        person = {"name": f"Bench Person {n}", "ids": {"openalex": f"A{1000000 + n}"}}
        out.append({"type": "researcher_seen", **person, "topics": ["ml"], "works_count": n % 90})
        out.append(
            {
                "type": "affiliation_seen",
                "person": person,
                "institution": {"name": labs[n % 50]},
                "years": [2018 + n % 5, 2019 + n % 5],
                "source_key": "bench",
                "document_url": f"https://bench.example/p/{n}",
            }
        )
    return out


async def one_round(
    server: str, rows: list[dict[str, object]], batch_size: int
) -> dict[str, float]:
    """Seconds for the first run, the re-run and the COPY, on a fresh database."""
    name = f"tf_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = with_database(server, name)
    settings = load_settings(ingest_batch_size=batch_size)
    try:
        await migrations.upgrade_async(url)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in rows))
            pool = await create_pool(url, min_size=1, max_size=4)
            try:
                times: dict[str, float] = {}
                for label, instance in (("ingest", "bench"), ("rerun", "bench-again")):
                    started = time.perf_counter()
                    result = await run_ingester(
                        pool, "jsonl", {"path": str(path)}, instance=instance, settings=settings
                    )
                    times[label] = time.perf_counter() - started
                    assert result.ok, result.error
                    assert result.seen == len(rows) and result.rejected == 0
                    if label == "rerun":
                        assert result.unchanged == len(rows), result.counts()
                async with pool.acquire() as conn:
                    await conn.execute("CREATE TABLE bench_copy (kind text, name text, doc text)")
                    copy_rows = [
                        (str(r["type"]), str(r.get("name", "")), json.dumps(r)) for r in rows
                    ]
                    started = time.perf_counter()
                    await conn.copy_records_to_table("bench_copy", records=copy_rows)
                    times["copy"] = time.perf_counter() - started
                return times
            finally:
                await pool.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def main(people: int, repeat: int, batch_size: int, write: bool) -> None:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    rows = records(people)
    rounds = []
    for _ in range(repeat):
        rounds.append(await one_round(server, rows, batch_size))
        print({k: round(v, 2) for k, v in rounds[-1].items()}, flush=True)
    n = len(rows)
    ingest_s = statistics.median(r["ingest"] for r in rounds)
    rerun_s = statistics.median(r["rerun"] for r in rounds)
    copy_s = statistics.median(r["copy"] for r in rounds)
    ingest_rate, rerun_rate, copy_rate = n / ingest_s, n / rerun_s, n / copy_s
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    section = "\n".join(
        [
            START,
            "## Ingestion detail: the jsonl writer on a light workload",
            "",
            "A separate, lighter workload than the one the ingestion target is judged on "
            "above (per person one `researcher_seen` with one id and one topic and one "
            "`affiliation_seen` at one of 50 labs; no ORCID, alternative names, ROR ids or "
            "institution lineage): it isolates the writer and its re-run path, and records "
            "what each change to the writer gave. Measured in its own run:",
            "",
            f"- date: {datetime.now(UTC).date().isoformat()}",
            f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, PostgreSQL on localhost; load average after the "
            f"runs {load} (the machine was shared, so figures move by up to 2×)",
            f"- command: `DATABASE_URL=… python bench/ingest_jsonl.py --people {people} "
            f"--repeat {repeat} --batch-size {batch_size}` (medians of {repeat} rounds, each "
            "on a fresh database)",
            "",
            "| path | observations | seconds | observations/s |",
            "|---|---|---|---|",
            f"| pipeline, first run (validate, resolve, write with evidence, infer moves) | {n} | "
            f"{ingest_s:.2f} | {ingest_rate:,.0f} |",
            f"| pipeline, re-run of the same file (all unchanged) | {n} | {rerun_s:.2f} | "
            f"{rerun_rate:,.0f} |",
            f"| plain COPY of the same rows into a scratch table | {n} | {copy_s:.2f} | "
            f"{copy_rate:,.0f} |",
            "",
            f"The first run goes at {ingest_rate / copy_rate:.1%} of raw COPY speed (COPY is "
            f"{copy_rate / ingest_rate:.0f}× faster; it resolves and validates nothing).",
            "",
            NOTES.strip(),
            END,
        ]
    )
    print(section)
    if not write:
        return
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text)


NOTES = """
What each change gave (10,000 people = 20,000 observations, batches of 500; each version run in
turn, round after round, on the same shared 2-CPU machine with a load average of 3.5 to 6, so
single rounds move by up to 2×; medians of 3 rounds):

| version | first run s | first run obs/s | re-run s | re-run obs/s |
|---|---|---|---|---|
| before (domain core unused, `= ANY()` lookups) | 7.68 | 2,600 | 5.82 | 3,400 |
| institutions through `InstitutionIndex`, `same_move` with the hierarchy, withdrawals | 7.63 | 2,620 | 5.52 | 3,620 |
| lookups join `unnest()`, one document fetch per batch, name variants once per run | 4.28 | 4,670 | 1.86 | 10,750 |
| ids and aliases sent once per run, institution names normalised once | 4.72 | 4,240 | 1.62 | 12,350 |

The last row is within the noise of the one before it (its best round: 3.39 s, 5,900 obs/s).

- The big step: `WHERE url = ANY($1)` and the alias, profile, history and move lookups were
  planned as sequential scans (the prepared statements' generic plans), so every batch read the
  whole table and got slower as the tables grew; joining `unnest($1)` makes them index probes.
  The re-run (every observation already stored) gained most, 3×.
- Using the domain core costs nothing measurable: the index is loaded once per run and
  resolution is in memory, which replaced one to three queries per distinct institution name.
- Tried and kept out: batches of 2,000 instead of 500 (4.17 s against 4.98 s in the same rounds,
  inside the noise, and a crash would lose four times more work).

Where the time goes now (cProfile of one first run, 9.8 s under the profiler): 2.8 s waiting on
PostgreSQL, mostly the six set-based inserts per batch (researcher, its ids, its aliases,
affiliation, evidence, document); about 2 s computing name variants and search text in
`service.domain.names`, which checks scripts character by character even for ASCII names (an
ASCII fast path in `has_han`/`is_cjk` measured 4.30 s against 4.98 s in the same rounds); 1.2 s
validating each observation twice, once when the jsonl line is parsed and again in the pipeline.
The second validation is kept: observations are mutable models, and the pipeline cannot
tell a validated one from one an ingester built with `model_construct` or changed afterwards.
"""


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=load_settings().ingest_batch_size)
    parser.add_argument("--no-write", action="store_true", help="print, leave the docs alone")
    args = parser.parse_args()
    asyncio.run(main(args.people, args.repeat, args.batch_size, not args.no_write))
