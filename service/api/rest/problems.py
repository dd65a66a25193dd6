"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the HTTP side sends has ``type``, ``title``, ``status``, ``detail``, ``instance``
and a stable ``code``; validation errors add ``errors[]``, one entry per bad parameter with its
name. Internal detail (SQL, stack traces, secrets) never reaches a client: unexpected errors
are logged with the request id and answered with a bare 500.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import asyncpg
import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from service.db.pool import DATABASE_DOWN
from service.errors import (
    Conflict,
    DatabaseUnavailable,
    LimitExceeded,
    NotFound,
    PermissionDenied,
    QueryTimeout,
    TalentflowError,
    Unauthenticated,
    UserError,
)

logger = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
TYPE_BASE = "https://talentflow.dev/problems/"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad parameter: where it is (``query``, ``path``, ``body``, ``header``) and why."""

    name: str
    detail: str
    location: str = "query"

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "in": self.location, "detail": self.detail}


@dataclass
class Problem(Exception):
    """An HTTP error with problem-details fields; raise it anywhere under a request."""

    status: int
    code: str
    detail: str
    errors: Sequence[FieldError] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    title: str | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.detail}"


class ValidationProblem(Problem):
    def __init__(self, errors: Sequence[FieldError]) -> None:
        detail = "; ".join(f"{e.name}: {e.detail}" for e in errors)
        super().__init__(400, "VALIDATION_FAILED", detail or "invalid request", errors)


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: Sequence[FieldError] = (),
    headers: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + code.lower().replace("_", "-"),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance is not None:
        body["instance"] = instance
    if errors:
        body["errors"] = [e.as_dict() for e in errors]
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_TYPE, headers=dict(headers or {})
    )


def _instance(request: Request) -> str:
    return request.url.path


STATUS_CODES: dict[int, str] = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    406: "NOT_ACCEPTABLE",
    409: "CONFLICT",
    413: "PAYLOAD_TOO_LARGE",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "RATE_LIMITED",
    500: "INTERNAL",
    503: "SERVICE_UNAVAILABLE",
}


def status_for(exc: TalentflowError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Unauthenticated):
        return 401
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, DatabaseUnavailable | QueryTimeout):
        return 503
    if isinstance(exc, UserError):
        return 400
    return 500


def field_errors(exc: TalentflowError) -> list[FieldError]:
    name = exc.details.get("field")
    if name is None and exc.code == "INVALID_CURSOR":
        name = "cursor"
    return [FieldError(str(name), exc.message)] if name else []


async def handle_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(
        exc.status,
        exc.code,
        exc.detail,
        instance=_instance(request),
        errors=exc.errors,
        headers=exc.headers,
        title=exc.title,
    )


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        detail = f"nothing at {request.url.path}"
    elif exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}"
    else:
        detail = exc.detail
    return problem_response(
        exc.status_code,
        STATUS_CODES.get(exc.status_code, "HTTP_ERROR"),
        detail,
        instance=_instance(request),
        headers=exc.headers,
    )


def unavailable_response(request: Request, reason: str) -> Response:
    from service.api.state import get_state

    retry_after = str(get_state(request).settings.retry_after_s)
    return problem_response(
        503,
        "DATABASE_UNAVAILABLE",
        reason,
        instance=_instance(request),
        headers={"Retry-After": retry_after},
    )


async def handle_talentflow_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TalentflowError)
    status = status_for(exc)
    if isinstance(exc, QueryTimeout):
        return await handle_query_canceled(request, exc)
    if status == 503:
        return unavailable_response(request, exc.message)
    if status == 500:
        logger.error("unexpected %s: %r", type(exc).__name__, exc)
        return problem_response(500, "INTERNAL", "internal error", instance=_instance(request))
    errors = field_errors(exc)
    code = exc.code
    if code == "BAD_REQUEST" and errors and not isinstance(exc, LimitExceeded):
        code = "VALIDATION_FAILED"
    return problem_response(status, code, exc.message, instance=_instance(request), errors=errors)


async def handle_database_down(request: Request, exc: Exception) -> Response:
    logger.warning("database unavailable: %s", type(exc).__name__)
    return unavailable_response(request, "the database is unavailable; retry shortly")


async def handle_query_canceled(request: Request, exc: Exception) -> Response:
    logger.warning("query cancelled by statement timeout on %s", request.url.path)
    return problem_response(
        503,
        "QUERY_TIMEOUT",
        "the query took too long; narrow the filters or retry",
        instance=_instance(request),
        headers={"Retry-After": "1"},
    )


def exception_handlers() -> dict[Any, Any]:
    handlers: dict[Any, Any] = {
        Problem: handle_problem,
        HTTPException: handle_http_exception,
        TalentflowError: handle_talentflow_error,
        asyncpg.QueryCanceledError: handle_query_canceled,
    }
    for exc_type in DATABASE_DOWN:
        handlers[exc_type] = handle_database_down
    return handlers
