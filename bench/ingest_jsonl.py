"""Throughput of the jsonl ingest path into PostgreSQL, next to a plain COPY of the same rows.

    DATABASE_URL=postgresql://user@host/postgres python bench/ingest_jsonl.py [--people 10000]

Creates a scratch database, migrates it, ingests N researcher_seen + N affiliation_seen
observations through the full pipeline, COPYs the same rows into a scratch table, and writes the
figures between the ingest markers of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
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


async def main(people: int) -> None:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"tf_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = with_database(server, name)
    try:
        await migrations.upgrade_async(url)
        rows = records(people)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bench.jsonl"
            path.write_text("".join(json.dumps(r) + "\n" for r in rows))
            pool = await create_pool(url, min_size=1, max_size=4)
            try:
                started = time.perf_counter()
                result = await run_ingester(
                    pool, "jsonl", {"path": str(path)}, settings=load_settings()
                )
                ingest_s = time.perf_counter() - started
                assert result.ok, result.error
                async with pool.acquire() as conn:
                    await conn.execute("CREATE TABLE bench_copy (kind text, name text, doc text)")
                    copy_rows = [
                        (str(r["type"]), str(r.get("name", "")), json.dumps(r)) for r in rows
                    ]
                    started = time.perf_counter()
                    await conn.copy_records_to_table("bench_copy", records=copy_rows)
                    copy_s = time.perf_counter() - started
            finally:
                await pool.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    n = len(rows)
    ingest_rate, copy_rate = n / ingest_s, n / copy_s
    section = "\n".join(
        [
            START,
            "## Ingestion: jsonl → PostgreSQL",
            "",
            f"- date: {datetime.now(UTC).date().isoformat()}",
            f"- machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}, PostgreSQL on localhost",
            f"- command: `DATABASE_URL=… python bench/ingest_jsonl.py --people {people}`",
            "",
            "| path | observations | seconds | observations/s |",
            "|---|---|---|---|",
            f"| pipeline (validate, resolve, write with evidence, infer moves) | {n} | "
            f"{ingest_s:.2f} | {ingest_rate:,.0f} |",
            f"| plain COPY of the same rows into a scratch table | {n} | {copy_s:.2f} | "
            f"{copy_rate:,.0f} |",
            "",
            f"The pipeline runs at {ingest_rate / copy_rate:.1%} of raw COPY speed "
            f"(COPY is {copy_rate / ingest_rate:.0f}× faster; it resolves and validates nothing).",
            END,
        ]
    )
    text = DOC.read_text() if DOC.exists() else "# Benchmarks\n"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.write_text(text)
    print(section)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().people))
