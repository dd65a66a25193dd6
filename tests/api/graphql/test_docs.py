"""Every query in docs/graphql.md runs without errors on the demo dataset."""

from __future__ import annotations

import re
from pathlib import Path

import asyncpg
import pytest

from service.cli import DEMO_DATA
from service.config import load_settings
from service.db.stores.institutions import seed_institutions
from service.ingest.pipeline import run_ingester
from tests.api.graphql.conftest import Gql

DOC = Path(__file__).resolve().parents[3] / "docs" / "graphql.md"
BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)


def doc_queries() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_doc_has_ten_queries() -> None:
    assert len(doc_queries()) == 10


async def test_doc_queries_run_on_demo_data(gql: Gql, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    result = await run_ingester(
        pool, "jsonl", {"path": str(DEMO_DATA)}, instance="demo", settings=load_settings()
    )
    assert result.ok, result.error
    for query in doc_queries():
        body = await gql(query)
        assert "errors" not in body, (query[:40], body.get("errors"))
        assert body["data"], query[:40]
    latest = (await gql(doc_queries()[0]))["data"]["moves"]
    assert latest["totalCount"] > 0
    page = (await gql(doc_queries()[-1]))["data"]["moves"]
    if page["pageInfo"]["hasNextPage"]:
        after = page["pageInfo"]["endCursor"]
        nxt = await gql(doc_queries()[-1], {"after": after})
        assert "errors" not in nxt


@pytest.mark.parametrize("snippet", ["cdn.", "unpkg.com", "jsdelivr"])
def test_no_cdn_references(snippet: str) -> None:
    assert snippet not in DOC.read_text(encoding="utf-8")
