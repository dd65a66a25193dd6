"""The API's rate limit: one policy, one set of buckets, for REST and GraphQL alike.

Each client has a token bucket of ``TALENTFLOW_RATE_LIMIT_PER_MINUTE`` requests (0 switches
the limit off), refilled continuously. A client is its API key (REST, where the endpoint has
verified the key) or else its address; a GraphQL request is counted by address, since reads
need no key and verifying one on every request would cost a statement. REST requests and
GraphQL requests (POST and GET, through either executor) of one address draw on the same
bucket. Over the limit, REST answers a 429 problem and GraphQL a 429 with a
``RATE_LIMITED`` error, both with ``Retry-After``.

Buckets live in process memory: behind several workers the effective limit is the
per-process limit times the number of processes (see docs/deploy.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import orjson
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service.api.state import AppState
from service.ratelimit import TokenBuckets

LIMITER_KEY = "rate_limiter"


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return f"ip:{client[0] if client else '-'}"


def take(state: AppState, client: str) -> float:
    """Charge ``client`` one request: 0 when allowed, else the seconds to wait."""
    per_minute = state.settings.rate_limit_per_minute
    if not per_minute:
        return 0.0
    limiter = state.extras.get(LIMITER_KEY)
    if not isinstance(limiter, TokenBuckets):
        limiter = state.extras[LIMITER_KEY] = TokenBuckets(per_minute / 60.0, per_minute)
    return limiter.take(client, time.monotonic())


def limited_message(state: AppState) -> str:
    return f"too many requests; at most {state.settings.rate_limit_per_minute} per minute"


def retry_after(wait: float) -> str:
    return str(max(1, round(wait + 0.5)))


@dataclass(slots=True)
class GraphQLRateLimit:
    """ASGI, in front of both GraphQL executors: refuse a client over the limit."""

    app: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            state: AppState = scope["app"].state.talentflow
            wait = take(state, client_address(scope))
            if wait:
                body = {
                    "data": None,
                    "errors": [
                        {
                            "message": limited_message(state),
                            "extensions": {"code": "RATE_LIMITED"},
                        }
                    ],
                }
                response = Response(
                    orjson.dumps(body),
                    status_code=429,
                    media_type="application/json",
                    headers={"Retry-After": retry_after(wait)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
