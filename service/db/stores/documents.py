"""Source documents: upserted by URL; the provenance every evidence row points at."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

FIELDS = ("kind", "title", "publisher", "published_at", "content_hash", "language")


async def fetch_by_urls(conn: asyncpg.Connection, urls: Sequence[str]) -> dict[str, dict[str, Any]]:
    if not urls:
        return {}
    rows = await conn.fetch(
        """
        SELECT d.id, d.url, d.kind, d.title, d.publisher, d.published_at, d.content_hash,
               d.language
        FROM unnest($1::text[]) AS k(url) JOIN document d ON d.url = k.url
        """,
        list(urls),
    )
    return {r["url"]: dict(r) for r in rows}


async def insert_documents(
    conn: asyncpg.Connection, rows: Sequence[dict[str, Any]], source: str
) -> dict[str, int]:
    """Insert documents (url, kind, title, ...); url -> id for the rows inserted."""
    if not rows:
        return {}
    inserted = await conn.fetch(
        """
        INSERT INTO document (url, kind, title, publisher, published_at, content_hash,
                              language, source)
        SELECT r.url, r.kind, r.title, r.publisher, r.published_at, r.content_hash,
               r.language, $2
        FROM jsonb_to_recordset($1::jsonb) AS r(url text, kind text, title text,
             publisher text, published_at timestamptz, content_hash text, language text)
        ON CONFLICT (url) DO NOTHING
        RETURNING id, url
        """,
        list(rows),
        source,
    )
    return {r["url"]: r["id"] for r in inserted}


async def update_documents(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> None:
    if not rows:
        return
    await conn.execute(
        """
        UPDATE document SET kind = r.kind, title = r.title, publisher = r.publisher,
            published_at = r.published_at, content_hash = r.content_hash,
            language = r.language, fetched_at = now()
        FROM jsonb_to_recordset($1::jsonb) AS r(id bigint, kind text, title text,
             publisher text, published_at timestamptz, content_hash text, language text)
        WHERE document.id = r.id
        """,
        list(rows),
    )
