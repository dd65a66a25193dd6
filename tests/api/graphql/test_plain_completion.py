"""Root fields completed in one walk answer exactly what graphql-core answers, and anything
the walk does not handle goes to graphql-core."""

from __future__ import annotations

from typing import Any

import pytest

from service.api.graphql import plain_completion
from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import Seeded, gid

MOVE_FIELDS = """
  id
  date { date precision }
  kind status confidence crossBorder provisional origin
  fromCountry { code name } toCountry { code }
  researcher { id name nativeName topics }
  from { id name slug kind country { code name } }
  to { id name country { code } }
  evidence { id quote confidence document { id url title publisher publishedAt } }
"""
QUERIES: list[tuple[str, dict[str, Any] | None]] = [
    # The benchmark's 50-move page, and both orders.
    (f"{{ moves(first: 50) {{ edges {{ cursor node {{ {MOVE_FIELDS} }} }} "
     "pageInfo { endCursor hasNextPage hasPreviousPage startCursor } } }", None),
    (f"{{ moves(first: 3, orderBy: DATE_ASC) {{ nodes {{ {MOVE_FIELDS} }} }} }}", None),
    # Aliases, __typename, fragments (named and inline) on concrete types, variables.
    ("""query($n: Int) { a: moves(first: $n) { __typename edges { node { ...M to { __typename
       ... on Institution { slug } } } } } b: moves(last: 2) { nodes { id k: kind } } }
       fragment M on Move { id s: status from { name } }""", {"n": 4}),
    # Nested lists and nulls (undated moves, unknown institutions).
    (f"{{ moves(first: 50, filter: {{status: [RETRACTED, REPORTED, CORROBORATED, CONFIRMED]}}) "
     f"{{ nodes {{ {MOVE_FIELDS} }} }} }}", None),
]  # fmt: skip


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the root fields the walk answered."""
    counts = {"answered": 0}
    original = plain_completion.PlainCompletion.complete_root

    def counting(self: plain_completion.PlainCompletion, *args: Any) -> Any:
        done = original(self, *args)
        counts["answered"] += 1
        return done

    monkeypatch.setattr(plain_completion.PlainCompletion, "complete_root", counting)
    return counts


async def both_ways(
    gql: Gql, monkeypatch: pytest.MonkeyPatch, query: str, variables: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    walked = await gql(query, variables)
    with monkeypatch.context() as m:
        m.setattr(plain_completion, "applies", lambda _operation: False)
        normal = await gql(query, variables)
    return walked, normal


@pytest.mark.parametrize("n", range(len(QUERIES)))
async def test_walk_answers_like_graphql_core(
    gql: Gql, seeded: Seeded, monkeypatch: pytest.MonkeyPatch, walks: dict[str, int], n: int
) -> None:
    query, variables = QUERIES[n]
    walked, normal = await both_ways(gql, monkeypatch, query, variables)
    assert "errors" not in walked, walked
    assert walked == normal
    assert walks["answered"] >= 1  # the walk did answer, it did not hand over
    assert list(walked["data"]) == list(normal["data"])  # same key order, too


async def test_data_has_nulls_and_evidence(gql: Gql, seeded: Seeded) -> None:
    """The dataset the comparison runs on exercises nulls, lists and nested objects."""
    body = await gql(QUERIES[3][0])
    nodes = body["data"]["moves"]["nodes"]
    assert any(m["from"] is None or m["date"] is None for m in nodes)
    assert any(m["evidence"] and m["evidence"][0]["document"] for m in nodes)


async def test_unhandled_selections_go_to_graphql_core(
    gql: Gql, seeded: Seeded, monkeypatch: pytest.MonkeyPatch, walks: dict[str, int]
) -> None:
    queries = [
        # a directive, a union, a field that awaits (institution page), an error
        "{ moves(first: 2) { nodes { id kind @include(if: true) } } }",
        '{ search(query: "yao") { __typename ... on Researcher { name } } }',
        f'{{ institution(id: "{gid("Institution", seeded.institutions["openai"])}") '
        "{ name aliases moves_in: movesIn(first: 2) { nodes { id } } } }",
        '{ researcher(id: "bad") { id } }',
        "{ moves(first: 2) { totalCount nodes { id } } }",
    ]
    for query in queries:
        walked, normal = await both_ways(gql, monkeypatch, query, None)
        assert walked == normal
    assert walks["answered"] == 0
