"""Liveness and readiness.

``/healthz`` answers 200 while the process runs. ``/readyz`` answers 200 only when the database
answers and is at this code's migration head; otherwise 503 with the reason, so a load balancer
stops sending traffic and an operator sees why.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from service import __version__
from service.api.state import get_state
from service.db.migrations import current_revision, head_revision

logger = logging.getLogger(__name__)

READY_TIMEOUT_S = 2.0


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "version": __version__})


async def readyz(request: Request) -> JSONResponse:
    state = get_state(request)
    head = head_revision()
    try:
        async with asyncio.timeout(READY_TIMEOUT_S):
            async with state.pool.acquire() as conn:
                current = await current_revision(conn)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        logger.warning("readiness: database unavailable: %s", type(exc).__name__)
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable", "migration_head": head},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    if current != head:
        return JSONResponse(
            {
                "status": "unavailable",
                "database": "ok",
                "migration": current,
                "migration_head": head,
                "reason": "database schema is not at the migration head; run `talentflow db upgrade`",
            },
            status_code=503,
        )
    return JSONResponse({"status": "ok", "database": "ok", "migration": current})


routes = [
    Route("/healthz", healthz, methods=["GET", "HEAD"]),
    Route("/readyz", readyz, methods=["GET", "HEAD"]),
]
