"""The number of SQL statements for a nested query does not grow with the page size."""

from __future__ import annotations

import asyncpg

from service.api.graphql.context import build_context
from service.api.graphql.schema import build_schema
from service.api.state import AppState
from service.config import load_settings
from tests.api.graphql.seed import Seeded

QUERY = """query($n: Int!) {
  moves(first: $n) { totalCount edges { node { id date { text }
    researcher { name currentAffiliation { institution { slug } } }
    from { slug parent { slug } } to { slug country { name } }
    evidence { quote document { url } } } } }
  institutions(first: $n) { edges { node { slug
    movesIn(first: 5) { totalCount edges { node { researcher { name } } } }
    currentResearchers(first: 5) { edges { node { name } } } } } } }"""


async def count_statements(pool: asyncpg.Pool, db_url: str, n: int) -> tuple[int, int]:
    settings = load_settings()
    ctx = build_context(AppState(settings=settings, database_url=db_url, pool=pool))
    result = await build_schema(settings).execute(
        QUERY, variable_values={"n": n}, context_value=ctx
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return ctx.db.statements, len(result.data["moves"]["edges"])


async def test_statements_independent_of_page_size(
    pool: asyncpg.Pool, db_url: str, seeded: Seeded
) -> None:
    await pool.execute(
        """
        WITH m AS (
            INSERT INTO move (researcher_id, from_institution_id, to_institution_id,
                              from_country, to_country, move_date, date_precision, confidence)
            SELECT $1, $2, $3, 'CN', 'US', date '2000-01-01' + g, 'day', 0.5
            FROM generate_series(1, 150) AS g RETURNING id)
        INSERT INTO evidence (document_id, move_id, quote, extractor)
        SELECT (SELECT min(id) FROM document), m.id, 'q', 'test' FROM m
        """,
        seeded.researchers["li"],
        seeded.institutions["tsinghua-university"],
        seeded.institutions["openai"],
    )
    small, rows_small = await count_statements(pool, db_url, 5)
    large, rows_large = await count_statements(pool, db_url, 100)
    assert (rows_small, rows_large) == (5, 100)
    assert small == large, (small, large)
    assert large <= 16
