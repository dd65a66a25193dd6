"""Cheaper resolvers for the fields every list item repeats, installed on the built schema.

strawberry routes each field with a resolver through a generic chain (argument conversion,
field extensions, exception handlers) that costs more than the resolvers themselves when a
page resolves thousands of fields. For the fields that need none of it — no arguments, no
field extensions or permission classes, a resolver taking only ``self`` and ``info`` — the
chain is replaced by a direct call with the same ``Info`` object strawberry would build, and
relay ``id`` fields of types that keep strawberry's default id and type-name resolution are
computed directly (same ``GlobalID``); fields without a resolver read their attribute
directly (what strawberry's default resolver does, minus two calls). Behaviour is unchanged; the tests run against it.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLObjectType
from strawberry import relay
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from service.api.graphql.strawberry_internals import (
    DEFINITION_KEY,
    core_schema,
    is_default_resolver,
    make_info,
)

logger = logging.getLogger(__name__)

BACKREF = DEFINITION_KEY


def _direct(field: StrawberryField, info_class: type[strawberry.Info[Any, Any]]) -> Any:
    resolver = field.base_resolver
    if resolver is None or field.arguments or field.extensions or field.permission_classes:
        return None
    if field.is_subscription:
        return None
    names = list(resolver.signature.parameters)
    func = resolver.wrapped_func
    if isinstance(func, classmethod | staticmethod) or not inspect.isfunction(func):
        return None
    if names == ["self", "info"]:

        def with_info(source: Any, raw: Any) -> Any:
            return func(source, make_info(info_class, raw, field))

        return with_info
    if names == ["self"]:

        def plain(source: Any, raw: Any) -> Any:
            return func(source)

        return plain
    return None


def _basic(field: StrawberryField, current: Any) -> Any:
    """Fields without a resolver: strawberry's wrapper calls ``field.get_result`` which calls
    the default resolver (``getattr``); read the attribute directly instead."""
    if not is_default_resolver(current) or field.base_resolver is not None:
        return None
    if field.default_resolver is not getattr or field.extensions or field.permission_classes:
        return None
    name = field.python_name

    def basic(source: Any, raw: Any) -> Any:
        return getattr(source, name)

    basic._is_default = True  # type: ignore[attr-defined]
    basic.attribute = name  # type: ignore[attr-defined]
    return basic


def _global_id(type_name: str, origin: type[relay.Node]) -> Callable[..., Any] | None:
    if (
        origin.resolve_id.__func__ is not relay.Node.resolve_id.__func__  # type: ignore[attr-defined]
        or origin.resolve_typename.__func__ is not relay.Node.resolve_typename.__func__  # type: ignore[attr-defined]
    ):
        return None
    attr = origin.resolve_id_attr()

    def resolve(source: Any, raw: Any) -> relay.GlobalID:
        return relay.GlobalID(type_name=type_name, node_id=str(getattr(source, attr)))

    resolve.global_id = (type_name, attr)  # type: ignore[attr-defined]
    return resolve


def install(schema: strawberry.Schema) -> int:
    """Replace the resolvers that qualify; returns how many were replaced."""
    info_class = schema.config.info_class
    replaced = 0
    for gql_type in core_schema(schema).type_map.values():
        if not isinstance(gql_type, GraphQLObjectType) or gql_type.name.startswith("__"):
            continue
        if gql_type.name in ("Query", "Mutation", "Subscription"):
            continue
        definition = gql_type.extensions.get(BACKREF)
        origin = definition.origin if isinstance(definition, StrawberryObjectDefinition) else None
        for name, gql_field in gql_type.fields.items():
            field = gql_field.extensions.get(BACKREF)
            if not isinstance(field, StrawberryField):
                continue
            fast: Any = None
            if (
                name == "id"
                and isinstance(origin, type)
                and issubclass(origin, relay.Node)
                and field.python_name == "_id"
                and not field.extensions
            ):
                fast = _global_id(gql_type.name, origin)
            else:
                fast = _direct(field, info_class) or _basic(field, gql_field.resolve)
            if fast is not None:
                gql_field.resolve = fast
                replaced += 1
    return replaced
