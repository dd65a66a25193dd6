"""Ingestion throughput: OpenAlex-shaped authors through the full pipeline, next to a plain COPY.

Synthetic author records shaped like OpenAlex's ``/authors`` results (ids, ORCID, alternative
names, topics, counts, affiliations with institutions, lineage and years) are mapped to
observations by the openalex plugin's own mapping (``plugins.openalex.parse.author_record``) and
written to a JSON Lines file. The ``jsonl`` ingester then runs through ``run_ingester``:
validate, resolve, write with evidence, commit with checkpoints, into a freshly migrated
database. The baseline COPYs the same rows (documents, researchers with ids and aliases,
institutions, affiliations) into another fresh database with no resolution at all.

The pipeline runs in a child process so its peak RSS (VmHWM) is its own.

    python bench/ingest_pipeline.py --admin-url postgresql://postgres@127.0.0.1:5432/postgres \\
        --authors 100000 --out bench/results/ingest.raw.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
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


def write_observations(authors: list[dict[str, Any]], path: Path) -> tuple[int, dict[str, list]]:
    """Observations as JSON Lines; also the plain rows a COPY baseline would load."""
    from plugins.openalex.parse import author_record

    n = 0
    rows: dict[str, list] = {k: [] for k in ("document", "researcher", "affiliation")}
    insts: dict[str, tuple[Any, ...]] = {}
    with path.open("w") as fh:
        for k, author in enumerate(authors):
            rec = author_record(author)
            for obs in rec.observations():
                fh.write(obs.model_dump_json(exclude_none=True))
                fh.write("\n")
                n += 1
            rows["document"].append((rec.document.url, "profile", rec.document.title, "openalex"))
            r = rec.researcher
            rows["researcher"].append((r.name, r.works_count, r.cited_by_count, r.h_index))
            for i in rec.institutions:
                insts.setdefault(i.ids["openalex"], (i.name, i.country_code))
            for af in rec.affiliations:
                rows["affiliation"].append((k + 1, af.institution.ids["openalex"], af.years))
    rows["institution"] = list(insts.items())
    return n, rows


async def copy_baseline(url: str, rows: dict[str, list]) -> float:
    """COPY the same rows with no resolution: the floor the pipeline is compared to."""
    conn = await asyncpg.connect(url)
    try:
        t0 = time.perf_counter()
        async with conn.transaction():
            inst_rows = [
                (k + 1, f"i-{oid.lower()}", name, cc, name.lower())
                for k, (oid, (name, cc)) in enumerate(rows["institution"])
            ]
            ids = {oid: k + 1 for k, (oid, _) in enumerate(rows["institution"])}
            await conn.copy_records_to_table(
                "institution",
                records=inst_rows,
                columns=["id", "slug", "name", "country_code", "search_text"],
            )
            await conn.copy_records_to_table(
                "document",
                records=[(k + 1, *d) for k, d in enumerate(rows["document"])],
                columns=["id", "url", "kind", "title", "source"],
            )
            res = [(k + 1, *r, r[0].lower()) for k, r in enumerate(rows["researcher"])]
            await conn.copy_records_to_table(
                "researcher",
                records=res,
                columns=["id", "display_name", "works_count", "cited_by_count", "h_index",
                         "search_text"],
            )  # fmt: skip
            aff_rows = [
                (rid, ids[oid], "openalex", f"{rid}:{oid}", years)
                for rid, oid, years in rows["affiliation"]
            ]
            await conn.copy_records_to_table(
                "affiliation",
                records=aff_rows,
                columns=["researcher_id", "institution_id", "source", "source_key", "years"],
            )
        return time.perf_counter() - t0
    finally:
        await conn.close()


async def _fresh_database(admin_url: str, name: str) -> str:
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
    """Run the pipeline over ``path``; print timing and this process's peak RSS as JSON."""
    from service.config import Settings
    from service.db.pool import create_pool
    from service.ingest.pipeline import run_ingester

    async def go() -> dict[str, Any]:
        pool = await create_pool(url, min_size=1, max_size=4, statement_timeout_ms=0)
        try:
            settings = Settings(database_url=url)
            t0 = time.perf_counter()
            result = await run_ingester(
                pool, "jsonl", {"path": path}, instance="bench", settings=settings
            )
            summary = {
                k: getattr(result, k)
                for k in ("status", "seen", "created", "updated", "unchanged", "rejected")
            }
            return {"seconds": time.perf_counter() - t0, "result": summary}
        finally:
            await pool.close()

    out = asyncio.run(go())
    out["vmhwm_kb"] = vmhwm_kb(os.getpid())
    print(json.dumps(out))


def vmhwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


async def run(args: argparse.Namespace) -> dict[str, Any]:
    authors = synthetic_authors(args.authors, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "authors.jsonl"
        t0 = time.perf_counter()
        n_obs, rows = write_observations(authors, path)
        logger.info("%d authors -> %d observations in %.1fs", len(authors), n_obs,
                    time.perf_counter() - t0)  # fmt: skip
        url = await _fresh_database(args.admin_url, f"{args.db_prefix}_ingest")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--child", url, str(path),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
        )  # fmt: skip
        stdout, stderr = await proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"pipeline run failed:\n{stderr.decode()[-3000:]}")
        child = json.loads(stdout.decode().strip().splitlines()[-1])
        copy_url = await _fresh_database(args.admin_url, f"{args.db_prefix}_copy")
        copy_seconds = await copy_baseline(copy_url, rows)
    conn = await asyncpg.connect(url)
    try:
        written = {
            t: await conn.fetchval(f"SELECT count(*) FROM {t}")
            for t in ("researcher", "institution", "affiliation", "document", "evidence")
        }
    finally:
        await conn.close()
    pipe_rate = n_obs / child["seconds"]
    copy_rate = n_obs / copy_seconds
    return {
        "authors": args.authors,
        "observations": n_obs,
        "pipeline_seconds": round(child["seconds"], 2),
        "pipeline_obs_per_s": round(pipe_rate, 1),
        "copy_seconds": round(copy_seconds, 2),
        "copy_obs_per_s": round(copy_rate, 1),
        "ratio_to_copy": round(pipe_rate / copy_rate, 3),
        "pipeline_peak_rss_mb": round(child["vmhwm_kb"] / 1024, 1),
        "rows_written": written,
        "run": child["result"],
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
