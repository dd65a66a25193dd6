"""Fixtures for the reliability tests: the GraphQL seed, API keys and a query helper, shared
with the GraphQL tests so both suites speak about the same small world."""

from __future__ import annotations

from tests.api.graphql.conftest import gql, keys, seeded

__all__ = ["gql", "keys", "seeded"]
