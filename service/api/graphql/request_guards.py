"""The protections every GraphQL request passes, as one list both executors run.

A request is answered either by strawberry (its extensions wrap parsing, validation and
execution) or by the fast path (``fast_path``, a compiled plan for plain queries). Each
:class:`RequestGuard` states both forms of one protection: the strawberry extensions that
apply it on the normal path, and the hooks the fast path calls at the matching moments:

- :meth:`~RequestGuard.refuse_text`, for every request before its plan is looked up (cheap:
  it runs on the hot path);
- :meth:`~RequestGuard.refuse_document`, once per document, when a plan is compiled;
- :meth:`~RequestGuard.refuse_request`, for every request, with its variables;
- :meth:`~RequestGuard.enter` and :meth:`~RequestGuard.leave`, around the plan's run.

A refusal on the fast path is a reason, not an error: the request is handed to strawberry,
which runs the same guard as an extension and reports the error as it always does. Every
hook is abstract, so a guard cannot be added without saying what the fast path does about it;
``build_schema`` takes its extensions from :func:`request_guards` and nowhere else (a test
compares the two).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from graphql import ASTValidationRule, DocumentNode, GraphQLSchema, specified_rules
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.schema.schema import validate_document

from service.api.graphql.context import Context, RequestConnection
from service.api.graphql.errors import ErrorPolicy
from service.api.graphql.guards import check_document, nul_literal, nul_variable
from service.api.graphql.limits import (
    CachedParse,
    CostLimiter,
    ExtensionFactory,
    ValidatedDocuments,
    estimate_cost,
    limit_rules,
)
from service.config import Settings

logger = logging.getLogger(__name__)


F = TypeVar("F", bound=Callable[..., Any])


def nothing_to_do(hook: F) -> F:
    """Mark a fast-path hook that does nothing for its guard, so the fast path does not call
    it on every request (the guard still has to say so: every hook is abstract)."""
    hook.nothing_to_do = True  # type: ignore[attr-defined]
    return hook


class RequestGuard(ABC):
    """One protection, in the form each executor runs it."""

    name: str = ""

    @abstractmethod
    def extensions(self) -> Sequence[ExtensionFactory]:
        """The strawberry extensions that apply it on the normal path, in order."""

    @abstractmethod
    def refuse_text(self, query: str) -> str | None:
        """Fast path, every request: why the query text must go to the normal path, or None."""

    @abstractmethod
    def refuse_document(self, schema: GraphQLSchema, document: DocumentNode) -> str | None:
        """Fast path, once per document (when planning): why it is not planned, or None."""

    @abstractmethod
    def refuse_request(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
    ) -> str | None:
        """Fast path, every request: why this request goes to the normal path, or None."""

    @abstractmethod
    def enter(self, context: Context) -> None:
        """Fast path: before a plan runs with ``context``."""

    @abstractmethod
    async def leave(self, context: Context, *, completed: bool) -> None:
        """Fast path: after the plan ran (``completed``) or raised."""


class MaskedErrors(RequestGuard):
    """Errors are classified, logged once and masked unless they are the user's to fix.

    The fast path never answers an error: anything that raises hands the request to the
    normal path, which reports it through this policy. Its hooks therefore refuse nothing.
    """

    name = "errors"

    def extensions(self) -> Sequence[ExtensionFactory]:
        return (ErrorPolicy,)

    @nothing_to_do
    def refuse_text(self, query: str) -> str | None:
        return None

    @nothing_to_do
    def refuse_document(self, schema: GraphQLSchema, document: DocumentNode) -> str | None:
        return None

    @nothing_to_do
    def refuse_request(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
    ) -> str | None:
        return None

    @nothing_to_do
    def enter(self, context: Context) -> None:
        return None

    @nothing_to_do
    async def leave(self, context: Context, *, completed: bool) -> None:
        return None


class ConnectionRelease(RequestGuard):
    """A query reads from a replica, and the operation's connection goes back to the pool
    when it ends, whatever happened."""

    name = "connection"

    def extensions(self) -> Sequence[ExtensionFactory]:
        return (RequestConnection,)

    @nothing_to_do
    def refuse_text(self, query: str) -> str | None:
        return None

    @nothing_to_do
    def refuse_document(self, schema: GraphQLSchema, document: DocumentNode) -> str | None:
        return None

    @nothing_to_do
    def refuse_request(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
    ) -> str | None:
        return None

    def enter(self, context: Context) -> None:
        context.db.read_only = True  # a plan is always a query

    async def leave(self, context: Context, *, completed: bool) -> None:
        # Only reads ran, outside a transaction: the pool need not reset a completed session.
        await context.db.release(unchanged=completed)


@dataclass
class ParseLimits(RequestGuard):
    """A query text longer than ``max_chars`` is refused unlexed; one of more than
    ``max_tokens`` tokens is refused by the lexer. Both paths parse through the same cache
    (``limits.parse_cached``), with the same token limit."""

    max_chars: int
    max_tokens: int
    name = "parse"

    def extensions(self) -> Sequence[ExtensionFactory]:
        return (
            partial(MaxTokensLimiter, max_token_count=self.max_tokens),
            partial(CachedParse, self.max_chars),
        )

    def refuse_text(self, query: str) -> str | None:
        return "too long" if len(query) > self.max_chars else None

    def refuse_document(self, schema: GraphQLSchema, document: DocumentNode) -> str | None:
        return None  # the planner parsed it with ``max_tokens`` (``fast_path.compile_plan``)

    @nothing_to_do
    def refuse_request(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
    ) -> str | None:
        return None

    @nothing_to_do
    def enter(self, context: Context) -> None:
        return None

    @nothing_to_do
    async def leave(self, context: Context, *, completed: bool) -> None:
        return None


@dataclass
class Validation(RequestGuard):
    """graphql-core's rules plus the limits' (depth, aliases, introspection)."""

    rules: tuple[type[ASTValidationRule], ...]
    name = "validation"

    def extensions(self) -> Sequence[ExtensionFactory]:
        return (partial(AddValidationRules, list(self.rules)),)

    @nothing_to_do
    def refuse_text(self, query: str) -> str | None:
        return None

    def refuse_document(self, schema: GraphQLSchema, document: DocumentNode) -> str | None:
        errors = validate_document(schema, document, (*specified_rules, *self.rules))
        return "does not validate" if errors else None

    @nothing_to_do
    def refuse_request(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
    ) -> str | None:
        return None

    @nothing_to_do
    def enter(self, context: Context) -> None:
        return None

    @nothing_to_do
    async def leave(self, context: Context, *, completed: bool) -> None:
        return None


@dataclass
class SizeAndCost(RequestGuard):
    """Linear size checks (selections, repeated fields, aliases), no NUL byte in any input,
    and an estimated cost under the limit, before anything runs."""

    max_cost: int
    default_page: int
    max_selections: int
    max_repeated: int
    max_aliases: int
    max_chars: int
    name = "size-and-cost"

    def __post_init__(self) -> None:
        self._validated = ValidatedDocuments()  # shared by every operation's extension

    def extensions(self) -> Sequence[ExtensionFactory]:
        return (
            partial(
                CostLimiter,
                self.max_cost,
                self.default_page,
                self._validated,
                self.max_selections,
                self.max_repeated,
                self.max_aliases,
                self.max_chars,
            ),
        )

    @nothing_to_do
    def refuse_text(self, query: str) -> str | None:
        return None

    def refuse_document(self, schema: GraphQLSchema, document: DocumentNode) -> str | None:
        refused = check_document(document, self.max_selections, self.max_repeated, self.max_aliases)
        if refused is not None:
            return "too large"
        if nul_literal(document) is not None:
            return "a NUL byte in a string"
        return None

    def refuse_request(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
    ) -> str | None:
        if nul_variable(dict(variables)) is not None:
            return "a NUL byte in a variable"
        cost = estimate_cost(schema, document, operation_name, dict(variables), self.default_page)
        return "too costly" if cost > self.max_cost else None

    @nothing_to_do
    def enter(self, context: Context) -> None:
        return None

    @nothing_to_do
    async def leave(self, context: Context, *, completed: bool) -> None:
        return None


def _active(guards: Sequence[RequestGuard], hook: str) -> tuple[Any, ...]:
    """The guards' ``hook`` methods, without those marked :func:`nothing_to_do`."""
    methods = (getattr(guard, hook) for guard in guards)
    return tuple(m for m in methods if not getattr(m, "nothing_to_do", False))


@dataclass(frozen=True)
class RequestGuards:
    """The guards in the order they run; iterating yields them. The fast path calls each
    hook of each guard (but those that say they have nothing to do) in this order."""

    guards: tuple[RequestGuard, ...]
    _text: tuple[Callable[[str], str | None], ...] = field(init=False, repr=False)
    _document: tuple[Callable[..., str | None], ...] = field(init=False, repr=False)
    _request: tuple[Callable[..., str | None], ...] = field(init=False, repr=False)
    _enter: tuple[Callable[[Context], None], ...] = field(init=False, repr=False)
    _leave: tuple[Callable[..., Awaitable[None]], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "_text", _active(self.guards, "refuse_text"))
        set_(self, "_document", _active(self.guards, "refuse_document"))
        set_(self, "_request", _active(self.guards, "refuse_request"))
        set_(self, "_enter", _active(self.guards, "enter"))
        set_(self, "_leave", _active(tuple(reversed(self.guards)), "leave"))

    def __iter__(self) -> Iterator[RequestGuard]:
        return iter(self.guards)

    def extensions(self) -> list[ExtensionFactory]:
        """Strawberry's extensions for the schema: every guard's, in order."""
        return [factory for guard in self.guards for factory in guard.extensions()]

    def refuse_text(self, query: str) -> str | None:
        for hook in self._text:
            reason = hook(query)
            if reason is not None:
                return reason
        return None

    def refuse_document(self, schema: GraphQLSchema, document: DocumentNode) -> str | None:
        for hook in self._document:
            reason = hook(schema, document)
            if reason is not None:
                return reason
        return None

    def refuse_request(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
    ) -> str | None:
        for hook in self._request:
            reason = hook(schema, document, operation_name, variables)
            if reason is not None:
                return reason
        return None

    def enter(self, context: Context) -> None:
        for hook in self._enter:
            hook(context)

    async def leave(self, context: Context, *, completed: bool) -> None:
        """Every guard's ``leave``, in reverse order, each even if an earlier one raised."""
        failure: BaseException | None = None
        for hook in self._leave:
            try:
                await hook(context, completed=completed)
            except BaseException as exc:
                failure = failure or exc
        if failure is not None:
            raise failure


def request_guards(settings: Settings) -> RequestGuards:
    """The guards for ``settings``: the one list ``build_schema`` and the fast path run."""
    return RequestGuards(
        (
            MaskedErrors(),
            ConnectionRelease(),
            ParseLimits(settings.graphql_max_query_chars, settings.graphql_max_tokens),
            SizeAndCost(
                settings.graphql_max_cost,
                settings.page_size_default,
                settings.graphql_max_selections,
                settings.graphql_max_repeated_fields,
                settings.graphql_max_aliases,
                settings.graphql_max_query_chars,
            ),
            # After the linear size checks: validation walks the document's expansion.
            Validation(tuple(limit_rules(settings))),
        )
    )
