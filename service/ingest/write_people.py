"""Writing a batch's researchers and their affiliations (stints with evidence)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from service.db.ordered import send_ahead
from service.db.stores import (
    affiliations,
    researchers,
    sequences,
)
from service.domain.identity import DEPARTMENT
from service.ingest.observations import (
    AffiliationSeen,
    EducationSeen,
    MoveReported,
    PersonRef,
    ResearcherSeen,
)
from service.ingest.sightings import PersonContext
from service.ingest.writing import (
    BatchItem,
    Status,
    WriterBase,
    iso_or_none,
    partial_date_columns,
)

logger = logging.getLogger(__name__)

# Degrees whose years are research at the institution, context for identity like a post.
RESEARCH_TRAINING = frozenset({"doctorate", "postdoc"})


class PeopleWriting(WriterBase):
    """Researchers (through the resolver's sightings) and affiliations, with their evidence."""

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
            if isinstance(
                items[i].observation,
                ResearcherSeen | AffiliationSeen | EducationSeen | MoveReported,
            )
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
            start, start_p = partial_date_columns(aff.start)
            end, end_p = partial_date_columns(aff.end)
            key_of[i] = key
            doc_of_key.setdefault(key, set()).add(
                (doc_ids.get(aff.document_url) if aff.document_url else None)
                or await self.source_document()
            )
            earlier_years = wanted_rows[key]["years"] if key in wanted_rows else []
            earlier_counts = wanted_rows[key]["year_documents"] if key in wanted_rows else {}
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
                "year_documents": _max_counts(
                    earlier_counts, {str(y): n for y, n in aff.documents_per_year.items()}
                ),
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
            "year_documents",
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
                row["year_documents"] = _max_counts(
                    old.get("year_documents") or {}, row["year_documents"]
                )
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
                {
                    **r,
                    "start_date": iso_or_none(r["start_date"]),
                    "end_date": iso_or_none(r["end_date"]),
                }
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
                    {
                        **r,
                        "start_date": iso_or_none(r["start_date"]),
                        "end_date": iso_or_none(r["end_date"]),
                    }
                    for r in inserts
                ],
                ev_rows,
            ),
        )
        return {k[0] for k in inserted_keys | changed_keys} | self.resolver.merged_targets

    async def _person_context(
        self, obs: ResearcherSeen | AffiliationSeen | EducationSeen | MoveReported
    ) -> PersonContext:
        """What an observation says of the person it names, beside the name: identity
        resolution compares these."""
        if isinstance(obs, ResearcherSeen):
            return PersonContext(document_url=obs.document_url, topics=tuple(obs.topics))
        if isinstance(obs, EducationSeen):
            # Years of research training place the person at the institution like a post
            # does: a student's byline there during a doctorate a profile lists is the same
            # person. A bachelor's or master's says less: a university's students outnumber
            # its researchers, and a namesake on its staff meets every one of them.
            if obs.degree not in RESEARCH_TRAINING:
                return PersonContext(document_url=obs.document_url)
            inst_id, _ = await self.resolver.institution(obs.institution)
            first = obs.start.year if obs.start else None
            last = obs.end.year if obs.end else None
            return PersonContext(document_url=obs.document_url, stint=(inst_id, first, last))
        if isinstance(obs, AffiliationSeen):
            inst_id, _ = await self.resolver.institution(obs.institution)
            years = list(obs.years)
            first = min([*years, *([obs.start.year] if obs.start else [])], default=None)
            last = max([*years, *([obs.end.year] if obs.end else [])], default=None)
            if obs.end is None and not years:
                last = None  # open-ended: still there, as far as the source knows
            # The department names the person's field, compared like a topic.
            field = (f"{DEPARTMENT}{obs.department}",) if obs.department else ()
            return PersonContext(
                document_url=obs.document_url, stint=(inst_id, first, last), topics=field
            )
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
                    "year_documents": row["year_documents"],
                    "source": row["source"],
                    "role": row.get("role"),
                    "documents": sorted(docs.get(key, ())),
                }
            )
        for rows in history.values():
            rows.sort(key=lambda r: r["id"])
        return history


def _max_counts(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    """Documents per year from two sightings of one affiliation: the larger count of each year
    (two sightings count the same works; they do not add up), years in order."""
    merged = dict(a)
    for year, count in b.items():
        merged[year] = max(int(merged.get(year, 0)), int(count))
    return {year: int(merged[year]) for year in sorted(merged)}
