"""Institution writes needed while resolving observations: unreviewed institutions, aliases
and external ids learnt from sources. Curated rows come from the seed (institutions.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg


async def index_rows(
    conn: asyncpg.Connection, ids: Sequence[int] | None = None
) -> list[dict[str, Any]]:
    """Every institution (or those of ``ids``) with its aliases and external ids, for the
    in-memory resolution index."""
    rows = await conn.fetch(
        """
        SELECT i.id, i.slug, i.name, i.kind, i.country_code, i.parent_id, i.is_site, i.reviewed,
               coalesce((SELECT array_agg(a.alias ORDER BY a.id) FROM institution_alias a
                          WHERE a.institution_id = i.id), '{}') AS aliases,
               coalesce((SELECT array_agg(ARRAY[x.scheme, x.value]) FROM institution_external_id x
                          WHERE x.institution_id = i.id), '{}') AS ids
        FROM institution i WHERE $1::bigint[] IS NULL OR i.id = ANY($1::bigint[]) ORDER BY i.id
        """,
        None if ids is None else list(ids),
    )
    return [dict(r) for r in rows]


async def find_by_external_ids(
    conn: asyncpg.Connection, pairs: Sequence[tuple[str, str]]
) -> int | None:
    if not pairs:
        return None
    value: int | None = await conn.fetchval(
        """
        SELECT x.institution_id
        FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(scheme, value, n)
        JOIN institution_external_id x ON x.scheme = k.scheme AND x.value = k.value
        ORDER BY k.n LIMIT 1
        """,
        [p[0] for p in pairs],
        [p[1] for p in pairs],
    )
    return value


async def find_by_slug(conn: asyncpg.Connection, slug: str) -> int | None:
    value: int | None = await conn.fetchval("SELECT id FROM institution WHERE slug = $1", slug)
    return value


async def find_by_alias(conn: asyncpg.Connection, normalized: str) -> list[int]:
    """Institutions with this normalised alias, curated ones first."""
    rows = await conn.fetch(
        """
        SELECT DISTINCT i.id, i.reviewed FROM institution_alias a
        JOIN institution i ON i.id = a.institution_id
        WHERE a.normalized = $1 ORDER BY i.reviewed DESC, i.id
        """,
        normalized,
    )
    return [r["id"] for r in rows]


async def fetch_info(conn: asyncpg.Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """kind, country, parent (and the parent's kind) of institutions."""
    if not ids:
        return {}
    rows = await conn.fetch(
        """
        SELECT i.id, i.kind, i.country_code, i.parent_id, p.kind AS parent_kind, i.reviewed,
               i.city, i.website
        FROM institution i LEFT JOIN institution p ON p.id = i.parent_id
        WHERE i.id = ANY($1::bigint[])
        """,
        list(ids),
    )
    return {r["id"]: dict(r) for r in rows}


async def create_unreviewed(
    conn: asyncpg.Connection,
    *,
    base_slug: str,
    name: str,
    kind: str,
    country_code: str | None,
    city: str | None,
    website: str | None,
    parent_id: int | None,
    search_text: str,
    aliases: Sequence[tuple[str, str]],
    pairs: Sequence[tuple[str, str]],
    source: str,
    explicit_slug: bool = False,
) -> tuple[int, str, int, int, bool]:
    """An unreviewed institution at the first free slug from ``base_slug`` (``base_slug``,
    else ``base_slug-2``, ``-3``, ...), with its (alias, normalized) aliases and (scheme,
    value) external ids, in one statement: (id, slug, aliases added, ids added, False).

    Unless a stored institution already answers the reference exactly (one of its external
    ids, the slug the reference gives when ``explicit_slug``, or one of its normalized names
    as an alias, in a compatible country): then nothing is written and that one comes back,
    as (id, slug, 0, 0, True). Another ingester instance may have created it since this run
    loaded its index; the batch transaction holds the ingest write lock, so it is visible.
    """
    row = await conn.fetchrow(
        """
        WITH e AS (
            SELECT f.id, f.slug FROM (
                SELECT i.id, i.slug, 0 AS rank FROM institution_external_id x
                JOIN unnest($12::text[], $13::text[]) AS t(s, v)
                  ON x.scheme = t.s AND x.value = t.v
                JOIN institution i ON i.id = x.institution_id
                UNION ALL
                SELECT i.id, i.slug, 1 FROM institution i WHERE $14::boolean AND i.slug = $1
                UNION ALL
                SELECT i.id, i.slug, CASE WHEN i.country_code = $4 THEN 2 ELSE 3 END
                FROM institution_alias a JOIN institution i ON i.id = a.institution_id
                WHERE a.normalized = ANY($10::text[])
                  AND ($4::text IS NULL OR i.country_code IS NULL OR i.country_code = $4)
            ) f ORDER BY f.rank, f.id LIMIT 1
        ), s AS (
            SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM institution WHERE slug = $1) THEN $1
                   ELSE (SELECT $1 || '-' || n
                         -- A function scan materialises its whole series, so the series is
                         -- bounded: with k slugs of the form base-*, one of 2..k+2 is free.
                         FROM generate_series(2, 2 + (SELECT count(*)::int FROM institution
                                                      WHERE slug LIKE $1 || '-%')) AS n
                         WHERE NOT EXISTS (SELECT 1 FROM institution WHERE slug = $1 || '-' || n)
                         ORDER BY n LIMIT 1)
                   END AS slug
        ), i AS (
            INSERT INTO institution (slug, name, kind, country_code, city, website, parent_id,
                                     reviewed, search_text)
            SELECT s.slug, $2, $3, $4, $5, $6, $7, false, $8 FROM s
            WHERE NOT EXISTS (SELECT 1 FROM e)
            RETURNING id, slug
        ), a AS (
            INSERT INTO institution_alias (institution_id, alias, normalized, source)
            SELECT i.id, t.a, t.n, $11 FROM i, unnest($9::text[], $10::text[]) AS t(a, n)
            ON CONFLICT DO NOTHING RETURNING 1
        ), x AS (
            INSERT INTO institution_external_id (institution_id, scheme, value)
            SELECT i.id, t.s, t.v FROM i, unnest($12::text[], $13::text[]) AS t(s, v)
            ON CONFLICT DO NOTHING RETURNING 1
        )
        SELECT i.id, i.slug, (SELECT count(*) FROM a) AS aliases, (SELECT count(*) FROM x) AS ids,
               false AS existing
        FROM i
        UNION ALL
        SELECT e.id, e.slug, 0, 0, true FROM e
        """,
        base_slug,
        name,
        kind,
        country_code,
        city,
        website,
        parent_id,
        search_text,
        [a for a, _ in aliases],
        [n for _, n in aliases],
        source,
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        explicit_slug,
    )
    return (
        int(row["id"]),
        str(row["slug"]),
        int(row["aliases"]),
        int(row["ids"]),
        bool(row["existing"]),
    )


async def fill_missing(
    conn: asyncpg.Connection,
    institution_id: int,
    *,
    kind: str | None,
    country_code: str | None,
    city: str | None,
    website: str | None,
) -> bool:
    """Fill fields a source knows and we don't (never overwrite); True if a field changed."""
    row = await conn.fetchrow(
        """
        UPDATE institution SET
            kind = CASE WHEN kind = 'other' AND NOT reviewed AND $2::text IS NOT NULL
                        THEN $2 ELSE kind END,
            country_code = coalesce(country_code, $3),
            city = coalesce(city, $4),
            website = coalesce(website, $5)
        WHERE id = $1 AND (
            (kind = 'other' AND NOT reviewed AND $2::text IS NOT NULL AND $2 <> 'other')
            OR (country_code IS NULL AND $3::text IS NOT NULL)
            OR (city IS NULL AND $4::text IS NOT NULL)
            OR (website IS NULL AND $5::text IS NOT NULL))
        RETURNING id
        """,
        institution_id,
        kind,
        country_code,
        city,
        website,
    )
    return row is not None


async def add_aliases(
    conn: asyncpg.Connection, institution_id: int, aliases: Sequence[tuple[str, str]], source: str
) -> int:
    """Add (alias, normalized) rows; the number added."""
    if not aliases:
        return 0
    rows = await conn.fetch(
        """
        INSERT INTO institution_alias (institution_id, alias, normalized, source)
        SELECT $1, a, n, $4 FROM unnest($2::text[], $3::text[]) AS t(a, n)
        ON CONFLICT DO NOTHING RETURNING id
        """,
        institution_id,
        [a for a, _ in aliases],
        [n for _, n in aliases],
        source,
    )
    return len(rows)


async def add_external_ids(
    conn: asyncpg.Connection, institution_id: int, pairs: Sequence[tuple[str, str]]
) -> int:
    if not pairs:
        return 0
    rows = await conn.fetch(
        """
        INSERT INTO institution_external_id (institution_id, scheme, value)
        SELECT $1, s, v FROM unnest($2::text[], $3::text[]) AS t(s, v)
        ON CONFLICT DO NOTHING RETURNING scheme
        """,
        institution_id,
        [p[0] for p in pairs],
        [p[1] for p in pairs],
    )
    return len(rows)


async def add_alias_by_slug(
    conn: asyncpg.Connection, pairs: Sequence[tuple[str, str, str]], source: str
) -> tuple[int, list[str]]:
    """Add (alias, normalized, slug) aliases; (number added, unknown slugs)."""
    if not pairs:
        return 0, []
    known = {
        r["slug"]
        for r in await conn.fetch(
            "SELECT slug FROM institution WHERE slug = ANY($1::text[])", [p[2] for p in pairs]
        )
    }
    rows = await conn.fetch(
        """
        INSERT INTO institution_alias (institution_id, alias, normalized, source)
        SELECT i.id, t.a, t.n, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(a, n, s)
        JOIN institution i ON i.slug = t.s
        ON CONFLICT DO NOTHING RETURNING id
        """,
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        [p[2] for p in pairs],
        source,
    )
    return len(rows), sorted({p[2] for p in pairs} - known)
