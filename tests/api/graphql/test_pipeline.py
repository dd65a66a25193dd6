"""Pipeline counts and shares, stay rates and cohort filters through GraphQL and REST, on four
researchers worked out by hand: a returnee (trained in China, at OpenAI, recruited back by
Alibaba), a stay (doctorate in China, still there five years on), a leaver and one with no
education known."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import asyncpg
import httpx
import pytest

from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import data_of
from tests.api.graphql.test_fast_path import normal_path, outcome

INSTITUTIONS = {
    "tsinghua": "CN", "peking": "CN", "stanford": "US", "mit": "US", "openai": "US",
    "alibaba": "CN", "tencent": "CN", "deepmind": "GB",
}  # fmt: skip
# name, h-index, topics, degrees (level, institution, start, end), stints (institution, start, end)
PEOPLE: list[tuple[str, int, list[str], list[tuple[str, str, int, int]], list[tuple[str, int, int | None]]]] = [
    ("li", 30, ["nlp"], [("bachelor", "tsinghua", 2008, 2012), ("doctorate", "stanford", 2012, 2017)],
     [("openai", 2017, 2021), ("alibaba", 2022, None)]),
    ("wang", 10, ["vision"], [("bachelor", "peking", 2006, 2010), ("doctorate", "tsinghua", 2010, 2016)],
     [("tencent", 2016, 2023)]),
    ("smith", 50, ["rl"], [("doctorate", "mit", 2013, 2018)], [("deepmind", 2019, 2024)]),
    ("jones", 5, ["nlp"], [], [("openai", 2015, 2023)]),
]  # fmt: skip

PIPELINE = """query($year: Int, $c: [String!], $h: Int, $t: [String!]) {
  pipeline(year: $year, countries: $c, minHIndex: $h, topics: $t) { year total
    undergraduate { country count share } doctorate { country count share }
    current { country count share } } }"""
PATHS = """query($year: Int) { pipeline(year: $year) {
  paths { undergraduate doctorate current count share } } }"""
STAYS = """query($n: Int!, $c: [String!]) { stayRates(yearsAfter: $n, countries: $c) {
  country yearsAfter graduates stayed rate } }"""


@pytest.fixture
async def people(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        inst = {}
        for slug, country in INSTITUTIONS.items():
            inst[slug] = await conn.fetchval(
                "INSERT INTO institution (slug, name, country_code) VALUES ($1, $1, $2) "
                "RETURNING id",
                slug,
                country,
            )
        for name, h, topics, degrees, stints in PEOPLE:
            rid = await conn.fetchval(
                "INSERT INTO researcher (display_name, h_index, topics) VALUES ($1, $2, $3) "
                "RETURNING id",
                name,
                h,
                topics,
            )
            for level, slug, start, end in degrees:
                await conn.execute(
                    "INSERT INTO education (researcher_id, institution_id, degree, start_date, "
                    "start_precision, end_date, end_precision, source) "
                    "VALUES ($1, $2, $3, $4, 'year', $5, 'year', 'test')",
                    rid, inst[slug], level, date(start, 1, 1), date(end, 1, 1),
                )  # fmt: skip
            for n, (slug, start, end) in enumerate(stints):
                await conn.execute(
                    "INSERT INTO affiliation (researcher_id, institution_id, source, source_key, "
                    "start_date, start_precision, end_date, end_precision) "
                    "VALUES ($1, $2, 'test', $3, $4, 'year', $5, $6)",
                    rid, inst[slug], str(n), date(start, 1, 1),
                    date(end, 1, 1) if end else None, "year" if end else None,
                )  # fmt: skip


def shares(items: list[dict[str, Any]]) -> list[tuple[str | None, int, float]]:
    return [(s["country"], s["count"], s["share"]) for s in items]


async def test_the_pipeline_of_those_working_in_the_us(gql: Gql, people: None) -> None:
    p = data_of(await gql(PIPELINE, {"year": 2021, "c": ["US"]}))["pipeline"]
    assert (p["year"], p["total"]) == (2021, 2)  # li and jones
    assert shares(p["undergraduate"]) == [("CN", 1, 0.5), (None, 1, 0.5)]
    assert shares(p["doctorate"]) == [("US", 1, 0.5), (None, 1, 0.5)]
    assert shares(p["current"]) == [("US", 2, 1.0)]


async def test_the_pipeline_everywhere_and_by_cohort(gql: Gql, people: None) -> None:
    p = data_of(await gql(PIPELINE, {"year": 2021}))["pipeline"]
    assert p["total"] == 4
    assert shares(p["current"]) == [("US", 2, 0.5), ("CN", 1, 0.25), ("GB", 1, 0.25)]
    assert shares(p["undergraduate"]) == [("CN", 2, 0.5), (None, 2, 0.5)]
    assert shares(p["doctorate"]) == [("US", 2, 0.5), ("CN", 1, 0.25), (None, 1, 0.25)]
    # the Sankey's bands: wang CN-CN-CN, li CN-US-US, smith ?-US-GB, jones ?-?-US
    bands = data_of(await gql(PATHS, {"year": 2021}))["pipeline"]["paths"]
    assert [(b["undergraduate"], b["doctorate"], b["current"], b["count"]) for b in bands] == [
        ("CN", "CN", "CN", 1), ("CN", "US", "US", 1), (None, "US", "GB", 1), (None, None, "US", 1),
    ]  # fmt: skip
    assert {b["share"] for b in bands} == {0.25}
    senior = data_of(await gql(PIPELINE, {"year": 2021, "h": 20}))["pipeline"]
    assert senior["total"] == 2 and shares(senior["doctorate"]) == [("US", 2, 1.0)]
    vision = data_of(await gql(PIPELINE, {"year": 2021, "t": ["vision"]}))["pipeline"]
    assert vision["total"] == 1 and shares(vision["current"]) == [("CN", 1, 1.0)]
    # 2022: li is back in China (a returnee), at Alibaba
    back = data_of(await gql(PIPELINE, {"year": 2022, "c": ["CN"]}))["pipeline"]
    assert back["total"] == 2 and shares(back["undergraduate"]) == [("CN", 2, 1.0)]


async def test_stay_rates(gql: Gql, people: None) -> None:
    five = data_of(await gql(STAYS, {"n": 5}))["stayRates"]
    # li: PhD US 2017, in CN 2022 (left); smith: PhD US 2018, in GB 2023 (left);
    # wang: PhD CN 2016, in CN 2021 (stayed)
    assert [(s["country"], s["graduates"], s["stayed"], s["rate"]) for s in five] == [
        ("CN", 1, 1, 1.0), ("US", 2, 0, 0.0),
    ]  # fmt: skip
    three = data_of(await gql(STAYS, {"n": 3, "c": ["US"]}))["stayRates"]
    assert [(s["country"], s["graduates"], s["stayed"], s["rate"]) for s in three] == [
        ("US", 2, 1, 0.5),
    ]  # fmt: skip
    body = await gql(STAYS, {"n": -1})
    assert "yearsAfter" in body["errors"][0]["message"]


async def test_the_fast_path_answers_like_the_normal_path(
    gql: Gql, people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for query, variables in (
        (PIPELINE, {"year": 2021}),
        (PATHS, {"year": 2021}),
        (STAYS, {"n": 5}),
    ):
        served = outcome("served")
        fast = await gql(query, variables)
        assert outcome("served") == served + 1
        normal = await normal_path(gql, monkeypatch, query, variables)
        assert fast == normal and repr(fast) == repr(normal) and "errors" not in fast


async def test_rest_gives_the_same_answers(client: httpx.AsyncClient, people: None) -> None:
    r = await client.get("/api/v1/pipeline", params={"year": 2021, "country": "US"})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["total"] == 2
    assert data["undergraduate"] == [
        {"country": "CN", "count": 1, "share": 0.5}, {"country": None, "count": 1, "share": 0.5},
    ]  # fmt: skip
    assert data["paths"] == [
        {"undergraduate": "CN", "doctorate": "US", "current": "US", "count": 1, "share": 0.5},
        {"undergraduate": None, "doctorate": None, "current": "US", "count": 1, "share": 0.5},
    ]
    r = await client.get("/api/v1/pipeline", params={"year": 2021, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert {(x["stage"], x["country"], x["count"]) for x in rows if x["stage"] == "current"} == {
        ("current", "US", "2"), ("current", "CN", "1"), ("current", "GB", "1"),
    }  # fmt: skip
    r = await client.get("/api/v1/stay-rates", params={"years_after": 5, "min_h_index": 20})
    assert r.json()["data"] == [
        {"country": "US", "years_after": 5, "graduates": 2, "stayed": 0, "rate": 0.0}
    ]
    r = await client.get("/api/v1/pipeline", params={"year": 1800})
    assert r.status_code == 400 and "year" in r.text


async def test_a_cohort_at_one_institution(
    gql: Gql, client: httpx.AsyncClient, people: None, pool: asyncpg.Pool
) -> None:
    # Alibaba gains a sub-unit, where nobody works yet; then wang joins it in 2023
    async with pool.acquire() as conn:
        await conn.execute(
            "INSERT INTO institution (slug, name, country_code, parent_id) "
            "SELECT 'damo', 'DAMO Academy', 'CN', id FROM institution WHERE slug = 'alibaba'"
        )
        await conn.execute(
            "INSERT INTO affiliation (researcher_id, institution_id, source, years) "
            "SELECT r.id, i.id, 'test', '{2023}' FROM researcher r, institution i "
            "WHERE r.display_name = 'wang' AND i.slug = 'damo'"
        )
    q = """query($i: ID) { pipeline(year: 2023, institution: $i) { total
      undergraduate { country count } doctorate { country count } } }"""
    p = data_of(await gql(q, {"i": "alibaba"}))["pipeline"]
    # li (Alibaba since 2022), jones (Alibaba from 2023 by its move, no stint: not counted),
    # wang (DAMO, a sub-unit)
    assert p["total"] == 2
    assert {(s["country"], s["count"]) for s in p["doctorate"]} == {("US", 1), ("CN", 1)}
    body = await gql(q, {"i": "nowhere"})
    assert "institution" in body["errors"][0]["message"]
    r = await client.get("/api/v1/pipeline", params={"year": 2023, "institution": "alibaba"})
    assert r.status_code == 200 and r.json()["data"]["total"] == 2
    r = await client.get("/api/v1/pipeline", params={"year": 2023, "institution": "nowhere"})
    assert r.status_code == 400 and "institution" in r.text
