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
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import asyncpg

from service.config import Settings
from service.db.ordered import send_ahead, settle
from service.db.stores import (
    affiliations,
    documents,
    evidence,
    institution_writes,
    job_postings,
    researchers,
    sequences,
)
from service.db.stores import moves as move_store
from service.db.stores import sightings as sightings_store
from service.domain.dates import PartialDate
from service.domain.institutions import InstitutionIndex
from service.domain.moves import (
    CURATED_STATUSES,
    InferenceSettings,
    InstInfo,
    MoveReport,
    Stint,
    classify_move,
    combine_confidence,
    infer_moves,
    next_status,
    same_move,
)
from service.ingest.observations import (
    AffiliationSeen,
    DocumentSeen,
    InstitutionRef,
    InstitutionSeen,
    JobPostingClosed,
    JobPostingSeen,
    MoveReported,
    PartialDateModel,
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
from service.ingest.sightings import PersonContext

logger = logging.getLogger(__name__)

INFERENCE_EXTRACTOR = "talentflow.inference"
INFERRED_CONFIDENCE = 0.6
PROVISIONAL_CONFIDENCE = 0.4

Status = str  # "created" | "updated" | "unchanged" | "rejected: <reason>"


@dataclass
class BatchItem:
    position: str
    observation: Any
    extractor: str
    extractor_version: str | None
    prepared: bool = False  # ``BatchWriter.prepare`` ran: ``id_problem`` is set
    id_problem: str | None = None


@dataclass
class BatchOutcome:
    statuses: list[Status]
    new_moves: list[dict[str, Any]] = field(default_factory=list)


def _partial(value: PartialDateModel | None) -> tuple[Any, str | None]:
    if value is None:
        return None, None
    return value.to_date(), value.precision


def _pd(value: PartialDateModel | None) -> PartialDate | None:
    return PartialDate(value.year, value.month, value.day) if value else None


def _pd_from_row(day: Any, precision: str | None) -> PartialDate | None:
    if day is None or precision is None:
        return None
    return PartialDate.from_date(day, precision)


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
    if isinstance(obs, AffiliationSeen):
        people.append(obs.person)
        places.append(obs.institution)
    if isinstance(obs, MoveReported):
        people.append(obs.person)
        places += [r for r in (obs.from_institution, obs.to_institution) if r]
    if isinstance(obs, InstitutionSeen):
        places.append(obs)
        if obs.parent:
            places.append(obs.parent)
    if isinstance(obs, JobPostingSeen) and obs.institution:
        places.append(obs.institution)
    bad = [b for p in people if p.ids for b in _bad_person_ids(tuple(p.ids.items()))]
    bad += [b for p in places if p.ids for b in _bad_place_ids(tuple(p.ids.items()))]
    if bad:
        return "ids not valid here: " + ", ".join(bad)
    return None


@dataclass
class BatchWriter:
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
        touched = await self._people_and_affiliations(items, live, statuses, doc_ids)
        await self._job_postings(items, live, statuses)
        outcome = BatchOutcome(statuses)
        await self._reported_moves(items, live, statuses, doc_ids, outcome)
        if touched:
            await self._infer(sorted(touched), outcome)
        return outcome

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
    async def source_document(self) -> int:
        if self._source_doc is None:
            url = f"urn:talentflow:source:{self.plugin}:{self.instance}"
            await documents.insert_documents(
                self.conn,
                [{"url": url, "kind": "dataset", "title": f"{self.plugin} source"}],
                self.plugin,
            )
            found = await documents.fetch_by_urls(self.conn, [url])
            self._source_doc = int(found[url]["id"])
        return self._source_doc

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

    # -- researchers and affiliations ----------------------------------------------------------
    async def _people_and_affiliations(
        self,
        items: Sequence[BatchItem],
        live: list[int],
        statuses: list[Status],
        doc_ids: dict[str, int],
    ) -> set[int]:
        idx = [
            i
            for i in live
            if isinstance(items[i].observation, ResearcherSeen | AffiliationSeen | MoveReported)
        ]
        refs: list[PersonRef | ResearcherSeen] = []
        contexts: list[PersonContext] = []
        for i in idx:
            obs = items[i].observation
            refs.append(obs if isinstance(obs, ResearcherSeen) else obs.person)
            contexts.append(await self._person_context(obs))
        resolved = await self.resolver.people(refs, contexts, doc_ids)
        self.person_of: dict[int, int] = {i: r.id for i, r in zip(idx, resolved, strict=True)}
        created_now = {r.id for r in resolved if r.created}
        created_by = {i for i, r in zip(idx, resolved, strict=True) if r.created}
        self.new_people = set(created_now)
        # researcher profiles: the profile a researcher was created from is stored as it is;
        # any other is compared with the stored one
        seen_idx = [i for i in idx if isinstance(items[i].observation, ResearcherSeen)]
        profile_ids = sorted({self.person_of[i] for i in seen_idx if i not in created_by})
        profiles = await researchers.fetch_profiles(self.conn, profile_ids)
        # Whether a stored researcher gained an id or alias is the answer of the people's insert,
        # sent ahead; only researchers with a profile to compare need it.
        gained = await self.resolver.gained_ids_or_aliases() if profile_ids else set()
        updates: dict[int, dict[str, Any]] = {}
        for i in seen_idx:
            seen: ResearcherSeen = items[i].observation
            rid = self.person_of[i]
            if i in created_by:
                statuses[i] = "created"
                continue
            current = updates.get(rid) or profiles.get(rid)
            if current is None:  # not stored: cannot happen, the people were inserted first
                statuses[i] = "unchanged"
                continue
            wanted = {
                "native_name": seen.native_name or current["native_name"],
                "topics": list(seen.topics) or list(current["topics"] or []),
                "works_count": seen.works_count
                if seen.works_count is not None
                else current["works_count"],
                "cited_by_count": seen.cited_by_count
                if seen.cited_by_count is not None
                else current["cited_by_count"],
                "h_index": seen.h_index if seen.h_index is not None else current["h_index"],
            }
            changed = any(
                (list(current[k] or []) if k == "topics" else current[k]) != v
                for k, v in wanted.items()
            )
            if changed:
                updates[rid] = {**current, **wanted, "id": rid}
            statuses[i] = "updated" if changed or rid in gained else "unchanged"
        await researchers.update_profiles(
            self.conn,
            [
                {
                    k: u[k]
                    for k in (
                        "id",
                        "native_name",
                        "topics",
                        "works_count",
                        "cited_by_count",
                        "h_index",
                        "search_text",
                    )
                }
                for u in updates.values()
            ],
        )
        # affiliations
        aff_idx = [i for i in idx if isinstance(items[i].observation, AffiliationSeen)]
        wanted_rows: dict[tuple[int, int, str, str], dict[str, Any]] = {}
        key_of: dict[int, tuple[int, int, str, str]] = {}
        doc_of_key: dict[tuple[int, int, str, str], set[int | None]] = {}
        for i in aff_idx:
            aff: AffiliationSeen = items[i].observation
            inst_id, _ = await self.resolver.institution(aff.institution)
            key = (self.person_of[i], inst_id, self.plugin, aff.source_key)
            start, start_p = _partial(aff.start)
            end, end_p = _partial(aff.end)
            key_of[i] = key
            doc_of_key.setdefault(key, set()).add(
                (doc_ids.get(aff.document_url) if aff.document_url else None)
                or await self.source_document()
            )
            earlier_years = wanted_rows[key]["years"] if key in wanted_rows else []
            wanted_rows[key] = {
                "researcher_id": key[0],
                "institution_id": key[1],
                "source": key[2],
                "source_key": key[3],
                "role": aff.role,
                "department": aff.department,
                "start_date": start,
                "start_precision": start_p,
                "end_date": end,
                "end_precision": end_p,
                "years": sorted(set(earlier_years) | set(aff.years)),
            }
        existing = await affiliations.fetch_by_keys(
            self.conn, sorted(k for k in wanted_rows if k[0] not in self.new_people)
        )
        inserts, changes = [], []
        compare = (
            "role",
            "department",
            "start_date",
            "start_precision",
            "end_date",
            "end_precision",
            "years",
        )
        for key, row in wanted_rows.items():
            old = existing.get(key)
            if old is None:
                inserts.append(row)
                continue
            # Years are what papers showed, document by document: another document adds its
            # years to those already known, it does not replace them (the same document seen
            # again, revised, does).
            docs = doc_of_key.get(key, set())
            if set(old.get("documents") or ()) - docs:
                row["years"] = sorted(set(old["years"] or ()) | set(row["years"]))
            if any((list(old[k]) if k == "years" else old[k]) != row[k] for k in compare):
                changes.append({**row, "id": old["id"]})
        # New affiliations take their ids now, in the order the insert would have given them:
        # the history of a researcher this batch creates is then known without reading it back.
        for row, new_id in zip(
            inserts, await sequences.next_ids(self.conn, "affiliation", len(inserts)), strict=True
        ):
            row["id"] = new_id
        await affiliations.update(
            self.conn,
            [
                {**r, "start_date": _iso(r["start_date"]), "end_date": _iso(r["end_date"])}
                for r in changes
            ],
        )
        inserted_keys = {
            (r["researcher_id"], r["institution_id"], r["source"], r["source_key"]) for r in inserts
        }
        changed_keys = {
            (r["researcher_id"], r["institution_id"], r["source"], r["source_key"]) for r in changes
        }
        # Evidence names a stored affiliation by id, a new one by its key: the affiliations
        # and their evidence go in together.
        ev_rows: list[tuple[int | None, tuple[int, int, str, str], int, str, str | None]] = []
        counted: set[tuple[int, int, str, str]] = set()
        for i in aff_idx:
            aff = items[i].observation
            key = key_of[i]
            doc = doc_ids.get(aff.document_url) if aff.document_url else None
            old = existing.get(key)
            ev_rows.append(
                (
                    old["id"] if old is not None else None,
                    key,
                    doc or await self.source_document(),
                    items[i].extractor,
                    items[i].extractor_version,
                )
            )
            if key in counted:
                statuses[i] = "unchanged"
            else:
                counted.add(key)
                statuses[i] = (
                    "created"
                    if key in inserted_keys
                    else "updated"
                    if key in changed_keys
                    else "unchanged"
                )
        # The stints of researchers this batch creates are all among these inserts: their
        # history (as ``affiliations.history`` would read it back) and the institutions it
        # names are known before the insert, so inferring their moves needs no statement and
        # goes on while PostgreSQL inserts the affiliations, sent ahead.
        self.fresh_history = self._fresh_history(inserts, ev_rows)
        self.fresh_infos = await self._infos(
            {row["institution_id"] for rows in self.fresh_history.values() for row in rows}
        )
        await send_ahead(
            self.conn,
            affiliations.insert_with_evidence(
                self.conn,
                [
                    {**r, "start_date": _iso(r["start_date"]), "end_date": _iso(r["end_date"])}
                    for r in inserts
                ],
                ev_rows,
            ),
        )
        return {k[0] for k in inserted_keys | changed_keys} | self.resolver.merged_targets

    async def _person_context(
        self, obs: ResearcherSeen | AffiliationSeen | MoveReported
    ) -> PersonContext:
        """What an observation says of the person it names, beside the name: identity
        resolution compares these."""
        if isinstance(obs, ResearcherSeen):
            return PersonContext(document_url=obs.document_url, topics=tuple(obs.topics))
        if isinstance(obs, AffiliationSeen):
            inst_id, _ = await self.resolver.institution(obs.institution)
            years = list(obs.years)
            first = min([*years, *([obs.start.year] if obs.start else [])], default=None)
            last = max([*years, *([obs.end.year] if obs.end else [])], default=None)
            if obs.end is None and not years:
                last = None  # open-ended: still there, as far as the source knows
            return PersonContext(document_url=obs.document_url, stint=(inst_id, first, last))
        from_id = (
            (await self.resolver.institution(obs.from_institution))[0]
            if obs.from_institution
            else None
        )
        to_id = (
            (await self.resolver.institution(obs.to_institution))[0] if obs.to_institution else None
        )
        year = obs.date.year if obs.date else None
        return PersonContext(
            document_url=obs.document_url, move=(from_id, to_id, year), mention=True
        )

    def _fresh_history(
        self,
        inserts: list[dict[str, Any]],
        ev_rows: list[tuple[int | None, tuple[int, int, str, str], int, str, str | None]],
    ) -> dict[int, list[dict[str, Any]]]:
        """The stints of the researchers created in this batch, as ``affiliations.history``
        reads them once inserted: in id order, each with the distinct documents of its
        evidence."""
        docs: dict[tuple[int, int, str, str], set[int]] = {}
        for old_id, key, doc, _extractor, _version in ev_rows:
            if old_id is None and key[0] in self.new_people:
                docs.setdefault(key, set()).add(doc)
        history: dict[int, list[dict[str, Any]]] = {}
        for row in inserts:
            rid = row["researcher_id"]
            if rid not in self.new_people:
                continue
            key = (rid, row["institution_id"], row["source"], row["source_key"])
            history.setdefault(rid, []).append(
                {
                    "id": row["id"],
                    "researcher_id": rid,
                    "institution_id": row["institution_id"],
                    "start_date": row["start_date"],
                    "start_precision": row["start_precision"],
                    "end_date": row["end_date"],
                    "end_precision": row["end_precision"],
                    "years": row["years"],
                    "source": row["source"],
                    "documents": sorted(docs.get(key, ())),
                }
            )
        for rows in history.values():
            rows.sort(key=lambda r: r["id"])
        return history

    # -- job postings --------------------------------------------------------------------------
    async def _job_postings(
        self, items: Sequence[BatchItem], live: list[int], statuses: list[Status]
    ) -> None:
        idx = [i for i in live if isinstance(items[i].observation, JobPostingSeen)]
        wanted: dict[tuple[str, str], dict[str, Any]] = {}
        key_of: dict[int, tuple[str, str]] = {}
        for i in idx:
            job: JobPostingSeen = items[i].observation
            inst_id = (
                (await self.resolver.institution(job.institution))[0] if job.institution else None
            )
            key = (job.source, job.external_id)
            key_of[i] = key
            wanted[key] = {
                "source": job.source,
                "external_id": job.external_id,
                "institution_id": inst_id,
                "title": job.title,
                "team": job.team,
                "department": job.department,
                "location": job.location,
                "country_code": job.country_code,
                "remote": job.remote,
                "posted_at": job.posted_at,
                "updated_at": job.updated_at,
                "url": job.url,
                "description": job.description,
                "is_research": job.is_research,
                "role_category": job.role_category,
                "topics": list(job.topics),
            }
        existing = await job_postings.fetch_by_keys(self.conn, sorted(wanted))
        changed: list[dict[str, Any]] = []
        unchanged_ids: list[int] = []
        state: dict[tuple[str, str], str] = {}
        for key, row in wanted.items():
            old = existing.get(key)
            if old is None:
                state[key] = "created"
            elif old["closed_at"] is not None or any(
                (list(old[f] or []) if f == "topics" else old[f]) != row[f]
                for f in job_postings.FIELDS
            ):
                state[key] = "updated"
            else:
                state[key] = "unchanged"
                unchanged_ids.append(old["id"])
                continue
            changed.append(
                {
                    **row,
                    "posted_at": _iso(row["posted_at"]),
                    "updated_at": _iso(row["updated_at"]),
                }
            )
        await job_postings.upsert(self.conn, changed)
        await job_postings.touch(self.conn, unchanged_ids)
        done: set[tuple[str, str]] = set()
        for i in idx:
            key = key_of[i]
            statuses[i] = "unchanged" if key in done else state[key]
            done.add(key)
        for i in live:
            obs = items[i].observation
            if isinstance(obs, JobPostingClosed):
                result = await job_postings.close(
                    self.conn, obs.source, obs.external_id, obs.closed_at
                )
                statuses[i] = (
                    f"rejected: no job posting {obs.source}/{obs.external_id} is known"
                    if result == "missing"
                    else result
                )

    # -- moves ---------------------------------------------------------------------------------
    async def _infos(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        return await institution_writes.fetch_info(self.conn, sorted(i for i in ids if i))

    @staticmethod
    def _inst_info(row: dict[str, Any] | None) -> InstInfo | None:
        if row is None:
            return None
        return InstInfo(row["kind"], row["country_code"], row["parent_id"], row["parent_kind"])

    @staticmethod
    def _reports_of(move: dict[str, Any]) -> list[MoveReport]:
        """One report per evidence row; the inference counts as one source however many
        affiliation documents back it (they are one line of reasoning, not independent)."""
        date = _pd_from_row(move["move_date"], move["date_precision"])
        reports = []
        for e in move.get("evidence") or []:
            inferred = e.get("extractor") == INFERENCE_EXTRACTOR
            reports.append(
                MoveReport(
                    researcher_id=move["researcher_id"],
                    from_id=move["from_institution_id"],
                    to_id=move["to_institution_id"],
                    date=date,
                    source_kind="inference" if inferred else str(e.get("kind") or ""),
                    publisher=INFERENCE_EXTRACTOR if inferred else e.get("publisher"),
                    confidence=float(e.get("confidence") or 0.0),
                )
            )
        return reports

    @staticmethod
    def _as_report(move: dict[str, Any]) -> MoveReport:
        return MoveReport(
            move["researcher_id"],
            move["from_institution_id"],
            move["to_institution_id"],
            _pd_from_row(move["move_date"], move["date_precision"]),
            "",
            None,
            0.0,
        )

    def _specific(self, current: int | None, other: int | None) -> int | None:
        """The more specific of two compatible ends (a child over its parent, known over
        unknown)."""
        if current is None:
            return other
        if other is None or other == current:
            return current
        return other if current in self.index.ancestors(other) else current

    async def _refine_ends(
        self, move: dict[str, Any], from_id: int | None, to_id: int | None
    ) -> dict[str, Any]:
        """Fields that make a move's ends the more specific of what it says and what a merged
        report says, reclassified; {} when nothing changes."""
        new_from = self._specific(move["from_institution_id"], from_id)
        new_to = self._specific(move["to_institution_id"], to_id)
        if (new_from, new_to) == (move["from_institution_id"], move["to_institution_id"]):
            return {}
        if new_from is not None and new_from == new_to:
            return {}
        infos = await self._infos({x for x in (new_from, new_to) if x})
        from_info = self._inst_info(infos.get(new_from)) if new_from else None
        to_info = self._inst_info(infos.get(new_to)) if new_to else None
        cls = classify_move(from_info, to_info)
        return {
            "from_institution_id": new_from,
            "to_institution_id": new_to,
            "from_country": from_info.country_code if from_info else None,
            "to_country": to_info.country_code if to_info else None,
            "kind": cls.kind,
        }

    def _rescore(self, move: dict[str, Any]) -> dict[str, Any]:
        """Confidence over the move's independent sources and its next status."""
        reports = self._reports_of(move)
        if not reports:
            return {}
        return {
            "confidence": combine_confidence(reports),
            "status": next_status(move["status"], reports),
        }

    @staticmethod
    def _changed(move: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
        return {
            k: v
            for k, v in fields.items()
            if (round(float(move[k]), 4) if k == "confidence" else move[k])
            != (round(float(v), 4) if k == "confidence" else v)
        }

    async def _reported_moves(
        self,
        items: Sequence[BatchItem],
        live: list[int],
        statuses: list[Status],
        doc_ids: dict[str, int],
        outcome: BatchOutcome,
    ) -> None:
        idx = [i for i in live if isinstance(items[i].observation, MoveReported)]
        if not idx:
            return
        people = sorted({self.person_of[i] for i in idx})
        self.reported_people = set(people)
        known: dict[int, list[dict[str, Any]]] = {}
        for move in await move_store.for_researchers(self.conn, people):
            known.setdefault(move["researcher_id"], []).append(move)
        docs = await documents.fetch_by_urls(
            self.conn, sorted({items[i].observation.document_url for i in idx})
        )
        for i in idx:
            rep: MoveReported = items[i].observation
            rid = self.person_of[i]
            from_id = (
                (await self.resolver.institution(rep.from_institution))[0]
                if rep.from_institution
                else None
            )
            to_id = (
                (await self.resolver.institution(rep.to_institution))[0]
                if rep.to_institution
                else None
            )
            if from_id is not None and from_id == to_id:
                statuses[i] = "rejected: the move's from and to institutions are the same"
                continue
            doc = docs[rep.document_url]
            report = MoveReport(
                researcher_id=rid,
                from_id=from_id,
                to_id=to_id,
                date=_pd(rep.date),
                source_kind=str(doc["kind"]),
                publisher=doc["publisher"] or rep.document_url,
                confidence=rep.confidence,
            )
            extractor = rep.extractor or items[i].extractor
            ev = {
                "document_id": doc_ids[rep.document_url],
                "quote": rep.quote,
                "span_start": rep.span_start,
                "span_end": rep.span_end,
                "extractor": extractor,
                "extractor_version": items[i].extractor_version,
                "confidence": rep.confidence,
            }
            match = next(
                (
                    move
                    for move in known.get(rid, [])
                    if same_move(self._as_report(move), report, self.index)
                ),
                None,
            )
            if match is not None:
                gained = await evidence.add_move_evidence(
                    self.conn, [{**ev, "move_id": match["id"]}]
                )
                if not gained:
                    statuses[i] = "unchanged"
                    continue
                match.setdefault("evidence", []).append(
                    {
                        "kind": report.source_kind,
                        "publisher": report.publisher,
                        "confidence": rep.confidence,
                        "extractor": extractor,
                    }
                )
                fields = await self._refine_ends(match, from_id, to_id)
                match.update(fields)
                fields |= self._rescore(match)
                await move_store.update_fields(self.conn, match["id"], fields)
                match.update(fields)
                statuses[i] = "updated"
                continue
            infos = await self._infos({x for x in (from_id, to_id) if x})
            from_info = self._inst_info(infos.get(from_id)) if from_id else None
            to_info = self._inst_info(infos.get(to_id)) if to_id else None
            cls = classify_move(from_info, to_info)
            day, precision = _partial(rep.date)
            row = await move_store.insert(
                self.conn,
                {
                    "researcher_id": rid,
                    "from_institution_id": from_id,
                    "to_institution_id": to_id,
                    "from_country": from_info.country_code if from_info else None,
                    "to_country": to_info.country_code if to_info else None,
                    "move_date": day,
                    "date_precision": precision,
                    "kind": cls.kind,
                    "is_returnee": cls.returnee,
                    "status": "reported",
                    "confidence": combine_confidence([report]),
                    "provisional": False,
                    "origin": "reported",
                },
            )
            await evidence.add_move_evidence(self.conn, [{**ev, "move_id": row["id"]}])
            row["evidence"] = [
                {
                    "kind": report.source_kind,
                    "publisher": report.publisher,
                    "confidence": rep.confidence,
                    "extractor": extractor,
                }
            ]
            known.setdefault(rid, []).append(row)
            outcome.new_moves.append(row)
            statuses[i] = "created"

    async def _infer(self, researcher_ids: list[int], outcome: BatchOutcome) -> None:
        """Re-infer moves from the whole affiliation history of these researchers.

        An inferred move goes to the move already known for it: the inferred move with the same
        ends, else any move ``same_move`` matches (a report naming the parent company merges
        with the inferred move to its lab, and the move keeps the more specific end). Moves the
        history no longer supports lose their inference evidence; one left with no evidence and
        no curator's word is deleted with an ``inference_withdrawn`` audit row.
        """
        # A researcher created in this batch and named by no move report has the history built
        # with the affiliations and no moves: nothing to read. The others' history and moves
        # are read when the first of them comes up, after the affiliations' insert.
        fresh = {
            r: rows
            for r in researcher_ids
            if r not in self.reported_people
            and r not in self.resolver.merged_targets
            and (rows := self.fresh_history.get(r)) is not None
        }
        others = [r for r in researcher_ids if r not in fresh]
        by_person: dict[int, list[dict[str, Any]]] = {rid: [] for rid in others}
        infos = dict(self.fresh_infos)
        known: dict[int, list[dict[str, Any]]] = {}

        async def read_stored() -> None:
            history = await affiliations.history(self.conn, others)
            for row in history:
                by_person.setdefault(row["researcher_id"], []).append(row)
            infos.update(
                await self._infos({row["institution_id"] for row in history} - infos.keys())
            )
            may_have_moves = [
                r for r in others if r not in self.new_people or r in self.reported_people
            ]
            for row in await move_store.for_researchers(self.conn, may_have_moves):
                known.setdefault(row["researcher_id"], []).append(row)

        settings = InferenceSettings(
            current_year=datetime.now(UTC).year,
            allowed_overlap_years=self.settings.inference_allowed_overlap_years,
            min_stay_years=self.settings.inference_min_stay_years,
            provisional_years=self.settings.inference_provisional_years,
        )
        evidence_rows: list[dict[str, Any]] = []
        confidences: list[tuple[int, float]] = []
        doubts = await sightings_store.doubts(self.conn, researcher_ids)
        # New moves are built in memory under placeholder ids (-1, -2, ...) and inserted in one
        # statement at the end, with ids taken from the sequence in the same order, so the rows
        # are the ones single inserts followed by their updates would have left.
        pending: list[dict[str, Any]] = []
        read = False
        for rid in researcher_ids:
            if rid in fresh:
                rows = fresh[rid]
            else:
                if not read:
                    await read_stored()
                    read = True
                rows = by_person[rid]
            stints = [
                Stint(
                    institution_id=row["institution_id"],
                    start=_pd_from_row(row["start_date"], row["start_precision"]),
                    end=_pd_from_row(row["end_date"], row["end_precision"]),
                    years=frozenset(row["years"] or ()),
                    source=str(row["id"]),
                )
                for row in rows
            ]
            claimed: set[int] = set()
            # (institution, its country, the stint's first year) for the stints with both known
            dated = [
                (row["institution_id"], country, first)
                for row in rows
                if (country := infos.get(row["institution_id"], {}).get("country_code"))
                and (first := _first_year(row)) is not None
            ]
            for move in infer_moves(stints, settings):
                from_info = self._inst_info(infos.get(move.from_institution_id))
                to_info = self._inst_info(infos.get(move.to_institution_id))
                prior = [
                    country
                    for inst, country, first in dated
                    if first < move.date.year and inst != move.from_institution_id
                ]
                cls = classify_move(from_info, to_info, prior)
                confidence = PROVISIONAL_CONFIDENCE if move.provisional else INFERRED_CONFIDENCE
                # A move across a merge resting on names and context is no surer than the merge.
                identity, doubt = identity_doubt(
                    rows,
                    doubts.get(rid, {}),
                    move.from_institution_id,
                    move.to_institution_id,
                )
                confidence = round(confidence * identity, 4)
                wanted: dict[str, Any] = {
                    "move_date": move.date.to_date(),
                    "date_precision": move.date.precision,
                    "kind": cls.kind,
                    "is_returnee": cls.returnee,
                    "provisional": move.provisional,
                    "confidence": confidence,
                    "from_country": from_info.country_code if from_info else None,
                    "to_country": to_info.country_code if to_info else None,
                }
                candidates = [m for m in known.get(rid, []) if m["id"] not in claimed]
                match = next(
                    (
                        m
                        for m in candidates
                        if m["origin"] == "inferred"
                        and m["from_institution_id"] == move.from_institution_id
                        and m["to_institution_id"] == move.to_institution_id
                    ),
                    None,
                )
                if match is None:
                    as_report = MoveReport(
                        rid,
                        move.from_institution_id,
                        move.to_institution_id,
                        move.date,
                        "inference",
                        INFERENCE_EXTRACTOR,
                        confidence,
                    )
                    match = next(
                        (
                            m
                            for m in candidates
                            if same_move(self._as_report(m), as_report, self.index)
                        ),
                        None,
                    )
                if match is None:
                    row = {
                        "id": -(len(pending) + 1),
                        "researcher_id": rid,
                        "from_institution_id": move.from_institution_id,
                        "to_institution_id": move.to_institution_id,
                        "from_country": wanted["from_country"],
                        "to_country": wanted["to_country"],
                        "move_date": wanted["move_date"],
                        "date_precision": wanted["date_precision"],
                        "kind": wanted["kind"],
                        "is_returnee": wanted["is_returnee"],
                        "status": "reported",
                        "confidence": wanted["confidence"],
                        "provisional": wanted["provisional"],
                        "origin": "inferred",
                        "reasons": doubt,
                    }
                    pending.append(row)
                    row["evidence"] = []
                    known.setdefault(rid, []).append(row)
                    outcome.new_moves.append(row)
                    match = row
                    fields: dict[str, Any] = {}
                elif match["origin"] == "inferred":
                    fields = {**wanted, "confidence": match["confidence"], "reasons": doubt}
                    fields |= await self._refine_ends(
                        match, move.from_institution_id, move.to_institution_id
                    )
                else:  # a reported or manual move the inference agrees with
                    fields = await self._refine_ends(
                        match, move.from_institution_id, move.to_institution_id
                    )
                claimed.add(match["id"])
                docs = sorted(
                    {
                        doc
                        for row in rows
                        if row["institution_id"]
                        in (move.from_institution_id, move.to_institution_id)
                        for doc in row["documents"] or []
                    }
                ) or [await self.source_document()]
                had = {
                    e.get("document_id")
                    for e in match.get("evidence") or []
                    if e.get("extractor") == INFERENCE_EXTRACTOR
                }
                evidence_rows += [
                    {
                        "move_id": match["id"],
                        "document_id": doc,
                        "quote": None,
                        "span_start": None,
                        "span_end": None,
                        "extractor": INFERENCE_EXTRACTOR,
                        "extractor_version": None,
                        "confidence": confidence,
                    }
                    for doc in docs
                    if doc not in had
                ]
                kept = [
                    e
                    for e in match.get("evidence") or []
                    if e.get("extractor") != INFERENCE_EXTRACTOR
                ]
                match["evidence"] = kept + [
                    {"document_id": doc, "extractor": INFERENCE_EXTRACTOR, "confidence": confidence}
                    for doc in docs
                ]
                confidences.append((match["id"], confidence))
                merged = {**match, **fields}
                fields |= self._rescore(merged)
                diff = self._changed(match, fields)
                if match["id"] > 0:
                    await move_store.update_fields(self.conn, match["id"], diff)
                match.update(diff)
            await self._withdraw_unsupported(
                [m for m in known.get(rid, []) if m["id"] not in claimed]
            )
        # New moves and all the evidence in one statement; evidence of a new move names it by
        # its placeholder id, and is inserted with the confidence already.
        stored = await move_store.insert_with_evidence(self.conn, pending, evidence_rows)
        for row, stored_row in zip(pending, stored, strict=True):
            doubt = row["reasons"]
            row.update(stored_row)
            if doubt:
                await move_store.update_fields(self.conn, row["id"], {"reasons": doubt})
                row["reasons"] = doubt
        confidences = [(m, c) for m, c in confidences if m > 0]
        await evidence.set_move_evidence_confidence(self.conn, confidences, INFERENCE_EXTRACTOR)

    async def _withdraw_unsupported(self, moves: list[dict[str, Any]]) -> None:
        stale = [
            m
            for m in moves
            if any(e.get("extractor") == INFERENCE_EXTRACTOR for e in m.get("evidence") or [])
        ]
        if not stale:
            return
        doomed: list[dict[str, Any]] = []
        stripped: list[int] = []
        for move in stale:
            others = [
                e for e in move.get("evidence") or [] if e.get("extractor") != INFERENCE_EXTRACTOR
            ]
            if not others:
                if move["status"] in CURATED_STATUSES:
                    continue  # a curator's word on it: keep it, with what backs it
                doomed.append(move)
                continue
            stripped.append(move["id"])
            move["evidence"] = others
            fields = self._rescore(move)
            if move["origin"] == "inferred":
                fields["origin"] = "reported"
                fields["provisional"] = False
            diff = self._changed(move, fields)
            await move_store.update_fields(self.conn, move["id"], diff)
            move.update(diff)
        await evidence.remove_move_evidence(self.conn, stripped, INFERENCE_EXTRACTOR)
        await move_store.withdraw(self.conn, doomed, actor=f"ingest:{self.instance}")
        for move in doomed:
            logger.info(
                "withdrew inferred move %s of researcher %s: no longer in the affiliation history",
                move["id"],
                move["researcher_id"],
            )


def identity_doubt(
    rows: Sequence[dict[str, Any]],
    doubts: dict[int, tuple[float, tuple[str, ...]]],
    from_id: int | None,
    to_id: int | None,
) -> tuple[float, list[str]]:
    """How sure it is that the stints at the two ends of a move are one person's, and why not:
    1 when a document shows both, or when neither end rests on a sighting joined on names and
    context; else the best pairing of a document at each end, each as sure as its sighting."""
    ends = []
    for inst in (from_id, to_id):
        ends.append(
            {d for row in rows if row["institution_id"] == inst for d in row["documents"] or ()}
        )
    if not ends[0] or not ends[1] or ends[0] & ends[1]:
        return 1.0, []
    best = 0.0
    why: tuple[str, ...] = ()
    for a in ends[0]:
        for b in ends[1]:
            ca, ra = doubts.get(a, (1.0, ()))
            cb, rb = doubts.get(b, (1.0, ()))
            pair = min(ca, cb)
            if pair > best:
                best, why = pair, ra if ca <= cb else rb
    if best >= 1.0:
        return 1.0, []
    reason = f"its two stints were joined on names and context (p={best:.2f})"
    return best, [reason, *why][:6]


def _first_year(row: dict[str, Any]) -> int | None:
    years = list(row["years"] or [])
    if row["start_date"] is not None:
        years.append(row["start_date"].year)
    return min(years) if years else None


def _iso(value: Any) -> Any:
    return value.isoformat() if value is not None else None
