"""End to end: a trend piece that names no person records its document and no move, while a
rumour in the same feed is stored as a RUMOURED move that default reads leave out.

A ``RecordedServer`` on 127.0.0.1 plays an RSS feed and two article pages; the run goes through
``run_ingester`` (what ``talentflow ingest news`` runs) into a real PostgreSQL and is read back
through GraphQL.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest

from service.config import load_settings
from service.db.stores.institutions import seed_institutions
from service.ingest.http import HttpClient
from service.ingest.manager import reset_plugin_manager
from service.ingest.testing import RecordedServer

FEED = "https://talentwire.example/feed.xml"
TREND = "https://talentwire.example/2025/10/asia-talent-war"
RUMOUR = "https://talentwire.example/2025/10/openai-researcher-talks"


def _page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='en'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{body}</article></body></html>"
    )


def _feed() -> str:
    items = "".join(
        f"<item><title>{t}</title><link>{u}</link><guid>{u}</guid>"
        f"<pubDate>Wed, 01 Oct 2025 09:00:00 GMT</pubDate></item>"
        for t, u in (("The war for AI talent", TREND), ("Talks", RUMOUR))
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>Talent Wire</title>{items}</channel></rss>"


@pytest.fixture
def server() -> Any:
    reset_plugin_manager()
    with RecordedServer() as s:
        s.add("/feed.xml", body=_feed(), headers={"Content-Type": "application/rss+xml"})
        s.add(
            "/2025/10/asia-talent-war",
            body=_page(
                "The war for AI talent heats up in Asia",
                [
                    "Tencent and Alibaba are recruiting researchers from OpenAI and Google "
                    "DeepMind, offering packages that rival those of Silicon Valley.",
                    "Recruiters in Beijing and Shanghai say demand for reasoning specialists has "
                    "doubled this year, and ByteDance is opening a lab in Singapore.",
                ],
            ),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        s.add(
            "/2025/10/openai-researcher-talks",
            body=_page(
                "Anthropic courts an OpenAI researcher",
                [
                    "Anthropic is in talks to hire Beatrix Lund, a researcher at OpenAI, "
                    "according to two people familiar with the discussions.",
                    "Lund did not respond to a request for comment.",
                ],
            ),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        yield s
    reset_plugin_manager()


QUERY = """query($status: [MoveStatus!]) { moves(first: 10, filter: {status: $status}) {
  nodes { status researcher { name } from { slug } to { slug } evidence { document { url } } } } }"""


async def test_trend_piece_records_its_document_and_no_move(
    pool: asyncpg.Pool, server: RecordedServer, client: httpx.AsyncClient
) -> None:
    from service.ingest.pipeline import run_ingester

    async with pool.acquire() as conn:
        await seed_institutions(conn)
    settings = load_settings(contact_email="tests@example.org", http_retries=1)

    async def no_sleep(_: float) -> None:
        await asyncio.sleep(0)

    http = HttpClient.from_settings(
        settings, ingester="news", redirect_to=server.url, sleep=no_sleep, rate_per_host=1000.0
    )
    try:
        result = await run_ingester(
            pool,
            "news",
            {"feeds": [{"url": FEED}], "lookback_days": None},
            settings=settings,
            http=http,
        )
    finally:
        await http.aclose()
    assert result.ok and result.rejected == 0, (result.error, result.rejects)
    async with pool.acquire() as conn:
        urls = {r["url"] for r in await conn.fetch("SELECT url FROM document")}
        people = [
            r["display_name"] for r in await conn.fetch("SELECT display_name FROM researcher")
        ]
        trend_evidence = await conn.fetchval(
            "SELECT count(*) FROM evidence e JOIN document d ON d.id = e.document_id "
            "WHERE d.url = $1",
            TREND,
        )
    assert urls == {TREND, RUMOUR}
    assert trend_evidence == 0
    assert people == ["Beatrix Lund"]
    default = (await client.post("/graphql", json={"query": QUERY})).json()
    assert default["data"]["moves"]["nodes"] == [], default
    asked = (
        await client.post("/graphql", json={"query": QUERY, "variables": {"status": ["RUMOURED"]}})
    ).json()
    [move] = asked["data"]["moves"]["nodes"]
    assert move["status"] == "RUMOURED" and move["researcher"]["name"] == "Beatrix Lund"
    assert (move["from"]["slug"], move["to"]["slug"]) == ("openai", "anthropic")
    assert [e["document"]["url"] for e in move["evidence"]] == [RUMOUR]
