"""Protection against expensive requests.

- Depth, aliases and tokens: strawberry's QueryDepthLimiter, MaxAliasesLimiter and
  MaxTokensLimiter with the limits from settings.
- Cost: the number of nodes a query may return, the product of ``first``/``last`` (or the
  default page size) along nested paged fields, summed; above ``graphql_max_cost`` the query is
  refused before it runs (``QUERY_TOO_COSTLY``).
- Size: a query text over ``graphql_max_query_chars`` is refused before it is lexed; a
  document whose fragments expand past ``graphql_max_selections`` (or that repeats one
  response key, or writes too many aliases) is refused in linear time before any rule walks
  it (``service.api.graphql.guards``); a NUL byte in any string is ``BAD_USER_INPUT``.
- Body size: a POST body above ``max_body_bytes`` is answered 413 before it is parsed.
- Batches: at most ``MAX_BATCH_OPERATIONS`` operations per request.
- Introspection can be switched off (DisableIntrospection).

Parsing and validation are cached per query text (``CachedParse`` and ``ValidatedDocuments``
below, both bounded by bytes): dashboards send the same few documents over and over, and
graphql-core's full rule set costs more than answering a cached plan. The depth and alias rules are built once
per schema so the rule set, part of the cache key, is the same for every request.

Both GraphQL executors apply these limits from one list, ``request_guards``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar, cast

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    parse,
)
from graphql.validation import ASTValidationRule
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document

from service.api.body import read_body, replaying
from service.api.graphql.guards import check_document, check_input, check_length
from service.api.graphql.strawberry_internals import core_schema
from service.caches import SizedLRU, document_bytes, text_bytes
from service.config import Settings

MAX_BATCH_OPERATIONS = 10
MAX_FRAGMENT_DEPTH = 50
DOCUMENT_CACHE_BYTES = 32 * 1024 * 1024  # parsed documents; fast-path plans the same again
VALIDATED_CACHE_BYTES = 4 * 1024 * 1024  # query texts that validated

Rules = tuple[type[ASTValidationRule], ...]
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _page_size(field: FieldNode, variables: dict[str, Any], default: int) -> int:
    for arg in field.arguments or ():
        if arg.name.value not in ("first", "last"):
            continue
        value = arg.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            found = variables.get(value.name.value)
            if isinstance(found, int):
                return found
    return default


# The cost model, calibrated against measured time (bench/cost_calibration.py on the generated
# dataset; docs/benchmarks.md, "GraphQL cost calibration"): a unit is about what one returned
# node costs, and the other prices make an operation's cost track its time.
LIST_LENGTH = 5
"""Items assumed in a list that is not paged (a researcher's affiliations, a move's evidence):
its children cost this many times over."""
ROOT_COUNT = 4000
"""``totalCount`` of a root connection: a count over a whole (filtered) table."""
NESTED_COUNT = 200
"""``totalCount`` of a nested connection, per parent (one count per parent row)."""
AGGREGATE = 5000
"""A root aggregate (flows, net flows, populations, hiring signals, pipeline, stay rates): a
scan of moves or stints when the flow cache is cold; at most ten fit under the default
limit."""
SEARCH = 500
"""A name search (the researchers filter, the search box): a trigram or prefix scan."""
FIELD_WEIGHTS: dict[tuple[str, str], int] = {
    ("Query", "flows"): AGGREGATE,
    ("Query", "netFlows"): AGGREGATE,
    ("Query", "populations"): AGGREGATE,
    ("Query", "hiringSignals"): AGGREGATE,
    ("Query", "pipeline"): AGGREGATE,
    ("Query", "stayRates"): AGGREGATE,
    ("Query", "baselineRates"): 100,
    ("Query", "search"): SEARCH,
    # One institution's flow series: its moves grouped by period (batched, then cached).
    ("Institution", "flowSeries"): 50,
    ("Researcher", "candidateMatches"): 20,
}


def _has_search(field: FieldNode, variables: dict[str, Any]) -> bool:
    """Whether a paged field's ``filter`` holds a non-empty ``search``."""
    for arg in field.arguments or ():
        if arg.name.value != "filter":
            continue
        value: Any = arg.value
        if isinstance(value, VariableNode):
            found = variables.get(value.name.value)
            return isinstance(found, dict) and bool(found.get("search"))
        for item in getattr(value, "fields", ()):
            if item.name.value == "search":
                inner = item.value
                if isinstance(inner, VariableNode):
                    return bool(variables.get(inner.name.value))
                return bool(getattr(inner, "value", None))
    return False


def _is_list(type_: GraphQLOutputType) -> bool:
    return isinstance(get_nullable_type(type_), GraphQLList)


def estimate_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
    default_page: int,
) -> int:
    """What the operation may cost, in units of about one returned node: paged fields
    multiply their children by their page size, lists that are not paged by ``LIST_LENGTH``;
    counts, searches and aggregates add their calibrated prices, once per parent instance."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    vars_ = variables or {}

    def walk(
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        mult: int,
        depth: int,
        root_connection: bool,
        instances: int,
    ) -> int:
        """``mult``: how many times this selection runs (for a connection, its page of nodes
        over all its instances); ``instances``: how many connections that is (their counts)."""
        if depth > MAX_FRAGMENT_DEPTH:
            return 0
        total = 0
        connection = isinstance(parent, GraphQLObjectType) and "pageInfo" in parent.fields
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
                    continue
                name = sel.name.value
                definition = parent.fields.get(name)
                if definition is None:
                    continue
                total += mult * FIELD_WEIGHTS.get((parent.name, name), 0)
                if connection and name == "totalCount":
                    total += instances * (ROOT_COUNT if root_connection else NESTED_COUNT)
                child_mult = mult
                paged = "first" in definition.args or "last" in definition.args
                if paged:
                    size = max(_page_size(sel, vars_, default_page), 0)
                    total += mult * size
                    child_mult = mult * size
                    if _has_search(sel, vars_):
                        total += mult * SEARCH
                elif _is_list(definition.type) and not connection:
                    total += mult * LIST_LENGTH
                    child_mult = mult * LIST_LENGTH
                if sel.selection_set is not None:
                    # (A connection's edges are its page, counted at the paged field.)
                    child = get_named_type(definition.type)
                    total += walk(
                        sel.selection_set,
                        child,
                        child_mult,
                        depth + 1,
                        paged and parent is root,
                        mult,
                    )
            elif isinstance(sel, InlineFragmentNode):
                target = parent
                if sel.type_condition is not None:
                    target = schema.get_type(sel.type_condition.name.value) or parent
                total += walk(
                    sel.selection_set, target, mult, depth + 1, root_connection, instances
                )
            elif isinstance(sel, FragmentSpreadNode):
                fragment = fragments.get(sel.name.value)
                if fragment is not None:
                    target = schema.get_type(fragment.type_condition.name.value) or parent
                    total += walk(
                        fragment.selection_set, target, mult, depth + 1, root_connection, instances
                    )
        return total

    assert isinstance(operation, OperationDefinitionNode)
    return walk(operation.selection_set, root, 1, 0, False, 1)


ParseKey = tuple[str, tuple[tuple[str, Any], ...]]

PARSED: SizedLRU[ParseKey, DocumentNode] = SizedLRU(
    DOCUMENT_CACHE_BYTES, lambda key, _: document_bytes(key[0])
)
# Query texts that did not parse, with why. A document over the token limit costs the
# lexer the whole limit (~40 ms at 2,000 tokens) before it fails: the fast path's attempt is
# the only one, and strawberry's path reports the same error without lexing again.
UNPARSABLE: SizedLRU[ParseKey, GraphQLError] = SizedLRU(
    VALIDATED_CACHE_BYTES, lambda key, _: text_bytes(key[0])
)


def _fresh(error: GraphQLError) -> GraphQLError:
    """A new error like ``error``: one response's error object is never shared with another's
    (strawberry's error processing may annotate it)."""
    return GraphQLError(error.message, source=error.source, positions=error.positions)


def parse_key(query: str, options: dict[str, Any]) -> ParseKey:
    return (query, tuple(sorted(options.items())))


def parse_through_caches(query: str, options: dict[str, Any]) -> DocumentNode:
    """``query`` parsed once per text, through :data:`PARSED` and :data:`UNPARSABLE` (shared
    by both executors); raises ``GraphQLError`` as ``parse`` does, from the cache when the text
    failed before."""
    key = parse_key(query, options)
    document = PARSED.get(key, None)
    if document is not None:
        return cast("DocumentNode", document)
    failed = UNPARSABLE.get(key, None)
    if failed is not None:
        raise _fresh(failed)
    try:
        document = parse(query, **options)
    except GraphQLError as exc:
        UNPARSABLE.put(key, _fresh(exc))
        raise
    PARSED.put(key, document)
    return document


def parse_cached(query: str, max_tokens: int) -> DocumentNode:
    """``query`` parsed with the token limit (the fast path's entry to the shared caches)."""
    return parse_through_caches(query, {"max_tokens": max_tokens})


# Stand in for a query text too long to lex, and for one that did not parse: ``CostLimiter``
# and strawberry's pre-execution errors refuse the operation before it runs (strawberry needs a
# document to get past its parse step).
TOO_LONG: DocumentNode = parse("{ __typename }")
UNPARSED: DocumentNode = parse("{ __typename }")


class CachedParse(SchemaExtension):
    """Parse through a cache bounded by bytes (strawberry's ``ParserCache`` counts entries, and
    256 entries of a megabyte each are a quarter of a gigabyte). A document that does not
    parse is reported with its error (its code comes from the message, as for strawberry's own
    parse step) and is never lexed twice; a query text over ``max_chars`` is not lexed at
    all."""

    def __init__(self, max_chars: int = 100_000) -> None:
        super().__init__()
        self.max_chars = max_chars

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.query and len(ctx.query) > self.max_chars:
            ctx.graphql_document = TOO_LONG
        elif ctx.query and ctx.graphql_document is None:
            try:
                ctx.graphql_document = parse_through_caches(ctx.query, dict(ctx.parse_options))
            except GraphQLError as exc:
                ctx.graphql_document = UNPARSED
                ctx.pre_execution_errors = [exc]
        yield


class BoundedLRU(SizedLRU[K, V]):
    """A thread-safe LRU bounded by bytes, for values derived from a query text (plans,
    validation results): each entry is charged as a parsed document of its text."""

    def __init__(self, max_bytes: int = DOCUMENT_CACHE_BYTES) -> None:
        super().__init__(max_bytes, lambda key, _: _key_bytes(key))


def _key_bytes(key: object) -> int:
    if isinstance(key, tuple) and key and isinstance(key[0], str):
        return document_bytes(key[0])
    return document_bytes(str(key))


class ValidatedDocuments:
    """Query texts that passed validation with a given rule set (a bounded LRU).

    Only successes are kept: an invalid document is validated again each time, so cached
    ``GraphQLError`` objects are never shared between responses.
    """

    def __init__(self, max_bytes: int = VALIDATED_CACHE_BYTES) -> None:
        self._valid: SizedLRU[tuple[str, Rules], bool] = SizedLRU(
            max_bytes, lambda key, _: text_bytes(key[0])
        )

    def validate(
        self, schema: GraphQLSchema, query: str | None, document: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        if query is None:
            return validate_document(schema, document, rules)
        key = (query, rules)
        if self._valid.get(key, False):
            return []
        errors = validate_document(schema, document, rules)
        if not errors:
            self._valid.put(key, True)
        return errors


class CostLimiter(SchemaExtension):
    """Validate (through the cache), then refuse an operation whose estimated cost is above
    the limit, before it runs. The cost depends on the variables, so it is estimated on every
    request (a walk of the parsed document: microseconds)."""

    def __init__(
        self,
        max_cost: int,
        default_page: int,
        validated: ValidatedDocuments | None = None,
        max_selections: int = 2000,
        max_repeated: int = 50,
        max_aliases: int = 0,
        max_chars: int = 100_000,
    ) -> None:
        self.max_chars = max_chars
        self.max_aliases = max_aliases
        self.max_cost = max_cost
        self.default_page = default_page
        self.validated = validated or ValidatedDocuments()
        self.max_selections = max_selections
        self.max_repeated = max_repeated

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.pre_execution_errors is None and ctx.graphql_document is not None:
            # Linear in the document, before any rule walks its expansion.
            refused = (
                check_length(ctx.query, self.max_chars)
                or check_document(
                    ctx.graphql_document, self.max_selections, self.max_repeated, self.max_aliases
                )
                or check_input(ctx.graphql_document, ctx.variables)
            )
            if refused is not None:
                ctx.pre_execution_errors = [refused]
                yield
                return
            errors = self.validated.validate(
                core_schema(ctx.schema), ctx.query, ctx.graphql_document, ctx.validation_rules
            )
            if not errors:
                cost = estimate_cost(
                    core_schema(ctx.schema),
                    ctx.graphql_document,
                    ctx.operation_name,
                    ctx.variables,
                    self.default_page,
                )
                if cost > self.max_cost:
                    errors = [
                        GraphQLError(
                            f"this query may return {cost} nodes; the limit is {self.max_cost}. "
                            "Ask for smaller pages (first/last) or fewer nested connections.",
                            extensions={
                                "code": "QUERY_TOO_COSTLY",
                                "cost": cost,
                                "maxCost": self.max_cost,
                            },
                        )
                    ]
            ctx.pre_execution_errors = errors
        yield


ExtensionFactory = Callable[[], SchemaExtension]


def limit_rules(settings: Settings) -> list[type[ASTValidationRule]]:
    """The validation rules the limits add to graphql-core's (depth, aliases, introspection)."""
    rules: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(max_depth=settings.graphql_max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.graphql_max_aliases).validation_rules,
    ]
    if not settings.graphql_introspection:
        rules.extend(DisableIntrospection().validation_rules)
    return rules


def _too_large(limit: int) -> bytes:
    return orjson.dumps(
        {
            "errors": [
                {
                    "message": f"request body too large: the limit is {limit} bytes",
                    "extensions": {"code": "PAYLOAD_TOO_LARGE", "maxBytes": limit},
                }
            ]
        }
    )


class BodySizeLimit:
    """Answer 413 to a request body above ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _reject(self, send: Send) -> None:
        body = _too_large(self.max_bytes)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > self.max_bytes:
                    await self._reject(send)
                    return
        buffered = await read_body(receive, self.max_bytes)
        if buffered is None:
            await self._reject(send)
            return
        await self.app(scope, replaying(buffered[0], receive), send)
