"""Moves follow identity: after a curator merges, splits or settles a candidate match, the
moves of the researchers concerned are inferred again from their histories, by the same code
ingestion runs (``BatchWriter.reinfer``)."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from service.config import Settings
from service.ingest.resolver import Resolver
from service.ingest.writer import BatchWriter

CURATION = "curation"


async def recompute_moves(
    conn: asyncpg.Connection, researcher_ids: Sequence[int], settings: Settings, *, actor: str
) -> list[int]:
    """Re-infer the moves of these researchers (merged records are followed to their
    survivor); the ids of the moves created."""
    rows = await conn.fetch(
        "SELECT DISTINCT coalesce(merged_into_id, id) AS id FROM researcher "
        "WHERE id = ANY($1::bigint[])",
        sorted(set(researcher_ids)),
    )
    ids = [int(r["id"]) for r in rows]
    writer = BatchWriter(conn, CURATION, actor, settings, Resolver(conn, CURATION))
    outcome = await writer.reinfer(ids)
    return [int(m["id"]) for m in outcome.new_moves]
