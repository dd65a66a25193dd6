"""The top N % by citations within a topic, as a filter on moves and flows, through GraphQL
(both executors) and REST, worked out by hand.

Citations: li 900, smith 400, a 300, b 200, jones 100, wang 50, c 10 (a, b and c work on nlp
and never move). NLP researchers, most cited first: li 900, a 300, b 200, jones 100, c 10.
Top N % of a topic of T people: cited at least as often as the k-th, k = ceil(N/100 x T).
Moves (the returnee test's): li and jones OpenAI → Alibaba (US → CN), smith MIT → DeepMind
(US → GB).
"""

from __future__ import annotations

import asyncpg
import httpx
import pytest

from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import data_of
from tests.api.graphql.test_fast_path import normal_path, outcome
from tests.api.graphql.test_move_classes import moved  # noqa: F401  (the fixture)
from tests.api.graphql.test_pipeline import people  # noqa: F401  (the fixture)

CITATIONS = {"li": 900, "smith": 400, "jones": 100, "wang": 50}
OTHERS = [("a", 300), ("b", 200), ("c", 10)]

FLOWS = """query($f: MoveFilterInput) { flows(level: COUNTRY, period: ALL, filter: $f) {
  origin { code } destination { code } count } }"""
MOVES_Q = """query($f: MoveFilterInput) { moves(first: 10, filter: $f, orderBy: NEWEST) {
  totalCount nodes { researcher { name citedByCount } } } }"""


@pytest.fixture
async def cited(pool: asyncpg.Pool, moved: None) -> None:  # noqa: F811
    async with pool.acquire() as conn:
        for name, n in CITATIONS.items():
            await conn.execute(
                "UPDATE researcher SET cited_by_count = $2 WHERE display_name = $1", name, n
            )
        for name, n in OTHERS:
            await conn.execute(
                "INSERT INTO researcher (display_name, cited_by_count, topics) "
                "VALUES ($1, $2, '{nlp}')",
                name,
                n,
            )


def cells(body: dict[str, object]) -> set[tuple[str, str, int]]:
    return {
        (c["origin"]["code"], c["destination"]["code"], c["count"])  # type: ignore[index]
        for c in data_of(body)["flows"]
    }


async def test_top_percent_within_a_topic(gql: Gql, cited: None) -> None:
    # 20 % of 5: k = 1, the edge is 900: li only
    assert cells(await gql(FLOWS, {"f": {"topic": ["nlp"], "topCitedPercent": 20}})) == {
        ("US", "CN", 1)
    }
    # 40 %: k = 2, edge 300: li and a (a never moves)
    names = data_of(await gql(MOVES_Q, {"f": {"topic": ["nlp"], "topCitedPercent": 40}}))
    assert [n["researcher"]["name"] for n in names["moves"]["nodes"]] == ["li"]
    # 80 %: k = 4, edge 100: li, a, b and jones
    assert cells(await gql(FLOWS, {"f": {"topic": ["nlp"], "topCitedPercent": 80}})) == {
        ("US", "CN", 2)
    }


async def test_top_percent_of_everyone_without_a_topic(gql: Gql, cited: None) -> None:
    # 7 people; 30 %: k = ceil(2.1) = 3, edge 300: li, smith and a
    assert cells(await gql(FLOWS, {"f": {"topCitedPercent": 30}})) == {
        ("US", "CN", 1), ("US", "GB", 1),
    }  # fmt: skip
    # 10 %: k = 1: li
    assert cells(await gql(FLOWS, {"f": {"topCitedPercent": 10}})) == {("US", "CN", 1)}
    assert cells(await gql(FLOWS, {"f": {"topCitedPercent": 100}})) == {
        ("US", "CN", 2), ("US", "GB", 1),
    }  # fmt: skip
    body = await gql(FLOWS, {"f": {"topCitedPercent": 0}})
    assert "topCitedPercent" in body["errors"][0]["message"]


async def test_the_fast_path_answers_like_the_normal_path(
    gql: Gql, cited: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for query, variables in (
        (FLOWS, {"f": {"topic": ["nlp"], "topCitedPercent": 40}}),
        (MOVES_Q, {"f": {"topCitedPercent": 30}}),
    ):
        served = outcome("served")
        fast = await gql(query, variables)
        assert outcome("served") == served + 1
        normal = await normal_path(gql, monkeypatch, query, variables)
        assert fast == normal and repr(fast) == repr(normal) and "errors" not in fast


async def test_rest(client: httpx.AsyncClient, cited: None) -> None:
    r = await client.get(
        "/api/v1/flows", params={"period": "ALL", "topic": "nlp", "top_cited_percent": 80}
    )
    assert r.status_code == 200, r.text
    assert [(c["origin"], c["destination"], c["count"]) for c in r.json()["data"]] == [
        ("US", "CN", 2)
    ]
    r = await client.get("/api/v1/moves", params={"top_cited_percent": 0})
    assert r.status_code == 400


WEIGHTED = """query($w: FlowWeight!, $f: MoveFilterInput, $l: FlowLevel!) {
  flows(level: $l, period: ALL, filter: $f, weight: $w) {
    origin { code } destination { code } count citations } }"""


async def test_citation_weighted_flows(gql: Gql, cited: None) -> None:
    # US -> CN: li 900 + jones 100 = 1000 over 2 moves; US -> GB: smith 400
    body = await gql(WEIGHTED, {"w": "CITATIONS", "l": "COUNTRY"})
    assert {
        (c["origin"]["code"], c["destination"]["code"], c["count"], c["citations"])
        for c in data_of(body)["flows"]
    } == {("US", "CN", 2, 1000), ("US", "GB", 1, 400)}
    # by institution, within the top 20 % of nlp: li alone, OpenAI -> Alibaba
    body = await gql(
        WEIGHTED,
        {"w": "CITATIONS", "l": "INSTITUTION", "f": {"topic": ["nlp"], "topCitedPercent": 20}},
    )
    assert [
        (c["origin"]["code"], c["destination"]["code"], c["count"], c["citations"])
        for c in data_of(body)["flows"]
    ] == [("openai", "alibaba", 1, 900)]
    # counts only: no citations
    body = await gql(WEIGHTED, {"w": "COUNT", "l": "COUNTRY"})
    assert {c["citations"] for c in data_of(body)["flows"]} == {None}


async def test_weighted_flows_agree_across_executors_and_rest(
    gql: Gql, client: httpx.AsyncClient, cited: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = {"w": "CITATIONS", "l": "PARENT"}
    served = outcome("served")
    fast = await gql(WEIGHTED, variables)
    assert outcome("served") == served + 1
    normal = await normal_path(gql, monkeypatch, WEIGHTED, variables)
    assert fast == normal and "errors" not in fast
    r = await client.get("/api/v1/flows", params={"period": "ALL", "weight": "CITATIONS"})
    assert r.status_code == 200, r.text
    assert {(c["origin"], c["destination"], c["count"], c["citations"]) for c in r.json()["data"]} == {
        ("US", "CN", 2, 1000), ("US", "GB", 1, 400),
    }  # fmt: skip
    csv = await client.get(
        "/api/v1/flows", params={"period": "ALL", "weight": "CITATIONS", "format": "csv"}
    )
    assert csv.text.splitlines()[0].endswith("citations")
    plain = await client.get("/api/v1/flows", params={"period": "ALL"})
    assert "citations" not in plain.json()["data"][0]


PIPELINE = """query($f: Float, $t: [String!]) {
  pipeline(year: 2021, countries: ["US"], topics: $t, topCitedPercent: $f) { total
    undergraduate { country count } doctorate { country count } } }"""
STAYS = """query($f: Float) { stayRates(yearsAfter: 5, countries: ["US"], topCitedPercent: $f) {
  country graduates stayed } }"""


async def test_the_pipeline_and_stay_rates_of_the_top_cited(
    gql: Gql, client: httpx.AsyncClient, cited: None
) -> None:
    # working in the US in 2021: li and jones (OpenAI); top 20 % of nlp is li alone, trained
    # at Tsinghua (CN) and Stanford (US)
    assert data_of(await gql(PIPELINE, {"t": ["nlp"]}))["pipeline"]["total"] == 2
    top = data_of(await gql(PIPELINE, {"t": ["nlp"], "f": 20}))["pipeline"]
    assert top == {
        "total": 1,
        "undergraduate": [{"country": "CN", "count": 1}],
        "doctorate": [{"country": "US", "count": 1}],
    }
    # US doctorates: li (2017) and smith (2018); the top 10 % of all seven is li alone, in
    # China five years on (2022): 0 of 1 stayed
    assert data_of(await gql(STAYS))["stayRates"] == [
        {"country": "US", "graduates": 2, "stayed": 0}
    ]
    assert data_of(await gql(STAYS, {"f": 10}))["stayRates"] == [
        {"country": "US", "graduates": 1, "stayed": 0}
    ]
    assert "topCitedPercent" in (await gql(STAYS, {"f": 101}))["errors"][0]["message"]
    r = await client.get(
        "/api/v1/pipeline",
        params={"year": 2021, "country": "US", "topic": "nlp", "top_cited_percent": 20},
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["total"] == 1
    r = await client.get("/api/v1/stay-rates", params={"country": "US", "top_cited_percent": 0})
    assert r.status_code == 400


NET_WEIGHTED = """query($w: FlowWeight!, $l: FlowLevel!, $p: FlowPeriod!) {
  netFlows(level: $l, period: $p, weight: $w) { entity { code } period inflow outflow net
    population netRate inflowCitations outflowCitations netCitations } }"""


def net_rows(body: dict[str, object]) -> dict[tuple[str, str | None], tuple[object, ...]]:
    return {
        (r["entity"]["code"], r["period"]): (  # type: ignore[index]
            r["inflow"], r["outflow"], r["net"],  # type: ignore[index]
            r["inflowCitations"], r["outflowCitations"], r["netCitations"],  # type: ignore[index]
        )
        for r in data_of(body)["netFlows"]
    }  # fmt: skip


async def test_citation_weighted_net_flows(gql: Gql, cited: None) -> None:
    # li US -> CN 2022 (900), smith US -> GB 2019 (400), jones US -> CN 2023 (100): the US
    # loses 1400 citations over three departures, China gains 1000 over two, Britain 400
    all_time = {"w": "CITATIONS", "l": "COUNTRY", "p": "ALL"}
    assert net_rows(await gql(NET_WEIGHTED, all_time)) == {
        ("US", None): (0, 3, -3, 0, 1400, -1400),
        ("CN", None): (2, 0, 2, 1000, 0, 1000),
        ("GB", None): (1, 0, 1, 400, 0, 400),
    }
    yearly = {"w": "CITATIONS", "l": "COUNTRY", "p": "YEAR"}
    assert net_rows(await gql(NET_WEIGHTED, yearly)) == {
        ("US", "2019-01-01"): (0, 1, -1, 0, 400, -400),
        ("GB", "2019-01-01"): (1, 0, 1, 400, 0, 400),
        ("US", "2022-01-01"): (0, 1, -1, 0, 900, -900),
        ("CN", "2022-01-01"): (1, 0, 1, 900, 0, 900),
        ("US", "2023-01-01"): (0, 1, -1, 0, 100, -100),
        ("CN", "2023-01-01"): (1, 0, 1, 100, 0, 100),
    }
    by_institution = {"w": "CITATIONS", "l": "INSTITUTION", "p": "ALL"}
    assert net_rows(await gql(NET_WEIGHTED, by_institution)) == {
        ("openai", None): (0, 2, -2, 0, 1000, -1000),
        ("alibaba", None): (2, 0, 2, 1000, 0, 1000),
        ("mit", None): (0, 1, -1, 0, 400, -400),
        ("deepmind", None): (1, 0, 1, 400, 0, 400),
    }
    # counts only: no citations, and the same counts, populations and rates as weighted
    counted = data_of(await gql(NET_WEIGHTED, {**yearly, "w": "COUNT"}))["netFlows"]
    weighted = data_of(await gql(NET_WEIGHTED, yearly))["netFlows"]
    assert {(r["inflowCitations"], r["outflowCitations"], r["netCitations"]) for r in counted} == {
        (None, None, None)
    }
    strip = ("inflowCitations", "outflowCitations", "netCitations")
    assert [{k: v for k, v in r.items() if k not in strip} for r in weighted] == [
        {k: v for k, v in r.items() if k not in strip} for r in counted
    ]


async def test_weighted_net_flows_agree_across_executors_and_rest(
    gql: Gql, client: httpx.AsyncClient, cited: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variables in (
        {"w": "CITATIONS", "l": "PARENT", "p": "YEAR"},
        {"w": "CITATIONS", "l": "COUNTRY", "p": "ALL"},
        {"w": "COUNT", "l": "INSTITUTION", "p": "QUARTER"},
    ):
        served = outcome("served")
        fast = await gql(NET_WEIGHTED, variables)
        assert outcome("served") == served + 1
        normal = await normal_path(gql, monkeypatch, NET_WEIGHTED, variables)
        assert fast == normal and repr(fast) == repr(normal) and "errors" not in fast
    r = await client.get("/api/v1/net-flows", params={"period": "ALL", "weight": "CITATIONS"})
    assert r.status_code == 200, r.text
    assert {
        (c["entity"], c["inflow_citations"], c["outflow_citations"], c["net_citations"])
        for c in r.json()["data"]
    } == {("US", 0, 1400, -1400), ("CN", 1000, 0, 1000), ("GB", 400, 0, 400)}
    csv = await client.get(
        "/api/v1/net-flows", params={"period": "ALL", "weight": "CITATIONS", "format": "csv"}
    )
    header, *lines = csv.text.splitlines()
    assert header.endswith("inflow_citations,outflow_citations,net_citations")
    assert any(line.startswith("US,") and line.endswith(",0,1400,-1400") for line in lines)
    plain = await client.get("/api/v1/net-flows", params={"period": "ALL"})
    assert "net_citations" not in plain.json()["data"][0]
    bad = await client.get("/api/v1/net-flows", params={"weight": "HINDEX"})
    assert bad.status_code == 400
