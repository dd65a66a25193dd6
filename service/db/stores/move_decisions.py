"""Curator decisions on moves, shared by the GraphQL mutations and REST: confirm or retract,
each written with an audit-log row.

Confirming a retracted move is refused (un-retracting is a separate decision); retracting or
confirming twice changes nothing but is still audited.
"""

from __future__ import annotations

import asyncpg

from service.db.stores.audit_log import audit
from service.errors import Conflict, NotFound


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
        await audit(conn, actor, "move.confirm", "move", move_id, {"from": before, "note": note})


async def retract_move(
    conn: asyncpg.Connection, move_id: int, *, actor: str, note: str | None = None
) -> None:
    async with conn.transaction():
        before = await _status(conn, move_id)
        await conn.execute("UPDATE move SET status = 'retracted' WHERE id = $1", move_id)
        await audit(conn, actor, "move.retract", "move", move_id, {"from": before, "note": note})
