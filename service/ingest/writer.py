"""Writing one batch of validated observations: resolve, then write with provenance.

Called inside the batch's transaction by the pipeline. Every observation gets a status
(created / updated / unchanged, or a rejection reason); moves reported by sources are merged
with the moves already known (``same_move``), and moves implied by affiliation histories are
re-inferred for every researcher whose stints changed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import asyncpg

from service.config import Settings
from service.db.ordered import settle
from service.db.stores import (
    documents,
)
from service.db.stores import institutions as institution_store
from service.domain.institutions import InstitutionIndex
from service.ingest.analysis_writes import write_analysis_observations
from service.ingest.observations import (
    AffiliationSeen,
    DocumentSeen,
    EducationSeen,
    InstitutionRef,
    InstitutionSeen,
    JobPostingSeen,
    MoveReported,
    PersonRef,
    ResearcherSeen,
)
from service.ingest.resolver import (
    INSTITUTION_ID_RULES,
    RESEARCHER_ID_RULES,
    Resolver,
    field_value,
    invalid_ids,
)
from service.ingest.write_jobs import JobPostingWriting
from service.ingest.write_moves import (
    INFERENCE_EXTRACTOR,
    MoveWriting,
    identity_doubt,
)
from service.ingest.write_people import PeopleWriting
from service.ingest.writing import (
    BatchItem,
    BatchOutcome,
    Status,
    partial_date_columns,
)

logger = logging.getLogger(__name__)


# The same ids come in every observation naming a person or an institution: check each set once.
@lru_cache(maxsize=65536)
def _bad_person_ids(items: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(invalid_ids(dict(items), RESEARCHER_ID_RULES))


@lru_cache(maxsize=65536)
def _bad_place_ids(items: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(invalid_ids(dict(items), INSTITUTION_ID_RULES))


def _check_ids(obs: Any) -> str | None:
    people: list[PersonRef | ResearcherSeen] = []
    places: list[InstitutionRef | InstitutionSeen] = []
    if isinstance(obs, ResearcherSeen):
        people.append(obs)
    if isinstance(obs, AffiliationSeen | EducationSeen):
        people.append(obs.person)
        places.append(obs.institution)
    if isinstance(obs, MoveReported):
        people.append(obs.person)
        places += [r for r in (obs.from_institution, obs.to_institution) if r]
    if isinstance(obs, InstitutionSeen):
        places.append(obs)
        if obs.parent:
            places.append(obs.parent)
        places += [r.institution for r in (*obs.predecessors, *obs.successors)]
    if isinstance(obs, JobPostingSeen) and obs.institution:
        places.append(obs.institution)
    bad = [b for p in people if p.ids for b in _bad_person_ids(tuple(p.ids.items()))]
    bad += [b for p in places if p.ids for b in _bad_place_ids(tuple(p.ids.items()))]
    if bad:
        return "ids not valid here: " + ", ".join(bad)
    return None


@dataclass
class BatchWriter(PeopleWriting, JobPostingWriting, MoveWriting):
    conn: asyncpg.Connection
    plugin: str
    instance: str
    settings: Settings
    resolver: Resolver
    _source_doc: int | None = None
    index: InstitutionIndex = field(default_factory=InstitutionIndex)

    def prepare(self, item: BatchItem) -> None:
        """Work on an item that reads nothing stored, done ahead of ``write`` (while the batch
        before it is being written): its ids checked, and the names of the people it names
        turned into their lookup keys and search text, which ``write`` then finds ready."""
        obs = item.observation
        item.id_problem = _check_ids(obs)
        item.prepared = True
        if item.id_problem is None:
            if isinstance(obs, ResearcherSeen):
                self.resolver.prepare_person(obs)
            elif isinstance(obs, AffiliationSeen | MoveReported):
                self.resolver.prepare_person(obs.person)

    async def write(self, items: Sequence[BatchItem]) -> BatchOutcome:
        try:
            outcome = await self._write(items)
            await settle(self.conn)  # a statement sent ahead fails the batch here at the latest
        except BaseException:
            await settle(self.conn, quiet=True)  # free the connection for the rollback
            raise
        return outcome

    async def _write(self, items: Sequence[BatchItem]) -> BatchOutcome:
        self.index = await self.resolver.institution_index()
        statuses: list[Status] = [""] * len(items)
        for i, item in enumerate(items):
            problem = item.id_problem if item.prepared else _check_ids(item.observation)
            if problem:
                statuses[i] = f"rejected: {problem}"
        live = [i for i in range(len(items)) if not statuses[i]]
        # Researchers this batch creates: nothing stored can refer to them before this batch
        # writes it, so looking up their affiliations or moves would find nothing.
        self.new_people: set[int] = set()
        self.reported_people: set[int] = set()
        self.fresh_history: dict[int, list[dict[str, Any]]] = {}
        self.fresh_infos: dict[int, dict[str, Any]] = {}
        doc_ids = await self._documents(items, live, statuses)
        for i in live:
            obs = items[i].observation
            if isinstance(obs, InstitutionSeen):
                statuses[i] = await self.resolver.institution_seen(obs)
                if obs.predecessors or obs.successors:
                    await self._relations_seen(obs, items[i].extractor)
        touched = await self._people_and_affiliations(items, live, statuses, doc_ids)
        await self._job_postings(items, live, statuses)
        touched |= await write_analysis_observations(self, items, live, statuses, doc_ids)
        outcome = BatchOutcome(statuses)
        await self._reported_moves(items, live, statuses, doc_ids, outcome)
        if touched:
            await self._infer(sorted(touched), outcome)
        return outcome

    async def _relations_seen(self, obs: InstitutionSeen, source: str) -> None:
        """Store the predecessors and successors a source gives for an institution."""
        me, _ = await self.resolver.institution(obs)
        rows: list[tuple[int, int, str, Any, str | None]] = []
        for rel, mine_is_successor in [
            *((r, True) for r in obs.predecessors),
            *((r, False) for r in obs.successors),
        ]:
            other, _ = await self.resolver.institution(rel.institution)
            if other == me:
                continue
            pred, succ = (other, me) if mine_is_successor else (me, other)
            day, precision = partial_date_columns(rel.date)
            rows.append((pred, succ, rel.kind, day, precision))
        await institution_store.add_relations(self.conn, rows, source)

    async def reinfer(self, researcher_ids: Sequence[int]) -> BatchOutcome:
        """Infer the moves of these researchers again from their stored histories (after a
        curator merged, split or settled a candidate match)."""
        self.index = await self.resolver.institution_index()
        self.new_people = set()
        self.reported_people = set()
        self.fresh_history = {}
        self.fresh_infos = {}
        self.resolver.merged_targets = set()
        outcome = BatchOutcome([])
        if researcher_ids:
            await self._infer(sorted(set(researcher_ids)), outcome)
        return outcome

    # -- documents -----------------------------------------------------------------------------
    async def _documents(
        self, items: Sequence[BatchItem], live: list[int], statuses: list[Status]
    ) -> dict[str, int]:
        seen_docs: dict[str, tuple[int, DocumentSeen]] = {}
        referenced: dict[str, str] = {}
        for i in live:
            obs = items[i].observation
            if isinstance(obs, DocumentSeen):
                seen_docs[obs.url] = (i, obs)
            url = field_value(obs, "document_url")
            if url:
                kind = "news_article" if isinstance(obs, MoveReported) else "profile"
                referenced.setdefault(url, kind)
        urls = sorted(set(seen_docs) | set(referenced))
        existing = await documents.fetch_by_urls(self.conn, urls)
        to_insert, to_update = [], []
        for url in urls:
            if url in seen_docs:
                doc = seen_docs[url][1]
                row = {
                    "url": url,
                    "kind": doc.kind,
                    "title": doc.title,
                    "publisher": doc.publisher,
                    "published_at": doc.published_at.isoformat() if doc.published_at else None,
                    "content_hash": doc.content_hash,
                    "language": doc.language,
                }
                old = existing.get(url)
                if old is None:
                    to_insert.append(row)
                elif (
                    any(old[k] != v for k, v in row.items() if k not in ("url", "published_at"))
                    or old["published_at"] != doc.published_at
                ):
                    to_update.append({**row, "id": old["id"]})
            elif url not in existing:
                to_insert.append({"url": url, "kind": referenced[url]})
        new_ids = await documents.insert_documents(self.conn, to_insert, self.plugin)
        await documents.update_documents(self.conn, to_update)
        inserted = {r["url"] for r in to_insert}
        updated = {r["url"] for r in to_update}
        for i in live:
            obs = items[i].observation
            if isinstance(obs, DocumentSeen):
                first = seen_docs[obs.url][0] == i
                statuses[i] = (
                    "created"
                    if obs.url in inserted and first
                    else "updated"
                    if obs.url in updated and first
                    else "unchanged"
                )
        ids = {url: int(row["id"]) for url, row in existing.items()} | new_ids
        missing = [url for url in urls if url not in ids]  # inserted meanwhile by another run
        if missing:
            found = await documents.fetch_by_urls(self.conn, missing)
            ids |= {url: int(row["id"]) for url, row in found.items()}
        return ids


__all__ = [
    "INFERENCE_EXTRACTOR",
    "BatchItem",
    "BatchOutcome",
    "BatchWriter",
    "Status",
    "identity_doubt",
]
