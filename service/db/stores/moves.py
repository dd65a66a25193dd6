"""Moves written by ingestion: reported moves, inferred moves, and their evidence summary."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

MOVE_COLUMNS = """m.id, m.researcher_id, m.from_institution_id, m.to_institution_id,
    m.from_country, m.to_country, m.move_date, m.date_precision, m.kind, m.is_returnee,
    m.status, m.confidence, m.provisional, m.origin, m.is_visit, m.date_earliest,
    m.earliest_precision, m.date_latest, m.latest_precision, m.reasons, m.doubts, m.is_dual_affiliation,
    m.is_first_job_after_doctorate"""


async def for_researchers(
    conn: asyncpg.Connection, researcher_ids: Sequence[int]
) -> list[dict[str, Any]]:
    """Moves of these researchers, each with its evidence (document kind, publisher, confidence)."""
    if not researcher_ids:
        return []
    rows = await conn.fetch(
        f"""
        SELECT {MOVE_COLUMNS},
               coalesce((SELECT jsonb_agg(jsonb_build_object(
                            'document_id', e.document_id, 'kind', d.kind,
                            'publisher', coalesce(d.publisher, d.url),
                            'confidence', e.confidence, 'extractor', e.extractor,
                            'modality', e.modality))
                         FROM evidence e JOIN document d ON d.id = e.document_id
                         WHERE e.move_id = m.id), '[]'::jsonb) AS evidence
        FROM unnest($1::bigint[]) AS k(r) JOIN move m ON m.researcher_id = k.r ORDER BY m.id
        """,
        list(researcher_ids),
    )
    return [dict(r) for r in rows]


async def insert(conn: asyncpg.Connection, row: dict[str, Any]) -> dict[str, Any]:
    out = await conn.fetchrow(
        f"""
        INSERT INTO move AS m (researcher_id, from_institution_id, to_institution_id,
                          from_country, to_country, move_date, date_precision, kind,
                          is_returnee, status, confidence, provisional, origin)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        RETURNING {MOVE_COLUMNS}
        """,
        row["researcher_id"],
        row["from_institution_id"],
        row["to_institution_id"],
        row["from_country"],
        row["to_country"],
        row["move_date"],
        row["date_precision"],
        row["kind"],
        row["is_returnee"],
        row["status"],
        row["confidence"],
        row["provisional"],
        row["origin"],
    )
    assert out is not None
    return dict(out)


async def insert_with_evidence(
    conn: asyncpg.Connection,
    rows: Sequence[dict[str, Any]],
    evidence: Sequence[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Insert moves and add evidence rows in one statement; the stored moves, in order.

    The moves take ids from the sequence in the order given, as single inserts would have. An
    evidence row's ``move_id`` is a stored move's id, or ``-k`` for the k-th of ``rows``;
    evidence rows (move_id, document_id, quote, span_start, span_end, extractor,
    extractor_version, confidence) are inserted in the order given, each only if not there yet.
    """
    if not (rows or evidence):
        return []
    out = await conn.fetch(
        f"""
        WITH r AS MATERIALIZED (
            SELECT nextval(pg_get_serial_sequence('move', 'id')) AS id, r.*
            FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[],
                        $6::date[], $7::text[], $8::text[], $9::boolean[], $10::text[],
                        $11::float8[], $12::boolean[], $13::text[], $15::boolean[], $16::date[],
                        $17::text[], $18::date[], $19::text[], $20::jsonb[],
                        $21::boolean[], $22::boolean[]) WITH ORDINALITY
                 AS r(researcher_id, from_id, to_id, from_country, to_country, move_date,
                      date_precision, kind, is_returnee, status, confidence, provisional,
                      origin, is_visit, date_earliest, earliest_precision, date_latest,
                      latest_precision, reasons, is_dual_affiliation,
                      is_first_job_after_doctorate, n)
            ORDER BY r.n
        ), m AS (
            INSERT INTO move AS m (id, researcher_id, from_institution_id, to_institution_id,
                              from_country, to_country, move_date, date_precision, kind,
                              is_returnee, status, confidence, provisional, origin, is_visit,
                              date_earliest, earliest_precision, date_latest, latest_precision,
                              reasons, is_dual_affiliation, is_first_job_after_doctorate)
            OVERRIDING SYSTEM VALUE
            SELECT r.id, r.researcher_id, r.from_id, r.to_id, r.from_country, r.to_country,
                   r.move_date, r.date_precision, r.kind, r.is_returnee, r.status,
                   r.confidence, r.provisional, r.origin, coalesce(r.is_visit, false),
                   r.date_earliest, r.earliest_precision, r.date_latest, r.latest_precision,
                   r.reasons, coalesce(r.is_dual_affiliation, false),
                   coalesce(r.is_first_job_after_doctorate, false)
            FROM r ORDER BY r.n
            RETURNING {MOVE_COLUMNS}
        ), e AS (
            INSERT INTO evidence (move_id, document_id, quote, span_start, span_end, extractor,
                                  extractor_version, confidence)
            SELECT coalesce(r.id, k.move_id), k.document_id, k.quote, k.span_start,
                   k.span_end, k.extractor, k.extractor_version, k.confidence
            FROM ROWS FROM (jsonb_to_recordset($14::jsonb)
                     AS (move_id bigint, document_id bigint, quote text, span_start int,
                         span_end int, extractor text, extractor_version text,
                         confidence float8)) WITH ORDINALITY
                 AS k(move_id, document_id, quote, span_start, span_end, extractor,
                      extractor_version, confidence, n)
            LEFT JOIN r ON k.move_id < 0 AND r.n = -k.move_id
            ORDER BY k.n
            ON CONFLICT (move_id, document_id, extractor) WHERE move_id IS NOT NULL DO NOTHING
        )
        SELECT m.* FROM m JOIN r ON r.id = m.id ORDER BY r.n
        """,
        *(
            [row[k] for row in rows]
            for k in (
                "researcher_id",
                "from_institution_id",
                "to_institution_id",
                "from_country",
                "to_country",
                "move_date",
                "date_precision",
                "kind",
                "is_returnee",
                "status",
                "confidence",
                "provisional",
                "origin",
            )
        ),
        list(evidence),
        *(
            [row.get(k) for row in rows]
            for k in (
                "is_visit",
                "date_earliest",
                "earliest_precision",
                "date_latest",
                "latest_precision",
                "reasons",
                "is_dual_affiliation",
                "is_first_job_after_doctorate",
            )
        ),
    )
    return [dict(r) for r in out]


async def update_fields(conn: asyncpg.Connection, move_id: int, fields: dict[str, Any]) -> None:
    if not fields:
        return
    allowed = {
        "from_institution_id",
        "to_institution_id",
        "origin",
        "confidence",
        "status",
        "provisional",
        "move_date",
        "date_precision",
        "kind",
        "is_returnee",
        "from_country",
        "to_country",
        "is_visit",
        "date_earliest",
        "earliest_precision",
        "date_latest",
        "latest_precision",
        "doubts",
        "reasons",
        "is_dual_affiliation",
        "is_first_job_after_doctorate",
    }
    names = [k for k in fields if k in allowed]
    sets = ", ".join(f"{name} = ${i + 2}" for i, name in enumerate(names))
    await conn.execute(
        f"UPDATE move SET {sets} WHERE id = $1", move_id, *[fields[n] for n in names]
    )


async def withdraw(
    conn: asyncpg.Connection, moves: Sequence[dict[str, Any]], *, actor: str
) -> None:
    """Delete moves an affiliation history no longer supports, each with an ``audit_log`` row
    (action ``inference_withdrawn``) keeping what the move said."""
    if not moves:
        return
    details = [
        {
            "researcher_id": m["researcher_id"],
            "from_institution_id": m["from_institution_id"],
            "to_institution_id": m["to_institution_id"],
            "move_date": m["move_date"].isoformat() if m["move_date"] else None,
            "date_precision": m["date_precision"],
            "status": m["status"],
            "confidence": round(float(m["confidence"]), 4),
        }
        for m in moves
    ]
    await conn.execute(
        """
        WITH gone AS (DELETE FROM move WHERE id = ANY($1::bigint[]) RETURNING id)
        INSERT INTO audit_log (actor, action, entity, entity_id, details)
        SELECT $2, 'inference_withdrawn', 'move', d.id, d.details
        FROM unnest($1::bigint[], $3::jsonb[]) AS d(id, details)
        JOIN gone ON gone.id = d.id
        """,
        [m["id"] for m in moves],
        actor,
        details,
    )
