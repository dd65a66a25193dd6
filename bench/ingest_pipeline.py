"""Ingestion throughput: OpenAlex-shaped authors through the full pipeline, next to a plain COPY.

Synthetic author records shaped like OpenAlex's ``/authors`` results (ids, ORCID, alternative
names, topics, counts, affiliations with institutions, lineage and years) are mapped to
observations by the openalex plugin's own mapping (``plugins.openalex.parse.author_record``) and
written to a JSON Lines file. The ``jsonl`` ingester then runs through ``run_ingester``:
validate, resolve, write with evidence, commit with checkpoints, into a freshly migrated
database.

The baseline is a plain COPY of the same rows: after the pipeline's run, every table it wrote
is read back whole (``COPY ... TO``, ids included, generated columns left to the server; not
timed) and loaded with ``COPY ... FROM`` into another freshly migrated database (same schema,
indexes, constraints and triggers), parents before children, in one transaction; only that
load is timed. Left out are the tables that record the run rather than data:
``alembic_version``, ``ingest_run``, ``ingest_reject``, ``plugin_state``, ``http_cache`` and
the job queue's ``procrastinate_*`` tables, and the tables that triggers derive from the loaded
ones (``researcher_name_key``, ``move_rollup_*``), which the COPY's triggers rebuild as the
pipeline's did. The identity sequences are set past the loaded ids after the timed load.

The pipeline runs in a child process so its peak RSS (VmHWM) is its own, on the event loop
``talentflow ingest`` uses. ``--rounds`` rounds (3 by default) of pipeline then COPY run on the
same file, and the reported times are the medians of each, with every round's figures kept.

    python bench/ingest_pipeline.py --admin-url postgresql://postgres@127.0.0.1:5432/postgres \\
        --authors 100000 --out bench/results/ingest.raw.json
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import os
import random
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
COUNTRIES = ("US", "CN", "GB", "DE", "CA", "FR", "JP", "KR", "IN", "CH", "SG", "IL", "NL", "AU")
TYPES = ("education", "company", "facility", "nonprofit", "government")
GIVEN = ("Wei", "Jing", "Anna", "David", "Sarah", "Hiroshi", "Priya", "Lukas", "Omar", "Sofia")
FAMILY = ("Zhang", "Wang", "Smith", "Garcia", "Kim", "Tanaka", "Muller", "Kumar", "Cohen", "Silva")


def synthetic_authors(n: int, seed: int, n_institutions: int = 2000) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    insts = []
    for i in range(n_institutions):
        cc = rng.choice(COUNTRIES)
        parent = f"https://openalex.org/I{900_000 + i % 40}" if i % 10 == 0 and i >= 40 else None
        oid = f"https://openalex.org/I{1_000_000 + i}"
        insts.append(
            {
                "id": oid,
                "display_name": f"Institute {i} of {rng.choice(('AI', 'Learning', 'Vision'))}",
                "ror": f"https://ror.org/0{i:06d}{i % 100:02d}",
                "country_code": cc,
                "type": rng.choice(TYPES),
                "lineage": [oid, parent] if parent else [oid],
            }
        )
    weights = [1.0 / (k + 1) ** 1.05 for k in range(n_institutions)]
    authors = []
    for a in range(n):
        g, f = rng.choice(GIVEN), rng.choice(FAMILY)
        k = rng.choice((1, 1, 2, 2, 2, 3, 3, 4))
        chosen = rng.choices(insts, weights, k=k)
        year = rng.randint(2005, 2020)
        affs = []
        for inst in {i["id"]: i for i in chosen}.values():
            span = rng.randint(1, 5)
            affs.append({"institution": inst, "years": list(range(year, min(2025, year + span)))})
            year = min(2024, year + span)
        digits = f"{a:012d}"
        authors.append(
            {
                "id": f"https://openalex.org/A{5_100_000_000 + a}",
                "orcid": f"https://orcid.org/0000-{digits[:4]}-{digits[4:8]}-{digits[8:11]}{a % 10}"
                if rng.random() < 0.6
                else None,
                "display_name": f"{g} {f} {a}",
                "display_name_alternatives": [f"{g[0]}. {f} {a}", f"{f} {g} {a}"],
                "works_count": rng.randint(1, 300),
                "cited_by_count": rng.randint(0, 20_000),
                "summary_stats": {"h_index": rng.randint(0, 60)},
                "topics": [{"display_name": "Machine learning"}],
                "affiliations": affs,
            }
        )
    return authors


def write_observations(authors: list[dict[str, Any]], path: Path) -> int:
    """The authors' observations as JSON Lines; returns how many were written."""
    from plugins.openalex.parse import author_record

    n = 0
    with path.open("w") as fh:
        for author in authors:
            for obs in author_record(author).observations():
                fh.write(obs.model_dump_json(exclude_none=True))
                fh.write("\n")
                n += 1
    return n


# Tables that record the run rather than the data: not part of "the same rows".
BOOKKEEPING = ("alembic_version", "ingest_run", "ingest_reject", "plugin_state", "http_cache")
BOOKKEEPING_PREFIX = "procrastinate_"  # the job queue's tables
# Derived wholly by triggers on tables the COPY loads (the name keys from ``researcher``, the
# move rollups from ``move``): the COPY's own triggers rebuild them, so loading the dumped rows
# too would duplicate the name keys (a primary-key error) and count every move twice.
DERIVED = ("researcher_name_key",)
DERIVED_PREFIX = "move_rollup_"


def holds_data(table: str) -> bool:
    """Whether ``table`` is part of "the same rows": not bookkeeping, not derived."""
    return not (
        table in BOOKKEEPING
        or table in DERIVED
        or table.startswith((BOOKKEEPING_PREFIX, DERIVED_PREFIX))
    )


async def data_tables(conn: asyncpg.Connection) -> list[str]:
    """The public tables holding data, parents before children (foreign-key order)."""
    names = [
        r["relname"]
        for r in await conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname"
        )
        if holds_data(r["relname"])
    ]
    parents: dict[str, set[str]] = {t: set() for t in names}
    for r in await conn.fetch(
        "SELECT conrelid::regclass::text AS child, confrelid::regclass::text AS parent "
        "FROM pg_constraint WHERE contype = 'f'"
    ):
        if r["child"] in parents and r["parent"] in parents and r["child"] != r["parent"]:
            parents[r["child"]].add(r["parent"])
    ordered: list[str] = []
    while parents:
        ready = sorted(t for t, ps in parents.items() if not ps - set(ordered))
        if not ready:
            raise RuntimeError(f"foreign-key cycle among {sorted(parents)}")
        ordered += ready
        for t in ready:
            del parents[t]
    return ordered


async def dump_tables(url: str) -> dict[str, tuple[list[str], bytes]]:
    """Every data table the pipeline wrote, all stored columns (ids included, generated ones
    left to the server), in COPY's binary format: (columns, data) by table, in foreign-key
    order. Empty tables are left out."""
    conn = await asyncpg.connect(url)
    try:
        out: dict[str, tuple[list[str], bytes]] = {}
        for table in await data_tables(conn):
            if not await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {table})"):
                continue
            columns = [
                r["attname"]
                for r in await conn.fetch(
                    "SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass "
                    "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
                    table,
                )
            ]
            buf = io.BytesIO()
            await conn.copy_from_table(table, columns=columns, output=buf, format="binary")
            out[table] = (columns, buf.getvalue())
        return out
    finally:
        await conn.close()


async def copy_baseline(
    url: str, dump: dict[str, tuple[list[str], bytes]]
) -> tuple[float, dict[str, int]]:
    """COPY the rows the pipeline stored, with no resolution: the floor it is compared to.

    Only the ``COPY ... FROM`` of every table, in foreign-key order and in one transaction, is
    timed; the identity sequences are moved past the loaded ids afterwards, outside the timing.
    Returns the seconds and the rows copied per table.
    """
    conn = await asyncpg.connect(url)
    try:
        copied: dict[str, int] = {}
        t0 = time.perf_counter()
        async with conn.transaction():
            for table, (columns, data) in dump.items():
                status = await conn.copy_to_table(
                    table, source=io.BytesIO(data), columns=columns, format="binary"
                )
                copied[table] = int(status.split()[-1])
        seconds = time.perf_counter() - t0
        for table, (columns, _) in dump.items():
            if "id" in columns:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) "
                    f"FROM {table} HAVING max(id) IS NOT NULL"
                )
        return seconds, copied
    finally:
        await conn.close()


async def fresh_database(admin_url: str, name: str) -> str:
    conn = await asyncpg.connect(admin_url)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    from service.db.migrations import upgrade

    await asyncio.to_thread(upgrade, url)
    return url


def child_ingest(url: str, path: str) -> None:
    """Run the pipeline over ``path``; print its wall and CPU time and this process's peak RSS
    as JSON."""
    from service.config import Settings
    from service.db.pool import create_pool
    from service.ingest.pipeline import run_ingester

    async def go() -> dict[str, Any]:
        pool = await create_pool(url, min_size=1, max_size=4, statement_timeout_ms=0)
        try:
            settings = Settings(database_url=url)
            t0, cpu0 = time.perf_counter(), time.process_time()
            result = await run_ingester(
                pool, "jsonl", {"path": path}, instance="bench", settings=settings
            )
            seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
            summary = {
                k: getattr(result, k)
                for k in ("status", "seen", "created", "updated", "unchanged", "rejected")
            }
            return {"seconds": seconds, "cpu_seconds": cpu, "result": summary}
        finally:
            await pool.close()

    from service import aio

    out = aio.run(go())  # as `talentflow ingest` runs it: on uvloop where installed
    out["vmhwm_kb"] = vmhwm_kb(os.getpid())
    print(json.dumps(out))


def vmhwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


async def one_round(args: argparse.Namespace, path: Path) -> dict[str, Any]:
    """The pipeline over ``path`` into a fresh database, then the COPY of what it stored."""
    url = await fresh_database(args.admin_url, f"{args.db_prefix}_ingest")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--child", url, str(path),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
    )  # fmt: skip
    stdout, stderr = await proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"pipeline run failed:\n{stderr.decode()[-3000:]}")
    child: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    dump = await dump_tables(url)
    copy_url = await fresh_database(args.admin_url, f"{args.db_prefix}_copy")
    copy_seconds, copied = await copy_baseline(copy_url, dump)
    conn = await asyncpg.connect(url)
    try:
        written = {
            t: await conn.fetchval(f"SELECT count(*) FROM {t}")
            for t in ("researcher", "institution", "affiliation", "document", "evidence")
        }
    finally:
        await conn.close()
    return {**child, "copy_seconds": copy_seconds, "written": written, "copied": copied}


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """``--rounds`` rounds of pipeline then COPY on the same file; the figures are the medians
    (each round's are kept): single runs on a shared machine move by ±10%."""
    authors = synthetic_authors(args.authors, args.seed)
    rounds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "authors.jsonl"
        t0 = time.perf_counter()
        n_obs = write_observations(authors, path)
        logger.info("%d authors -> %d observations in %.1fs", len(authors), n_obs,
                    time.perf_counter() - t0)  # fmt: skip
        for k in range(args.rounds):
            rounds.append(await one_round(args, path))
            logger.info("round %d: pipeline %.2fs, COPY %.2fs", k + 1,
                        rounds[-1]["seconds"], rounds[-1]["copy_seconds"])  # fmt: skip
    first = rounds[0]
    if any(r["written"] != first["written"] or r["copied"] != first["copied"] for r in rounds):
        raise SystemExit("the rounds stored different rows")
    seconds = statistics.median(r["seconds"] for r in rounds)
    copy_seconds = statistics.median(r["copy_seconds"] for r in rounds)
    pipe_rate = n_obs / seconds
    copy_rate = n_obs / copy_seconds
    return {
        "authors": args.authors,
        "observations": n_obs,
        "rounds": len(rounds),
        "pipeline_seconds": round(seconds, 2),
        "pipeline_obs_per_s": round(pipe_rate, 1),
        # the pipeline process's own CPU time (user + system): steadier than the wall time on a
        # shared machine, and without PostgreSQL's share
        "pipeline_cpu_seconds": round(statistics.median(r["cpu_seconds"] for r in rounds), 2),
        "copy_seconds": round(copy_seconds, 2),
        "copy_obs_per_s": round(copy_rate, 1),
        "ratio_to_copy": round(pipe_rate / copy_rate, 3),
        "pipeline_peak_rss_mb": round(max(r["vmhwm_kb"] for r in rounds) / 1024, 1),
        "each_round": [
            {
                "pipeline_seconds": round(r["seconds"], 2),
                "copy_seconds": round(r["copy_seconds"], 2),
                "ratio_to_copy": round(r["copy_seconds"] / r["seconds"], 3),
            }
            for r in rounds
        ],
        "rows_written": first["written"],
        "rows_copied": first["copied"],
        "run": first["result"],
    }


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "--child":
        logging.basicConfig(level=logging.WARNING)
        child_ingest(argv[1], argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--authors", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--rounds", type=int, default=3, help="pipeline + COPY rounds (median)")
    parser.add_argument(
        "--db-prefix",
        default="tf_bench",
        help="scratch databases are <prefix>_ingest and <prefix>_copy (dropped and re-created)",
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
