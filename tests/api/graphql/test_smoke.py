from __future__ import annotations

from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import Seeded, data_of


async def test_moves_with_nested_fields(gql: Gql, seeded: Seeded) -> None:
    body = await gql(
        """{ moves(first: 3) { totalCount pageInfo { hasNextPage endCursor }
             edges { cursor node { id date { text precision } kind status crossBorder
               researcher { name } from { slug country { code name } } to { slug }
               evidence { quote span { start end } document { url } } } } } }"""
    )
    data = data_of(body)
    assert data["moves"]["totalCount"] == 7
    nodes = [e["node"] for e in data["moves"]["edges"]]
    assert [n["to"]["slug"] for n in nodes] == ["tencent", "openai", "google-research"]
