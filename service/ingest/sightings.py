"""Turning the person references of a batch into sightings, the unit identity resolution
decides on.

Every observation naming a person (a profile, an affiliation, a reported move) comes with what
it says beside the name: its document, a stint, topics, a move (:class:`PersonContext`). The
references of one document that share an id or a name key are one sighting: the person as that
document shows them. A reference without a document is a sighting of its own (grouped only with
references identical in name, ids and institution), so that no rule like "the same source
naming a person the same way" joins namesakes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from service.domain.identity import Sighting, StintSpan
from service.domain.names import blocking_keys, fold, person_name_variants
from service.ingest.observations import PersonRef, ResearcherSeen

ReportedMove = tuple[int | None, int | None, int | None]  # from, to, year


@dataclass(frozen=True)
class PersonContext:
    """What an observation says of the person it names, beside the name."""

    document_url: str | None = None
    stint: StintSpan | None = None
    topics: tuple[str, ...] = ()
    move: ReportedMove | None = None
    mention: bool = False  # a name in a news report, nothing else


@dataclass
class Draft:
    """One sighting in the making: the references (indexes into the batch's list) it holds."""

    members: list[int]
    sighting: Sighting
    fingerprint: str
    block_keys: tuple[str, ...]
    document_url: str | None
    ids: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=65536)
def person_keys(name: str, native: str | None = None) -> frozenset[str]:
    keys = {fold(name), *person_name_variants(name)}
    if native:
        keys |= {fold(native), *person_name_variants(native)}
    return frozenset(k for k in keys if k)


def sighting_block_keys(sighting: Sighting) -> tuple[str, ...]:
    return _block_keys(sighting.all_names())


@lru_cache(maxsize=65536)
def _block_keys(names: tuple[str, ...]) -> tuple[str, ...]:
    keys: set[str] = set()
    for name in names:
        keys |= blocking_keys(name)
    return tuple(sorted(keys))


class _Union:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def join(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def group(
    refs: Sequence[PersonRef | ResearcherSeen], contexts: Sequence[PersonContext]
) -> list[Draft]:
    """The sightings of a batch, in the order of their first reference."""
    if len(refs) != len(contexts):
        raise ValueError("each person reference needs its context")
    union = _Union(len(refs))
    by_bucket: dict[tuple[object, ...], list[int]] = {}
    for i, (ref, ctx) in enumerate(zip(refs, contexts, strict=True)):
        if ctx.document_url:
            bucket: tuple[object, ...] = ("doc", ctx.document_url)
        else:
            inst = ctx.stint[0] if ctx.stint else (ctx.move[:2] if ctx.move else None)
            bucket = ("none", fold(ref.name), tuple(sorted(ref.ids.items())), inst)
        by_bucket.setdefault(bucket, []).append(i)
    for bucket, members in by_bucket.items():
        if bucket[0] == "none":
            for i in members[1:]:
                union.join(members[0], i)
            continue
        seen_keys: dict[str, int] = {}
        seen_ids: dict[tuple[str, str], int] = {}
        for i in members:
            ref = refs[i]
            for pair in ref.ids.items():
                if pair in seen_ids:
                    union.join(seen_ids[pair], i)
                seen_ids.setdefault(pair, i)
            names = [ref.name, *(ref.aliases if isinstance(ref, ResearcherSeen) else [])]
            for name in names:
                for key in person_keys(name, ref.native_name):
                    if key in seen_keys:
                        union.join(seen_keys[key], i)
                    seen_keys.setdefault(key, i)
    groups: dict[int, list[int]] = {}
    for i in range(len(refs)):
        groups.setdefault(union.find(i), []).append(i)
    return [_draft(members, refs, contexts) for members in groups.values()]


def _draft(
    members: list[int],
    refs: Sequence[PersonRef | ResearcherSeen],
    contexts: Sequence[PersonContext],
) -> Draft:
    names: list[str] = []
    native: str | None = None
    ids: dict[str, str] = {}
    stints: list[StintSpan] = []
    topics: set[str] = set()
    moves: list[ReportedMove] = []
    mention = True
    for i in members:
        ref, ctx = refs[i], contexts[i]
        names.append(ref.name)
        if isinstance(ref, ResearcherSeen):
            names += ref.aliases
            topics |= set(ref.topics)
        native = native or ref.native_name
        for scheme, value in ref.ids.items():
            ids.setdefault(scheme, value)
        if ctx.stint is not None and ctx.stint not in stints:
            stints.append(ctx.stint)
        if ctx.move is not None and ctx.move not in moves:
            moves.append(ctx.move)
            # a reported move places the person at its ends: leaving one, joining the other
            source, target, year = ctx.move
            for stint in ((source, None, year), (target, year, None)):
                if stint[0] is not None and stint not in stints:
                    stints.append((stint[0], stint[1], stint[2]))
        topics |= set(ctx.topics)
        mention = mention and ctx.mention
    url = contexts[members[0]].document_url
    unique_names = tuple(dict.fromkeys(n for n in names if n and n.strip()))
    sighting = Sighting(
        names=unique_names,
        native_name=native,
        ids=ids,
        stints=tuple(sorted(stints, key=_stint_order)),
        topics=frozenset(topics),
        document=url,
        mention=mention,
        moves=tuple(moves),
    )
    folded = sorted({fold(n) for n in unique_names})
    basis = [url or "", *folded, *(f"{k}={v}" for k, v in sorted(ids.items()))]
    if not url:
        basis += [str(sorted(stints, key=_stint_order)), str(moves)]
    fingerprint = hashlib.sha1("\x1f".join(basis).encode()).hexdigest()
    return Draft(members, sighting, fingerprint, sighting_block_keys(sighting), url, ids)


def _stint_order(stint: StintSpan) -> tuple[int, int, int]:
    return (stint[0], stint[1] if stint[1] is not None else -1, stint[2] or -1)
