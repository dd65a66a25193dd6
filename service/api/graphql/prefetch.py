"""Look-ahead for hot list fields: fetch what the query asks of a whole page in a few
set-based statements, into the request's DataLoader caches, so the nested fields of every
item resolve synchronously.

A page of 50 moves with researcher, both institutions and evidence used to await ~270 field
resolvers, each scheduled as a task by graphql-core; with the caches filled first, those
fields return plain values (``now_or_later``) and the page costs one statement per table.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Hashable, Iterable, Sequence
from typing import TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from service.api.graphql.context import Info
from service.db.queries import evidence
from service.db.queries.moves import MoveRow

logger = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")


def now_or_later(loader: DataLoader[K, V], key: K, convert: Callable[[V], T]) -> T | Awaitable[T]:
    """``convert`` of the loader's value for ``key``: at once when it is already loaded,
    otherwise an awaitable (graphql-core accepts either from a resolver)."""
    if loader.cache:
        future = loader.cache_map.get(key)
        if (
            future is not None
            and future.done()
            and not future.cancelled()
            and future.exception() is None
        ):
            return convert(future.result())
    return _later(loader, key, convert)


async def _later(loader: DataLoader[K, V], key: K, convert: Callable[[V], T]) -> T:
    return convert(await loader.load(key))


def _flatten(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    for sel in selections:
        if isinstance(sel, SelectedField):
            yield sel
        elif isinstance(sel, FragmentSpread | InlineFragment):
            yield from _flatten(sel.selections)


def selected_paths(selections: Iterable[Selection], prefix: str = "") -> set[str]:
    """Dotted paths of every field below ``selections`` (fragments flattened)."""
    out: set[str] = set()
    for field in _flatten(selections):
        path = prefix + field.name
        out.add(path)
        out |= selected_paths(field.selections, path + ".")
    return out


def node_selection(info: Info) -> set[str]:
    """Paths asked of the items of the connection (``edges.node``, ``nodes``) or list that
    the current field returns."""
    paths: set[str] = set()
    for field in info.selected_fields:
        for path in selected_paths(field.selections):
            for head in ("edges.node.", "nodes."):
                if path.startswith(head):
                    paths.add(path[len(head) :])
            paths.add(path)
    return paths


async def prefetch_moves(info: Info, rows: Sequence[MoveRow], asked: Collection[str]) -> None:
    """Load what ``asked`` (paths below a move) needs for all ``rows`` at once."""
    if not rows:
        return
    loaders = info.context.loaders
    jobs: list[Awaitable[object]] = []
    if "researcher" in asked:
        jobs.append(loaders.researcher_by_id.load_many(sorted({r.researcher_id for r in rows})))
    if "from" in asked or "to" in asked:
        ids: set[int] = set()
        for r in rows:
            if "from" in asked and r.from_institution_id is not None:
                ids.add(r.from_institution_id)
            if "to" in asked and r.to_institution_id is not None:
                ids.add(r.to_institution_id)
        jobs.append(loaders.institution_by_id.load_many(sorted(ids)))
    if "evidence" in asked:
        jobs.append(_prefetch_evidence(info, [r.id for r in rows], "evidence.document" in asked))
    if jobs:
        await asyncio.gather(*jobs)


async def _prefetch_evidence(info: Info, move_ids: list[int], documents: bool) -> None:
    loaders = info.context.loaders
    missing = [i for i in move_ids if loaders.evidence_by_move_id.cache_map.get(i) is None]
    if not missing:
        return
    if not documents:
        await loaders.evidence_by_move_id.load_many(missing)
        return
    by_move, docs = await evidence.evidence_with_documents_by_move_ids(info.context.db, missing)
    loaders.evidence_by_move_id.prime_many({i: by_move.get(i, []) for i in missing})
    loaders.document_by_id.prime_many(docs)
