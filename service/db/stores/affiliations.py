"""Affiliation stints: keyed by (researcher, institution, source, source_key)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

Key = tuple[int, int, str, str]


async def fetch_by_keys(conn: asyncpg.Connection, keys: Sequence[Key]) -> dict[Key, dict[str, Any]]:
    if not keys:
        return {}
    rows = await conn.fetch(
        """
        SELECT a.id, a.researcher_id, a.institution_id, a.source, a.source_key, a.role,
               a.department, a.start_date, a.start_precision, a.end_date, a.end_precision,
               a.years, a.year_documents,
               ARRAY(SELECT DISTINCT e.document_id FROM evidence e
                     WHERE e.affiliation_id = a.id) AS documents
        FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[]) AS k(r, i, s, sk)
        JOIN affiliation a ON a.researcher_id = k.r AND a.institution_id = k.i
             AND a.source = k.s AND a.source_key = k.sk
        """,
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
        [k[3] for k in keys],
    )
    return {
        (r["researcher_id"], r["institution_id"], r["source"], r["source_key"]): dict(r)
        for r in rows
    }


async def insert_with_evidence(
    conn: asyncpg.Connection,
    rows: Sequence[dict[str, Any]],
    evidence: Sequence[tuple[int | None, Key, int, str, str | None]],
) -> None:
    """Insert affiliations and add their evidence rows in one statement.

    ``rows`` carry their ids (``sequences.next_ids``). ``evidence`` rows are (affiliation id,
    or None for one of ``rows``; the affiliation's key; document id, extractor, extractor
    version), inserted in the order given, each only if not there yet.
    """
    if not (rows or evidence):
        return
    await conn.execute(
        """
        WITH a AS (
            INSERT INTO affiliation (id, researcher_id, institution_id, source, source_key,
                                     role, department, start_date, start_precision, end_date,
                                     end_precision, years, year_documents)
            OVERRIDING SYSTEM VALUE
            SELECT r.id, r.researcher_id, r.institution_id, r.source, r.source_key, r.role,
                   r.department, r.start_date, r.start_precision, r.end_date, r.end_precision,
                   coalesce((SELECT array_agg(y::int)
                             FROM jsonb_array_elements_text(r.years) y), '{}'),
                   coalesce(r.year_documents, '{}')
            FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, researcher_id bigint,
                 institution_id bigint, source text, source_key text, role text,
                 department text, start_date date, start_precision text, end_date date,
                 end_precision text, years jsonb, year_documents jsonb)
            RETURNING id, researcher_id, institution_id, source, source_key
        )
        INSERT INTO evidence (affiliation_id, document_id, extractor, extractor_version)
        SELECT e.affiliation_id, e.document_id, e.extractor, e.extractor_version
        FROM (
            SELECT coalesce(k.id, a.id) AS affiliation_id, k.document_id, k.extractor,
                   k.extractor_version, k.n
            FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[],
                        $7::bigint[], $8::text[], $9::text[]) WITH ORDINALITY
                 AS k(id, r, i, s, sk, document_id, extractor, extractor_version, n)
            LEFT JOIN a ON k.id IS NULL AND a.researcher_id = k.r AND a.institution_id = k.i
                 AND a.source = k.s AND a.source_key = k.sk
            ORDER BY k.n
        ) AS e
        ON CONFLICT (affiliation_id, document_id, extractor) WHERE affiliation_id IS NOT NULL
        DO NOTHING
        """,
        list(rows),
        [e[0] for e in evidence],
        [e[1][0] for e in evidence],
        [e[1][1] for e in evidence],
        [e[1][2] for e in evidence],
        [e[1][3] for e in evidence],
        [e[2] for e in evidence],
        [e[3] for e in evidence],
        [e[4] for e in evidence],
    )


async def update(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    await conn.execute(
        """
        UPDATE affiliation SET role = r.role, department = r.department,
            start_date = r.start_date, start_precision = r.start_precision,
            end_date = r.end_date, end_precision = r.end_precision,
            years = coalesce((SELECT array_agg(y::int) FROM jsonb_array_elements_text(r.years) y),
                             '{}'),
            year_documents = coalesce(r.year_documents, '{}')
        FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, role text, department text,
             start_date date, start_precision text, end_date date, end_precision text,
             years jsonb, year_documents jsonb)
        WHERE affiliation.id = r.id
        """,
        list(rows),
    )


async def history(conn: asyncpg.Connection, researcher_ids: Sequence[int]) -> list[dict[str, Any]]:
    """Every stint of these researchers, with the documents of its evidence and the count of
    documents per year where the source gives one (``year_documents``: year as text → count)."""
    if not researcher_ids:
        return []
    rows = await conn.fetch(
        """
        SELECT a.id, a.researcher_id, a.institution_id, a.start_date, a.start_precision,
               a.end_date, a.end_precision, a.years, a.year_documents, a.source, a.role,
               coalesce((SELECT array_agg(DISTINCT e.document_id) FROM evidence e
                          WHERE e.affiliation_id = a.id), '{}') AS documents
        FROM unnest($1::bigint[]) AS k(r) JOIN affiliation a ON a.researcher_id = k.r
        ORDER BY a.researcher_id, a.id
        """,
        list(researcher_ids),
    )
    return [dict(r) for r in rows]
