"""Pages of moves into or out of an institution with its sub-units, and of its current
researchers: the fenced statement (partition first, through the institution index) returns what
the plain filter means, in order, page after page."""

from __future__ import annotations

import asyncpg

from service.db.queries import moves as mq
from service.db.queries import researchers as rq
from service.db.queries.pagination import PageArgs
from tests.api.graphql.seed import seed


async def walk_pages(fetch: object, size: int) -> list[int]:
    """Every item id, following ``after`` cursors ``size`` items at a time."""
    out: list[int] = []
    after: str | None = None
    while True:
        page = await fetch(PageArgs(first=size, after=after))  # type: ignore[operator]
        out.extend(item.id for item in page.items)
        if not page.has_next:
            return out
        after = page.end_cursor


async def test_moves_with_descendants_page_like_the_plain_filter(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        s = await seed(conn)
        for direction, column in (("in", "to_institution_id"), ("out", "from_institution_id")):
            for slug in ("alphabet", "google-deepmind", "openai"):
                root = s.institutions[slug]
                expected = [
                    r["id"]
                    for r in await conn.fetch(
                        f"""WITH RECURSIVE d(id) AS (SELECT $1::bigint UNION
                             SELECT i.id FROM institution i JOIN d ON i.parent_id = d.id)
                           SELECT m.id FROM move m WHERE m.{column} IN (SELECT id FROM d)
                             AND m.status NOT IN ('retracted', 'rumoured') AND NOT m.is_visit
                           ORDER BY COALESCE(m.move_date, '0001-01-01') DESC, m.id DESC""",
                        root,
                    )
                ]

                async def fetch(
                    page: PageArgs, root: int = root, direction: str = direction
                ) -> object:
                    pages = await mq.institution_moves_pages(
                        conn, direction, [root], mq.MoveFilter(), None, page, descendants=True
                    )
                    return pages[root]

                for size in (1, 2, 50):
                    assert await walk_pages(fetch, size) == expected, (direction, slug, size)
                counts = await mq.count_institution_moves(
                    conn, direction, [root], mq.MoveFilter(), descendants=True
                )
                assert counts[root] == len(expected)
        # With a filter of the list on top of the partition.
        alphabet = s.institutions["alphabet"]
        crossing = mq.MoveFilter(cross_border_only=True)
        pages = await mq.institution_moves_pages(
            conn, "in", [alphabet], crossing, None, PageArgs(first=10), descendants=True
        )
        assert {m.id for m in pages[alphabet].items} == {
            r["id"]
            for r in await conn.fetch(
                "SELECT m.id FROM move m JOIN institution i ON i.id = m.to_institution_id "
                "WHERE (i.id = $1 OR i.parent_id = $1) AND m.from_country IS DISTINCT FROM "
                "m.to_country AND m.from_country IS NOT NULL AND m.to_country IS NOT NULL "
                "AND m.status NOT IN ('retracted', 'rumoured') AND NOT m.is_visit",
                alphabet,
            )
        }


async def test_current_researchers_with_descendants(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        s = await seed(conn)
        alphabet = s.institutions["alphabet"]
        pages = await rq.current_researchers_pages(
            conn, [alphabet], None, PageArgs(first=50), descendants=True
        )
        plain = await rq.current_researchers_pages(
            conn, [alphabet], None, PageArgs(first=50), descendants=False
        )
        children = [
            r["id"]
            for r in await conn.fetch("SELECT id FROM institution WHERE parent_id = $1", alphabet)
        ]
        below = await rq.current_researchers_pages(conn, children, None, PageArgs(first=50))
        expected = {r.id for r in plain[alphabet].items} | {
            r.id for k in children for r in below[k].items
        }
        assert expected and {r.id for r in pages[alphabet].items} == expected
