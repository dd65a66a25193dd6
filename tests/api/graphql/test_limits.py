"""Protection: depth, aliases, tokens, cost, body size, batches, introspection, masking."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from service.api.graphql import limits
from service.api.graphql.context import build_context
from service.api.graphql.schema import SCHEMA_FILE, build_schema, schema_sdl
from service.api.state import AppState
from service.config import load_settings
from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import Seeded


def code(body: dict[str, Any]) -> str:
    value: str = body["errors"][0]["extensions"]["code"]
    return value


async def test_depth_aliases_tokens(gql: Gql) -> None:
    deep = "{ moves { edges { node { to { " + "parent { " * 8 + "name" + " }" * 8 + " } } } } }"
    assert code(await gql(deep)) == "QUERY_TOO_DEEP"
    aliases = "{ " + " ".join(f'a{i}: institution(slug: "x") {{ name }}' for i in range(31)) + " }"
    assert code(await gql(aliases)) == "TOO_MANY_ALIASES"
    tokens = "{ " + " ".join("__typename" for _ in range(5001)) + " }"
    assert code(await gql(tokens)) == "TOO_MANY_TOKENS"
    assert code(await gql("{ moves { ")) == "GRAPHQL_PARSE_FAILED"
    assert code(await gql("{ nope }")) == "GRAPHQL_VALIDATION_FAILED"


async def test_cost_limit(gql: Gql, seeded: Seeded) -> None:
    ok = """{ institutions(first: 100) { edges { node {
              movesIn(first: 100) { edges { node { id } } } } } } }"""
    assert "errors" not in await gql(ok)  # 100 + 100*100 = 10100
    costly = """query($n: Int) { institutions(first: 100) { edges { node {
      movesIn(first: 100) { edges { node { to { movesOut(first: $n) { totalCount } } } } } } } } }"""
    body = await gql(costly, {"n": 10})
    assert code(body) == "QUERY_TOO_COSTLY"
    # pages of 100 × 100 × 10, and a nested count per movesOut (one per movesIn node)
    nested = 100 * 100 * limits.NESTED_COUNT
    assert body["errors"][0]["extensions"]["cost"] == 100 + 100 * 100 + 100 * 100 * 10 + nested
    assert body["data"] is None
    frag = """query { ...Q } fragment Q on Query { institutions(first: 100) { edges { node {
      currentResearchers(last: 100) { edges { node { name } } }
      movesOut(first: 100) { edges { node { to { movesIn(first: 10) { totalCount } } } } }
      } } } }"""
    assert code(await gql(frag)) == "QUERY_TOO_COSTLY"


async def test_body_size_and_batches(client: httpx.AsyncClient) -> None:
    big = "{ __typename }" + " " * 1_100_000
    r = await client.post("/graphql", json={"query": big})
    assert r.status_code == 413
    assert "bytes" in r.text
    batch = [{"query": "{ __typename }"}] * 3
    r = await client.post("/graphql", json=batch)
    assert r.status_code == 200 and [b["data"] for b in r.json()] == [{"__typename": "Query"}] * 3
    r = await client.post("/graphql", json=[{"query": "{ __typename }"}] * 11)
    assert r.status_code == 400


async def test_introspection_switch(pool: asyncpg.Pool, db_url: str) -> None:
    query = "{ __schema { queryType { name } } }"
    for enabled in (True, False):
        settings = load_settings(graphql_introspection=enabled)
        ctx = build_context(AppState(settings=settings, database_url=db_url, pool=pool))
        result = await build_schema(settings).execute(query, context_value=ctx)
        if enabled:
            assert result.errors is None
        else:
            assert result.errors and "introspection" in result.errors[0].message.lower()


async def test_unexpected_errors_are_masked(gql: Gql, pool: asyncpg.Pool) -> None:
    await pool.execute("ALTER TABLE move RENAME COLUMN kind TO kind_renamed")
    body = await gql("{ moves { totalCount } }")
    err = body["errors"][0]
    assert err["message"] == "Unexpected error."
    assert err["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "kind" not in str(body)


def test_schema_file_is_current() -> None:
    current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    assert current == schema_sdl(), (
        "schema/schema.graphql is out of date; regenerate it with "
        "`python -c 'from service.api.graphql.schema import export_schema; export_schema()'` "
        "(or `talentflow schema export`) and commit it"
    )


async def test_graphiql_served_offline(client: httpx.AsyncClient) -> None:
    r = await client.get("/graphql", headers={"Accept": "text/html"})
    assert r.status_code == 200
    html = r.text
    assert "/graphiql/graphiql.min.js" in html and "subscriptionUrl" in html
    assert "unpkg" not in html and "jsdelivr" not in html and "cdn" not in html.lower()
    for asset in (
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
    ):
        r = await client.get(f"/graphiql/{asset}")
        assert r.status_code == 200 and len(r.content) > 5000, asset
    # Every local file the page links to is there, and so is the icon browsers ask for anyway.
    linked = re.findall(r'(?:href|src)="(/[^"]+)"', html)
    assert "/favicon.ico" in linked
    for path in linked:
        assert (await client.get(path)).status_code == 200, path
    icon = await client.get("/favicon.ico")
    assert icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.content.startswith(b"<svg")


@pytest.mark.parametrize("path", [Path("docs/graphql.md")])
def test_no_cdn_in_docs_or_page(path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    page = (root / "service" / "web" / "graphiql" / "index.html").read_text(encoding="utf-8")
    assert "https://" not in page


def test_cost_prices_counts_lists_searches_and_aggregates() -> None:
    """The calibrated prices (bench/cost_calibration.py): a count over a whole table, a count
    per parent, a list that is not paged, a search and an aggregate each cost what their time
    says, so the limit bounds time and not only the number of nodes."""
    settings = load_settings()
    schema = build_schema(settings)._schema

    def cost(query: str, variables: dict[str, object] | None = None) -> int:
        from graphql import parse

        return limits.estimate_cost(schema, parse(query), None, variables, 20)

    assert cost("{ moves(first: 10) { edges { node { id } } } }") == 10
    assert cost("{ moves(first: 1) { totalCount } }") == 1 + limits.ROOT_COUNT
    assert (
        cost("{ institutions(first: 10) { edges { node { movesIn(first: 2) { totalCount } } } } }")
        == 10 + 10 * 2 + 10 * limits.NESTED_COUNT
    )
    # A researcher's moves are a list, not a page: each move's evidence list multiplies again.
    assert cost(
        "{ researchers(first: 10) { edges { node { moves { evidence { quote } } } } } }"
    ) == (10 + 10 * limits.LIST_LENGTH + 10 * limits.LIST_LENGTH * limits.LIST_LENGTH)
    search = "query($f: ResearcherFilterInput) { researchers(first: 5, filter: $f) { edges { node { id } } } }"
    assert cost(search, {"f": {"search": "li"}}) == 5 + limits.SEARCH
    assert cost(search, {"f": {"country": ["CN"]}}) == 5
    assert cost('{ researchers(first: 5, filter: {search: "li"}) { edges { node { id } } } }') == (
        5 + limits.SEARCH
    )
    five = "{ " + " ".join(f"a{i}: netFlows {{ net }}" for i in range(5)) + " }"
    assert cost(five) == 5 * (limits.AGGREGATE + limits.LIST_LENGTH)
    eleven = "{ " + " ".join(f"a{i}: flows {{ count }}" for i in range(11)) + " }"
    assert cost(eleven) > settings.graphql_max_cost
