"""Several ingester instances written at once (several workers), against one run of the same
observations: every run succeeds (no deadlock, no duplicate key), and the database holds the
same researchers, institutions, stints and moves, nothing lost and nothing doubled.

The runs overlap on purpose: every author is in two of the four files, and the institutions
they name are new (not in the seed), so two runs meet the same researcher and create the same
institution at the same time. Before the runs' batches took turns on one write lock, such runs
failed with deadlocks and duplicate slugs and left half their rows behind."""

from __future__ import annotations

import asyncio
import random
import sys
from pathlib import Path

import asyncpg
import pytest

from service.config import Settings
from service.db.pool import create_pool
from service.ingest.pipeline import run_ingester
from tests.bench_scripts import load
from tests.conftest import clone_database, drop_database, with_database

WORKERS = 4
AUTHORS = 600

pytestmark = pytest.mark.slow

RUN_ONE = """
import asyncio, sys
from service.config import Settings
from service.config import Settings
from service.db.pool import create_pool
from service.ingest.pipeline import run_ingester

async def main(url, path, instance):
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        result = await run_ingester(
            pool, "jsonl", {"path": path}, instance=instance, settings=Settings(database_url=url)
        )
        print(result.status, result.seen, result.rejected, result.error or "")
    finally:
        await pool.close()

asyncio.run(main(*sys.argv[1:]))
"""


def write_files(tmp: Path) -> tuple[Path, list[Path]]:
    bench = load("ingest_pipeline")
    authors = bench.synthetic_authors(AUTHORS, 11, n_institutions=150)
    whole = tmp / "all.jsonl"
    bench.write_observations(authors, whole)
    parts: list[list[dict[str, object]]] = [[] for _ in range(WORKERS)]
    rng = random.Random(3)
    for author in authors:
        for w in rng.sample(range(WORKERS), 2):
            parts[w].append(author)
    paths = []
    for w, part in enumerate(parts):
        path = tmp / f"part{w}.jsonl"
        bench.write_observations(part, path)
        paths.append(path)
    return whole, paths


async def snapshot(url: str) -> dict[str, object]:
    """What the data says, by stable keys (ids differ between databases)."""
    conn = await asyncpg.connect(url)
    try:
        # A researcher by its ids (every author of the set has an OpenAlex id).
        person = """(SELECT string_agg(x.scheme || ':' || x.value, ' ' ORDER BY x.scheme, x.value)
                     FROM researcher_external_id x WHERE x.researcher_id = {r})"""
        stints = await conn.fetch(
            f"""SELECT {person.format(r="a.researcher_id")} AS who, i.slug, a.years
                FROM affiliation a JOIN institution i ON i.id = a.institution_id"""
        )
        moves = await conn.fetch(
            f"""SELECT {person.format(r="m.researcher_id")} AS who, f.slug AS f, t.slug AS t,
                       m.move_date, m.status
                FROM move m LEFT JOIN institution f ON f.id = m.from_institution_id
                LEFT JOIN institution t ON t.id = m.to_institution_id"""
        )
        return {
            "researchers": await conn.fetchval(
                "SELECT count(*) FROM researcher WHERE merged_into_id IS NULL"
            ),
            "candidate_matches": await conn.fetchval("SELECT count(*) FROM candidate_match"),
            "institutions": sorted(
                r["slug"] for r in await conn.fetch("SELECT slug FROM institution")
            ),
            "stints": sorted(
                ((r["who"], r["slug"], tuple(r["years"] or ())) for r in stints), key=repr
            ),
            "moves": sorted(
                ((r["who"], r["f"], r["t"], str(r["move_date"]), r["status"]) for r in moves),
                key=repr,
            ),
        }
    finally:
        await conn.close()


def test_concurrent_instances_write_what_one_run_writes(
    server_url: str, template_db: str, server_version: int, tmp_path: Path
) -> None:
    whole, parts = write_files(tmp_path)
    one = clone_database(server_url, template_db, server_version)
    many = clone_database(server_url, template_db, server_version)
    try:
        asyncio.run(
            compare(with_database(server_url, one), with_database(server_url, many), whole, parts)
        )
    finally:
        drop_database(server_url, one)
        drop_database(server_url, many)


async def compare(one_url: str, many_url: str, whole: Path, parts: list[Path]) -> None:
    pool = await create_pool(one_url, min_size=1, max_size=2)
    try:
        result = await run_ingester(
            pool,
            "jsonl",
            {"path": str(whole)},
            instance="all",
            settings=Settings(database_url=one_url),
        )
        assert result.status == "succeeded", result.error
    finally:
        await pool.close()

    # Four worker processes, started together, one instance each.
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            RUN_ONE,
            many_url,
            str(path),
            f"part{w}",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        for w, path in enumerate(parts)
    ]
    outputs = [(await p.communicate())[0].decode() for p in procs]
    for p, out in zip(procs, outputs, strict=True):
        assert p.returncode == 0, out
        assert out.splitlines()[-1].startswith("succeeded "), out

    expected, got = await snapshot(one_url), await snapshot(many_url)
    assert got["researchers"] == expected["researchers"] == AUTHORS
    assert got == expected
