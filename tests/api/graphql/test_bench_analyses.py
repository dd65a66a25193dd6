"""The benchmark of the analyses (bench/analyses.py) times each API answer beside a
hand-written SQL statement: here both are held to the same answers on the hand-computed
pipeline and returnee dataset, so the baseline the ratios rest on computes the same thing."""

from __future__ import annotations

import asyncpg
import pytest

from service.db.queries.rates import current_year
from tests import bench_scripts
from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import data_of
from tests.api.graphql.test_move_classes import moved  # noqa: F401  (the fixture)
from tests.api.graphql.test_pipeline import people  # noqa: F401  (the fixture)

bench = bench_scripts.load("analyses")


@pytest.mark.parametrize("name", list(bench.QUERIES))
async def test_the_plain_sql_gives_the_api_s_answer(
    gql: Gql,
    pool: asyncpg.Pool,
    moved: None,  # noqa: F811
    name: str,
) -> None:
    data = data_of(await gql(bench.QUERIES[name], {"year": 2021}))
    sql, params = bench.plain_sql(name, current_year(), 2021)
    rows = await pool.fetch(sql, *params)
    assert rows, name  # the dataset has something to compare
    assert bench.same_answer(name, data, rows)
    if name == "returnee_flows":  # li's return to China, 2022
        assert [(r["o"], r["d"], r["n"]) for r in rows] == [("US", "CN", 1)]
