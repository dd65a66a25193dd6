"""Job postings, keyed by (source, external_id)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

FIELDS = (
    "institution_id",
    "title",
    "team",
    "department",
    "location",
    "country_code",
    "remote",
    "posted_at",
    "updated_at",
    "url",
    "description",
    "is_research",
    "role_category",
    "topics",
)
_RECORD = """r(source text, external_id text, institution_id bigint, title text, team text,
    department text, location text, country_code text, remote boolean,
    posted_at timestamptz, updated_at timestamptz, url text, description text,
    is_research boolean, role_category text, topics jsonb)"""


async def fetch_by_keys(
    conn: asyncpg.Connection, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    if not keys:
        return {}
    rows = await conn.fetch(
        f"""
        SELECT j.id, j.source, j.external_id, j.closed_at, {", ".join("j." + f for f in FIELDS)}
        FROM unnest($1::text[], $2::text[]) AS k(s, e)
        JOIN job_posting j ON j.source = k.s AND j.external_id = k.e
        """,
        [k[0] for k in keys],
        [k[1] for k in keys],
    )
    return {(r["source"], r["external_id"]): dict(r) for r in rows}


async def upsert(conn: asyncpg.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new postings or overwrite changed ones (rows carry every field).

    A posting seen again on its board is open: a closed one that comes back is reopened.
    """
    if not rows:
        return
    cols = ", ".join(FIELDS)
    await conn.execute(
        f"""
        INSERT INTO job_posting (source, external_id, {cols}, last_seen_at)
        SELECT r.source, r.external_id, r.institution_id, r.title, r.team, r.department,
               r.location, r.country_code, r.remote, r.posted_at, r.updated_at, r.url,
               r.description, r.is_research, r.role_category,
               coalesce((SELECT array_agg(t) FROM jsonb_array_elements_text(r.topics) t), '{{}}'),
               now()
        FROM jsonb_to_recordset($1::jsonb) AS {_RECORD}
        ON CONFLICT (source, external_id) DO UPDATE SET
            {", ".join(f"{f} = EXCLUDED.{f}" for f in FIELDS)}, last_seen_at = now(),
            closed_at = NULL
        """,
        list(rows),
    )


async def touch(conn: asyncpg.Connection, ids: Sequence[int]) -> None:
    if ids:
        await conn.execute(
            "UPDATE job_posting SET last_seen_at = now() WHERE id = ANY($1::bigint[])", list(ids)
        )


async def close(conn: asyncpg.Connection, source: str, external_id: str, closed_at: Any) -> str:
    """'updated' if closed now, 'unchanged' if it was closed already, 'missing' if unknown."""
    row = await conn.fetchrow(
        """
        UPDATE job_posting SET closed_at = greatest($3::timestamptz, first_seen_at)
        WHERE source = $1 AND external_id = $2 AND closed_at IS NULL RETURNING id
        """,
        source,
        external_id,
        closed_at,
    )
    if row is not None:
        return "updated"
    exists = await conn.fetchval(
        "SELECT 1 FROM job_posting WHERE source = $1 AND external_id = $2", source, external_id
    )
    return "unchanged" if exists else "missing"
