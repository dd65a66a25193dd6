"""Errors as clients see them.

Expected failures of a mutation are members of its result union (``NotFoundError``,
``PermissionError``, ``ValidationError``, ``ConflictError``), each with ``message`` and ``code``.

Everything raised is a GraphQL error whose ``extensions.code`` is stable: a ``UserError`` keeps
its message and code; validation and parse failures get a code from their kind; anything else is
masked as ``INTERNAL_SERVER_ERROR`` with a generic message (the original is logged).
"""

from __future__ import annotations

import logging

import asyncpg
import strawberry
from graphql import GraphQLError
from starlette.responses import Response
from strawberry.extensions import MaskErrors
from strawberry.relay.types import GlobalIDValueError

from service.db.pool import DATABASE_DOWN
from service.errors import DatabaseUnavailable, QueryTimeout, UserError

logger = logging.getLogger(__name__)


class InvalidInput(UserError):
    code = "VALIDATION_FAILED"


class QueryTooCostly(UserError):
    code = "QUERY_TOO_COSTLY"


@strawberry.interface(description="An expected failure, with a stable machine-readable code.")
class Error:
    message: str
    code: str


@strawberry.type(description="The thing named does not exist.")
class NotFoundError(Error):
    pass


@strawberry.type(
    name="PermissionError",
    description="The API key is missing, revoked or lacks the scope this operation needs.",
)
class PermissionDeniedError(Error):
    pass


@strawberry.type(description="The input is not acceptable; `field` names the culprit.")
class ValidationError(Error):
    field: str | None = None


@strawberry.type(
    description="The operation conflicts with the current state (for example, a "
    "researcher already merged by someone else)."
)
class ConflictError(Error):
    pass


def not_found(message: str) -> NotFoundError:
    return NotFoundError(message=message, code="NOT_FOUND")


def invalid(message: str, field: str | None = None) -> ValidationError:
    return ValidationError(message=message, code="VALIDATION_FAILED", field=field)


def conflict(message: str) -> ConflictError:
    return ConflictError(message=message, code="CONFLICT")


_MESSAGE_CODES = (
    ("exceeds maximum operation depth", "QUERY_TOO_DEEP"),
    ("aliases found. Allowed", "TOO_MANY_ALIASES"),
    ("Document contains more than", "TOO_MANY_TOKENS"),
    ("Syntax Error", "GRAPHQL_PARSE_FAILED"),
    ("introspection", "INTROSPECTION_DISABLED"),
)


RETRY_AFTER_S = 5

# Every ``extensions.code`` a GraphQL error can carry; docs/graphql.md lists exactly these (a
# test compares the two, and checks that each code the server makes is here).
ERROR_CODES: tuple[str, ...] = (
    "LIMIT_EXCEEDED",
    "INVALID_CURSOR",
    "INVALID_ID",
    "VALIDATION_FAILED",
    "BAD_USER_INPUT",
    "BAD_REQUEST",
    "NOT_FOUND",
    "CONFLICT",
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "QUERY_TOO_DEEP",
    "TOO_MANY_ALIASES",
    "TOO_MANY_TOKENS",
    "QUERY_TOO_LARGE",
    "TOO_MANY_SUBSCRIPTIONS",
    "QUERY_TOO_COSTLY",
    "INTROSPECTION_DISABLED",
    "PAYLOAD_TOO_LARGE",
    "GRAPHQL_VALIDATION_FAILED",
    "GRAPHQL_PARSE_FAILED",
    "DATABASE_UNAVAILABLE",
    "QUERY_TIMEOUT",
    "INTERNAL_SERVER_ERROR",
)

# Errors that are not bugs but the database being away or slow: the client should retry.
TRANSIENT: dict[str, str] = {
    "DATABASE_UNAVAILABLE": "the database is unavailable; retry shortly",
    "QUERY_TIMEOUT": "the query took too long; narrow the filters or retry",
}


def classify(error: GraphQLError) -> tuple[str, bool]:
    """(code, mask) for an error leaving the server."""
    original = error.original_error
    if isinstance(original, asyncpg.QueryCanceledError | QueryTimeout):
        return "QUERY_TIMEOUT", True
    if isinstance(original, (*DATABASE_DOWN, TimeoutError, DatabaseUnavailable)):
        return "DATABASE_UNAVAILABLE", True
    if isinstance(original, UserError):
        return original.code, False
    if isinstance(original, GlobalIDValueError):
        return "INVALID_ID", False
    if original is not None and not isinstance(original, GraphQLError):
        return "INTERNAL_SERVER_ERROR", True
    existing = (error.extensions or {}).get("code")
    if isinstance(existing, str):
        return existing, False
    for needle, code in _MESSAGE_CODES:
        if needle in error.message:
            return code, False
    return "GRAPHQL_VALIDATION_FAILED", False


class ErrorPolicy(MaskErrors):
    """MaskErrors with an allow-list (``UserError``) that also stamps ``extensions.code``."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=lambda e: classify(e)[1])

    def _process_result(self, result: object) -> None:
        super()._process_result(result)
        errors = getattr(result, "errors", None)
        if not errors or getattr(result, "data", None) is not None:
            return
        codes = {(e.extensions or {}).get("code") for e in errors}
        if codes and codes <= set(TRANSIENT):
            # Nothing could be answered and retrying later may work: say so at the HTTP level
            # too, as REST does, so clients and load balancers back off.
            response = getattr(self.execution_context.context, "response", None)
            if isinstance(response, Response):
                response.status_code = 503
                response.headers["Retry-After"] = str(RETRY_AFTER_S)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        out: list[GraphQLError] = []
        for error in errors:
            code, mask = classify(error)
            extensions = dict(error.extensions or {})
            if mask and code in TRANSIENT:
                logger.warning(
                    "%s in GraphQL operation at %s: %s",
                    code,
                    error.path,
                    type(error.original_error).__name__,
                )
                error = GraphQLError(
                    TRANSIENT[code],
                    nodes=error.nodes,
                    source=error.source,
                    positions=error.positions,
                    path=error.path,
                )
            elif mask:
                logger.error(
                    "unexpected error in GraphQL operation at %s",
                    error.path,
                    exc_info=error.original_error,
                )
                error = self.anonymise_error(error)
            elif isinstance(error.original_error, UserError):
                extensions.update(
                    {k: v for k, v in error.original_error.details.items() if _plain(v)}
                )
            extensions["code"] = code
            error.extensions = extensions
            out.append(error)
        return out


def _plain(value: object) -> bool:
    return isinstance(value, str | int | float | bool) or value is None
