"""Ingest run bookkeeping: runs, their counts and rejected records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from service.db.text import storable_text

RECORD_EXCERPT_BYTES = 2048


async def start(
    conn: asyncpg.Connection, plugin: str, instance: str, dry_run: bool, cursor_before: Any
) -> int:
    value: int = await conn.fetchval(
        """
        INSERT INTO ingest_run (plugin, instance, dry_run, cursor_before)
        VALUES ($1, $2, $3, $4::jsonb) RETURNING id
        """,
        plugin,
        instance,
        dry_run,
        cursor_before,
    )
    return value


async def running(conn: asyncpg.Connection, instance: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        """
        SELECT id, started_at FROM ingest_run WHERE instance = $1 AND status = 'running'
        ORDER BY id DESC LIMIT 1
        """,
        instance,
    )
    return dict(row) if row else None


async def fail_abandoned(conn: asyncpg.Connection, instance: str) -> list[int]:
    """Mark runs of ``instance`` still 'running' as failed (call only while holding its lock)."""
    rows = await conn.fetch(
        """
        UPDATE ingest_run SET status = 'failed', finished_at = greatest(now(), started_at),
            error = 'abandoned: the process running it stopped before finishing'
        WHERE instance = $1 AND status = 'running' RETURNING id
        """,
        instance,
    )
    return [r["id"] for r in rows]


async def set_counts(conn: asyncpg.Connection, run_id: int, counts: dict[str, int]) -> None:
    await conn.execute(
        """
        UPDATE ingest_run SET seen = $2, created = $3, updated = $4, unchanged = $5,
            rejected = $6 WHERE id = $1
        """,
        run_id,
        counts["seen"],
        counts["created"],
        counts["updated"],
        counts["unchanged"],
        counts["rejected"],
    )


async def finish(
    conn: asyncpg.Connection,
    run_id: int,
    *,
    status: str,
    counts: dict[str, int],
    cursor_after: Any,
    error: str | None,
) -> None:
    await set_counts(conn, run_id, counts)
    await conn.execute(
        """
        UPDATE ingest_run SET status = $2, finished_at = greatest(now(), started_at),
            cursor_after = $3::jsonb, error = $4 WHERE id = $1
        """,
        run_id,
        status,
        cursor_after,
        error,
    )


def excerpt(record: Any) -> str | None:
    if record is None:
        return None
    text = record if isinstance(record, str) else repr(record)
    data = text.encode("utf-8", "replace")
    if len(data) <= RECORD_EXCERPT_BYTES:
        return text
    return data[: RECORD_EXCERPT_BYTES - 3].decode("utf-8", errors="ignore") + "..."


def _storable(text: str | None) -> str | None:
    return None if text is None else storable_text(text)


async def add_rejects(
    conn: asyncpg.Connection, run_id: int, rows: Sequence[tuple[str, str, str | None]]
) -> None:
    if rows:
        await conn.executemany(
            "INSERT INTO ingest_reject (run_id, position, reason, record) VALUES ($1, $2, $3, $4)",
            [
                (run_id, storable_text(p), storable_text(r), _storable(excerpt(rec)))
                for p, r, rec in rows
            ],
        )


async def recent(conn: asyncpg.Connection, limit: int = 20) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """
        SELECT id, plugin, instance, status, dry_run, started_at, finished_at, seen, created,
               updated, unchanged, rejected, error
        FROM ingest_run ORDER BY started_at DESC, id DESC LIMIT $1
        """,
        limit,
    )
    return [dict(r) for r in rows]


async def rejects(conn: asyncpg.Connection, run_id: int) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT position, reason, record FROM ingest_reject WHERE run_id = $1 ORDER BY id", run_id
    )
    return [dict(r) for r in rows]
