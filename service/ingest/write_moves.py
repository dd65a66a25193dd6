"""Writing a batch's moves: reports merged with the moves known, moves inferred from
affiliation histories, and inferred moves the history no longer supports withdrawn."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from service.db.stores import (
    affiliations,
    documents,
    educations,
    evidence,
)
from service.db.stores import institutions as institution_store
from service.db.stores import moves as move_store
from service.db.stores import sightings as sightings_store
from service.domain.move_classes import (
    Doctorate,
    country_years,
    is_dual_affiliation,
    is_first_job_after_doctorate,
)
from service.domain.moves import (
    CURATED_STATUSES,
    InferenceSettings,
    InferredMove,
    InstInfo,
    MoveReport,
    Relation,
    Stint,
    classify_move,
    combine_confidence,
    deny,
    doctorate_stints,
    infer_moves,
    is_visiting_role,
    same_move,
    status_from_evidence,
)
from service.ingest.observations import (
    MoveReported,
)
from service.ingest.writing import (
    BatchItem,
    BatchOutcome,
    Status,
    WriterBase,
    partial_date,
    partial_date_columns,
    partial_date_from_row,
)

logger = logging.getLogger(__name__)

INFERENCE_EXTRACTOR = "talentflow.inference"


class MoveWriting(WriterBase):
    """Reported and inferred moves with their evidence."""

    @staticmethod
    def _inst_info(row: dict[str, Any] | None) -> InstInfo | None:
        if row is None:
            return None
        return InstInfo(row["kind"], row["country_code"], row["parent_id"], row["parent_kind"])

    @staticmethod
    def _reports_of(move: dict[str, Any]) -> list[MoveReport]:
        """One report per evidence row; the inference counts as one source however many
        affiliation documents back it (they are one line of reasoning, not independent)."""
        date = partial_date_from_row(move["move_date"], move["date_precision"])
        reports = []
        for e in move.get("evidence") or []:
            if e.get("modality") == "denied":
                continue  # evidence against the move: see _rescore
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
            partial_date_from_row(move["move_date"], move["date_precision"]),
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
        evidence = [e for e in move.get("evidence") or [] if e.get("modality") != "denied"]
        firm = [
            r for r, e in zip(reports, evidence, strict=True) if e.get("modality") != "rumoured"
        ]
        denials = [
            float(e.get("confidence") or 0.0)
            for e in move.get("evidence") or []
            if e.get("modality") == "denied"
        ]
        return {
            "confidence": deny(combine_confidence(reports), denials),
            "status": status_from_evidence(move["status"], firm, reports),
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
                date=partial_date(rep.date),
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
                "modality": rep.modality,
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
                        "modality": rep.modality,
                    }
                )
                if rep.modality == "denied":  # evidence against: the ends stay as they are
                    fields = self._rescore(match)
                    await move_store.update_fields(self.conn, match["id"], fields)
                    match.update(fields)
                    statuses[i] = "updated"
                    continue
                fields = await self._refine_ends(match, from_id, to_id)
                match.update(fields)
                fields |= self._rescore(match)
                await move_store.update_fields(self.conn, match["id"], fields)
                match.update(fields)
                statuses[i] = "updated"
                continue
            if rep.modality == "denied":
                statuses[i] = "unchanged"  # a denial of a move nobody reported: nothing to lower
                continue
            infos = await self._infos({x for x in (from_id, to_id) if x})
            from_info = self._inst_info(infos.get(from_id)) if from_id else None
            to_info = self._inst_info(infos.get(to_id)) if to_id else None
            cls = classify_move(from_info, to_info)
            day, precision = partial_date_columns(rep.date)
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
                    "status": "rumoured" if rep.modality == "rumoured" else "reported",
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
                    "modality": rep.modality,
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
            visit_max_years=self.settings.inference_visit_max_years,
            visit_max_documents=self.settings.inference_visit_max_documents,
            leave_max_years=self.settings.inference_leave_max_years,
            leave_min_home_years=self.settings.inference_leave_min_home_years,
            continuity_years=self.settings.inference_continuity_years,
        )
        relations = [
            Relation(
                r["predecessor_id"],
                r["successor_id"],
                r["kind"],
                partial_date_from_row(r["relation_date"], r["date_precision"]),
            )
            for r in await institution_store.relations(self.conn)
        ]
        evidence_rows: list[dict[str, Any]] = []
        confidences: list[tuple[int, float]] = []
        # Researchers created by this batch without a join on names have no doubtful sighting.
        doubts = await sightings_store.doubts(
            self.conn,
            [
                r
                for r in researcher_ids
                if r not in self.new_people
                or r in self.resolver.doubtful
                or r in self.resolver.merged_targets
            ],
        )
        # Countries of study count for the returnee class as countries worked in do.
        studied = await educations.for_classes(self.conn, researcher_ids)
        # a doctorate can be the first stint of a history (doctorate_stints): its institution
        # is classified like the others
        schools = {e["institution_id"] for rows in studied.values() for e in rows} - infos.keys()
        if schools:
            infos.update(await self._infos(schools))
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
                    start=partial_date_from_row(row["start_date"], row["start_precision"]),
                    end=partial_date_from_row(row["end_date"], row["end_precision"]),
                    years=frozenset(row["years"] or ()),
                    source=str(row["id"]),
                    documents=len(row["documents"] or ()),
                    visiting=is_visiting_role(row.get("role")),
                    year_documents=tuple(
                        sorted(
                            (int(y), int(n)) for y, n in (row.get("year_documents") or {}).items()
                        )
                    ),
                )
                for row in rows
            ]
            stints += doctorate_stints(
                (
                    (
                        e["institution_id"],
                        partial_date_from_row(e["start_date"], e["start_precision"]),
                        partial_date_from_row(e["end_date"], e["end_precision"]),
                    )
                    for e in studied.get(rid, ())
                    if e["degree"] == "doctorate"
                ),
                stints,
                settings,
            )
            claimed: set[int] = set()
            doctorates = [
                Doctorate(e["institution_id"], e["last"])
                for e in studied.get(rid, ())
                if e["degree"] == "doctorate"
            ]
            earlier_moves = 0
            home_years = country_years(
                stints,
                {
                    row["institution_id"]: infos.get(row["institution_id"], {}).get("country_code")
                    for row in rows
                },
                settings,
            )
            # (institution, its country, the stint's first year) for the stints with both known
            dated = [
                (row["institution_id"], country, first)
                for row in rows
                if (country := infos.get(row["institution_id"], {}).get("country_code"))
                and (first := _first_year(row)) is not None
            ]
            for move in infer_moves(stints, settings, relations=relations, index=self.index):
                from_info = self._inst_info(infos.get(move.from_institution_id))
                to_info = self._inst_info(infos.get(move.to_institution_id))
                prior = [
                    country
                    for inst, country, first in dated
                    if first < move.date.year and inst != move.from_institution_id
                ] + [
                    e["country_code"]
                    for e in studied.get(rid, ())
                    if e["country_code"] and e["first"] is not None and e["first"] < move.date.year
                ]
                cls = classify_move(from_info, to_info, prior)
                # A move across a merge resting on names and context is no surer than the merge.
                identity, doubt = identity_doubt(
                    rows,
                    doubts.get(rid, {}),
                    move.from_institution_id,
                    move.to_institution_id,
                )
                confidence = round(move.confidence * identity, 4)
                details = _inference_details(move)
                if identity < 1.0:
                    details["reasons"] = {**details["reasons"], "identity": round(identity, 4)}
                wanted: dict[str, Any] = {
                    **details,
                    "move_date": move.date.to_date(),
                    "date_precision": move.date.precision,
                    "kind": cls.kind,
                    "is_returnee": cls.returnee,
                    "is_dual_affiliation": not move.visit
                    and is_dual_affiliation(
                        from_info.country_code if from_info else None,
                        to_info.country_code if to_info else None,
                        move.date.year,
                        home_years,
                        settings.allowed_overlap_years,
                    ),
                    "is_first_job_after_doctorate": not move.visit
                    and is_first_job_after_doctorate(
                        move.from_institution_id, move.date.year, doctorates, earlier_moves
                    ),
                    "provisional": move.provisional,
                    "confidence": confidence,
                    "from_country": from_info.country_code if from_info else None,
                    "to_country": to_info.country_code if to_info else None,
                }
                if not move.visit:
                    earlier_moves += 1
                candidates = [m for m in known.get(rid, []) if m["id"] not in claimed]
                match = next(
                    (
                        m
                        for m in candidates
                        if m["origin"] == "inferred"
                        and bool(m.get("is_visit")) == move.visit
                        and m["from_institution_id"] == move.from_institution_id
                        and m["to_institution_id"] == move.to_institution_id
                    ),
                    None,
                )
                if match is None and not move.visit:  # a visit is no report's move
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
                            if not m.get("is_visit")
                            and same_move(self._as_report(m), as_report, self.index)
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
                        "is_dual_affiliation": wanted["is_dual_affiliation"],
                        "is_first_job_after_doctorate": wanted["is_first_job_after_doctorate"],
                        "status": "reported",
                        "confidence": wanted["confidence"],
                        "provisional": wanted["provisional"],
                        "origin": "inferred",
                        **details,
                        "doubts": doubt,
                    }
                    pending.append(row)
                    row["evidence"] = []
                    known.setdefault(rid, []).append(row)
                    if not move.visit:  # notifications and hooks are about moves
                        outcome.new_moves.append(row)
                    match = row
                    fields: dict[str, Any] = {}
                elif match["origin"] == "inferred":
                    fields = {**wanted, "confidence": match["confidence"], "doubts": doubt}
                    fields |= await self._refine_ends(
                        match, move.from_institution_id, move.to_institution_id
                    )
                else:  # a reported or manual move the inference agrees with
                    fields = await self._refine_ends(
                        match, move.from_institution_id, move.to_institution_id
                    )
                    # A report cannot know that the person is going back to a country they
                    # were in (worked or studied) before; the history can.
                    if wanted["is_returnee"] and not match.get("is_returnee"):
                        fields["is_returnee"] = True
                    # Nor that they keep their affiliation at home: a traveller, not a migrant.
                    if wanted["is_dual_affiliation"] != bool(match.get("is_dual_affiliation")):
                        fields["is_dual_affiliation"] = wanted["is_dual_affiliation"]
                    # Nor that it leaves the university of their doctorate for a first job.
                    first_job = wanted["is_first_job_after_doctorate"]
                    if first_job != bool(match.get("is_first_job_after_doctorate")):
                        fields["is_first_job_after_doctorate"] = first_job
                    fields["reasons"] = wanted["reasons"]
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
            doubt = row["doubts"]
            row.update(stored_row)
            if doubt:
                await move_store.update_fields(self.conn, row["id"], {"doubts": doubt})
                row["doubts"] = doubt
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


def _inference_details(move: InferredMove) -> dict[str, Any]:
    """The columns an inferred move or visit adds: its flag, interval and reasons."""
    return {
        "is_visit": move.visit,
        "date_earliest": move.earliest.to_date() if move.earliest else None,
        "earliest_precision": move.earliest.precision if move.earliest else None,
        "date_latest": move.latest.to_date() if move.latest else None,
        "latest_precision": move.latest.precision if move.latest else None,
        "reasons": dict(move.reasons),
    }


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
