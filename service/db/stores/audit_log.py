"""The ``audit_log`` table: one row per curator or operator decision, written in the same
transaction as the change it records."""

from __future__ import annotations

from typing import Any

import asyncpg


async def audit(
    conn: asyncpg.Connection,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None,
    details: dict[str, Any],
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (actor, action, entity, entity_id, details) "
        "VALUES ($1, $2, $3, $4, $5)",
        actor,
        action,
        entity,
        entity_id,
        details,
    )
