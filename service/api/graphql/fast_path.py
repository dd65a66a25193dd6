"""Plain read queries answered without strawberry's request pipeline or graphql-core's executor.

A dashboard sends the same few query documents over and over. graphql-core completes every
field of every item on its own (a resolve info, a path entry, an awaitable check and a
dispatch on the return type), and strawberry wraps the operation in its extensions; for a
page of objects that work outweighs the SQL (figures in ``bench/perf_notes.md``). This module
answers such a request breadth first instead, from a plan compiled once per query document:

- each level of the selection is resolved for all its objects at once, with the schema's own
  resolvers (``field_def.resolve``, the same callables graphql-core calls, with the same
  arguments and context); awaitables of one level are gathered together, so DataLoaders batch
  them as they do under graphql-core and the statements per request do not grow with the page;
- leaves are serialised by the schema's own scalar and enum types, ``is_type_of`` is checked,
  and a resolver's :class:`~service.api.graphql.preshaped.Preshaped` value is taken as is;
- the response is encoded once with orjson.

What is *plain*: a query (never a mutation or subscription) sent as a JSON POST, a batch of
them, or GET parameters, whose selection uses fields, inline fragments and named fragments
without directives, and gives each response key once per object. Anything else, and any
request that does not go exactly as planned — variables that do not coerce, a cost above the
limit, a resolver that raises or answers null where the schema says non-null, a value that
does not serialise — is handed to the normal strawberry view untouched, which answers it
from the start (queries only read, so running resolvers again is safe) and reports errors as
it always does. A request is therefore answered either exactly as the normal path would
answer it, or by the normal path itself. The tests compare the two on a corpus of documents
and on thousands of documents generated from the schema (``test_differential``), against
plain execution without the shortcuts both share.

Documents are parsed with the same token limit (through the parse cache the normal path
uses), pass the same linear size and input guards (``guards``) and are validated with the same
rules (depth, aliases, introspection) as the normal path before a plan is made; plans and
refusals are kept in an LRU bounded by bytes per query text and operation name. A request
whose statements time out, or find the database away, is answered here (503) rather than
handed over: the normal path would only run the same statements again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from base64 import b64encode
from collections.abc import Awaitable, Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from math import isfinite
from typing import Any, TypeGuard, cast

import asyncpg
import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLEnumType,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    get_operation_ast,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.pyutils import Path
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.body import read_body, replaying
from service.api.graphql.context import build_context
from service.api.graphql.errors import RETRY_AFTER_S, TRANSIENT
from service.api.graphql.ids import decode_id
from service.api.graphql.limits import (
    MAX_BATCH_OPERATIONS,
    BoundedLRU,
    parse_cached,
)
from service.api.graphql.preshaped import Preshaped
from service.api.graphql.request_guards import RequestGuards
from service.api.graphql.strawberry_internals import is_default_resolver
from service.api.state import get_state
from service.config import Settings
from service.db.pool import DATABASE_DOWN
from service.db.queries import json_objects
from service.errors import DatabaseUnavailable, QueryTimeout
from service.metrics import GRAPHQL_FAST_PATH

logger = logging.getLogger(__name__)

PLAN_CACHE_BYTES = 32 * 1024 * 1024  # each plan charged as a parsed document of its text
MAX_PLAN_DEPTH = 24

FAST_PATH = GRAPHQL_FAST_PATH  # on /metrics as talentflow_graphql_fast_path_total
_served = FAST_PATH.labels("served")
_fallback = FAST_PATH.labels("fallback")
_unsupported = FAST_PATH.labels("unsupported")


class Unsupported(Exception):
    """The document is not plain: the normal path answers it."""


class Fallback(Exception):
    """This request did not go as planned: the normal path answers it from the start."""


# --- plans -------------------------------------------------------------------------------------

# Step kinds: how a field's value is completed.
TYPENAME, LEAF, OBJECT, ABSTRACT = range(4)
_SHAPES: tuple[json_objects.Shape, ...] = ("typename", "leaf", "object", "abstract")
# Leaf kinds: values of these Python types serialise to themselves (graphql-core's rules).
OTHER, STRING, INT, FLOAT, BOOLEAN, ENUM = range(6)
_SCALAR_KINDS = {"String": STRING, "ID": STRING, "Int": INT, "Float": FLOAT, "Boolean": BOOLEAN}
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


@dataclass(eq=False, slots=True)
class Step:
    """One response key of an object's selection."""

    key: str
    kind: int
    node: FieldNode
    field_def: GraphQLField | None  # None for __typename
    return_type: GraphQLOutputType | None
    wrappers: tuple[bool, ...]  # outside in: True for a non-null wrapper, False for a list
    leaf_type: GraphQLScalarType | GraphQLEnumType | None = None
    sub: TypePlan | None = None  # OBJECT
    subs: dict[str, TypePlan] | None = None  # ABSTRACT: per possible object type
    has_args: bool = False
    attribute: str | None = None  # the resolver only reads this attribute
    global_id: tuple[str, str] | None = None  # the resolver builds this relay id
    leaf_kind: int = 0  # how a leaf value is checked cheaply before coerce_output_value
    enum_names: dict[Any, Any] = field(default_factory=dict)  # ENUM: value -> name, as met

    def __post_init__(self) -> None:
        resolve = self.field_def.resolve if self.field_def is not None else None
        if resolve is not None and not self.has_args:
            if is_default_resolver(resolve):
                self.attribute = getattr(resolve, "attribute", None)
            self.global_id = getattr(resolve, "global_id", None)
        leaf = self.leaf_type
        if isinstance(leaf, GraphQLEnumType):
            self.leaf_kind = ENUM
        elif leaf is not None:
            self.leaf_kind = _SCALAR_KINDS.get(leaf.name, OTHER)

    # What ``json_objects`` reads of a step (its ``SelectionStep`` protocol).
    @property
    def field_name(self) -> str:
        return self.node.name.value

    @property
    def shape(self) -> json_objects.Shape:
        return _SHAPES[self.kind]

    @property
    def scalar_name(self) -> str | None:
        leaf = self.leaf_type
        return leaf.name if isinstance(leaf, GraphQLScalarType) else None

    @property
    def enum_outputs(self) -> dict[str, str] | None:
        """An enum leaf's stored values and the names the schema writes for them; ``{}`` for
        an enum that is not one of strawberry's (its values are not known here)."""
        leaf = self.leaf_type
        if not isinstance(leaf, GraphQLEnumType):
            return None
        definition = leaf.extensions.get("strawberry-definition")
        wrapped = getattr(definition, "wrapped_cls", None)
        if wrapped is None:
            return {}
        return {str(member.value): str(leaf.coerce_output_value(member)) for member in wrapped}


@dataclass(eq=False, slots=True)
class TypePlan:
    type_: GraphQLObjectType
    steps: tuple[Step, ...]
    keys: tuple[str, ...] = ()
    sql: str | None = None  # a selection PostgreSQL writes as JSON (``json_objects``)
    sql_by_id: str | None = None  # the same for ``researcher(id:)``: one statement in all

    @property
    def type_name(self) -> str:
        return self.type_.name

    def __post_init__(self) -> None:
        self.keys = tuple(step.key for step in self.steps)
        if self.type_.name in json_objects.ROOTS:
            self.sql = json_objects.statement(self)
        if self.type_.name in json_objects.BY_ID.values():
            self.sql_by_id = json_objects.statement(self, unmerged_root=True)

    def walk(self) -> Iterator[TypePlan]:
        yield self
        for step in self.steps:
            if step.sub is not None:
                yield from step.sub.walk()
            for sub in (step.subs or {}).values():
                yield from sub.walk()


@dataclass(eq=False, slots=True)
class Plan:
    document: DocumentNode
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    root: TypePlan
    operation_name: str | None
    moves_in_sql: bool = False  # every Move selection is written by PostgreSQL

    def __post_init__(self) -> None:
        self.moves_in_sql = all(
            p.sql is not None for p in self.root.walk() if p.type_.name == json_objects.PREFETCHED
        )


def _unwrap(type_: GraphQLOutputType) -> tuple[tuple[bool, ...], Any]:
    wrappers: list[bool] = []
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        wrappers.append(isinstance(type_, GraphQLNonNull))
        type_ = type_.of_type
    return tuple(wrappers), type_


def _collect(
    selection_set: SelectionSetNode,
    type_: GraphQLObjectType,
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    out: list[FieldNode],
    depth: int,
) -> None:
    """The fields ``selection_set`` asks of an object of ``type_``, fragments applied."""
    if depth > MAX_PLAN_DEPTH:
        raise Unsupported("fragments nest too deep")
    for sel in selection_set.selections:
        if sel.directives:
            raise Unsupported("directives")
        if isinstance(sel, FieldNode):
            out.append(sel)
            continue
        if isinstance(sel, InlineFragmentNode):
            condition = sel.type_condition.name.value if sel.type_condition else None
            inner = sel.selection_set
        elif isinstance(sel, FragmentSpreadNode):
            fragment = fragments.get(sel.name.value)
            if fragment is None or fragment.directives:
                raise Unsupported("fragment")
            condition = fragment.type_condition.name.value
            inner = fragment.selection_set
        else:  # pragma: no cover - graphql-core has no other selection kinds
            raise Unsupported("selection")
        if condition is not None and condition != type_.name:
            target = schema.get_type(condition)
            if not isinstance(target, GraphQLAbstractType):
                continue  # another object type: never applies to this one
            if not schema.is_sub_type(target, type_):
                continue
        _collect(inner, type_, schema, fragments, out, depth + 1)


def _type_plan(
    type_: GraphQLObjectType,
    selection_sets: Sequence[SelectionSetNode],
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    depth: int,
) -> TypePlan:
    if depth > MAX_PLAN_DEPTH:
        raise Unsupported("too deep")
    nodes: list[FieldNode] = []
    for selection_set in selection_sets:
        _collect(selection_set, type_, schema, fragments, nodes, depth)
    steps: list[Step] = []
    seen: set[str] = set()
    for node in nodes:
        name = node.name.value
        key = node.alias.value if node.alias else name
        if key in seen:
            raise Unsupported("a response key asked twice")  # merging is graphql-core's job
        seen.add(key)
        if name == "__typename":
            steps.append(Step(key, TYPENAME, node, None, None, ()))
            continue
        if name.startswith("__"):
            raise Unsupported("introspection")
        field_def = type_.fields.get(name)
        if field_def is None:
            raise Unsupported(f"unknown field {name}")
        wrappers, named = _unwrap(field_def.type)
        has_args = bool(field_def.args or node.arguments)
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            steps.append(
                Step(key, LEAF, node, field_def, field_def.type, wrappers, named, has_args=has_args)
            )
        elif isinstance(named, GraphQLObjectType) and node.selection_set is not None:
            sub = _type_plan(named, [node.selection_set], schema, fragments, depth + 1)
            steps.append(
                Step(
                    key,
                    OBJECT,
                    node,
                    field_def,
                    field_def.type,
                    wrappers,
                    sub=sub,
                    has_args=has_args,
                )
            )
        elif isinstance(named, GraphQLUnionType | GraphQLInterfaceType) and node.selection_set:
            subs = {
                possible.name: _type_plan(
                    possible, [node.selection_set], schema, fragments, depth + 1
                )
                for possible in schema.get_possible_types(named)
            }
            steps.append(
                Step(
                    key,
                    ABSTRACT,
                    node,
                    field_def,
                    field_def.type,
                    wrappers,
                    subs=subs,
                    has_args=has_args,
                )
            )
        else:
            raise Unsupported(f"field {name}")
    return TypePlan(type_, tuple(steps))


def compile_plan(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    guards: RequestGuards,
    max_tokens: int,
) -> Plan:
    """The plan for a document, or :class:`Unsupported` (also for a document that does not
    parse, or that a guard refuses: the normal path reports why). The guards' linear size
    checks come before validation, so neither validation nor planning walks a huge
    expansion."""
    try:
        document = parse_cached(query, max_tokens)
    except GraphQLError as exc:
        raise Unsupported("does not parse") from exc
    refused = guards.refuse_document(schema, document)
    if refused is not None:
        raise Unsupported(refused)
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        raise Unsupported("not a query")
    if operation.directives:
        raise Unsupported("directives")
    root = schema.query_type
    assert root is not None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    plan = _type_plan(root, [operation.selection_set], schema, fragments, 0)
    return Plan(document, operation, fragments, plan, operation_name)


class Plans:
    """Plans (and refusals) per (query text, operation name): an LRU bounded by bytes."""

    def __init__(self, max_bytes: int = PLAN_CACHE_BYTES) -> None:
        self._plans: BoundedLRU[tuple[str, str | None], Plan | None] = BoundedLRU(max_bytes)

    def get(self, key: tuple[str, str | None], make: Callable[[], Plan]) -> Plan | None:
        found: Plan | None = self._plans.get(key, _NOT_PLANNED)
        if found is not _NOT_PLANNED:
            return found
        plan: Plan | None
        try:
            plan = make()
        except Unsupported as exc:
            logger.debug("graphql fast path: not plain (%s)", exc)
            plan = None
        self._plans.put(key, plan)
        return plan


_NOT_PLANNED: Any = object()


# --- execution ---------------------------------------------------------------------------------


def _is_awaitable(value: Any) -> TypeGuard[Awaitable[Any]]:
    return hasattr(value, "__await__")


async def _gather(values: Sequence[Awaitable[Any]]) -> list[Any]:
    return list(await asyncio.gather(*values))


_NO_INFO = cast("GraphQLResolveInfo[Any]", None)  # strawberry's is_type_of does not read it
_PLAIN = frozenset({str, int, float, bool, list, tuple, dict, type(None)})


class Run:
    """One request's execution of a plan."""

    def __init__(
        self,
        schema: GraphQLSchema,
        plan: Plan,
        variables: VariableValues,
        context: Any,
        root_value: Any = None,
    ) -> None:
        self.schema = schema
        self.plan = plan
        self.variables = variables
        self.context = context
        self.root_value = root_value
        self.tracked: list[Any] = []
        self.helpers = GraphQLResolveInfoHelpers(gather=_gather, track=self.tracked.extend)

    def _info(self, step: Step, parent: GraphQLObjectType, path: Path) -> GraphQLResolveInfo[Any]:
        assert step.field_def is not None and step.return_type is not None
        return GraphQLResolveInfo(
            step.node.name.value,
            [step.node],
            step.return_type,
            parent,
            path,
            self.schema,
            self.plan.fragments,
            self.root_value,
            self.plan.operation,
            self.variables,
            self.context,
            _is_awaitable,
            None,
            self.helpers,
        )

    async def execute(self) -> dict[str, Any]:
        (data,) = await self.objects(self.plan.root, [self.root_value], None)
        pending = [t for t in self.tracked if _is_awaitable(t)]
        if pending:  # work a resolver asked to be settled before the response
            results = await asyncio.gather(*pending, return_exceptions=True)
            for r in results:
                if isinstance(r, BaseException):
                    raise Fallback("tracked work failed") from r
        return data

    async def objects(
        self, plan: TypePlan, values: list[Any], path: Path | None
    ) -> list[dict[str, Any]]:
        """``values`` (non-null objects of ``plan.type_``) completed as response dicts."""
        type_ = plan.type_
        if path is not None:  # the root value is no object of a schema type
            _check_types(type_, values)
        n = len(values)
        columns: list[list[Any]] = []
        for step in plan.steps:
            if step.kind == TYPENAME:
                columns.append([type_.name] * n)
            else:
                columns.append(await self.column(step, type_, values, path))
        keys = plan.keys
        return [dict(zip(keys, row, strict=True)) for row in zip(*columns, strict=True)]

    async def column(
        self, step: Step, parent: GraphQLObjectType, values: list[Any], path: Path | None
    ) -> list[Any]:
        """The completed value of ``step`` for each of ``values``."""
        assert step.field_def is not None
        if path is None and step.node.name.value in json_objects.BY_ID and step.sub is not None:
            found = await self.object_by_id(step)
            if found is not None:
                return found
        field_path = Path(path, step.key, parent.name)
        info = self._info(step, parent, field_path)
        if step.global_id is not None:  # relay ids, as strawberry's GlobalID writes them
            type_name, attr = step.global_id
            return [b64encode(f"{type_name}:{getattr(v, attr)}".encode()).decode() for v in values]
        resolve = step.field_def.resolve
        if resolve is None:
            raise Fallback("no resolver")
        attribute = step.attribute
        if attribute is not None:
            results = [getattr(v, attribute) for v in values]
            if step.kind == LEAF and step.wrappers in ((), (True,)):
                return self.leaves(step, results)
        try:
            if attribute is not None:
                pass
            elif step.has_args:
                args = get_argument_values(step.field_def, step.node, self.variables)
                results = [resolve(v, info, **args) for v in values]
            else:
                results = [resolve(v, info) for v in values]
        except Exception as exc:
            raise Fallback("a resolver raised") from exc
        pending = [
            i for i, r in enumerate(results) if r.__class__ not in _PLAIN and _is_awaitable(r)
        ]
        if pending:
            try:
                done = await asyncio.gather(*(results[i] for i in pending))
            except Exception as exc:
                raise Fallback("a resolver raised") from exc
            for i, r in zip(pending, done, strict=True):
                results[i] = r
        for r in results:
            if isinstance(r, Exception):
                raise Fallback("a resolver returned an error")
        return await self.complete(step, step.wrappers, results, field_path)

    async def object_by_id(self, step: Step) -> list[Any] | None:
        """A root lookup by id (``json_objects.BY_ID``, such as ``researcher(id:)``) written by
        PostgreSQL in one statement (the resolver's lookup included), or None to resolve it
        as usual: asked differently, or a record that is missing (null) or merged into
        another (the resolver follows the merge)."""
        assert step.sub is not None and step.field_def is not None
        sql = step.sub.sql_by_id
        if sql is None:
            return None
        args = get_argument_values(step.field_def, step.node, self.variables)
        if [k for k, v in args.items() if v is not None] != ["id"]:
            return None
        try:
            pk = decode_id(args["id"], json_objects.BY_ID[step.node.name.value])
        except Exception as exc:
            raise Fallback("not an id of the type asked") from exc
        rows = await self.context.db.fetch(sql, [pk])
        if len(rows) != 1 or not rows[0]["ok"]:
            return None  # missing or merged: the resolver answers null or follows the merge
        return [orjson.Fragment(rows[0]["obj"])]

    async def written_by_sql(self, plan: TypePlan, values: list[Any]) -> list[Any]:
        """``values`` (moves or researchers) as PostgreSQL writes them for ``plan``: one
        statement for the lot, its JSON text spliced into the response as it is."""
        assert plan.sql is not None
        _check_types(plan.type_, values)
        rows = await self.context.db.fetch(plan.sql, [value.id for value in values])
        if len(rows) != len(values) or not all(r["ok"] for r in rows):
            raise Fallback("a row changed, or a researcher was merged")
        return [orjson.Fragment(row["obj"]) for row in rows]

    @staticmethod
    def leaves(step: Step, values: list[Any]) -> list[Any]:
        """Leaf values serialised as the leaf type does (None stays None; non-null is checked
        by the caller or here when the field has no wrappers)."""
        kind = step.leaf_kind
        nonnull = bool(step.wrappers) and step.wrappers[0] and len(step.wrappers) == 1
        out: list[Any] = []
        append = out.append
        enum_names = step.enum_names
        for v in values:
            t = type(v)
            if v is None:
                if nonnull:
                    raise Fallback("null in a non-null position")
                append(None)
            elif (
                (kind == STRING and t is str)
                or (kind == BOOLEAN and t is bool)
                or (kind == INT and t is int and _INT_MIN <= v <= _INT_MAX)
                or (kind == FLOAT and t is float and isfinite(v))
            ):
                append(v)
            elif kind == ENUM and v in enum_names:
                append(enum_names[v])
            else:
                append(_coerce(step, v))
        return out

    async def complete(
        self, step: Step, wrappers: tuple[bool, ...], values: list[Any], path: Path
    ) -> list[Any]:
        """``values`` completed through the type wrappers ``wrappers`` (outside in)."""
        if wrappers and wrappers[0]:  # non-null
            if any(v is None for v in values):
                raise Fallback("null in a non-null position")
            return await self.complete(step, wrappers[1:], values, path)
        out: list[Any] = [None] * len(values)
        present: list[int] = []
        for i, v in enumerate(values):
            if type(v) is Preshaped:  # already in response form (see ``preshaped``)
                out[i] = v.data
            elif v is not None:
                present.append(i)
        if not present:
            return out
        if wrappers:  # a (nullable) list: complete the items of all lists at once
            items: list[Any] = []
            bounds: list[tuple[int, int, int]] = []
            for i in present:
                value = values[i]
                if isinstance(value, str | bytes | Mapping) or not hasattr(value, "__iter__"):
                    raise Fallback("not a list")
                start = len(items)
                items.extend(value)
                bounds.append((i, start, len(items)))
            done = await self.complete(step, wrappers[1:], items, path)
            for i, start, end in bounds:
                out[i] = done[start:end]
            return out
        if step.kind == LEAF:
            return _fill(out, present, self.leaves(step, [values[i] for i in present]))
        if step.kind == OBJECT:
            assert step.sub is not None
            objects = [values[i] for i in present]
            if step.sub.sql is not None:
                return _fill(out, present, await self.written_by_sql(step.sub, objects))
            return _fill(out, present, await self.objects(step.sub, objects, path))
        # ABSTRACT: group by concrete type, complete each group, put back in order.
        assert step.subs is not None and step.return_type is not None
        _, abstract = _unwrap(step.return_type)
        resolve_type = abstract.resolve_type
        if resolve_type is None:
            raise Fallback("no resolve_type")
        groups: dict[str, list[int]] = {}
        info = self._info(step, abstract, path)
        for i in present:
            name = resolve_type(values[i], info, abstract)
            if not isinstance(name, str) or name not in step.subs:
                _discard(name)
                raise Fallback("an abstract type did not resolve")
            groups.setdefault(name, []).append(i)
        for name, indices in groups.items():
            done = await self.objects(step.subs[name], [values[i] for i in indices], path)
            _fill(out, indices, done)
        return out


def _check_types(type_: GraphQLObjectType, values: list[Any]) -> None:
    """graphql-core's ``is_type_of`` check of each value, where the type has one."""
    if type_.is_type_of is None:
        return
    for value in values:
        ok = type_.is_type_of(value, _NO_INFO)
        if ok is not True:
            _discard(ok)
            raise Fallback("is_type_of")


def _fill(out: list[Any], indices: list[int], done: list[Any]) -> list[Any]:
    """``out`` with ``done[k]`` put at ``indices[k]``."""
    for i, d in zip(indices, done, strict=True):
        out[i] = d
    return out


def _coerce(step: Step, value: Any) -> Any:
    leaf = step.leaf_type
    assert leaf is not None
    try:
        done = leaf.coerce_output_value(value)
    except Exception as exc:
        raise Fallback("a leaf does not serialise") from exc
    if done is Undefined or done is None:
        raise Fallback("a leaf does not serialise")
    if step.leaf_kind == ENUM and isinstance(value, Hashable) and len(step.enum_names) < 256:
        step.enum_names[value] = done
    return done


def _discard(value: Any) -> None:
    close = getattr(value, "close", None)
    if close is not None and hasattr(value, "cr_frame"):
        close()


# --- the ASGI side -----------------------------------------------------------------------------


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def _wants_plain_json(scope: Scope, *, get: bool = False) -> bool:
    """A JSON POST (or a GET) whose client takes a plain JSON answer."""
    if not get:
        content_type = _header(scope, b"content-type") or b""
        if content_type.split(b";", 1)[0].strip().lower() != b"application/json":
            return False
    accept = (_header(scope, b"accept") or b"").lower()
    if get and b"text/html" in accept:
        return False  # a browser: the normal path may show GraphiQL
    if not accept:
        return True
    if b"graphql-response+json" in accept or b"multipart" in accept or b"event-stream" in accept:
        return False
    return b"application/json" in accept or b"*/*" in accept


@dataclass(frozen=True, slots=True)
class Answer:
    body: bytes
    status: int = 200


TIMED_OUT = (asyncpg.QueryCanceledError, QueryTimeout)
UNAVAILABLE = (*TIMED_OUT, *DATABASE_DOWN, TimeoutError, DatabaseUnavailable)


class Unavailable(Exception):
    """The database timed out or is away: answered here as the normal path would (503)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def answer(self, *, batch: bool = False, size: int = 1) -> Answer:
        one = {
            "data": None,
            "errors": [{"message": TRANSIENT[self.code], "extensions": {"code": self.code}}],
        }
        return Answer(orjson.dumps([one] * size if batch else one), 503)


def _unavailable(exc: BaseException) -> Unavailable:
    """Running the request again on the normal path would wait as long again (a statement
    that timed out would time out twice): the error is answered here."""
    code = "QUERY_TIMEOUT" if isinstance(exc, TIMED_OUT) else "DATABASE_UNAVAILABLE"
    logger.warning("%s on the graphql fast path: %s", code, type(exc).__name__)
    return Unavailable(code)


async def _respond(
    answer: Answer, scope: Scope, receive: Receive, send: Send, settings: Settings
) -> None:
    headers = {"Retry-After": str(RETRY_AFTER_S)} if answer.status == 503 else None
    response = Response(
        answer.body, status_code=answer.status, media_type="application/json", headers=headers
    )
    await response(scope, receive, send)


@dataclass(slots=True)
class FastPath:
    """ASGI: answer plain JSON POST queries from a compiled plan, hand everything else (and
    anything that does not go as planned) to ``app``, the strawberry view, with its body."""

    app: ASGIApp
    schema: GraphQLSchema
    settings: Settings
    guards: RequestGuards
    plans: Plans = field(default_factory=Plans)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.settings.graphql_fast_path:
            await self.app(scope, receive, send)
            return
        method = scope.get("method")
        if method == "GET" and _wants_plain_json(scope, get=True):
            answer = await self.answer_get(scope)
            if answer is not None:
                await _respond(answer, scope, receive, send, self.settings)
            else:
                await self.app(scope, receive, send)
            return
        if method != "POST" or not _wants_plain_json(scope):
            await self.app(scope, receive, send)
            return
        buffered = await read_body(receive)
        assert buffered is not None  # no limit given (BodySizeLimit, outside, applies one)
        messages, body = buffered
        answer = await self.answer(scope, body)
        if answer is not None:
            await _respond(answer, scope, receive, send, self.settings)
            return
        await self.app(scope, replaying(messages, receive), send)

    def _deadline(self) -> float:
        return time.monotonic() + self.settings.read_budget_s

    async def answer(self, scope: Scope, body: bytes) -> Answer | None:
        """The response to a POST, or None: the normal path answers."""
        try:
            request = orjson.loads(body)
        except orjson.JSONDecodeError:
            return None
        deadline = self._deadline()  # one budget for the request, a batch included
        try:
            if isinstance(request, list):  # a batch: every operation planned, or none served
                if not request or len(request) > MAX_BATCH_OPERATIONS:
                    return None
                results = []
                for item in request:
                    result = await self.operation(scope, item, deadline)
                    if result is None:
                        return None
                    results.append(result)
                return Answer(orjson.dumps(results))
            result = await self.operation(scope, request, deadline)
        except Unavailable as exc:
            return exc.answer(
                batch=isinstance(request, list),
                size=len(request) if isinstance(request, list) else 1,
            )
        return None if result is None else Answer(orjson.dumps(result))

    async def answer_get(self, scope: Scope) -> Answer | None:
        """The response to a query sent as GET parameters, or None."""
        params = QueryParams(scope.get("query_string", b""))
        if "query" not in params:
            return None  # the GraphiQL page, or a request the normal path refuses
        request: dict[str, Any] = {
            "query": params["query"],
            "operationName": params.get("operationName") or None,
        }
        if params.get("variables"):
            try:
                request["variables"] = orjson.loads(params["variables"])
            except orjson.JSONDecodeError:
                return None
        try:
            result = await self.operation(scope, request, self._deadline())
        except Unavailable as exc:
            return exc.answer()
        return None if result is None else Answer(orjson.dumps(result))

    async def operation(
        self, scope: Scope, request: object, deadline: float | None = None
    ) -> dict[str, Any] | None:
        """``{"data": ...}`` for one operation, or None: the normal path answers it."""
        if not isinstance(request, dict):
            _unsupported.inc()
            return None
        query = request.get("query")
        operation_name = request.get("operationName")
        variables = request.get("variables")
        if (
            not isinstance(query, str)
            or not (operation_name is None or isinstance(operation_name, str))
            or not (variables is None or isinstance(variables, dict))
        ):
            return None
        guards = self.guards
        if guards.refuse_text(query) is not None:
            _unsupported.inc()
            return None  # e.g. too long: the normal path refuses it without lexing it
        plan = self.plans.get(
            (query, operation_name),
            lambda: compile_plan(
                self.schema, query, operation_name, guards, self.settings.graphql_max_tokens
            ),
        )
        if plan is None:
            _unsupported.inc()
            return None
        try:
            data = await self.execute(scope, plan, variables or {}, deadline)
        except Fallback as exc:
            logger.debug("graphql fast path: fallback (%s)", exc)
            _fallback.inc()
            return None
        _served.inc()
        return {"data": data}

    async def execute(
        self,
        scope: Scope,
        plan: Plan,
        raw_variables: dict[str, Any],
        deadline: float | None = None,
    ) -> dict[str, Any]:
        coerced = get_variable_values(
            self.schema, plan.operation.variable_definitions or (), raw_variables
        )
        if isinstance(coerced, list):
            raise Fallback("variables do not coerce")
        guards = self.guards
        refused = guards.refuse_request(
            self.schema, plan.document, plan.operation_name, raw_variables
        )
        if refused is not None:
            raise Fallback(refused)
        request = Request(scope)
        context = build_context(get_state(request), request, Response(), deadline)
        context.prefetch_moves = not plan.moves_in_sql
        done = False
        try:
            guards.enter(context)
            data = await Run(self.schema, plan, coerced, context).execute()
            done = True
        except Fallback as exc:
            if isinstance(exc.__cause__, UNAVAILABLE):
                raise _unavailable(exc.__cause__) from exc
            raise
        except UNAVAILABLE as exc:
            raise _unavailable(exc) from exc
        except Exception as exc:  # the normal path reports it as it always does
            logger.debug("graphql fast path: %s", exc, exc_info=True)
            raise Fallback(f"{type(exc).__name__}") from exc
        finally:
            await guards.leave(context, completed=done)
        return data
