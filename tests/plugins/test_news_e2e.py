"""The news ingester end to end: a recorded feed and its pages, the pipeline, the database, the API.

A ``RecordedServer`` plays a tech-news RSS feed and its four article pages (one in Chinese; two
report the same move). The run goes through ``run_ingester`` into a real PostgreSQL; the moves
come back through GraphQL with their quotes and article URLs. A second run gets a 304 for the
feed, fetches no article and changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from service.config import load_settings
from service.db.stores.institutions import seed_institutions
from service.ingest.http import HttpClient
from service.ingest.manager import reset_plugin_manager
from service.ingest.pipeline import RunResult, run_ingester
from service.ingest.testing import RecordedServer
from tests.plugins.test_news_ingest import CONFIG, serve_frontierwire

MARCHETTI_1 = "https://frontierwire.example/2025/03/10/anthropic-hires-openai-evaluation-lead/"
MARCHETTI_2 = "https://frontierwire.example/2025/03/12/marchetti-interview-evaluations/"
ZHOU = "https://frontierwire.example/2025/03/14/zhou-mingyuan-joins-bytedance/"
WOJCIK = "https://frontierwire.example/2025/03/18/meta-llama-engineer-mistral-talks/"

MOVES_SQL = """
SELECT r.display_name AS person, fi.slug AS from_slug, ti.slug AS to_slug, m.confidence,
       m.move_date, m.date_precision, m.status,
       array_agg(d.url ORDER BY d.url) AS urls,
       array_agg(e.quote ORDER BY d.url) AS quotes,
       array_agg(e.extractor) AS extractors
FROM move m
JOIN researcher r ON r.id = m.researcher_id
LEFT JOIN institution fi ON fi.id = m.from_institution_id
LEFT JOIN institution ti ON ti.id = m.to_institution_id
JOIN evidence e ON e.move_id = m.id
JOIN document d ON d.id = e.document_id
GROUP BY r.display_name, fi.slug, ti.slug, m.id
ORDER BY r.display_name
"""

GRAPHQL = """
query {
  moves(first: 20) {
    totalCount
    nodes {
      confidence
      researcher { name }
      from { slug }
      to { slug }
      evidence { quote extractor document { url publisher } }
    }
  }
}
"""


@pytest_asyncio.fixture
async def seeded(pool: asyncpg.Pool) -> asyncpg.Pool:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    return pool


@pytest.fixture
def server() -> Any:
    reset_plugin_manager()  # pick up the installed entry points afresh
    with RecordedServer() as s:
        serve_frontierwire(s)
        yield s
    reset_plugin_manager()


async def _run(pool: asyncpg.Pool, server: RecordedServer) -> RunResult:
    settings = load_settings(contact_email="tests@example.org", http_retries=1, http_timeout_s=10)

    async def no_sleep(_: float) -> None:
        await asyncio.sleep(0)

    http = HttpClient.from_settings(
        settings, ingester="news", redirect_to=server.url, sleep=no_sleep, rate_per_host=1000.0
    )
    try:
        return await run_ingester(
            pool, "news", CONFIG, instance="news-frontierwire", settings=settings, http=http
        )
    finally:
        await http.aclose()


async def _snapshot(pool: asyncpg.Pool) -> dict[str, list[Any]]:
    async with pool.acquire() as conn:
        return {
            table: [dict(r) for r in await conn.fetch(f"SELECT * FROM {table} ORDER BY id")]
            for table in ("document", "researcher", "move", "evidence")
        }


async def _graphql(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": GRAPHQL})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert not body.get("errors"), body
    return body


@pytest_asyncio.fixture
async def ran(seeded: asyncpg.Pool, server: RecordedServer) -> AsyncIterator[RunResult]:
    yield await _run(seeded, server)


async def test_news_run_stores_articles_and_merged_moves(
    seeded: asyncpg.Pool, server: RecordedServer, ran: RunResult
) -> None:
    assert ran.ok, ran.error
    assert ran.rejected == 0, ran.rejects
    async with seeded.acquire() as conn:
        docs = await conn.fetch("SELECT url, kind, language, publisher, content_hash FROM document")
        rows = [dict(r) for r in await conn.fetch(MOVES_SQL)]
    assert {d["url"] for d in docs} == {MARCHETTI_1, MARCHETTI_2, ZHOU, WOJCIK}
    assert all(d["kind"] == "news_article" and d["content_hash"] for d in docs)
    assert {d["url"]: d["language"] for d in docs}[ZHOU] == "zh"
    assert {d["publisher"] for d in docs} == {"Frontier Wire"}

    by_person = {r["person"]: r for r in rows}
    assert set(by_person) == {"Lena Marchetti", "周明远", "Tomasz Wojcik"}, rows
    # Two articles, one move: two evidence rows, each quoting its own article.
    lena = by_person["Lena Marchetti"]
    assert (lena["from_slug"], lena["to_slug"]) == ("openai", "anthropic")
    assert lena["urls"] == [MARCHETTI_1, MARCHETTI_2]
    assert "Marchetti" in lena["quotes"][0] and "left OpenAI for Anthropic" in lena["quotes"][1]
    assert set(lena["extractors"]) == {"news-rules"}
    assert lena["move_date"].isoformat()[:7] == "2025-03" and lena["date_precision"] == "month"
    zhou = by_person["周明远"]
    assert (zhou["from_slug"], zhou["to_slug"], zhou["urls"]) == ("alibaba", "bytedance", [ZHOU])
    assert "加入字节跳动" in zhou["quotes"][0]
    tomasz = by_person["Tomasz Wojcik"]
    assert (tomasz["from_slug"], tomasz["to_slug"]) == ("meta", "mistral-ai")
    assert tomasz["confidence"] <= 0.5  # "in talks", "people familiar": a rumour
    assert lena["confidence"] > tomasz["confidence"]


async def test_second_run_gets_304_and_changes_nothing(
    seeded: asyncpg.Pool, server: RecordedServer, ran: RunResult
) -> None:
    assert ran.ok, ran.error
    before = await _snapshot(seeded)
    served = len(server.requests)
    again = await _run(seeded, server)
    assert again.ok, again.error
    assert (again.created, again.updated, again.seen) == (0, 0, 0)
    new_requests = server.requests[served:]
    assert [r.path for r in new_requests] == ["/feed/"]
    assert new_requests[0].headers.get("if-none-match") == '"fw-1"'
    assert await _snapshot(seeded) == before
    async with seeded.acquire() as conn:
        counts = await conn.fetch(
            "SELECT created, updated, status FROM ingest_run WHERE instance = $1 ORDER BY id",
            "news-frontierwire",
        )
    assert [r["status"] for r in counts] == ["succeeded", "succeeded"]
    assert (counts[1]["created"], counts[1]["updated"]) == (0, 0)


async def test_graphql_returns_the_moves_with_quotes_and_urls(
    ran: RunResult, client: httpx.AsyncClient
) -> None:
    assert ran.ok, ran.error
    body = await _graphql(client)
    nodes = body["data"]["moves"]["nodes"]
    by_person = {n["researcher"]["name"]: n for n in nodes}
    lena = by_person["Lena Marchetti"]
    assert (lena["from"]["slug"], lena["to"]["slug"]) == ("openai", "anthropic")
    urls = sorted(e["document"]["url"] for e in lena["evidence"])
    assert urls == [MARCHETTI_1, MARCHETTI_2]
    assert all(e["quote"] and e["extractor"] == "news-rules" for e in lena["evidence"])
    zhou = by_person["周明远"]
    assert [e["document"]["url"] for e in zhou["evidence"]] == [ZHOU]
    assert "字节跳动" in zhou["evidence"][0]["quote"]
