"""The analyses compute in a lane of their own: a populations, net-flow rates, pipeline or
stay-rate answer may take longer than a public read's budget (a cache miss over a million
stints takes seconds), within ``analysis_budget_s`` and at most ``analysis_concurrency`` at
once; other reads keep their budget. Slowness is made in the database (``pg_sleep`` on the
executor the query is given), so the budget checked is the statements' own."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio

from service.api.app import create_app
from service.config import load_settings
from service.db.queries import flows, pipeline, rates

READ_BUDGET_S = 0.3
SLOW_S = 0.6  # over the read budget and the statement timeout, under the analysis budget
STATEMENT_TIMEOUT_MS = 450
POPULATIONS = "{ populations(level: COUNTRY) { year population } }"
PIPELINE = "{ pipeline(year: 2021) { total } }"


@pytest_asyncio.fixture
async def lane_client(
    settings_env: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    monkeypatch.setenv("TALENTFLOW_READ_BUDGET_S", str(READ_BUDGET_S))
    monkeypatch.setenv("TALENTFLOW_ANALYSIS_BUDGET_S", "1.5")
    monkeypatch.setenv("TALENTFLOW_ANALYSIS_CONCURRENCY", "1")
    # under the slow statement too: an analysis's connection gets the analyses' budget
    monkeypatch.setenv("TALENTFLOW_STATEMENT_TIMEOUT_MS", str(STATEMENT_TIMEOUT_MS))
    application = create_app(load_settings())
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


def slowed(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, seconds: float) -> None:
    """``module.name`` sleeps ``seconds`` in the database on its executor, then runs."""
    original: Callable[..., Any] = getattr(module, name)

    async def slow(ex: Any, *args: Any, **kw: Any) -> Any:
        await ex.fetchval("SELECT pg_sleep($1)", seconds)
        return await original(ex, *args, **kw)

    monkeypatch.setattr(module, name, slow)


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_an_analysis_may_take_longer_than_a_read(
    lane_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(monkeypatch, rates, "populations", SLOW_S)
    r = await lane_client.post("/graphql", json={"query": POPULATIONS})
    assert r.status_code == 200 and "errors" not in r.json(), r.text
    r = await lane_client.get("/api/v1/populations")
    assert r.status_code == 200, r.text
    # net flows' rates read the populations too
    r = await lane_client.post("/graphql", json={"query": "{ netFlows { net population } }"})
    assert r.status_code == 200 and "errors" not in r.json(), r.text


async def test_other_reads_keep_their_budget(
    lane_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(monkeypatch, flows, "flows", SLOW_S)
    r = await lane_client.post("/graphql", json={"query": "{ flows { count } }"})
    assert codes(r.json()) == ["QUERY_TIMEOUT"]


async def test_an_analysis_over_its_own_budget_times_out(
    lane_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(monkeypatch, pipeline, "pipeline_of", 2.0)
    r = await lane_client.post("/graphql", json={"query": PIPELINE})
    assert codes(r.json()) == ["QUERY_TIMEOUT"]
    r = await lane_client.get("/api/v1/pipeline", params={"year": 2021})
    assert r.status_code == 503, r.text


async def test_analyses_take_turns_in_the_lane(
    lane_client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    slowed(monkeypatch, rates, "populations", SLOW_S)
    slowed(monkeypatch, pipeline, "pipeline_of", SLOW_S)
    start = time.perf_counter()
    answers = await asyncio.gather(
        lane_client.post("/graphql", json={"query": POPULATIONS}),
        lane_client.post("/graphql", json={"query": PIPELINE}),
    )
    assert all(r.status_code == 200 and "errors" not in r.json() for r in answers)
    assert time.perf_counter() - start >= 2 * SLOW_S  # one at a time (concurrency 1)
