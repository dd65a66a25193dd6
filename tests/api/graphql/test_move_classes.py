"""Returnee and cohort filters on moves, flows and net flows, through GraphQL (both executors)
and REST, on the pipeline test's four researchers and three moves worked out by hand."""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import data_of
from tests.api.graphql.test_fast_path import normal_path, outcome
from tests.api.graphql.test_pipeline import people  # noqa: F401  (the fixture)

# researcher, from, to, year, returnee: li goes home to China (a returnee: trained there),
# smith leaves MIT for DeepMind, jones moves from OpenAI to Alibaba (first time in China)
MOVES = [
    ("li", "openai", "alibaba", 2022, True),
    ("smith", "mit", "deepmind", 2019, False),
    ("jones", "openai", "alibaba", 2023, False),
]


@pytest.fixture
async def moved(pool: asyncpg.Pool, people: None) -> None:  # noqa: F811
    async with pool.acquire() as conn:
        for name, src, dst, year, returnee in MOVES:
            await conn.execute(
                """
                INSERT INTO move (researcher_id, from_institution_id, to_institution_id,
                                  from_country, to_country, move_date, date_precision,
                                  is_returnee, confidence)
                SELECT r.id, f.id, t.id, f.country_code, t.country_code, make_date($4, 1, 1),
                       'year', $5, 0.9
                FROM researcher r, institution f, institution t
                WHERE r.display_name = $1 AND f.slug = $2 AND t.slug = $3
                """,
                name, src, dst, year, returnee,
            )  # fmt: skip


FLOWS = """query($f: MoveFilterInput) { flows(level: COUNTRY, period: ALL, filter: $f) {
  origin { code } destination { code } count } }"""
MOVES_Q = """query($f: MoveFilterInput) { moves(first: 10, filter: $f) { totalCount
  nodes { researcher { name } isReturnee } } }"""
NET = """query($f: MoveFilterInput) { netFlows(level: COUNTRY, period: ALL, filter: $f) {
  entity { code } inflow outflow } }"""


def cells(body: dict[str, object]) -> set[tuple[str, str, int]]:
    return {
        (c["origin"]["code"], c["destination"]["code"], c["count"])  # type: ignore[index]
        for c in data_of(body)["flows"]
    }


async def test_returnee_filter_on_moves_and_flows(gql: Gql, moved: None) -> None:
    assert cells(await gql(FLOWS)) == {("US", "CN", 2), ("US", "GB", 1)}
    assert cells(await gql(FLOWS, {"f": {"returnee": True}})) == {("US", "CN", 1)}
    assert cells(await gql(FLOWS, {"f": {"returnee": False}})) == {
        ("US", "CN", 1), ("US", "GB", 1),
    }  # fmt: skip
    moves = data_of(await gql(MOVES_Q, {"f": {"returnee": True}}))["moves"]
    assert moves["totalCount"] == 1
    assert moves["nodes"] == [{"researcher": {"name": "li"}, "isReturnee": True}]


async def test_cohort_filters_on_flows(gql: Gql, moved: None) -> None:
    # h-index: li 30, smith 50, jones 5
    assert cells(await gql(FLOWS, {"f": {"minHIndex": 20}})) == {
        ("US", "CN", 1), ("US", "GB", 1),
    }  # fmt: skip
    assert cells(await gql(FLOWS, {"f": {"minHIndex": 40}})) == {("US", "GB", 1)}
    net = data_of(await gql(NET, {"f": {"topic": ["nlp"], "minHIndex": 20}}))["netFlows"]
    assert {(n["entity"]["code"], n["inflow"], n["outflow"]) for n in net} == {
        ("US", 0, 1), ("CN", 1, 0),
    }  # fmt: skip
    body = await gql(FLOWS, {"f": {"minCitations": -1}})
    assert "minCitations" in body["errors"][0]["message"]


async def test_the_fast_path_answers_like_the_normal_path(
    gql: Gql, moved: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for query, variables in (
        (FLOWS, {"f": {"returnee": True}}),
        (MOVES_Q, {"f": {"returnee": False, "minHIndex": 1}}),
        (NET, {"f": {"minCitations": 0}}),
    ):
        served = outcome("served")
        fast = await gql(query, variables)
        assert outcome("served") == served + 1
        normal = await normal_path(gql, monkeypatch, query, variables)
        assert fast == normal and repr(fast) == repr(normal) and "errors" not in fast


async def test_rest_filters(client: httpx.AsyncClient, moved: None) -> None:
    r = await client.get("/api/v1/flows", params={"period": "ALL", "returnee": "true"})
    assert r.status_code == 200, r.text
    assert [(c["origin"], c["destination"], c["count"]) for c in r.json()["data"]] == [
        ("US", "CN", 1)
    ]
    r = await client.get("/api/v1/moves", params={"min_h_index": 40})
    assert [m["researcher_id"] for m in r.json()["data"]] and len(r.json()["data"]) == 1
    r = await client.get("/api/v1/moves", params={"min_h_index": -1})
    assert r.status_code == 400
