"""Three boards (Greenhouse, Lever, Ashby) over real HTTP, two runs through the pipeline into
PostgreSQL, then read back over GraphQL: postings, the closed ones, and the hiring signals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from service.config import Settings, load_settings
from service.db.queries.hiring import (
    HiringLevel,
    HiringPeriod,
    JobPostingsFilter,
    count_job_postings,
    hiring_signals,
    job_postings_page,
)
from service.db.queries.pagination import PageArgs
from service.db.stores.institutions import seed_institutions
from service.ingest.pipeline import run_ingester
from service.ingest.testing import RecordedResponse, RecordedServer

NOW = datetime.now(UTC)


def _ago(days: int) -> datetime:
    return (NOW - timedelta(days=days)).replace(microsecond=0)


def _gh(job_id: int, title: str, place: str, days: int, dept: str = "Research") -> dict[str, Any]:
    return {
        "id": job_id,
        "title": title,
        "location": {"name": place},
        "first_published": _ago(days).isoformat(),
        "updated_at": _ago(days).isoformat(),
        "absolute_url": f"https://job-boards.greenhouse.io/anthropic/jobs/{job_id}",
        "departments": [{"id": 1, "name": dept, "parent_id": None}],
        "content": "&lt;p&gt;Join us &amp;amp; build safe AI.&lt;/p&gt;",
    }


def _lever(pid: str, title: str, place: str, days: int, team: str) -> dict[str, Any]:
    return {
        "id": pid,
        "text": title,
        "categories": {"team": team, "location": place, "allLocations": [place]},
        "createdAt": int(_ago(days).timestamp() * 1000),
        "workplaceType": "on-site",
        "hostedUrl": f"https://jobs.lever.co/mistral/{pid}",
        "descriptionPlain": "Train frontier models.",
    }


def _ashby(aid: str, title: str, place: str, days: int, team: str) -> dict[str, Any]:
    return {
        "id": aid,
        "title": title,
        "department": "Research" if team != "Recruiting" else "People",
        "team": team,
        "location": place,
        "publishedAt": _ago(days).isoformat(),
        "isListed": True,
        "isRemote": False,
        "jobUrl": f"https://jobs.ashbyhq.com/openai/{aid}",
        "descriptionPlain": "Work on reasoning.",
    }


GH_1 = [
    _gh(11, "Research Scientist, Interpretability", "San Francisco, CA", 200),
    _gh(12, "Research Engineer, Pretraining", "London, UK", 150),
    _gh(13, "Account Executive", "New York, NY", 150, dept="Sales"),
]
GH_2 = [GH_1[0], GH_1[2], _gh(14, "Research Scientist, Alignment", "Zürich, Switzerland", 40)]
LV_1 = [
    _lever("l-1", "Research Scientist", "Paris", 120, "Science"),
    _lever("l-2", "Software Engineer, Platform", "Paris", 90, "Platform"),
]
LV_2 = [LV_1[0], _lever("l-3", "Research Engineer, Multimodal", "London", 45, "Science")]
AS_1 = [
    _ashby("a-1", "Researcher, Reasoning", "San Francisco", 100, "Reasoning"),
    _ashby("a-2", "Recruiter", "San Francisco", 60, "Recruiting"),
]
AS_2 = [AS_1[1], _ashby("a-3", "Member of Technical Staff", "New York", 50, "Post-Training")]


@dataclass
class Boards:
    server: RecordedServer
    configs: dict[str, dict[str, Any]]


@pytest.fixture
def boards() -> Iterator[Boards]:
    with RecordedServer() as server:
        server.add_sequence(
            "/v1/boards/anthropic/jobs",
            [
                RecordedResponse(json={"jobs": GH_1, "meta": {"total": 3}}),
                RecordedResponse(json={"jobs": GH_2, "meta": {"total": 3}}),
                RecordedResponse(json={"jobs": GH_1, "meta": {"total": 3}}),
            ],
        )
        server.add_sequence(
            "/v0/postings/mistral",
            [RecordedResponse(json=LV_1), RecordedResponse(json=LV_2)],
        )
        server.add_sequence(
            "/posting-api/job-board/openai",
            [
                RecordedResponse(json={"apiVersion": "1", "jobs": AS_1}),
                RecordedResponse(json={"apiVersion": "1", "jobs": AS_2}),
            ],
        )
        base = {"base_url": server.url, "requests_per_second": 10}
        yield Boards(
            server,
            {
                "greenhouse": {
                    **base,
                    "boards": [{"token": "anthropic", "institution": "anthropic"}],
                },
                "lever": {
                    **base,
                    "boards": [{"site": "mistral", "institution": "mistral-ai", "region": "eu"}],
                },
                "ashby": {**base, "boards": [{"board": "openai", "institution": "openai"}]},
            },
        )


@pytest.fixture
def settings() -> Settings:
    return load_settings(contact_email="tests@example.org", http_retries=0)


async def _run_all(pool: asyncpg.Pool, boards: Boards, settings: Settings) -> None:
    for name, config in boards.configs.items():
        result = await run_ingester(pool, name, config, settings=settings)
        assert result.status == "succeeded", (name, result.error, result.rejects)
        assert result.rejected == 0, result.rejects


async def _two_runs(pool: asyncpg.Pool, boards: Boards, settings: Settings) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    await _run_all(pool, boards, settings)
    await _run_all(pool, boards, settings)


async def test_two_runs_write_postings_and_close_the_missing_ones(
    pool: asyncpg.Pool, boards: Boards, settings: Settings
) -> None:
    await _two_runs(pool, boards, settings)
    rows = await pool.fetch(
        "SELECT j.*, i.slug FROM job_posting j LEFT JOIN institution i ON i.id = j.institution_id "
        "ORDER BY j.source, j.external_id"
    )
    by_id = {(r["source"], r["external_id"]): r for r in rows}
    assert len(rows) == 10
    closed = {k for k, r in by_id.items() if r["closed_at"] is not None}
    assert closed == {
        ("greenhouse", "anthropic:12"),
        ("lever", "mistral:l-2"),
        ("ashby", "openai:a-1"),
    }
    for key in closed:
        row = by_id[key]
        assert row["first_seen_at"] <= row["closed_at"] <= datetime.now(UTC)
    assert {r["slug"] for r in rows} == {"anthropic", "mistral-ai", "openai"}
    zurich = by_id[("greenhouse", "anthropic:14")]
    assert zurich["country_code"] == "CH" and zurich["is_research"]
    assert zurich["description"] == "Join us & build safe AI."
    assert zurich["posted_at"] == _ago(40)
    assert by_id[("lever", "mistral:l-3")]["country_code"] == "GB"
    assert not by_id[("ashby", "openai:a-2")]["is_research"]
    # the boards were asked politely, the Lever site with skip/limit
    lever = [r for r in boards.server.requests if r.path == "/v0/postings/mistral"]
    assert lever[0].query == {"mode": "json", "skip": "0", "limit": "100"}
    state = await pool.fetchval("SELECT state FROM plugin_state WHERE instance = 'ashby'")
    assert state["boards"]["openai"]["open"] == ["openai:a-2", "openai:a-3"]


async def test_hiring_signals_in_sql(
    pool: asyncpg.Pool, boards: Boards, settings: Settings
) -> None:
    await _two_runs(pool, boards, settings)
    anthropic = await pool.fetchval("SELECT id FROM institution WHERE slug = 'anthropic'")
    rows = await hiring_signals(
        pool, HiringLevel.INSTITUTION, HiringPeriod.MONTH, JobPostingsFilter((anthropic,))
    )
    assert {r.institution_id for r in rows} == {anthropic}
    first, last = rows[0], rows[-1]
    assert first.period_start == _ago(200).date().replace(day=1)
    assert (first.open_postings, first.newly_opened, first.closed) == (1, 1, 0)
    assert last.period_start == NOW.date().replace(day=1)
    # now: 11, 13 and 14 open (12 closed this month); 11 and 14 are research roles
    assert (last.open_postings, last.open_research_postings, last.closed) == (3, 2, 1)
    assert sum(r.newly_opened for r in rows) == 4
    assert sum(r.closed for r in rows) == 1
    # by country, research roles only, one row per country for this year
    by_country = await hiring_signals(
        pool,
        HiringLevel.COUNTRY,
        HiringPeriod.YEAR,
        JobPostingsFilter(research_only=True),
        since=NOW.date(),
    )
    now_open = {r.country_code: r.open_postings for r in by_country}
    assert now_open == {"US": 2, "FR": 1, "CH": 1, "GB": 1}


async def test_job_posting_filters(pool: asyncpg.Pool, boards: Boards, settings: Settings) -> None:
    await _two_runs(pool, boards, settings)

    async def ids(**kw: Any) -> set[str]:
        flt = JobPostingsFilter(**kw)
        page = await job_postings_page(pool, flt, PageArgs(first=50))
        assert await count_job_postings(pool, flt) == len(page.items)
        return {p.external_id for p in page.items}

    # open 95 days ago: posted by then, and nothing had closed yet
    assert await ids(open_at=_ago(95)) == {
        "anthropic:11",
        "anthropic:12",
        "anthropic:13",
        "mistral:l-1",
        "openai:a-1",
    }
    assert await ids(topics=("safety",)) == {"anthropic:11", "anthropic:14"}
    assert await ids(country_codes=("GB",), research_only=True) == {
        "anthropic:12",
        "mistral:l-3",
    }
    assert await ids(open_only=True, sources=("lever",)) == {"mistral:l-1", "mistral:l-3"}
    assert await ids(posted_since=_ago(50)) == {"anthropic:14", "mistral:l-3", "openai:a-3"}
    assert await ids(remote=True) == set()
    openai = await pool.fetchval("SELECT id FROM institution WHERE slug = 'openai'")
    assert await ids(institution_ids=(openai,)) == {"openai:a-1", "openai:a-2", "openai:a-3"}


async def test_graphql_shows_postings_closings_and_signals(
    pool: asyncpg.Pool, boards: Boards, settings: Settings, client: httpx.AsyncClient
) -> None:
    await _two_runs(pool, boards, settings)
    query = """
    query {
      anthropic: jobPostings(filter: {institution: "anthropic"}, first: 10) {
        totalCount
        nodes { externalId title closedAt isResearch country { code } institution { slug } }
      }
      openResearch: jobPostings(filter: {researchOnly: true, openOnly: true, country: ["US"]}) {
        totalCount
        nodes { externalId }
      }
      hiringSignals(level: INSTITUTION, period: MONTH) {
        institution { slug }
        periodStart openPostings openResearchPostings newlyOpened closed
      }
    }
    """
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body.get("errors")
    data = body["data"]
    postings = {n["externalId"]: n for n in data["anthropic"]["nodes"]}
    assert data["anthropic"]["totalCount"] == 4
    assert postings["anthropic:12"]["closedAt"] is not None
    assert all(postings[k]["closedAt"] is None for k in ("anthropic:11", "anthropic:13"))
    assert postings["anthropic:14"]["country"] == {"code": "CH"}
    assert postings["anthropic:11"]["institution"] == {"slug": "anthropic"}
    assert {n["externalId"] for n in data["openResearch"]["nodes"]} == {
        "anthropic:11",
        "openai:a-3",
    }
    current = NOW.date().replace(day=1).isoformat()
    latest = {
        s["institution"]["slug"]: s for s in data["hiringSignals"] if s["periodStart"] == current
    }
    assert set(latest) == {"anthropic", "mistral-ai", "openai"}
    assert latest["anthropic"]["openPostings"] == 3 and latest["anthropic"]["closed"] == 1
    assert latest["openai"]["openResearchPostings"] == 1 and latest["openai"]["closed"] == 1
    assert latest["mistral-ai"]["openResearchPostings"] == 2


async def test_graphql_refuses_a_bad_filter(pool: asyncpg.Pool, client: httpx.AsyncClient) -> None:
    query = '{ jobPostings(filter: {country: ["USA"]}) { totalCount } }'
    response = await client.post("/graphql", json={"query": query})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("errors"), body
    assert "ISO 3166-1 alpha-2" in body["errors"][0]["message"]


async def test_a_posting_that_comes_back_is_reopened(
    pool: asyncpg.Pool, boards: Boards, settings: Settings
) -> None:
    await _two_runs(pool, boards, settings)
    result = await run_ingester(pool, "greenhouse", boards.configs["greenhouse"], settings=settings)
    assert result.status == "succeeded"
    closed_at = await pool.fetchval(
        "SELECT closed_at FROM job_posting WHERE external_id = 'anthropic:12'"
    )
    assert closed_at is None
