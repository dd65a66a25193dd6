"""Fixtures for the GraphQL tests: the seeded dataset, a query helper and API keys."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import pytest_asyncio

from service.db.stores.api_keys import create_key
from tests.api.graphql.seed import Seeded, seed

Gql = Callable[..., Awaitable[dict[str, Any]]]


@pytest_asyncio.fixture
async def seeded(pool: asyncpg.Pool) -> Seeded:
    async with pool.acquire() as conn:
        return await seed(conn)


@pytest_asyncio.fixture
async def gql(client: httpx.AsyncClient) -> Gql:
    async def run(
        query: str, variables: dict[str, Any] | None = None, key: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        r = await client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    return run


@pytest_asyncio.fixture
async def keys(pool: asyncpg.Pool) -> dict[str, str]:
    out: dict[str, str] = {}
    async with pool.acquire() as conn:
        for scopes in (["read"], ["curate"], ["ingest"], ["admin"]):
            _, key = await create_key(conn, f"test-{scopes[0]}", scopes)
            out[scopes[0]] = key
    return out
