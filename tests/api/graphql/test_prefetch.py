"""The hot list fields prefetch what the query asks of their items: same answers as field-by-
field loading, a fixed number of statements, one connection per request, cached validation."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from service.api.graphql import limits, prefetch
from service.api.graphql.context import Context, build_context
from service.api.graphql.schema import build_schema
from service.api.state import AppState
from service.config import load_settings
from tests.api.graphql.seed import Seeded, gid

MOVES = """{ moves(first: 20) { edges { node { id kind
  researcher { id name } from { id name country { code } } to { id slug }
  evidence { id quote confidence document { id url title } } } } } }"""

PROFILE = """query($id: ID!) { researcher(id: $id) { id name
  affiliations { id role institution { id name } }
  moves { id kind from { id name } to { id name } evidence { id document { url } } } } }"""

INSTITUTION = """query($id: ID!) { institution(id: $id) { id
  movesIn(first: 10) { nodes { id researcher { name } from { slug } evidence { quote } } }
  movesOut(first: 10) { edges { node { id ... on Move { to { slug } } } } } } }"""


async def run(
    pool: asyncpg.Pool, db_url: str, query: str, variables: dict[str, Any] | None = None
) -> tuple[dict[str, Any], Context]:
    settings = load_settings()
    ctx = build_context(AppState(settings=settings, database_url=db_url, pool=pool))
    result = await build_schema(settings).execute(
        query, variable_values=variables, context_value=ctx
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data, ctx


@pytest.mark.parametrize("which", ["moves", "profile", "institution"])
async def test_prefetch_gives_the_same_answers(
    pool: asyncpg.Pool,
    db_url: str,
    seeded: Seeded,
    which: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query, variables = {
        "moves": (MOVES, None),
        "profile": (PROFILE, {"id": gid("Researcher", seeded.researchers["li"])}),
        "institution": (
            INSTITUTION,
            {"id": gid("Institution", seeded.institutions["openai"])},
        ),
    }[which]
    with_prefetch, _ = await run(pool, db_url, query, variables)

    async def nothing(*args: object) -> None:
        return None

    for module in ("service.api.graphql.schema", "service.api.graphql.types.institution",
                   "service.api.graphql.types.researcher"):  # fmt: skip
        monkeypatch.setattr(f"{module}.prefetch_moves", nothing)
    without, _ = await run(pool, db_url, query, variables)
    assert with_prefetch == without
    assert '"from": {' in json.dumps(with_prefetch)  # nested items were resolved


async def test_moves_page_costs_four_statements_on_one_connection(
    pool: asyncpg.Pool, db_url: str, seeded: Seeded
) -> None:
    data, ctx = await run(pool, db_url, MOVES)
    edges = data["moves"]["edges"]
    assert edges and any(e["node"]["evidence"] for e in edges)
    # page, researchers, institutions, evidence joined with documents
    assert ctx.db.statements == 4
    assert ctx.db._conn is None  # handed back when the operation ended
    assert pool.get_idle_size() == pool.get_size()


def test_selection_paths_flatten_fragments() -> None:
    from graphql import FieldNode, FragmentDefinitionNode, OperationDefinitionNode, parse

    document = parse(
        "{ moves { edges { node { ...F } } } } "
        "fragment F on Move { from { id } evidence { ... on Evidence { document { url } } } }"
    )
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    found: set[str] = set()
    prefetch._ast_paths(root.selection_set, fragments, "", found)
    assert {"edges.node.from", "edges.node.evidence.document.url"} <= found
    assert "edges.node.evidence.document" in found


async def test_each_document_is_validated_once(
    pool: asyncpg.Pool, db_url: str, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = limits.validate_document

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(limits, "validate_document", counting)
    settings = load_settings()
    schema = build_schema(settings)
    query = "{ moves(first: 3) { edges { node { id } } } }"
    for _ in range(3):
        ctx = build_context(AppState(settings=settings, database_url=db_url, pool=pool))
        result = await schema.execute(query, context_value=ctx)
        assert result.errors is None
    assert len(calls) == 1
    for _ in range(2):  # an invalid document is not cached: refused every time
        ctx = build_context(AppState(settings=settings, database_url=db_url, pool=pool))
        result = await schema.execute("{ moves { nope } }", context_value=ctx)
        assert result.errors
    assert len(calls) == 3
