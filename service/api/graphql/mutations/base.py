"""Running a curator write and turning expected failures into result-union members."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

import asyncpg
from strawberry.dataloader import DataLoader

from service.api.graphql import flow_cache
from service.api.graphql.context import Info
from service.api.graphql.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
    conflict,
    invalid,
    not_found,
)
from service.errors import Conflict, NotFound, UserError

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def forget(loader: DataLoader[K, V], key: K) -> None:
    """Drop a cached value so the next load reads what a mutation just wrote."""
    with contextlib.suppress(KeyError):
        loader.clear(key)


Failure = NotFoundError | ConflictError | ValidationError


async def write(info: Info, action: Callable[[asyncpg.Connection], Awaitable[T]]) -> T | Failure:
    """Run ``action`` on a pooled connection; map user errors to union members."""
    try:
        async with info.context.pool.acquire() as conn:
            return await action(conn)
    except NotFound as exc:
        return not_found(exc.message)
    except Conflict as exc:
        return conflict(exc.message)
    except UserError as exc:
        field = exc.details.get("field")
        return invalid(exc.message, field if isinstance(field, str) else None)
    finally:
        # A curator write may change what a flow counts (status, merges): UPDATEs do not
        # NOTIFY, so this process forgets its cached flows at once (others after their TTL).
        flow_cache.invalidate(info.context.state)
