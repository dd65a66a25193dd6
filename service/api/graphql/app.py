"""The GraphQL routes: POST/GET ``/graphql`` (queries, mutations, batches), the
graphql-transport-ws subscription endpoint on the same path, and the offline GraphiQL page
with its vendored assets under ``/graphiql``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from service.api.graphql.context import Context, build_context
from service.api.graphql.fast_path import FastPath
from service.api.graphql.limits import BodySizeLimit
from service.api.graphql.request_guards import request_guards
from service.api.graphql.schema import build_schema
from service.api.graphql.strawberry_internals import core_schema
from service.api.rate_limit import GraphQLRateLimit
from service.api.state import get_state
from service.config import Settings

logger = logging.getLogger(__name__)

GRAPHIQL_DIR = Path(__file__).resolve().parents[2] / "web" / "graphiql"


class TalentflowGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI view with our context, orjson responses and an offline GraphiQL."""

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        return build_context(get_state(request), request, response)

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse((GRAPHIQL_DIR / "index.html").read_text(encoding="utf-8"))

    def parse_json(self, data: str | bytes) -> Any:
        """Decode a request body (or a JSON query parameter) into an object.

        Strawberry catches only JSON syntax errors; a body that is not UTF-8, or JSON that is
        not an object (``null``, ``3``, a list of non-objects), would reach its request parsing
        and become a 500. Each is a 400 here, saying what was wrong.
        """
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise HTTPException(400, f"Unable to parse request body as JSON: {exc}") from exc
        if isinstance(value, list):
            if not all(isinstance(item, dict) for item in value):
                raise HTTPException(400, "A batched request must be a list of JSON objects.")
        elif not isinstance(value, dict):
            raise HTTPException(
                400, f"The request body must be a JSON object, not {type(value).__name__}."
            )
        return value

    def encode_json(self, data: object) -> str:
        # Text, not bytes: graphql-transport-ws clients expect text frames.
        return orjson.dumps(data).decode()


def routes(settings: Settings) -> list[BaseRoute]:
    guards = request_guards(settings)
    schema = build_schema(settings, guards)
    view = TalentflowGraphQL(
        schema,
        graphql_ide="graphiql",
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        keep_alive=True,
        keep_alive_interval=15,
    )
    fast = FastPath(view, core_schema(schema), settings, guards)
    limited: ASGIApp = BodySizeLimit(fast, settings.max_body_bytes)
    if settings.rate_limit_per_minute:
        limited = GraphQLRateLimit(limited)
    return [
        Route("/graphql", limited, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Mount("/graphiql", StaticFiles(directory=GRAPHIQL_DIR), name="graphiql"),
    ]
