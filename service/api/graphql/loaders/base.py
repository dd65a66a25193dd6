"""Building blocks for per-request DataLoaders: one statement per batch, results in key order."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from strawberry.dataloader import DataLoader

from service.db.queries.executor import Executor
from service.db.queries.pagination import Page

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
G = TypeVar("G", bound=Hashable)


def one_by_key(
    ex: Executor, fetch: Callable[[Executor, list[K]], Awaitable[dict[K, V]]]
) -> DataLoader[K, V | None]:
    async def load(keys: list[K]) -> list[V | None]:
        found = await fetch(ex, keys)
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def many_by_key(
    ex: Executor, fetch: Callable[[Executor, list[K]], Awaitable[dict[K, list[V]]]]
) -> DataLoader[K, list[V]]:
    async def load(keys: list[K]) -> list[list[V]]:
        found = await fetch(ex, keys)
        return [found.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


@dataclass(frozen=True, slots=True)
class ByParent(Generic[G]):
    """A loader key: the same request (``group``: filter, order, page) for one parent id."""

    group: G
    parent: int


def by_parent(
    ex: Executor,
    fetch: Callable[[Executor, G, Sequence[int]], Awaitable[dict[int, V]]],
) -> DataLoader[ByParent[G], V]:
    """Batch a per-parent request: one statement per distinct ``group`` for all its parents."""

    async def load(keys: list[ByParent[G]]) -> list[V]:
        groups: dict[G, list[int]] = defaultdict(list)
        for key in keys:
            if key.parent not in groups[key.group]:
                groups[key.group].append(key.parent)
        names = list(groups)
        results = await asyncio.gather(*(fetch(ex, g, groups[g]) for g in names))
        found = dict(zip(names, results, strict=True))
        return [found[k.group][k.parent] for k in keys]

    return DataLoader(load_fn=load)


PageLoader = DataLoader[ByParent[G], Page[V]]
CountLoader = DataLoader[ByParent[G], int]
