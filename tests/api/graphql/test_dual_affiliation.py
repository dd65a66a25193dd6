"""Dual affiliations (travellers) stay out of moves, flows and migration rates unless asked,
through GraphQL (both executors) and REST, on the pipeline test's researchers.

By hand: li leaves OpenAI for Alibaba in 2022 (a migration, US → CN); jones joins Alibaba in
2022 while staying at OpenAI (a traveller, US → CN, flagged). Populations in 2022 from the
stints: CN has li (Alibaba) and wang (Tencent) = 2, US has jones (OpenAI) = 1.
"""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import data_of
from tests.api.graphql.test_fast_path import normal_path, outcome
from tests.api.graphql.test_pipeline import people  # noqa: F401  (the fixture)

# researcher, from, to, year, dual affiliation
MOVES = [("li", "openai", "alibaba", 2022, False), ("jones", "openai", "alibaba", 2022, True)]


@pytest.fixture
async def moved(pool: asyncpg.Pool, people: None) -> None:  # noqa: F811
    async with pool.acquire() as conn:
        for name, src, dst, year, dual in MOVES:
            await conn.execute(
                """
                INSERT INTO move (researcher_id, from_institution_id, to_institution_id,
                                  from_country, to_country, move_date, date_precision,
                                  is_dual_affiliation, confidence)
                SELECT r.id, f.id, t.id, f.country_code, t.country_code, make_date($4, 1, 1),
                       'year', $5, 0.9
                FROM researcher r, institution f, institution t
                WHERE r.display_name = $1 AND f.slug = $2 AND t.slug = $3
                """,
                name, src, dst, year, dual,
            )  # fmt: skip


FLOWS = """query($f: MoveFilterInput) { flows(level: COUNTRY, period: ALL, filter: $f) {
  origin { code } destination { code } count } }"""
MOVES_Q = """query($f: MoveFilterInput) { moves(first: 10, filter: $f, orderBy: NEWEST) {
  totalCount nodes { researcher { name } isDualAffiliation crossBorder } } }"""
FIRST_JOBS = """query($f: MoveFilterInput) { moves(first: 10, filter: $f) {
  totalCount nodes { researcher { name } isFirstJobAfterDoctorate } } }"""
NET = """query($f: MoveFilterInput) { netFlows(level: COUNTRY, period: YEAR, filter: $f) {
  entity { code } period inflow outflow population inRate outRate netRate } }"""


def cells(body: dict[str, object]) -> set[tuple[str, str, int]]:
    return {
        (c["origin"]["code"], c["destination"]["code"], c["count"])  # type: ignore[index]
        for c in data_of(body)["flows"]
    }


def rates(body: dict[str, object]) -> set[tuple[str, int, int, int | None, float | None]]:
    return {
        (n["entity"]["code"], n["inflow"], n["outflow"], n["population"], n["netRate"])  # type: ignore[index]
        for n in data_of(body)["netFlows"]
    }


async def test_flows_leave_travellers_out_unless_asked(gql: Gql, moved: None) -> None:
    assert cells(await gql(FLOWS)) == {("US", "CN", 1)}
    assert cells(await gql(FLOWS, {"f": {"includeDualAffiliations": True}})) == {("US", "CN", 2)}
    assert cells(await gql(FLOWS, {"f": {"dualAffiliation": True}})) == {("US", "CN", 1)}
    assert cells(await gql(FLOWS, {"f": {"dualAffiliation": False}})) == {("US", "CN", 1)}
    assert cells(await gql(FLOWS, {"f": {"dualAffiliation": True, "toCountry": ["GB"]}})) == set()


async def test_moves_carry_the_flag_and_the_filter(gql: Gql, moved: None) -> None:
    moves = data_of(await gql(MOVES_Q))["moves"]
    assert moves["totalCount"] == 1
    assert moves["nodes"] == [
        {"researcher": {"name": "li"}, "isDualAffiliation": False, "crossBorder": True}
    ]
    both = data_of(await gql(MOVES_Q, {"f": {"includeDualAffiliations": True}}))["moves"]
    assert both["totalCount"] == 2
    assert [(n["researcher"]["name"], n["isDualAffiliation"]) for n in both["nodes"]] == [
        ("jones", True), ("li", False),
    ]  # fmt: skip
    only = data_of(await gql(MOVES_Q, {"f": {"dualAffiliation": True}}))["moves"]
    assert [n["researcher"]["name"] for n in only["nodes"]] == ["jones"]


async def test_migration_rates_count_the_migrant_only(gql: Gql, moved: None) -> None:
    # 2022: CN gains li over a population of 2 (net rate 1/2); US loses li over 1 (jones)
    assert rates(await gql(NET)) == {("CN", 1, 0, 2, 0.5), ("US", 0, 1, 1, -1.0)}
    # with the traveller: CN gains two (2/2), US loses two (-2/1)
    assert rates(await gql(NET, {"f": {"includeDualAffiliations": True}})) == {
        ("CN", 2, 0, 2, 1.0), ("US", 0, 2, 1, -2.0),
    }  # fmt: skip


async def test_the_fast_path_answers_like_the_normal_path(
    gql: Gql, moved: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for query, variables in (
        (FLOWS, {"f": {"includeDualAffiliations": True}}),
        (MOVES_Q, {"f": {"dualAffiliation": True}}),
        (MOVES_Q, None),
        (FIRST_JOBS, {"f": {"firstJobAfterDoctorate": False, "includeDualAffiliations": True}}),
        (NET, {"f": {"includeDualAffiliations": True}}),
    ):
        served = outcome("served")
        fast = await gql(query, variables)
        assert outcome("served") == served + 1
        normal = await normal_path(gql, monkeypatch, query, variables)
        assert fast == normal and repr(fast) == repr(normal) and "errors" not in fast


async def test_rest_filters_and_columns(client: httpx.AsyncClient, moved: None) -> None:
    r = await client.get("/api/v1/flows", params={"period": "ALL"})
    assert [(c["origin"], c["destination"], c["count"]) for c in r.json()["data"]] == [
        ("US", "CN", 1)
    ]
    r = await client.get(
        "/api/v1/flows", params={"period": "ALL", "include_dual_affiliations": "true"}
    )
    assert [c["count"] for c in r.json()["data"]] == [2]
    r = await client.get("/api/v1/moves", params={"dual_affiliation": "true"})
    assert r.status_code == 200, r.text
    assert [m["is_dual_affiliation"] for m in r.json()["data"]] == [True]
    csv = await client.get("/api/v1/moves", params={"format": "csv"})
    assert "is_dual_affiliation" in csv.text.splitlines()[0]
