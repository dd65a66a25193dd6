"""The flow rollups' upkeep: folding the pending deltas the move triggers write (migration 0014).

Reads are exact whether or not the deltas are folded; folding keeps them to about one row per
cell. ``tf_compact_move_rollups`` takes a transaction advisory lock first and returns false at
once when another transaction holds it (that one folds what it sees; the rest waits for the next
call), so callers never queue behind each other.
"""

from __future__ import annotations

import asyncpg


async def compact(conn: asyncpg.Connection) -> bool:
    """Fold the committed pending rows into one row per cell; false when another transaction
    was compacting."""
    return bool(await conn.fetchval("SELECT tf_compact_move_rollups()"))
