"""Look-ahead for hot list fields: fetch what the query asks of a whole page in a few
set-based statements, into the request's DataLoader caches, so the nested fields of every
item resolve synchronously.

Without it, every nested field of every item is an awaited resolver that graphql-core
schedules as a task; with the caches filled first, those fields return plain values
(``now_or_later``) and the page costs one statement per table.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Hashable, Sequence
from typing import TypeVar

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)
from strawberry.dataloader import DataLoader

from service.api.graphql.context import Info
from service.api.graphql.strawberry_internals import raw_info
from service.caches import SizedLRU, pinned_document_bytes
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


# Kept per field node; the nodes pin their whole document, so entries are charged for it.
_SELECTIONS: SizedLRU[tuple[int, ...], tuple[tuple[FieldNode, ...], frozenset[str]]] = SizedLRU(
    8 * 1024 * 1024, lambda _, value: pinned_document_bytes(value[0])
)


def _ast_paths(
    selection_set: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    prefix: str,
    out: set[str],
    depth: int = 0,
) -> None:
    if selection_set is None or depth > 32:
        return
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            path = prefix + sel.name.value
            out.add(path)
            _ast_paths(sel.selection_set, fragments, path + ".", out, depth + 1)
        elif isinstance(sel, InlineFragmentNode):
            _ast_paths(sel.selection_set, fragments, prefix, out, depth + 1)
        elif isinstance(sel, FragmentSpreadNode):
            fragment = fragments.get(sel.name.value)
            if fragment is not None:
                _ast_paths(fragment.selection_set, fragments, prefix, out, depth + 1)


def node_selection(info: Info) -> frozenset[str]:
    """Paths asked of the items of the connection (``edges.node``, ``nodes``) or list that
    the current field returns. Parsed documents are cached per query text, so the answer is
    kept per field node (directives such as ``@skip`` are ignored: at worst a prefetch
    loads rows nobody reads)."""
    raw = raw_info(info)
    nodes = tuple(raw.field_nodes)
    key = tuple(id(n) for n in nodes)
    cached: tuple[tuple[FieldNode, ...], frozenset[str]] | None = _SELECTIONS.get(key, None)
    if cached is not None and cached[0] == nodes:
        return cached[1]
    found: set[str] = set()
    for node in nodes:
        _ast_paths(node.selection_set, raw.fragments, "", found)
    paths = set(found)
    for path in found:
        for head in ("edges.node.", "nodes."):
            if path.startswith(head):
                paths.add(path[len(head) :])
    result = frozenset(paths)
    _SELECTIONS.put(key, (nodes, result))  # the nodes are kept so their ids stay theirs
    return result


async def prefetch_moves(info: Info, rows: Sequence[MoveRow], asked: Collection[str]) -> None:
    """Load what ``asked`` (paths below a move) needs for all ``rows`` at once."""
    if not rows or not info.context.prefetch_moves:
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
