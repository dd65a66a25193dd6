"""What the service relies on in strawberry's private API, one test per function of
``strawberry_internals``: a strawberry upgrade that changes one of them fails here, by name."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLObjectType, GraphQLSchema
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from service.api.graphql import strawberry_internals as internals


@strawberry.type
class Thing:
    name: str

    @strawberry.field
    def upper(self, info: strawberry.Info) -> str:
        seen.append(info)
        return self.name.upper()


@strawberry.type
class Query:
    @strawberry.field
    def thing(self) -> Thing:
        return Thing(name="x")


seen: list[strawberry.Info[Any, Any]] = []
schema = strawberry.Schema(query=Query)


def test_schema_private_attribute_is_the_graphql_core_schema() -> None:
    """``Schema._schema``."""
    core = internals.core_schema(schema)
    assert isinstance(core, GraphQLSchema)
    assert core.get_type("Thing") is not None


def test_info_private_attribute_is_the_resolve_info() -> None:
    """``Info._raw_info``."""
    seen.clear()
    assert schema.execute_sync("{ thing { upper } }").errors is None
    raw = internals.raw_info(seen[0])
    assert raw.field_name == "upper" and raw.field_nodes[0].name.value == "upper"
    assert raw.parent_type.name == "Thing" and raw.schema is internals.core_schema(schema)


def test_info_is_built_from_private_constructor_arguments() -> None:
    """``Info(_raw_info=..., _field=...)``."""
    seen.clear()
    schema.execute_sync("{ thing { upper } }")
    raw = internals.raw_info(seen[0])
    core = internals.core_schema(schema)
    thing = core.get_type("Thing")
    assert isinstance(thing, GraphQLObjectType)
    field = thing.fields["upper"].extensions[internals.DEFINITION_KEY]
    assert isinstance(field, StrawberryField)
    info = internals.make_info(schema.config.info_class, raw, field)
    assert info.field_name == "upper" and info.python_name == "upper"
    assert internals.raw_info(info) is raw


def test_definitions_hang_under_the_extension_key() -> None:
    """graphql-core types and fields carry their strawberry definition under
    ``"strawberry-definition"``."""
    thing = internals.core_schema(schema).get_type("Thing")
    assert isinstance(thing, GraphQLObjectType)
    assert isinstance(thing.extensions[internals.DEFINITION_KEY], StrawberryObjectDefinition)
    assert isinstance(thing.fields["name"].extensions[internals.DEFINITION_KEY], StrawberryField)


def test_the_default_resolver_is_marked() -> None:
    """The ``_is_default`` attribute on strawberry's resolver of a field without one."""
    thing = internals.core_schema(schema).get_type("Thing")
    assert isinstance(thing, GraphQLObjectType)
    assert internals.is_default_resolver(thing.fields["name"].resolve)
    assert not internals.is_default_resolver(thing.fields["upper"].resolve)
