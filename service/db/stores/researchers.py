"""Researcher rows for ingestion: lookups by external id and alias, bulk creation, updates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg


@dataclass(frozen=True)
class ResearcherCandidate:
    id: int
    display_name: str
    native_name: str | None
    aliases: tuple[tuple[str, str, str], ...]
    """(alias, normalized, source) rows."""
    ids: dict[str, str]
    topics: tuple[str, ...]


async def ids_by_external_id(
    conn: asyncpg.Connection, pairs: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Researcher id (following merges) for each known (scheme, value)."""
    if not pairs:
        return {}
    rows = await conn.fetch(
        """
        SELECT x.scheme, x.value, coalesce(r.merged_into_id, r.id) AS id
        FROM unnest($1::text[], $2::text[]) AS k(scheme, value)
        JOIN researcher_external_id x ON x.scheme = k.scheme AND x.value = k.value
        JOIN researcher r ON r.id = x.researcher_id
        """,
        [p[0] for p in pairs],
        [p[1] for p in pairs],
    )
    return {(r["scheme"], r["value"]): r["id"] for r in rows}


async def candidates_by_alias(
    conn: asyncpg.Connection, keys: Sequence[str]
) -> dict[str, list[ResearcherCandidate]]:
    """Researchers having an alias normalised to one of ``keys``, by key."""
    if not keys:
        return {}
    rows = await conn.fetch(
        """
        WITH hits AS (
            SELECT DISTINCT a.normalized AS key, coalesce(r.merged_into_id, r.id) AS id
            FROM unnest($1::text[]) AS k(key)
            JOIN researcher_alias a ON a.normalized = k.key
            JOIN researcher r ON r.id = a.researcher_id
        )
        SELECT h.key, r.id, r.display_name, r.native_name, r.topics,
               (SELECT coalesce(array_agg(ARRAY[a.alias, a.normalized, a.source]), '{}')
                  FROM researcher_alias a WHERE a.researcher_id = r.id) AS aliases,
               (SELECT coalesce(jsonb_object_agg(x.scheme, x.value), '{}'::jsonb)
                  FROM researcher_external_id x WHERE x.researcher_id = r.id) AS ids
        FROM hits h JOIN researcher r ON r.id = h.id
        """,
        list(keys),
    )
    out: dict[str, list[ResearcherCandidate]] = {}
    for r in rows:
        out.setdefault(r["key"], []).append(
            ResearcherCandidate(
                id=r["id"],
                display_name=r["display_name"],
                native_name=r["native_name"],
                aliases=tuple((a[0], a[1], a[2]) for a in (r["aliases"] or [])),
                ids=dict(r["ids"] or {}),
                topics=tuple(r["topics"] or ()),
            )
        )
    return out


async def insert_people(
    conn: asyncpg.Connection,
    rows: Sequence[dict[str, Any]],
    ids: Sequence[tuple[int, str, str]],
    aliases: Sequence[tuple[int, str, str, str]],
) -> set[int]:
    """Insert researchers (with pre-allocated ids) and add (researcher_id, scheme, value)
    external ids and (researcher_id, alias, normalized, source) aliases not known yet, in one
    statement; the researchers that gained an external id or alias."""
    if not (rows or ids or aliases):
        return set()
    # A new researcher's aliases cannot be stored yet (its id is new, and the resolver sends
    # each alias once): they skip the conflict check, the dearer way to insert a row.
    new_ids = {r["id"] for r in rows}
    fresh = [a for a in aliases if a[0] in new_ids]
    known = [a for a in aliases if a[0] not in new_ids]
    added = await conn.fetch(
        """
        WITH r AS (
            INSERT INTO researcher (id, display_name, native_name, search_text, topics,
                                    works_count, cited_by_count, h_index)
            OVERRIDING SYSTEM VALUE
            SELECT r.id, r.display_name, r.native_name, r.search_text,
                   coalesce((SELECT array_agg(t) FROM jsonb_array_elements_text(r.topics) t),
                            '{}'),
                   r.works_count, r.cited_by_count, r.h_index
            FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, display_name text,
                 native_name text, search_text text, topics jsonb, works_count int,
                 cited_by_count int, h_index int)
        ), x AS (
            INSERT INTO researcher_external_id (researcher_id, scheme, value)
            SELECT * FROM unnest($2::bigint[], $3::text[], $4::text[])
            ON CONFLICT DO NOTHING
            RETURNING researcher_id
        ), a AS (
            INSERT INTO researcher_alias (researcher_id, alias, normalized, source)
            SELECT * FROM unnest($5::bigint[], $6::text[], $7::text[], $8::text[])
            ON CONFLICT DO NOTHING
            RETURNING researcher_id
        ), f AS (
            INSERT INTO researcher_alias (researcher_id, alias, normalized, source)
            SELECT * FROM unnest($9::bigint[], $10::text[], $11::text[], $12::text[])
        )
        SELECT researcher_id FROM x UNION SELECT researcher_id FROM a
        """,
        list(rows),
        [r[0] for r in ids],
        [r[1] for r in ids],
        [r[2] for r in ids],
        [r[0] for r in known],
        [r[1] for r in known],
        [r[2] for r in known],
        [r[3] for r in known],
        [r[0] for r in fresh],
        [r[1] for r in fresh],
        [r[2] for r in fresh],
        [r[3] for r in fresh],
    )
    return {r["researcher_id"] for r in added}


async def fetch_profiles(conn: asyncpg.Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await conn.fetch(
        """
        SELECT id, display_name, native_name, topics, works_count, cited_by_count, h_index,
               search_text
        FROM unnest($1::bigint[]) AS k(id) JOIN researcher USING (id)
        """,
        list(ids),
    )
    return {r["id"]: dict(r) for r in rows}


async def update_profiles(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Set native_name, topics, counts and search_text of existing researchers."""
    if not rows:
        return
    await conn.execute(
        """
        UPDATE researcher SET
            native_name = r.native_name,
            topics = coalesce((SELECT array_agg(t) FROM jsonb_array_elements_text(r.topics) t),
                              '{}'),
            works_count = r.works_count, cited_by_count = r.cited_by_count,
            h_index = r.h_index, search_text = r.search_text
        FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, native_name text, topics jsonb,
             works_count int, cited_by_count int, h_index int, search_text text)
        WHERE researcher.id = r.id
        """,
        list(rows),
    )


async def declared_apart(
    conn: asyncpg.Connection, researcher_ids: Sequence[int]
) -> set[tuple[int, int]]:
    """Pairs among these researchers that a curator declared two people (a candidate match
    resolved as different, or a split), as (lower id, higher id)."""
    if len(researcher_ids) < 2:
        return set()
    rows = await conn.fetch(
        """
        SELECT researcher_id, candidate_id FROM candidate_match
        WHERE status = 'different' AND researcher_id = ANY($1::bigint[])
          AND candidate_id = ANY($1::bigint[])
        """,
        list(researcher_ids),
    )
    return {(int(r["researcher_id"]), int(r["candidate_id"])) for r in rows}


async def add_candidate_matches(
    conn: asyncpg.Connection, rows: Sequence[tuple[int, int, float, list[str]]]
) -> None:
    """Record (researcher, candidate, score, reasons) pairs for a curator; repeats are kept once."""
    for a, b, score, reasons in rows:
        low, high = sorted((a, b))
        if low == high:
            continue
        await conn.execute(
            """
            INSERT INTO candidate_match (researcher_id, candidate_id, score, reasons)
            VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING
            """,
            low,
            high,
            min(max(score, 0.0), 1.0),
            reasons,
        )
