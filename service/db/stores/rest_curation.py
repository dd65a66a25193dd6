"""Curator decisions on moves: confirm or retract, each written with an audit-log row.

Confirming a retracted move is refused (un-retracting is a separate decision); retracting or
confirming twice changes nothing but is still audited.
"""

from __future__ import annotations

import asyncpg

from service.errors import Conflict, NotFound


async def _audit(
    conn: asyncpg.Connection, actor: str, action: str, move_id: int, details: dict[str, object]
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (actor, action, entity, entity_id, details) "
        "VALUES ($1, $2, 'move', $3, $4)",
        actor,
        action,
        move_id,
        details,
    )


async def _status(conn: asyncpg.Connection, move_id: int) -> str:
    status: str | None = await conn.fetchval(
        "SELECT status FROM move WHERE id = $1 FOR UPDATE", move_id
    )
    if status is None:
        raise NotFound(f"no move with id {move_id}")
    return status


async def confirm_move(
    conn: asyncpg.Connection, move_id: int, *, actor: str, note: str | None = None
) -> None:
    async with conn.transaction():
        before = await _status(conn, move_id)
        if before == "retracted":
            raise Conflict(f"move {move_id} is retracted; it cannot be confirmed")
        await conn.execute("UPDATE move SET status = 'confirmed' WHERE id = $1", move_id)
        await _audit(conn, actor, "move.confirm", move_id, {"from": before, "note": note})


async def retract_move(
    conn: asyncpg.Connection, move_id: int, *, actor: str, note: str | None = None
) -> None:
    async with conn.transaction():
        before = await _status(conn, move_id)
        await conn.execute("UPDATE move SET status = 'retracted' WHERE id = $1", move_id)
        await _audit(conn, actor, "move.retract", move_id, {"from": before, "note": note})
