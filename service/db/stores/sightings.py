"""Researcher sightings: each person as one source showed them, kept for identity resolution
and for splitting a wrong merge (``researcher_sighting``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from service.domain.identity import Sighting

# Sightings read for one batch at most, the most recent first: a bound on the work a batch of
# very common names costs (namesakes beyond it could at most have been candidates).
MAX_PER_QUERY = 5000

# The transaction storing sightings keeps the pending list of the block keys' GIN index at
# most this many kB (PostgreSQL's default is 4 MB). Every probe of a GIN index reads its whole
# pending list first, and ``by_block_keys`` probes it once per key, hundreds of times a batch:
# with the default each probe read up to 4 MB of entries the batches before had added (about
# 2 ms a probe, 2 s a batch at 20,000 authors). A small list is merged into the index by the
# insert that fills it, a little at a time.
GIN_PENDING_LIST_KB = 64


@dataclass(frozen=True)
class StoredSighting:
    id: int
    researcher_id: int
    fingerprint: str
    document_id: int | None
    confidence: float
    sighting: Sighting


@dataclass(frozen=True)
class SightingRow:
    """A sighting to store for a researcher."""

    researcher_id: int
    fingerprint: str
    document_id: int | None
    source: str
    sighting: Sighting
    block_keys: tuple[str, ...]
    confidence: float
    reasons: tuple[str, ...]


_COLUMNS = """s.id, coalesce(r.merged_into_id, r.id) AS researcher_id, s.fingerprint,
    s.document_id, s.confidence, s.names, s.native_name, s.ids, s.topics, s.stints, s.moves,
    s.mention, d.url"""
_FROM = """researcher_sighting s JOIN researcher r ON r.id = s.researcher_id
    LEFT JOIN document d ON d.id = s.document_id"""


def _stored(row: asyncpg.Record) -> StoredSighting:
    return StoredSighting(
        id=row["id"],
        researcher_id=row["researcher_id"],
        fingerprint=row["fingerprint"],
        document_id=row["document_id"],
        confidence=float(row["confidence"]),
        sighting=Sighting(
            names=tuple(row["names"]),
            native_name=row["native_name"],
            ids=dict(row["ids"] or {}),
            stints=tuple((int(s[0]), s[1], s[2]) for s in row["stints"] or ()),
            topics=frozenset(row["topics"] or ()),
            document=row["url"],
            mention=bool(row["mention"]),
            moves=tuple((m[0], m[1], m[2]) for m in row["moves"] or ()),
        ),
    )


async def by_block_keys(
    conn: asyncpg.Connection, keys: Sequence[str], exclude_schemes: Sequence[str] = ()
) -> list[StoredSighting]:
    """Stored sightings sharing a block key with ``keys`` (researchers followed through merges),
    leaving out researchers holding an id in one of ``exclude_schemes``: a sighting with an id
    in that scheme (not known, or it would have been found by it) can never join them."""
    if not keys:
        return []
    # One index probe per key (``@> ARRAY[key]``), not ``block_keys && $1``: a batch looks up
    # hundreds of keys, and the overlap of two arrays compares every pair of their elements,
    # for every row the planner lets through (a sequential or backward primary-key scan of the
    # whole table, whose cost grew with every batch: at 20,000 authors this statement was
    # nearly half of a run). The probes find the same rows.
    rows = await conn.fetch(
        f"""
        WITH hit AS MATERIALIZED (
            SELECT DISTINCT x.id FROM unnest($1::text[]) AS k(key)
            JOIN researcher_sighting x ON x.block_keys @> ARRAY[k.key]
            WHERE NOT (x.ids ?| $2::text[])
              AND NOT EXISTS (SELECT 1 FROM researcher_external_id e
                              WHERE e.researcher_id = x.researcher_id
                                AND e.scheme = ANY($2::text[]))
            ORDER BY x.id DESC LIMIT {MAX_PER_QUERY})
        SELECT {_COLUMNS} FROM {_FROM}
        WHERE s.id IN (SELECT id FROM hit)
        ORDER BY s.id
        """,
        sorted(set(keys)),
        sorted(set(exclude_schemes)),
    )
    return [_stored(r) for r in rows]


async def for_researchers(
    conn: asyncpg.Connection, researcher_ids: Sequence[int]
) -> list[StoredSighting]:
    """Every sighting of these researchers (merged records included, under their survivor)."""
    if not researcher_ids:
        return []
    rows = await conn.fetch(
        f"""
        SELECT {_COLUMNS} FROM {_FROM}
        WHERE coalesce(r.merged_into_id, r.id) = ANY($1::bigint[]) OR s.researcher_id = ANY($1)
        ORDER BY s.id
        """,
        sorted(set(researcher_ids)),
    )
    return [_stored(r) for r in rows]


async def by_ids(conn: asyncpg.Connection, ids: Sequence[int]) -> list[StoredSighting]:
    rows = await conn.fetch(
        f"SELECT {_COLUMNS} FROM {_FROM} WHERE s.id = ANY($1::bigint[]) ORDER BY s.id",
        sorted(set(ids)),
    )
    return [_stored(r) for r in rows]


def _jsonable(row: SightingRow) -> dict[str, Any]:
    s = row.sighting
    return {
        "researcher_id": row.researcher_id,
        "fingerprint": row.fingerprint,
        "document_id": row.document_id,
        "source": row.source,
        "names": list(s.names),
        "native_name": s.native_name,
        "ids": dict(s.ids),
        "topics": sorted(s.topics),
        "stints": [list(t) for t in s.stints],
        "moves": [list(m) for m in s.moves],
        "mention": s.mention,
        "block_keys": list(row.block_keys),
        "confidence": row.confidence,
        "reasons": list(row.reasons),
    }


async def upsert(conn: asyncpg.Connection, rows: Sequence[SightingRow]) -> None:
    """Store sightings; one seen again (same fingerprint) gains the stints, topics and moves it
    did not have, and keeps its researcher."""
    if not rows:
        return
    await conn.execute(
        "SELECT set_config('gin_pending_list_limit', $1, true)", str(GIN_PENDING_LIST_KB)
    )
    await conn.execute(
        """
        INSERT INTO researcher_sighting AS s (researcher_id, fingerprint, document_id, source,
            names, native_name, ids, topics, stints, moves, mention, block_keys, confidence,
            reasons)
        SELECT x.researcher_id, x.fingerprint, x.document_id, x.source,
               ARRAY(SELECT jsonb_array_elements_text(x.names)), x.native_name, x.ids,
               ARRAY(SELECT jsonb_array_elements_text(x.topics)), x.stints, x.moves, x.mention,
               ARRAY(SELECT jsonb_array_elements_text(x.block_keys)), x.confidence, x.reasons
        FROM jsonb_to_recordset($1::jsonb) AS x(researcher_id bigint, fingerprint text,
            document_id bigint, source text, names jsonb, native_name text, ids jsonb,
            topics jsonb, stints jsonb, moves jsonb, mention boolean, block_keys jsonb,
            confidence real, reasons jsonb)
        ON CONFLICT (fingerprint) DO UPDATE SET
            stints = (SELECT coalesce(jsonb_agg(DISTINCT e), '[]'::jsonb) FROM jsonb_array_elements(
                         s.stints || EXCLUDED.stints) e),
            moves = (SELECT coalesce(jsonb_agg(DISTINCT e), '[]'::jsonb) FROM jsonb_array_elements(
                         s.moves || EXCLUDED.moves) e),
            topics = ARRAY(SELECT DISTINCT unnest(s.topics || EXCLUDED.topics)),
            mention = s.mention AND EXCLUDED.mention
        """,
        [_jsonable(r) for r in rows],
    )


async def move_to(
    conn: asyncpg.Connection, sighting_ids: Sequence[int], researcher_id: int
) -> None:
    await conn.execute(
        "UPDATE researcher_sighting SET researcher_id = $2, confidence = 1, reasons = '[]' "
        "WHERE id = ANY($1::bigint[])",
        sorted(set(sighting_ids)),
        researcher_id,
    )


async def doubts(
    conn: asyncpg.Connection, researcher_ids: Sequence[int]
) -> dict[int, dict[int, tuple[float, tuple[str, ...]]]]:
    """For each researcher, the documents whose sighting joined it on names and context rather
    than an id (confidence below 1): document id -> (confidence, reasons)."""
    if not researcher_ids:
        return {}
    rows = await conn.fetch(
        """
        SELECT s.researcher_id, s.document_id, s.confidence, s.reasons
        FROM researcher_sighting s
        WHERE s.researcher_id = ANY($1::bigint[]) AND s.confidence < 1
          AND s.document_id IS NOT NULL
        """,
        sorted(set(researcher_ids)),
    )
    out: dict[int, dict[int, tuple[float, tuple[str, ...]]]] = {}
    for r in rows:
        docs = out.setdefault(r["researcher_id"], {})
        known = docs.get(r["document_id"])
        if known is None or r["confidence"] < known[0]:
            docs[r["document_id"]] = (float(r["confidence"]), tuple(r["reasons"] or ()))
    return out


async def researchers_with_sightings(
    conn: asyncpg.Connection, researcher_ids: Sequence[int]
) -> set[int]:
    """Those of these researchers that have stored sightings (the others were kept before
    sightings were, and are compared through their profile)."""
    if not researcher_ids:
        return set()
    rows = await conn.fetch(
        """
        SELECT r.id FROM unnest($1::bigint[]) AS r(id)
        WHERE EXISTS (SELECT 1 FROM researcher_sighting s WHERE s.researcher_id = r.id)
        """,
        sorted(set(researcher_ids)),
    )
    return {int(r["id"]) for r in rows}
