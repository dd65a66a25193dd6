"""Institutions: loading the curated seed list, and the rows the resolver indexes.

Seeding is idempotent: each entry is upserted by slug, its aliases and external ids are added
if missing, and nothing a curator or an ingester added is removed. Running it twice leaves the
same rows. The whole seed is one transaction: a failure writes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from service.domain.dates import PartialDate
from service.domain.names import fold, normalize_institution
from service.domain.seed import SeedInstitution, load_relations, load_seed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SeedResult:
    institutions: int
    created: int
    updated: int
    aliases_added: int
    ids_added: int
    relations: int = 0


def institution_search_text(names: list[str]) -> str:
    return " ".join(dict.fromkeys(fold(n) for n in names if n and fold(n)))


async def seed_institutions(conn: asyncpg.Connection, path: Path | None = None) -> SeedResult:
    """Validate the seed file, then upsert every entry in one transaction."""
    entries: list[SeedInstitution] = load_seed(path)
    created = updated = aliases_added = ids_added = 0
    async with conn.transaction():
        ids: dict[str, int] = {}
        for entry in entries:  # parents come before children
            parent_id = ids[entry.parent] if entry.parent else None
            names = [entry.name, *entry.aliases, *entry.native_names]
            row = await conn.fetchrow(
                """
                INSERT INTO institution (slug, name, native_name, kind, country_code, city,
                                         parent_id, is_site, website, reviewed, search_text)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true, $10)
                ON CONFLICT (slug) DO UPDATE SET
                    name = EXCLUDED.name, native_name = EXCLUDED.native_name,
                    kind = EXCLUDED.kind, country_code = EXCLUDED.country_code,
                    city = EXCLUDED.city, parent_id = EXCLUDED.parent_id,
                    is_site = EXCLUDED.is_site, website = EXCLUDED.website, reviewed = true,
                    search_text = EXCLUDED.search_text
                WHERE (institution.name, institution.native_name, institution.kind,
                       institution.country_code, institution.city, institution.parent_id,
                       institution.is_site, institution.website, institution.reviewed,
                       institution.search_text)
                  IS DISTINCT FROM
                      (EXCLUDED.name, EXCLUDED.native_name, EXCLUDED.kind, EXCLUDED.country_code,
                       EXCLUDED.city, EXCLUDED.parent_id, EXCLUDED.is_site, EXCLUDED.website,
                       EXCLUDED.reviewed, EXCLUDED.search_text)
                RETURNING id, (xmax = 0) AS inserted
                """,
                entry.slug,
                entry.name,
                entry.native_names[0] if entry.native_names else None,
                entry.kind.value,
                entry.country,
                entry.city,
                parent_id,
                entry.site,
                entry.website,
                institution_search_text(names),
            )
            if row is None:  # unchanged
                inst_id = await conn.fetchval(
                    "SELECT id FROM institution WHERE slug = $1", entry.slug
                )
            else:
                inst_id = row["id"]
                if row["inserted"]:
                    created += 1
                else:
                    updated += 1
            ids[entry.slug] = inst_id
            alias_rows = []
            for alias in dict.fromkeys(names):
                key = normalize_institution(alias)
                if key:
                    lang = "native" if alias in entry.native_names else None
                    alias_rows.append((inst_id, alias, key, lang))
            await conn.executemany(
                """INSERT INTO institution_alias (institution_id, alias, normalized, lang, source)
                   VALUES ($1, $2, $3, $4, 'seed')
                   ON CONFLICT (institution_id, normalized) DO NOTHING""",
                alias_rows,
            )
            for scheme, value in (("ror", entry.ror), ("openalex", entry.openalex)):
                if value:
                    added = await conn.fetchval(
                        """INSERT INTO institution_external_id (scheme, value, institution_id)
                           VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1""",
                        scheme,
                        value,
                        inst_id,
                    )
                    ids_added += 1 if added else 0
        aliases_added = await conn.fetchval(
            "SELECT count(*) FROM institution_alias WHERE source = 'seed'"
        )
        relations = 0
        if path is None:  # the curated relations go with the curated seed file
            relations = await seed_relations(conn, ids)
    return SeedResult(len(entries), created, updated, aliases_added, ids_added, relations)


async def seed_relations(
    conn: asyncpg.Connection, ids: dict[str, int], path: Path | None = None
) -> int:
    """Upsert the curated predecessor/successor relations; how many there are."""
    rows = []
    for rel in load_relations(path, ids.keys()):
        when = PartialDate.parse(rel.date)
        rows.append(
            (
                ids[rel.predecessor],
                ids[rel.successor],
                rel.kind,
                when.to_date(),
                when.precision,
                rel.note,
            )
        )
    await conn.executemany(
        """INSERT INTO institution_relation (predecessor_id, successor_id, kind, relation_date,
                                             date_precision, source, note)
           VALUES ($1, $2, $3, $4, $5, 'seed', $6)
           ON CONFLICT (predecessor_id, successor_id, kind) DO UPDATE SET
               relation_date = EXCLUDED.relation_date, date_precision = EXCLUDED.date_precision,
               note = EXCLUDED.note""",
        rows,
    )
    return len(rows)


async def add_relations(
    conn: asyncpg.Connection,
    rows: list[tuple[int, int, str, Any, str | None]],
    source: str,
) -> None:
    """Add (predecessor, successor, kind, date, precision) relations a source gives; one
    already known (from the seed or another source) keeps its date unless it had none."""
    await conn.executemany(
        """INSERT INTO institution_relation (predecessor_id, successor_id, kind, relation_date,
                                             date_precision, source)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (predecessor_id, successor_id, kind) DO UPDATE SET
               relation_date = EXCLUDED.relation_date, date_precision = EXCLUDED.date_precision
           WHERE institution_relation.relation_date IS NULL
             AND EXCLUDED.relation_date IS NOT NULL""",
        [(*row, source) for row in rows],
    )


async def relations(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    """Every predecessor/successor relation (a small table: read whole)."""
    out = await conn.fetch(
        """SELECT predecessor_id, successor_id, kind, relation_date, date_precision
           FROM institution_relation ORDER BY id"""
    )
    return [dict(r) for r in out]


async def count_rows(conn: asyncpg.Connection) -> dict[str, int]:
    """Row counts of the main tables, for `talentflow status` and tests."""
    tables = [
        "institution",
        "institution_alias",
        "researcher",
        "affiliation",
        "move",
        "evidence",
        "document",
        "job_posting",
        "ingest_run",
        "api_key",
    ]
    counts: dict[str, int] = {}
    for table in tables:
        counts[table] = await conn.fetchval(f"SELECT count(*) FROM {table}")
    return counts
