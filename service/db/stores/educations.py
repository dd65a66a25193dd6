"""Education stints: keyed by (researcher, institution, degree, source, source_key)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg


async def upsert(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> list[str]:
    """Insert or update education rows; return 'created'/'updated'/'unchanged' in order."""
    if not rows:
        return []
    found = await conn.fetch(
        """
        WITH r AS (
            SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
                 researcher_id bigint, institution_id bigint, degree text, field text,
                 start_date date, start_precision text, end_date date, end_precision text,
                 source text, source_key text, document_id bigint, n bigint)
        ), old AS (
            SELECT r.n, e.field, e.start_date, e.start_precision, e.end_date, e.end_precision,
                   e.document_id
            FROM r JOIN education e ON e.researcher_id = r.researcher_id
                 AND e.institution_id = r.institution_id AND e.degree = r.degree
                 AND e.source = r.source AND e.source_key = r.source_key
        ), up AS (
            INSERT INTO education (researcher_id, institution_id, degree, field, start_date,
                                   start_precision, end_date, end_precision, source, source_key,
                                   document_id)
            SELECT DISTINCT ON (researcher_id, institution_id, degree, source, source_key)
                   researcher_id, institution_id, degree, field, start_date, start_precision,
                   end_date, end_precision, source, source_key, document_id
            FROM r ORDER BY researcher_id, institution_id, degree, source, source_key, n DESC
            ON CONFLICT (researcher_id, institution_id, degree, source, source_key) DO UPDATE SET
                field = excluded.field, start_date = excluded.start_date,
                start_precision = excluded.start_precision, end_date = excluded.end_date,
                end_precision = excluded.end_precision,
                document_id = coalesce(excluded.document_id, education.document_id),
                updated_at = now()
            WHERE (education.field, education.start_date, education.start_precision,
                   education.end_date, education.end_precision)
                  IS DISTINCT FROM (excluded.field, excluded.start_date,
                   excluded.start_precision, excluded.end_date, excluded.end_precision)
            RETURNING 1
        )
        SELECT r.n,
               CASE WHEN old.n IS NULL THEN 'created'
                    WHEN (old.field, old.start_date, old.start_precision, old.end_date,
                          old.end_precision)
                         IS DISTINCT FROM (r.field, r.start_date, r.start_precision,
                          r.end_date, r.end_precision) THEN 'updated'
                    ELSE 'unchanged' END AS status,
               (SELECT count(*) FROM up) AS written
        FROM r LEFT JOIN old ON old.n = r.n ORDER BY r.n
        """,
        [{**row, "n": n} for n, row in enumerate(rows)],
    )
    return [str(r["status"]) for r in found]


async def of_researchers(
    conn: asyncpg.Connection, researcher_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """Every education row of these researchers (merged ones through their redirect), with the
    institution's country."""
    if not researcher_ids:
        return []
    rows = await conn.fetch(
        """
        SELECT coalesce(r.merged_into_id, r.id) AS researcher_id, e.id, e.institution_id,
               i.country_code, e.degree, e.field, e.start_date, e.start_precision, e.end_date,
               e.end_precision, e.source, e.document_id
        FROM education e JOIN researcher r ON r.id = e.researcher_id
        JOIN institution i ON i.id = e.institution_id
        WHERE coalesce(r.merged_into_id, r.id) = ANY($1::bigint[])
        ORDER BY 1, e.start_date NULLS LAST, e.id
        """,
        list(researcher_ids),
    )
    return [dict(r) for r in rows]


async def for_classes(
    conn: asyncpg.Connection, researcher_ids: Sequence[int]
) -> dict[int, list[dict[str, Any]]]:
    """Per researcher (records merged into it included), each education stint with what the
    move classes read: institution, its country, degree, and the first and last years (the
    first being the start's, else the end's), and the dates as stored (a doctorate can be a
    stint of the career: ``service.domain.moves.doctorate_stints``). Index scans only."""
    if not researcher_ids:
        return {}
    rows = await conn.fetch(
        """
        WITH k(root, id) AS (
            SELECT r, r FROM unnest($1::bigint[]) AS r
            UNION ALL
            SELECT x.merged_into_id, x.id FROM researcher x
            WHERE x.merged_into_id = ANY($1::bigint[])
        )
        SELECT k.root, e.institution_id, i.country_code, e.degree,
               extract(year FROM coalesce(e.start_date, e.end_date))::int AS first,
               extract(year FROM e.end_date)::int AS last,
               e.start_date, e.start_precision, e.end_date, e.end_precision
        FROM k JOIN education e ON e.researcher_id = k.id
        JOIN institution i ON i.id = e.institution_id
        ORDER BY 1, 5, 2, 4
        """,
        list(researcher_ids),
    )
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["root"], []).append(dict(r))
    return out
