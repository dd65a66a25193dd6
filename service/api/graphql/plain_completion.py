"""Completing a query's root field in one pass when its selection is plain.

graphql-core completes every field on its own: a resolve-info object, a path entry, an
awaitable check and a dispatch on the return type, for each of the ~2,000 fields of a 50-move
page. When a root field's whole selection is *plain* — fields and fragments on concrete object
types, no directives (``@skip``, ``@include``, ``@defer``), no abstract types, each response
key once — the value can be completed by one walk over a plan compiled per query document:
the same resolvers are called with the same arguments, leaves are serialised by the same
scalar and enum types, and ``is_type_of`` is checked the same way.

The walk gives up (:class:`Bail`) at the first thing it does not handle the way graphql-core
would — a resolver that returns an awaitable or raises, a null in a non-null position, a
value that does not serialise — and the field is then completed the normal way from the start
(re-reading is safe: queries only read, and the request's loaders keep what was loaded). So a
field is either answered exactly as graphql-core answers it, or by graphql-core itself.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    Undefined,
)
from graphql.execution.middleware import MiddlewareManager
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path, is_iterable

logger = logging.getLogger(__name__)


class Bail(Exception):
    """The plain walk cannot answer this value exactly as graphql-core would."""


@dataclass(frozen=True, slots=True)
class FieldPlan:
    key: str
    name: str
    node: FieldNode
    field_def: GraphQLField | None  # None for __typename
    return_type: GraphQLOutputType | None
    sub: ObjectPlan | None  # the selection on the (unwrapped) object type, if any


@dataclass(eq=False, slots=True)
class ObjectPlan:
    type_: GraphQLObjectType
    fields: tuple[FieldPlan, ...]
    hits: int = 0  # root plans: walks that answered, and walks that gave up
    bails: int = 0

    @property
    def hopeless(self) -> bool:
        """Gave up every time so far (a field that always awaits): stop trying."""
        return self.bails >= BAILS_BEFORE_GIVING_UP and self.hits == 0


def _named(type_: GraphQLOutputType) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _collect(
    selection_set: SelectionSetNode,
    type_: GraphQLObjectType,
    fragments: Mapping[str, FragmentDefinitionNode],
    out: list[FieldNode],
    depth: int = 0,
) -> bool:
    if depth > 8:
        return False
    for sel in selection_set.selections:
        if sel.directives:
            return False
        if isinstance(sel, FieldNode):
            out.append(sel)
        elif isinstance(sel, InlineFragmentNode):
            cond = sel.type_condition
            if cond is not None and cond.name.value != type_.name:
                return False
            if not _collect(sel.selection_set, type_, fragments, out, depth + 1):
                return False
        elif isinstance(sel, FragmentSpreadNode):
            fragment = fragments.get(sel.name.value)
            if fragment is None or fragment.directives:
                return False
            if fragment.type_condition.name.value != type_.name:
                return False
            if not _collect(fragment.selection_set, type_, fragments, out, depth + 1):
                return False
        else:
            return False
    return True


def _object_plan(
    type_: GraphQLObjectType,
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    depth: int = 0,
) -> ObjectPlan | None:
    if selection_set is None or depth > 16:
        return None
    nodes: list[FieldNode] = []
    if not _collect(selection_set, type_, fragments, nodes):
        return None
    fields: list[FieldPlan] = []
    keys: set[str] = set()
    for node in nodes:
        name = node.name.value
        key = node.alias.value if node.alias else name
        if key in keys:
            return None  # merged fields: leave them to graphql-core
        keys.add(key)
        if name == "__typename":
            if node.selection_set is not None:
                return None
            fields.append(FieldPlan(key, name, node, None, None, None))
            continue
        if name.startswith("__"):
            return None
        field_def = type_.fields.get(name)
        if field_def is None:
            return None
        named = _named(field_def.type)
        sub: ObjectPlan | None = None
        if isinstance(named, GraphQLObjectType):
            sub = _object_plan(named, node.selection_set, fragments, depth + 1)
            if sub is None:
                return None
        elif isinstance(named, GraphQLScalarType | GraphQLEnumType):
            if node.selection_set is not None:
                return None
        else:
            return None  # interfaces and unions
        fields.append(FieldPlan(key, name, node, field_def, field_def.type, sub))
    return ObjectPlan(type_, tuple(fields))


BAILS_BEFORE_GIVING_UP = 8
_PLANS: dict[tuple[int, ...], tuple[tuple[Any, ...], ObjectPlan | None]] = {}
_PLANS_MAX = 512


def root_plan(
    return_type: GraphQLOutputType,
    nodes: list[FieldNode],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> ObjectPlan | None:
    """The plan of a root field's selection, memoised per field node (documents are cached
    per query text), or None when it is not plain."""
    key = (id(return_type), *(id(n) for n in nodes))
    cached = _PLANS.get(key)
    if cached is not None and cached[0] == (return_type, *nodes):
        return cached[1]
    plan: ObjectPlan | None = None
    named = _named(return_type)
    if len(nodes) == 1 and isinstance(named, GraphQLObjectType):
        plan = _object_plan(named, nodes[0].selection_set, fragments)
    if len(_PLANS) >= _PLANS_MAX:
        _PLANS.clear()
    _PLANS[key] = ((return_type, *nodes), plan)  # the nodes are kept so their ids stay theirs
    return plan


BuildInfo = Callable[[GraphQLField, list[FieldNode], GraphQLObjectType, Path], Any]


Completer = Callable[[Any], Any]

# Values that are never awaitable, errors or async iterables: checked by class, cheaply.
_PLAIN_VALUES = frozenset({str, int, float, bool, date, datetime, list, tuple, dict})


@dataclass(slots=True)
class _Bound:
    """A field plan with this request's resolver, info and arguments, and its completer."""

    key: str
    typename: str | None
    resolve: Callable[..., Any] | None
    info: GraphQLResolveInfo[Any] | None
    args: dict[str, Any] | None
    done: Completer | None = None


class PlainCompletion:
    """One request's walk: resolve infos, arguments and completers are built once per plan
    field, then every item of every list goes through them."""

    def __init__(
        self,
        default_resolver: Callable[..., Any],
        build_info: BuildInfo,
        variable_values: Any,
        is_awaitable: Callable[[Any], bool],
        middleware: MiddlewareManager | None,
    ) -> None:
        self.middleware = middleware
        self.default_resolver = default_resolver
        self.build_info = build_info
        self.variable_values = variable_values
        self.is_awaitable = is_awaitable

    def _resolver(self, field_def: GraphQLField) -> Callable[..., Any]:
        resolve = field_def.resolve or self.default_resolver
        if self.middleware is not None:  # as graphql-core does (a no-op without middleware)
            resolve = self.middleware.get_field_resolver(resolve)
        return resolve

    def bind(self, plan: ObjectPlan, path: Path) -> list[_Bound]:
        out: list[_Bound] = []
        for fp in plan.fields:
            if fp.field_def is None or fp.return_type is None:
                out.append(_Bound(fp.key, plan.type_.name, None, None, None))
                continue
            field_path = path.add_key(fp.key, plan.type_.name)
            info = self.build_info(fp.field_def, [fp.node], plan.type_, field_path)
            args = (
                get_argument_values(fp.field_def, fp.node, self.variable_values)
                if fp.field_def.args or fp.node.arguments
                else None
            )
            sub = self.bind(fp.sub, field_path) if fp.sub is not None else None
            bound = _Bound(fp.key, None, self._resolver(fp.field_def), info, args)
            bound.done = self.completer(fp.return_type, sub, info)
            out.append(bound)
        return out

    def _check(self, value: Any) -> None:
        if value.__class__ not in _PLAIN_VALUES and (
            isinstance(value, Exception) or self.is_awaitable(value)
        ):
            _discard(value)
            raise Bail

    def completer(self, type_: GraphQLOutputType, sub: list[_Bound] | None, info: Any) -> Completer:
        """A function completing a value of ``type_`` as graphql-core would, or raising Bail."""
        if isinstance(type_, GraphQLNonNull):
            inner = self.completer(type_.of_type, sub, info)

            def non_null(value: Any) -> Any:
                done = inner(value)
                if done is None:
                    raise Bail
                return done

            return non_null
        check = self._check
        if isinstance(type_, GraphQLList):
            item = self.completer(type_.of_type, sub, info)

            def list_(value: Any) -> Any:
                if value is None:
                    return None
                check(value)
                if hasattr(value, "__aiter__") or not is_iterable(value):
                    raise Bail
                return [item(v) for v in value]

            return list_
        if isinstance(type_, GraphQLScalarType | GraphQLEnumType):
            coerce = type_.coerce_output_value

            def leaf(value: Any) -> Any:
                if value is None:
                    return None
                check(value)
                try:
                    done = coerce(value)
                except Exception as exc:
                    raise Bail from exc
                if done is Undefined or done is None:
                    raise Bail
                return done

            return leaf
        if isinstance(type_, GraphQLObjectType) and sub is not None:
            complete_object = self.complete_object
            object_type = type_

            def object_(value: Any) -> Any:
                if value is None:
                    return None
                check(value)
                return complete_object(object_type, sub, value, info)

            return object_
        raise Bail

    def complete_root(
        self,
        return_type: GraphQLOutputType,
        fields: list[_Bound],
        info: GraphQLResolveInfo[Any],
        result: Any,
    ) -> Any:
        return self.completer(return_type, fields, info)(result)

    def complete_object(
        self, type_: GraphQLObjectType, fields: list[_Bound], source: Any, info: Any
    ) -> dict[str, Any]:
        if type_.is_type_of is not None:
            ok = type_.is_type_of(source, info)
            if ok is not True:
                _discard(ok)
                raise Bail
        out: dict[str, Any] = {}
        for f in fields:
            if f.typename is not None:
                out[f.key] = f.typename
                continue
            assert f.resolve is not None and f.done is not None
            try:
                if f.args is None:
                    value = f.resolve(source, f.info)
                else:
                    value = f.resolve(source, f.info, **f.args)
            except Exception as exc:
                raise Bail from exc
            out[f.key] = f.done(value)
        return out


def _discard(value: Any) -> None:
    if inspect.iscoroutine(value):
        value.close()


def applies(operation_type: OperationType) -> bool:
    """Only queries: a fallback may call resolvers again, which must not write."""
    return operation_type is OperationType.QUERY
