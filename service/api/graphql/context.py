"""The typed per-request context: the database, the request's DataLoaders, the caller's key."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from service.api.graphql.loaders import Loaders
from service.api.state import AppState
from service.config import Settings
from service.db.queries.institutions import has_trigram
from service.db.stores.api_keys import ApiKey, verify_key

logger = logging.getLogger(__name__)

TRIGRAM_KEY = "graphql.pg_trgm"


class CountingExecutor:
    """Runs statements on the pool and counts them (tests assert loaders stay N+1-free)."""

    __slots__ = ("pool", "statements")

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.statements = 0

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        self.statements += 1
        rows: list[asyncpg.Record] = await self.pool.fetch(query, *args)
        return rows

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        self.statements += 1
        row: asyncpg.Record | None = await self.pool.fetchrow(query, *args)
        return row

    async def fetchval(self, query: str, *args: Any, column: int = 0) -> Any:
        self.statements += 1
        return await self.pool.fetchval(query, *args, column=column)


@dataclass
class Context:
    state: AppState
    db: CountingExecutor
    loaders: Loaders
    request: Request | WebSocket | None = None
    response: Response | WebSocket | None = None
    authorization: str | None = None
    _key: ApiKey | None = field(default=None, repr=False)
    _key_checked: bool = field(default=False, repr=False)

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def pool(self) -> asyncpg.Pool:
        return self.state.pool

    async def api_key(self) -> ApiKey | None:
        """The caller's API key from ``Authorization: Bearer <key>`` (None if absent/invalid)."""
        if not self._key_checked:
            self._key_checked = True
            token = bearer_token(self.authorization)
            if token:
                async with self.pool.acquire() as conn:
                    self._key = await verify_key(conn, token)
        return self._key

    async def trigram(self) -> bool:
        """Whether pg_trgm is installed (looked up once per process)."""
        cached = self.state.extras.get(TRIGRAM_KEY)
        if cached is None:
            cached = self.state.extras[TRIGRAM_KEY] = await has_trigram(self.pool)
        return bool(cached)


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def build_context(
    state: AppState,
    request: Request | WebSocket | None = None,
    response: Response | WebSocket | None = None,
) -> Context:
    db = CountingExecutor(state.pool)
    authorization = request.headers.get("authorization") if request is not None else None
    return Context(
        state=state,
        db=db,
        loaders=Loaders.create(db),
        request=request,
        response=response,
        authorization=authorization,
    )


Info = strawberry.Info[Context, None]
