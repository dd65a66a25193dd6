"""Two curators at once: concurrent merges over HTTP serialise; one wins, the other gets a clear
answer, and the data stays consistent (no deadlock, no half-merge)."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from tests.api.graphql.seed import Seeded, gid

MERGE = """mutation($s: ID!, $t: ID!) { mergeResearchers(source: $s, target: $t) {
  __typename ... on Error { message code } ... on Researcher { id } } }"""


async def merge(client: httpx.AsyncClient, key: str, source: str, target: str) -> dict[str, Any]:
    r = await client.post(
        "/graphql",
        json={"query": MERGE, "variables": {"s": source, "t": target}},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert "errors" not in body, body
    out: dict[str, Any] = body["data"]["mergeResearchers"]
    return out


async def consistent(pool: asyncpg.Pool) -> None:
    # no move or affiliation points at a merged-away researcher, no merge chains
    assert not await pool.fetchval(
        "SELECT count(*) FROM move m JOIN researcher r ON r.id = m.researcher_id "
        "WHERE r.merged_into_id IS NOT NULL"
    )
    assert not await pool.fetchval(
        "SELECT count(*) FROM affiliation a JOIN researcher r ON r.id = a.researcher_id "
        "WHERE r.merged_into_id IS NOT NULL"
    )
    assert not await pool.fetchval(
        "SELECT count(*) FROM researcher a JOIN researcher b ON b.id = a.merged_into_id "
        "WHERE b.merged_into_id IS NOT NULL"
    )


async def test_same_merge_twice_at_once(
    client: httpx.AsyncClient, pool: asyncpg.Pool, seeded: Seeded, keys: dict[str, str]
) -> None:
    source = gid("Researcher", seeded.researchers["yao2"])
    target = gid("Researcher", seeded.researchers["yao"])
    moves_before = await pool.fetchval("SELECT count(*) FROM move")
    results = await asyncio.gather(
        merge(client, keys["curate"], source, target),
        merge(client, keys["admin"], source, target),
    )
    kinds = sorted(r["__typename"] for r in results)
    assert kinds == ["ConflictError", "Researcher"], results
    loser = next(r for r in results if r["__typename"] == "ConflictError")
    assert loser["code"] == "CONFLICT" and "already merged" in loser["message"]
    assert await pool.fetchval("SELECT count(*) FROM audit_log") == 1
    assert await pool.fetchval("SELECT count(*) FROM move") == moves_before
    await consistent(pool)


async def test_opposite_merges_at_once(
    client: httpx.AsyncClient, pool: asyncpg.Pool, seeded: Seeded, keys: dict[str, str]
) -> None:
    """A into B and B into A at the same moment: a classic deadlock shape. One must win."""
    a = gid("Researcher", seeded.researchers["yao2"])
    b = gid("Researcher", seeded.researchers["yao"])
    for _ in range(3):
        results = await asyncio.gather(
            merge(client, keys["curate"], a, b), merge(client, keys["admin"], b, a)
        )
        kinds = sorted(r["__typename"] for r in results)
        assert kinds == ["ConflictError", "Researcher"], results
        await consistent(pool)
        merged = await pool.fetchval(
            "SELECT count(*) FROM researcher WHERE merged_into_id IS NOT NULL"
        )
        assert merged == 1
        # undo, to race again
        winner = next(r for r in results if r["__typename"] == "Researcher")
        source = a if winner["id"] == b else b
        r = await client.post(
            "/graphql",
            json={
                "query": "mutation($s: ID!) { unmergeResearchers(source: $s) { __typename } }",
                "variables": {"s": source},
            },
            headers={"Authorization": f"Bearer {keys['curate']}"},
        )
        assert r.json()["data"]["unmergeResearchers"]["__typename"] == "Researcher"
