"""Hostile GraphQL requests are refused with a clear code, and the server keeps answering."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.api.graphql.seed import Seeded

OK = {"data": {"__typename": "Query"}}


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code", "") for e in body.get("errors", [])]


async def still_answers(client: httpx.AsyncClient) -> None:
    r = await client.post("/graphql", json={"query": "{ __typename }"})
    assert r.status_code == 200 and r.json() == OK
    r = await client.get("/api/v1/moves", params={"limit": 1})
    assert r.status_code == 200


async def post(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    r = await client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code in (200, 400), r.text
    body: dict[str, Any] = r.json()
    return body


async def test_deep_nesting(client: httpx.AsyncClient, seeded: Seeded) -> None:
    deep = "{ moves { edges { node { to { " + "parent { " * 60 + "name" + " }" * 60 + " } } } } }"
    body = await post(client, deep)
    assert codes(body) == ["QUERY_TOO_DEEP"] and body.get("data") is None
    await still_answers(client)


async def test_alias_flood(client: httpx.AsyncClient, seeded: Seeded) -> None:
    flood = "{ " + " ".join(f"a{i}: moves {{ totalCount }}" for i in range(2000)) + " }"
    body = await post(client, flood)
    assert set(codes(body)) <= {"TOO_MANY_ALIASES", "TOO_MANY_TOKENS"} and codes(body)
    await still_answers(client)


async def test_fragment_cycle(client: httpx.AsyncClient) -> None:
    cycle = """query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"""
    body = await post(client, cycle)
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "cannot spread fragment" in body["errors"][0]["message"].lower()
    await still_answers(client)


async def test_huge_first_is_refused_or_capped(client: httpx.AsyncClient, seeded: Seeded) -> None:
    for first in (10**6, 2**31 - 1):
        body = await post(client, "query($n: Int) { moves(first: $n) { totalCount } }", n=first)
        assert body.get("errors"), body
        assert set(codes(body)) <= {"QUERY_TOO_COSTLY", "BAD_USER_INPUT", "INVALID_PAGE"}
    body = await post(client, "{ moves(first: 99999999999) { totalCount } }")
    assert codes(body) == ["GRAPHQL_VALIDATION_FAILED"]  # not an Int
    body = await post(client, "{ moves(first: -5) { totalCount } }")
    assert body.get("errors")
    await still_answers(client)


def too_large_code(r: httpx.Response) -> str:
    """The outer middleware answers problem+json (``code``); the GraphQL view's own limit would
    answer a GraphQL error (``errors[0].extensions.code``). Either is a clear refusal."""
    body = r.json()
    if "code" in body:
        return str(body["code"])
    return str(body["errors"][0]["extensions"]["code"])


async def test_ten_megabyte_body(client: httpx.AsyncClient) -> None:
    big = b'{"query": "{ __typename }", "pad": "' + b"x" * 10_000_000 + b'"}'
    r = await client.post("/graphql", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and too_large_code(r) == "PAYLOAD_TOO_LARGE"

    async def chunks() -> AsyncIterator[bytes]:  # no content-length: the stream is counted
        for _ in range(10):
            yield b" " * 1_000_000

    r = await client.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413 and too_large_code(r) == "PAYLOAD_TOO_LARGE"
    r = await client.post("/api/v1/moves/1/confirm", content=big)
    assert r.status_code == 413 and too_large_code(r) == "PAYLOAD_TOO_LARGE"
    await still_answers(client)


async def test_batch_flood(client: httpx.AsyncClient) -> None:
    r = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 5000)
    assert r.status_code == 400 and "too many operations" in r.text.lower()
    costly = "{ institutions(first: 100) { edges { node { movesIn(first: 100) { edges { node {"
    costly += " to { movesOut(first: 100) { totalCount } } } } } } } } }"
    r = await client.post("/graphql", json=[{"query": costly}] * 10)
    assert r.status_code == 200
    assert all(codes(b) == ["QUERY_TOO_COSTLY"] for b in r.json())
    await still_answers(client)


@pytest_asyncio.fixture
async def closed_client(
    settings_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    from service.api.app import create_app
    from service.config import load_settings

    monkeypatch.setenv("TALENTFLOW_GRAPHQL_INTROSPECTION", "false")
    application = create_app(load_settings())
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


async def test_introspection_when_disabled(closed_client: httpx.AsyncClient) -> None:
    for query in ("{ __schema { types { name } } }", '{ __type(name: "Move") { name } }'):
        body = await post(closed_client, query)
        assert body.get("errors") and body.get("data") is None
        assert "introspection" in body["errors"][0]["message"].lower()
    await still_answers(closed_client)
