"""Evidence rows: a claim (a move or an affiliation) linked to the document that supports it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg


async def add_move_evidence(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> set[int]:
    """Evidence rows for moves (move_id, document_id, quote, span_start, span_end, extractor,
    extractor_version, confidence, and optionally modality: reported, rumoured or denied); the
    moves that gained a row."""
    if not rows:
        return set()
    out = await conn.fetch(
        """
        INSERT INTO evidence (move_id, document_id, quote, span_start, span_end, extractor,
                              extractor_version, confidence, modality)
        SELECT r.move_id, r.document_id, r.quote, r.span_start, r.span_end, r.extractor,
               r.extractor_version, r.confidence, coalesce(r.modality, 'reported')
        FROM jsonb_to_recordset($1::jsonb) AS r(move_id bigint, document_id bigint, quote text,
             span_start int, span_end int, extractor text, extractor_version text,
             confidence float8, modality text)
        ON CONFLICT (move_id, document_id, extractor) WHERE move_id IS NOT NULL DO NOTHING
        RETURNING move_id
        """,
        list(rows),
    )
    return {r["move_id"] for r in out}


async def remove_move_evidence(
    conn: asyncpg.Connection, move_ids: Sequence[int], extractor: str
) -> None:
    """Drop the evidence rows of one extractor from these moves."""
    if not move_ids:
        return
    await conn.execute(
        "DELETE FROM evidence WHERE move_id = ANY($1::bigint[]) AND extractor = $2",
        list(move_ids),
        extractor,
    )


async def set_move_evidence_confidence(
    conn: asyncpg.Connection, rows: Sequence[tuple[int, float]], extractor: str
) -> None:
    """Set the confidence of one extractor's evidence rows, per (move_id, confidence)."""
    if not rows:
        return
    await conn.execute(
        """
        UPDATE evidence e SET confidence = r.c
        FROM unnest($1::bigint[], $2::float8[]) AS r(m, c)
        WHERE e.move_id = r.m AND e.extractor = $3 AND e.confidence <> r.c
        """,
        [r[0] for r in rows],
        [r[1] for r in rows],
        extractor,
    )
