"""The REST API under ``/api/v1``: one module per resource, each declaring its endpoints."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from service.api.ingest_queue import close_queue
from service.api.rest import (
    flows,
    ingest_runs,
    institutions,
    job_postings,
    moves,
    pipeline,
    rates,
    researchers,
)
from service.api.rest.endpoint import PREFIX, Endpoint
from service.api.state import AppState

ENDPOINTS: list[Endpoint] = [
    *researchers.endpoints,
    *institutions.endpoints,
    *moves.endpoints,
    *flows.endpoints,
    *rates.endpoints,
    *pipeline.endpoints,
    *job_postings.endpoints,
    *ingest_runs.endpoints,
]


def _merge(endpoints: list[Endpoint]) -> list[Route]:
    """One route per path; a path with GET and POST dispatches on the method."""
    by_path: dict[str, list[Endpoint]] = {}
    for ep in endpoints:
        by_path.setdefault(ep.path, []).append(ep)
    routes: list[Route] = []
    for path, eps in by_path.items():
        if len(eps) == 1:
            routes.append(eps[0].route())
            continue
        handlers: dict[str, Callable[[Request], Awaitable[Response]]] = {}
        for ep in eps:
            route = ep.route()
            for method in route.methods or ():
                handlers[method] = route.endpoint

        async def dispatch(
            request: Request,
            handlers: dict[str, Callable[[Request], Awaitable[Response]]] = handlers,
        ) -> Response:
            return await handlers[request.method](request)

        routes.append(Route(path, dispatch, methods=sorted(handlers), name=eps[0].operation_id))
    return routes


def routes() -> list[BaseRoute]:
    from service.api.rest.openapi import openapi_endpoint

    return [
        Mount(PREFIX, routes=_merge(ENDPOINTS)),
        Route("/openapi.json", openapi_endpoint, methods=["GET", "HEAD"]),
    ]


async def close(state: AppState) -> None:
    """Release what the REST side opened lazily (the job queue connection, the export pool)."""
    from service.api.rest.export import close_export_pool

    await close_queue(state)
    await close_export_pool(state)
