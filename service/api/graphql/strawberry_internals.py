"""Every use of strawberry's private API, one function each.

The fast path and the direct field resolvers need what strawberry does not publish: the
graphql-core schema under a strawberry schema, the graphql-core resolve info under an
``Info``, an ``Info`` built from those, the marker on strawberry's default field resolver,
and the extension key linking a graphql-core field to its strawberry definition. Each is
reached here only; ``tests/api/graphql/test_strawberry_internals.py`` checks each against the
installed strawberry, and ``pyproject.toml`` pins strawberry to the minor version tested.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLResolveInfo, GraphQLSchema
from strawberry.types.field import StrawberryField

# graphql-core types and fields built by strawberry carry their definition under this key.
DEFINITION_KEY = "strawberry-definition"


def core_schema(schema: strawberry.Schema) -> GraphQLSchema:
    """The graphql-core schema strawberry built (``Schema._schema``)."""
    found: GraphQLSchema = schema._schema
    return found


def raw_info(info: strawberry.Info[Any, Any]) -> GraphQLResolveInfo[Any]:
    """The graphql-core resolve info under a strawberry ``Info`` (``Info._raw_info``)."""
    raw: GraphQLResolveInfo[Any] = info._raw_info
    return raw


def make_info(
    info_class: type[strawberry.Info[Any, Any]],
    raw: GraphQLResolveInfo[Any],
    field: StrawberryField,
) -> strawberry.Info[Any, Any]:
    """The ``Info`` strawberry would pass a resolver of ``field`` (its private constructor
    arguments ``_raw_info`` and ``_field``)."""
    return info_class(_raw_info=raw, _field=field)


def is_default_resolver(resolve: object) -> bool:
    """Whether a graphql-core field's resolver is strawberry's default one (the attribute
    ``_is_default`` strawberry sets on it)."""
    return bool(getattr(resolve, "_is_default", False))
