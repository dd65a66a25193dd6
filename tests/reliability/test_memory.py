"""Memory has a ceiling whatever the input: search input is limited up front (length and
words), and every cache filled from requests is bounded by bytes. Also the 32,767-word search
that reached asyncpg's argument limit (now refused before any SQL)."""

from __future__ import annotations

import gc
import os
import time
import uuid
from typing import Any

import httpx
import psutil
import pytest

from service.api.graphql import limits
from service.domain import names
from service.domain.names import MAX_SEARCH_CHARS, MAX_SEARCH_TERMS, fold

FAST = {}
STRAWBERRY = {"accept": "application/graphql-response+json"}

SEARCHES = {
    "researchers": "query($s: String) { researchers(filter: {search: $s}) { totalCount } }",
    "institutions": "query($s: String) { institutions(filter: {search: $s}) { totalCount } }",
    "search": "query($s: String!) { search(query: $s) { __typename } }",
}


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code", "") for e in body.get("errors", [])]


def rss_mb() -> float:
    return float(psutil.Process(os.getpid()).memory_info().rss) / 2**20


@pytest.mark.parametrize(
    "text",
    [
        "x" * 900_000,
        "w " * 30_000,  # 30k words: 7 s of database time and a 503 at 32,767 before
        "a" * (MAX_SEARCH_CHARS + 1),
        " ".join(["ab"] * (MAX_SEARCH_TERMS + 1)),
    ],
    ids=["900 KB", "30k words", "one char over", "one word over"],
)
async def test_long_searches_are_refused_up_front(client: httpx.AsyncClient, text: str) -> None:
    for name, query in SEARCHES.items():
        for headers in (FAST, STRAWBERRY):
            start = time.perf_counter()
            r = await client.post(
                "/graphql", json={"query": query, "variables": {"s": text}}, headers=headers
            )
            body = r.json()
            assert codes(body) == ["BAD_USER_INPUT"], (name, body)
            assert "at most" in body["errors"][0]["message"]
            assert time.perf_counter() - start < 1.0
    for path in ("/api/v1/researchers", "/api/v1/institutions"):
        r = await client.get(path, params={"search": text[:60_000]})  # what a URL may carry
        assert r.status_code == 400, r.text
        # REST's parameter check (500 characters) or the search limits: 400 naming the field
        assert r.json()["code"] in ("VALIDATION_FAILED", "BAD_USER_INPUT")
        assert r.json()["errors"][0]["name"] == "search"


async def test_searches_within_the_limits_still_work(client: httpx.AsyncClient) -> None:
    text = " ".join(["li"] * MAX_SEARCH_TERMS)[:MAX_SEARCH_CHARS]
    for query in SEARCHES.values():
        r = await client.post("/graphql", json={"query": query, "variables": {"s": text}})
        assert "errors" not in r.json(), r.json()
    r = await client.get("/api/v1/researchers", params={"search": text})
    assert r.status_code == 200


def test_name_caches_are_bounded_by_bytes() -> None:
    cache = names.fold_general.cache  # type: ignore[attr-defined]
    for i in range(20_000):
        fold(f"{uuid.uuid4().hex} {'é' * 150} {i}")
    assert cache.bytes <= cache.max_bytes
    long = "Ł" * 10_000
    fold(long)
    assert cache.get(long, None) is None  # a long text is folded, never kept
    segment = names.segment_pinyin.cache  # type: ignore[attr-defined]
    for i in range(5_000):
        names.segment_pinyin("shunyu" * 10 + "a" * (i % 7))
    assert segment.bytes <= segment.max_bytes


async def test_rss_is_flat_under_unique_large_documents(client: httpx.AsyncClient) -> None:
    """Unique ~90 KB documents that are accepted (the padding is a comment), unique ~900 KB
    documents refused before they are lexed, and unique ~900 KB searches refused: after a
    warm-up, RSS stays flat."""

    async def one(i: int) -> None:
        headers = (FAST, STRAWBERRY)[i % 2]
        pad = "#" + uuid.uuid4().hex * 2_800 + "\n"  # ~90 KB, not a token
        r = await client.post("/graphql", json={"query": pad + "{ __typename }"}, headers=headers)
        assert r.json() == {"data": {"__typename": "Query"}}
        pad = "#" + uuid.uuid4().hex * 28_000 + "\n"  # ~900 KB
        start = time.perf_counter()
        r = await client.post("/graphql", json={"query": pad + "{ __typename }"}, headers=headers)
        assert codes(r.json()) == ["QUERY_TOO_LARGE"]
        assert "characters" in r.json()["errors"][0]["message"]
        assert time.perf_counter() - start < 1.0
        s = uuid.uuid4().hex * 28_000
        r = await client.post(
            "/graphql", json={"query": SEARCHES["researchers"], "variables": {"s": s}}
        )
        assert codes(r.json()) == ["BAD_USER_INPUT"]

    for i in range(40):
        await one(i)
    gc.collect()
    before = rss_mb()
    for i in range(200):
        await one(i)
    gc.collect()
    after = rss_mb()
    # Kept by text, 200 documents of 90 KB with their syntax trees would be ~1 GB in each
    # cache (parse, validation, plans); the byte bounds keep all caches under 100 MB.
    assert after - before < 40, f"RSS {before:.0f} -> {after:.0f} MB"
    assert limits.PARSED.bytes <= limits.PARSED.max_bytes
