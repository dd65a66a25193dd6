"""End to end: a background clause ("who joined Cohere from Google in 2021") becomes an
affiliation stint with the article as its evidence, never a move; the move the article reports
is stored beside it.

A ``RecordedServer`` on 127.0.0.1 plays an RSS feed and two article pages (English and
Chinese); the run goes through ``run_ingester`` (what ``talentflow ingest news`` runs) into a
real PostgreSQL.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from service.config import load_settings
from service.db.stores.institutions import seed_institutions
from service.ingest.http import HttpClient
from service.ingest.manager import reset_plugin_manager
from service.ingest.testing import RecordedServer

FEED = "https://careerwire.example/feed.xml"
EN = "https://careerwire.example/2025/11/holt-mistral"
ZH = "https://careerwire.example/2025/11/miao-moonshot"


def _page(title: str, paragraphs: list[str], lang: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html lang='{lang}'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"{body}</article></body></html>"
    )


def _feed() -> str:
    items = "".join(
        f"<item><title>{t}</title><link>{u}</link><guid>{u}</guid>"
        f"<pubDate>Mon, 10 Nov 2025 09:00:00 GMT</pubDate></item>"
        for t, u in (("Holt", EN), ("苗一诺", ZH))
    )
    return (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Career Wire</title>"
        f"{items}</channel></rss>"
    )


@pytest.fixture
def server() -> Any:
    reset_plugin_manager()
    with RecordedServer() as s:
        s.add("/feed.xml", body=_feed(), headers={"Content-Type": "application/rss+xml"})
        s.add(
            "/2025/11/holt-mistral",
            body=_page(
                "Cohere's Holt heads to Mistral",
                [
                    "Maren Holt, who joined Cohere from Google in 2021, has left Cohere and "
                    "joined Mistral AI as a research director, Mistral said on Monday."
                ],
                "en",
            ),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        s.add(
            "/2025/11/miao-moonshot",
            body=_page(
                "阿里云研究员苗一诺加盟月之暗面",
                [
                    "阿里云资深研究员苗一诺已于近日离职，加入月之暗面，负责长文本方向。",
                    "苗一诺于2019年从百度加入阿里云。",
                ],
                "zh",
            ),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        yield s
    reset_plugin_manager()


STINTS = """
SELECT r.display_name AS person, i.slug, a.start_date, a.start_precision, d.url
FROM affiliation a
JOIN researcher r ON r.id = a.researcher_id
JOIN institution i ON i.id = a.institution_id
JOIN evidence e ON e.affiliation_id = a.id
JOIN document d ON d.id = e.document_id
ORDER BY d.url
"""
MOVES = """
SELECT r.display_name AS person, f.slug AS origin, t.slug AS destination
FROM move m
JOIN researcher r ON r.id = m.researcher_id
LEFT JOIN institution f ON f.id = m.from_institution_id
LEFT JOIN institution t ON t.id = m.to_institution_id
ORDER BY r.display_name
"""


async def test_a_background_clause_becomes_a_stint_with_the_article_as_evidence(
    pool: asyncpg.Pool, server: RecordedServer
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
        stints = [dict(r) for r in await conn.fetch(STINTS)]
        moves = [dict(r) for r in await conn.fetch(MOVES)]
    assert [(s["person"], s["slug"], s["url"]) for s in stints] == [
        ("Maren Holt", "cohere", EN),
        ("苗一诺", "alibaba-cloud", ZH),
    ], stints
    assert [(s["start_date"].year, s["start_precision"]) for s in stints] == [
        (2021, "year"),
        (2019, "year"),
    ]
    # The old moves (Google → Cohere, 百度 → 阿里云) are not moves the articles report.
    assert [(m["person"], m["origin"], m["destination"]) for m in moves] == [
        ("Maren Holt", "cohere", "mistral-ai"),
        ("苗一诺", "alibaba-cloud", "moonshot-ai"),
    ], moves
