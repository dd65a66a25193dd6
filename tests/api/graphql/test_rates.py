"""Populations, net-flow rates and the baseline series through GraphQL: hand-computed answers,
the fast path answering exactly as the normal path, and the cache forgetting on a new move."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.api.graphql.types.rates import current_year
from service.config import load_settings
from service.ingest.pipeline import run_ingester
from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import data_of
from tests.api.graphql.test_fast_path import normal_path, outcome
from tests.api.graphql.test_flow_cache import listening, until_empty
from tests.db.test_rate_queries import load
from tests.plugins.test_mpidr import SAMPLE, manager

NET = """{ netFlows(level: COUNTRY, period: YEAR) { entity { code } period inflow outflow net
  population inRate outRate netRate small } }"""
POPULATIONS = """query($from: Int, $to: Int) { populations(level: COUNTRY, yearFrom: $from,
  yearTo: $to) { entity { code name } year population small } }"""
BASELINE = """query($c: [String!]) { baselineRates(countries: $c, yearFrom: 2017) { series
  country { code name } year population inMigrations outMigrations inRate outRate netRate
  license attribution } }"""


@pytest.fixture
async def rated(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await load(conn)


def by_key(rows: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["entity"]["code"], r["period"]): r for r in rows}


async def test_net_flows_carry_population_and_rates(gql: Gql, rated: None) -> None:
    rows = by_key(data_of(await gql(NET))["netFlows"])
    # worked by hand in tests/db/test_rate_queries.py
    us = rows[("US", "2021-01-01")]
    assert (us["inflow"], us["population"], us["inRate"], us["outRate"], us["netRate"]) == (
        2, 4, 0.5, 0.0, 0.5,
    )  # fmt: skip
    cn = rows[("CN", "2021-01-01")]
    assert (cn["population"], cn["inRate"], cn["netRate"], cn["small"]) == (0, None, None, True)
    assert rows[("US", "2022-01-01")]["netRate"] == -0.25
    everything = data_of(
        await gql("{ netFlows(period: ALL) { entity { code } population netRate } }")
    )
    assert all(r["population"] is None and r["netRate"] is None for r in everything["netFlows"])


async def test_populations_by_hand(gql: Gql, rated: None) -> None:
    rows = data_of(await gql(POPULATIONS, {"from": 2020, "to": 2022}))["populations"]
    got = {(r["entity"]["code"], r["year"]): r["population"] for r in rows}
    assert got == {
        ("CN", 2020): 2, ("US", 2020): 2, ("US", 2021): 4, ("US", 2022): 4, ("GB", 2022): 1,
    }  # fmt: skip
    assert rows[0]["entity"]["name"] and all(r["small"] for r in rows)
    # the open stint at Alibaba runs to this year
    this_year = data_of(await gql(POPULATIONS, {"from": current_year(), "to": None}))
    assert {(r["entity"]["code"], r["population"]) for r in this_year["populations"]} == {("CN", 1)}


async def test_bad_years_are_refused_with_the_argument_named(gql: Gql) -> None:
    body = await gql(POPULATIONS, {"from": 2023, "to": 2020})
    assert "yearFrom" in body["errors"][0]["message"]
    body = await gql('{ baselineRates(countries: ["USA"]) { year } }')
    assert "USA" in body["errors"][0]["message"]


async def test_the_fast_path_answers_like_the_normal_path(
    gql: Gql, rated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for query, variables in (
        (NET, None),
        (POPULATIONS, {"from": 2016, "to": None}),
        ("{ populations(level: PARENT) { entity { code } year population } "
         "n: netFlows(level: INSTITUTION, period: QUARTER) { entity { code name } population "
         "inRate outRate netRate small } }", None),
        (BASELINE, {"c": ["CN", "US"]}),
    ):  # fmt: skip
        served = outcome("served")
        fast = await gql(query, variables)
        assert outcome("served") == served + 1, (query, fast)
        normal = await normal_path(gql, monkeypatch, query, variables)
        assert "errors" not in normal, normal
        assert fast == normal and repr(fast) == repr(normal), query


async def test_a_new_move_forgets_cached_populations_and_rates(
    gql: Gql, rated: None, app: Any, pool: asyncpg.Pool
) -> None:
    cache = await listening(app)
    before = by_key(data_of(await gql(NET))["netFlows"])
    pops = data_of(await gql(POPULATIONS, {"from": 2021, "to": 2021}))["populations"]
    assert {(r["entity"]["code"], r["population"]) for r in pops} == {("US", 4)}
    assert len(cache) >= 2
    # a new researcher at OpenAI in 2021, arriving from Alibaba
    await pool.execute(
        """
        WITH r AS (INSERT INTO researcher (display_name) VALUES ('f') RETURNING id),
        a AS (INSERT INTO affiliation (researcher_id, institution_id, source, years)
              SELECT r.id, i.id, 'test', '{2021}' FROM r, institution i WHERE i.slug = 'openai')
        INSERT INTO move (researcher_id, from_institution_id, to_institution_id, from_country,
                          to_country, move_date, date_precision, confidence)
        SELECT r.id, f.id, t.id, 'CN', 'US', '2021-01-01', 'year', 0.9
        FROM r, institution f, institution t WHERE f.slug = 'alibaba' AND t.slug = 'openai'
        """
    )
    await until_empty(cache)
    after = by_key(data_of(await gql(NET))["netFlows"])
    us = after[("US", "2021-01-01")]
    assert (us["inflow"], us["population"], us["inRate"]) == (3, 5, 0.6)
    assert before[("US", "2021-01-01")]["population"] == 4
    pops = data_of(await gql(POPULATIONS, {"from": 2021, "to": 2021}))["populations"]
    assert {(r["entity"]["code"], r["population"]) for r in pops} == {("US", 5)}


async def test_the_baseline_series_beside_talentflow_s_own(
    gql: Gql, pool: asyncpg.Pool, recorded: Path
) -> None:
    config = {"path": str(recorded / SAMPLE)}
    result = await run_ingester(pool, "mpidr", config, settings=load_settings(), pm=manager())
    assert result.ok, result.error
    rows = data_of(await gql(BASELINE, {"c": ["AU"]}))["baselineRates"]
    assert [r["year"] for r in rows] == [2017, 2018]
    assert rows[0]["country"] == {"code": "AU", "name": "Australia"}
    assert rows[0]["series"] == "mpidr_openalex_2024" and rows[0]["license"] == "CC BY 4.0"
    assert "Akbaritabar" in rows[0]["attribution"]
    assert rows[0]["netRate"] == pytest.approx(
        (rows[0]["inMigrations"] - rows[0]["outMigrations"]) / rows[0]["population"], rel=1e-6
    )
