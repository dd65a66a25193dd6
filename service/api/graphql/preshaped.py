"""Big aggregate lists answered as already-shaped JSON, without graphql-core's per-field work.

graphql-core completes a list of objects field by field: resolve info, resolver call, value
completion, for each field of each item, which dominates a flows answer of thousands of cells
(figures in ``bench/perf_notes.md``). When the selection below such a
field is plain (fields without arguments or directives, no fragments, no fields that need a
resolver), the resolver can build the response dicts itself and hand them over wrapped in
:class:`Preshaped`; :class:`PreshapedExecutionContext` returns them as the field's completed
value. For any other selection :func:`compile_shape` answers None and the field is resolved
the normal way, so the schema and the answers are the same either way.

The fast path (``fast_path``) takes a ``Preshaped`` value as the field's completed value too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any
from weakref import WeakSet

import orjson
from graphql import (
    FieldNode,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    SelectionSetNode,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from service.api.graphql.context import Info
from service.api.graphql.strawberry_internals import raw_info
from service.caches import SizedLRU, pinned_document_bytes


@dataclass(frozen=True, slots=True)
class Preshaped:
    """A field's value in response form (only produced for a selection it was shaped for)."""

    data: Any


class PreshapedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if type(result) is Preshaped:
            return result.data
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )


# A shape: (response key, field name, shape of the field's selection or None for a leaf).
Shape = tuple[tuple[str, str, "Shape | None"], ...]


def _shape(
    selection_set: SelectionSetNode | None, allowed: dict[str, dict[str, Any] | None]
) -> Shape | None:
    """The plain selection ``selection_set`` makes of the fields in ``allowed`` (a field maps
    to the fields allowed below it, or None for a leaf), or None if it is anything else."""
    if selection_set is None:
        return None
    out: list[tuple[str, str, Shape | None]] = []
    keys: set[str] = set()
    for sel in selection_set.selections:
        if not isinstance(sel, FieldNode) or sel.directives or sel.arguments:
            return None
        name = sel.name.value
        key = sel.alias.value if sel.alias else name
        if key in keys or (name not in allowed and name != "__typename"):
            return None
        keys.add(key)
        below = allowed.get(name)
        if below is None:
            if sel.selection_set is not None:
                return None
            out.append((key, name, None))
        else:
            sub = _shape(sel.selection_set, below)
            if sub is None:
                return None
            out.append((key, name, sub))
    return tuple(out)


# Kept per field node; the nodes pin their whole document, so entries are charged for it.
_SHAPES: SizedLRU[tuple[int, ...], tuple[tuple[FieldNode, ...], Shape | None]] = SizedLRU(
    8 * 1024 * 1024, lambda _, value: pinned_document_bytes(value[0])
)


_ENABLED: WeakSet[GraphQLSchema] = WeakSet()


def enable(schema: GraphQLSchema) -> None:
    """Let resolvers of ``schema`` answer pre-shaped values (its execution context completes
    them: :class:`PreshapedExecutionContext`)."""
    _ENABLED.add(schema)


def compile_shape(info: Info, allowed: dict[str, dict[str, Any] | None]) -> Shape | None:
    """The plain shape the current field's items are asked in, memoised per field node
    (parsed documents are cached per query text), or None: resolve normally."""
    raw = raw_info(info)
    if raw.schema not in _ENABLED:
        return None
    nodes = tuple(raw.field_nodes)
    key = (id(allowed), *(id(n) for n in nodes))
    cached: tuple[tuple[FieldNode, ...], Shape | None] | None = _SHAPES.get(key, None)
    if cached is not None and cached[0] == nodes:
        return cached[1]
    shape = _shape(nodes[0].selection_set, allowed) if len(nodes) == 1 else None
    _SHAPES.put(key, (nodes, shape))  # the nodes are kept so their ids stay theirs
    return shape


async def cached_answer(
    cache: Any,
    key: Hashable,
    compute: Callable[[], Awaitable[Any]],
    info: Info,
    allowed: dict[str, dict[str, Any] | None],
    render: Callable[[Any, Shape], Any],
) -> Any:
    """An aggregate from the flow cache (``cache.get_or_compute``), answered in response form
    when the selection is plain: ``render(value, shape)`` encoded once per selection and kept
    with the cached value (``cache.derive``), which graphql-core hands over as the field's value.
    Any other selection gets the value itself, resolved as usual."""
    value = await cache.get_or_compute(key, compute)
    shape = compile_shape(info, allowed)
    if shape is None:
        return value

    def encode() -> orjson.Fragment:
        return orjson.Fragment(orjson.dumps(render(value, shape)))

    return Preshaped(cache.derive((key, shape), value, encode, bucket="encoded"))
