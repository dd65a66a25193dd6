"""The news plugin's hookimpls: the ``news`` ingester, and the rule-based move extractor.

The extractor is plugged in through the ``extract_moves`` hook like any third-party extractor
would be, so it reads every news article the pipeline sees, whichever ingester brought it.
Institution names resolve through the curated seed list (``known_institutions()``) plus every
``institution_aliases()`` hook result (``plugin_institution_aliases()``); the table is built
once and cached.
"""

from __future__ import annotations

import hashlib
import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from plugins.news.extract import AliasTable, ExtractedMove
from plugins.news.extract import extract_moves as run_rules
from plugins.news.ingester import NewsIngester
from talentflow import (
    AffiliationSeen,
    DocumentSeen,
    InstitutionRef,
    MoveReported,
    PartialDateModel,
    PersonRef,
    hookimpl,
    known_institutions,
    plugin_institution_aliases,
)

if TYPE_CHECKING:
    from talentflow import Ingester

logger = logging.getLogger(__name__)

EXTRACTOR = "news-rules"
_HAN = re.compile(r"[\u4e00-\u9fff]")


def seed_alias_pairs() -> list[tuple[str, str]]:
    """Every name, alias and native name of every seed institution, with its slug."""
    return [(name, inst.slug) for inst in known_institutions() for name in inst.names() if name]


def _hook_alias_pairs() -> list[tuple[str, str]]:
    return plugin_institution_aliases()


@lru_cache(maxsize=1)
def seed_parents() -> dict[str, str]:
    """Seed institution slug → its parent's slug (FAIR → Meta, Microsoft Research → Microsoft)."""
    return {inst.slug: inst.parent for inst in known_institutions() if inst.parent}


def _ancestors(slug: str) -> set[str]:
    parents = seed_parents()
    out: set[str] = set()
    while slug in parents and parents[slug] not in out:
        slug = parents[slug]
        out.add(slug)
    return out


def is_internal(from_slug: str | None, to_slug: str | None) -> bool:
    """A move between a lab and the company it belongs to is a promotion or a reorganisation,
    not a move between employers ("Microsoft has named X, a researcher at Microsoft Research")."""
    if not from_slug or not to_slug:
        return False
    return from_slug in _ancestors(to_slug) or to_slug in _ancestors(from_slug)


@lru_cache(maxsize=1)
def alias_table() -> AliasTable:
    """The alias table the extractor resolves institution names with (cached)."""
    return AliasTable.from_pairs([*seed_alias_pairs(), *_hook_alias_pairs()])


def _institution(name: str | None, slug: str | None) -> InstitutionRef | None:
    if slug:
        return InstitutionRef(slug=slug, name=name, ids={})
    if name:
        return InstitutionRef(name=name, ids={})
    return None


STORED_MODALITY: dict[str, Literal["reported", "rumoured", "denied"]] = {
    "reported": "reported",
    "confirmed": "reported",
    "in_talks": "rumoured",
    "rumour": "rumoured",
    "denied": "denied",
}
"""How each frame modality is stored; planned moves, leaves of absence and background clauses
are not stored as moves at all."""


def to_stint(move: ExtractedMove, document: DocumentSeen) -> AffiliationSeen | None:
    """A ``background`` frame with its year ("who joined Google from Baidu in 2016") as the
    stint it tells: the person at the institution from that year, the article as evidence."""
    if move.modality != "background" or move.year is None:
        return None
    institution = _institution(move.to_name, move.to_slug)
    if institution is None:
        return None
    native = move.person if _HAN.search(move.person) else None
    where = hashlib.sha256(document.url.encode()).hexdigest()[:16]
    return AffiliationSeen(
        person=PersonRef(name=move.person, native_name=native, ids={}),
        institution=institution,
        start=PartialDateModel(year=move.year, month=move.month),
        role=move.role[:500] if move.role else None,
        source_key=f"news:{where}:{move.to_slug or move.to_name}"[:200],
        document_url=document.url,
    )


def to_report(move: ExtractedMove, document: DocumentSeen) -> MoveReported | None:
    """One extracted move as the observation the pipeline merges and stores."""
    modality = STORED_MODALITY.get(move.modality)
    if modality is None or is_internal(move.from_slug, move.to_slug):
        return None
    origin = _institution(move.from_name, move.from_slug)
    destination = _institution(move.to_name, move.to_slug)
    if origin is None and destination is None:
        return None
    when: PartialDateModel | None = None
    if move.year is not None:
        when = PartialDateModel(year=move.year, month=move.month)
    elif document.published_at is not None:
        when = PartialDateModel(year=document.published_at.year, month=document.published_at.month)
    native = move.person if _HAN.search(move.person) else None
    return MoveReported(
        person=PersonRef(name=move.person, native_name=native, ids={}),
        from_institution=origin,
        to_institution=destination,
        date=when,
        quote=move.quote[:5000],
        span_start=move.span_start,
        span_end=move.span_end,
        document_url=document.url,
        confidence=min(move.confidence, 0.6) if modality == "denied" else move.confidence,
        extractor=EXTRACTOR,
        role=move.role[:500] if move.role else None,
        modality=modality,
    )


@hookimpl
def register_ingesters() -> list[type[Ingester]]:
    return [NewsIngester]


@hookimpl
def extract_moves(document: DocumentSeen) -> list[MoveReported | AffiliationSeen] | None:
    """The moves a news article reports, by the ``news-rules`` extractor, and the stints its
    background clauses tell."""
    if document.kind != "news_article" or not document.text:
        return None
    year = document.published_at.year if document.published_at else None
    language = (document.language or "").split("-")[0].lower() or None
    found = run_rules(
        document.text,
        alias_table(),
        language=language,
        published_year=year,
        parents=seed_parents(),
    )
    reports: list[MoveReported | AffiliationSeen] = []
    for move in found:
        observation = to_stint(move, document) or to_report(move, document)
        if observation is not None:
            reports.append(observation)
    return reports or None
