"""The Starlette application factory.

The pool is created in the lifespan and kept in a typed ``AppState`` on ``app.state.talentflow``.
Route groups (health, GraphQL, REST, the explorer) each live in their own module.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from service.api import health, metrics, rest
from service.api.graphql import app as graphql_app
from service.api.graphql import flow_cache
from service.api.graphql.subscriptions import close_feed
from service.api.middleware import RequestMiddleware, install_log_context
from service.api.rest.problems import exception_handlers
from service.api.state import AppState
from service.config import Settings, get_settings
from service.db.pool import (
    create_pool_from_settings,
    create_read_router,
    describe_database,
    resolve_database_url,
)

logger = logging.getLogger(__name__)

EXPLORER_DIR = Path(__file__).resolve().parents[1] / "web" / "explorer"
FAVICON = Path(__file__).resolve().parents[1] / "web" / "favicon.svg"


async def explorer_page(request: Request) -> FileResponse:
    """The explorer: a static page that reads everything through /graphql."""
    return FileResponse(EXPLORER_DIR / "index.html")


async def favicon(request: Request) -> FileResponse:
    """The icon browsers ask for on any page (GraphiQL's included), rather than a 404."""
    return FileResponse(
        FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


def create_served_app() -> Starlette:
    """The app of a ``talentflow serve`` worker process (uvicorn's factory)."""
    return create_app(serving=True)


def freeze_startup_objects() -> None:
    """Collect once, then move every object alive now to the collector's permanent generation.

    A worker holds a few hundred thousand objects from its start (modules, the GraphQL schema,
    pydantic models) that live as long as it does; each full collection traversed them all:
    ~100 ms in which no request moves, several times a minute under load. Frozen, they are
    never traversed again, and a full collection scans only what requests made since. Only for
    a serving process: one that builds many apps (the tests) would keep each app's objects.
    """
    gc.collect()
    gc.freeze()


def start_in_process_worker(settings: Settings, url: str) -> asyncio.Task[None]:
    """The ingestion worker as a task of this process, so that runs queued through
    ``POST /api/v1/ingest-runs`` are run without a separate ``talentflow worker``."""
    from service.worker.cli import run_worker

    def report(task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            logger.error(
                "the in-process ingestion worker stopped; queued runs will wait",
                exc_info=task.exception(),
            )

    logger.info("ingestion worker running in this process")
    worker = asyncio.get_running_loop().create_task(
        run_worker(settings, url, install_signal_handlers=False), name="in-process worker"
    )
    worker.add_done_callback(report)
    return worker


async def stop_in_process_worker(worker: asyncio.Task[None]) -> None:
    worker.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):  # reported when it ended
        await worker


def create_app(
    settings: Settings | None = None, *, database_url: str | None = None, serving: bool = False
) -> Starlette:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        url = database_url
        if url is None:
            url = await asyncio.to_thread(resolve_database_url, settings)
        logger.info("database: %s", describe_database(url))
        pool = await create_pool_from_settings(settings, url)
        reads = await create_read_router(settings, pool)
        app.state.talentflow = AppState(settings=settings, database_url=url, pool=pool, reads=reads)
        if serving and settings.gc_freeze:
            freeze_startup_objects()
        worker = start_in_process_worker(settings, url) if settings.in_process_worker else None
        try:
            yield
        finally:
            if worker is not None:
                await stop_in_process_worker(worker)
            state = app.state.talentflow
            await close_feed(state)
            await flow_cache.close(state)
            await rest.close(state)
            if reads is not None:
                await reads.close()
            await pool.close()

    install_log_context()
    routes: list[BaseRoute] = [
        *health.routes,
        *metrics.routes,
        *rest.routes(),
        *graphql_app.routes(settings),
        Route("/", explorer_page),
        Route("/favicon.ico", favicon),
        Mount("/explorer", StaticFiles(directory=EXPLORER_DIR), name="explorer"),
    ]
    middleware = [
        Middleware(RequestMiddleware, max_body_bytes=settings.max_body_bytes),
        Middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts()),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Authorization", "Content-Type"],
            )
        )
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers=exception_handlers(),
    )
