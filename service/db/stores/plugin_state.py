"""Per-instance plugin state and HTTP validators, committed with the data they cover."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg


async def load(conn: asyncpg.Connection, instance: str) -> dict[str, Any] | None:
    value: dict[str, Any] | None = await conn.fetchval(
        "SELECT state FROM plugin_state WHERE instance = $1", instance
    )
    return value


async def save(
    conn: asyncpg.Connection, instance: str, plugin: str, state: Any, run_id: int
) -> None:
    await conn.execute(
        """
        INSERT INTO plugin_state (instance, plugin, state, run_id) VALUES ($1, $2, $3::jsonb, $4)
        ON CONFLICT (instance) DO UPDATE SET plugin = EXCLUDED.plugin, state = EXCLUDED.state,
            run_id = EXCLUDED.run_id, updated_at = now()
        """,
        instance,
        plugin,
        state,
        run_id,
    )


async def load_validators(
    conn: asyncpg.Connection, instance: str
) -> dict[str, tuple[str | None, str | None]]:
    rows = await conn.fetch(
        "SELECT url, etag, last_modified FROM http_cache WHERE instance = $1", instance
    )
    return {r["url"]: (r["etag"], r["last_modified"]) for r in rows}


async def save_validators(
    conn: asyncpg.Connection,
    instance: str,
    validators: Mapping[str, tuple[str | None, str | None]],
) -> None:
    if not validators:
        return
    await conn.executemany(
        """
        INSERT INTO http_cache (instance, url, etag, last_modified) VALUES ($1, $2, $3, $4)
        ON CONFLICT (instance, url) DO UPDATE SET etag = EXCLUDED.etag,
            last_modified = EXCLUDED.last_modified, updated_at = now()
        """,
        [(instance, url, e, lm) for url, (e, lm) in validators.items()],
    )
