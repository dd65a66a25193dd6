"""Entity resolution for ingestion, behind one interface.

Researchers: every observation naming a person becomes a *sighting* (names, ids, stints,
topics, document); the resolver gathers the stored sightings of candidate researchers (strong
ids, then the name-variant blocking keys of ``service.domain.names``) and applies the one
decision of ``service.domain.identity.resolve``: merge, candidate (a ``candidate_match`` row for
a curator, never merged silently) or separate. The same decision runs within a batch, across
batches and runs, and in curation.

Institutions: external ids, then slug, then the run's ``service.domain.institutions``
index (exact alias, the parts of a raw affiliation string, a conservative fuzzy match with the
country as tie-break). The index is loaded once per run and follows the institutions the run
creates. Anything unresolved becomes a new institution flagged ``reviewed = false`` with its name
as an alias, so the next run resolves the same string to the same row. Names and ids of a
reference are learnt (added as aliases / external ids) only from exact matches, never from a
segment or fuzzy one.

The resolver caches what it resolved for the whole run, so a batch costs a few queries.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import asyncpg
from pydantic import BaseModel

from service.db.ordered import send_ahead
from service.db.stores import institution_writes, researchers, sequences
from service.db.stores import sightings as sightings_store
from service.db.stores.curation import merge_for_identity
from service.db.stores.institutions import institution_search_text
from service.db.stores.sightings import SightingRow, StoredSighting
from service.domain.identity import Context as IdentityContext
from service.domain.identity import Institutions, Sighting, reference_frequencies, resolve
from service.domain.institutions import InstitutionIndex, InstitutionRecord
from service.domain.names import (
    fold,
    normalize_institution,
    person_name_variants,
    researcher_search_text,
)
from service.ingest.observations import InstitutionRef, InstitutionSeen, PersonRef, ResearcherSeen
from service.ingest.sightings import (
    Draft,
    PersonContext,
    group,
    person_keys,
    sighting_block_keys,
)

logger = logging.getLogger(__name__)

STRONG_SCHEMES = ("orcid", "openalex")
RESEARCHER_ID_RULES = {"orcid": r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$", "openalex": r"^A\d+$"}
INSTITUTION_ID_RULES = {
    "ror": r"^0[a-z0-9]{6}\d{2}$",
    "openalex": r"^I\d+$",
    "wikidata": r"^Q\d+$",
}


def invalid_ids(ids: dict[str, str], rules: dict[str, str]) -> list[str]:
    """The ``scheme=value`` pairs that the database would refuse for this kind of entity."""
    if not ids:
        return []
    bad = [f"{s}={v}" for s, v in ids.items() if s in rules and not _rule(rules[s]).match(v)]
    bad += [f"{s}={v[:40]}..." for s, v in ids.items() if len(v) > 200]
    return bad


@lru_cache(maxsize=64)
def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def field_value(model: BaseModel, name: str) -> Any:
    """``getattr(model, name, None)`` for a pydantic model's field: None when the model has no
    such field, without the exception pydantic's ``__getattr__`` raises and getattr catches."""
    return model.__dict__.get(name)


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(name)).strip("-")[:80].strip("-")
    return slug or "institution"


def name_keys(name: str, native: str | None = None) -> set[str]:
    keys = {fold(name)} | set(person_name_variants(name))
    if native:
        keys |= {fold(native)} | set(person_name_variants(native))
    return {k for k in keys if k}


@dataclass
class PersonResolution:
    id: int
    created: bool


@dataclass
class CandidatePool:
    """The researchers a batch's sightings could be, each with its sightings; kept up to date
    as the batch places its own sightings, so a later sighting of the batch meets them as a
    later batch would."""

    researchers: dict[int, list[Sighting]] = field(default_factory=dict)
    by_key: dict[str, set[int]] = field(default_factory=dict)
    by_fingerprint: dict[str, tuple[int, float]] = field(default_factory=dict)
    names: dict[int, set[str]] = field(default_factory=dict)
    by_name: dict[str, set[int]] = field(default_factory=dict)
    # (lower, higher) researcher ids a curator declared two people: never merged by a sighting
    apart: set[tuple[int, int]] = field(default_factory=set)

    def _index(self, rid: int, sighting: Sighting, keys: Sequence[str]) -> None:
        self.researchers.setdefault(rid, []).append(sighting)
        for key in keys:
            self.by_key.setdefault(key, set()).add(rid)
        folded = self.names.setdefault(rid, set())
        for name in sighting.all_names():
            for key in person_keys(name):
                if key not in folded:
                    folded.add(key)
                    self.by_name.setdefault(key, set()).add(rid)

    def add_stored(self, stored: StoredSighting) -> None:
        self.by_fingerprint.setdefault(
            stored.fingerprint, (stored.researcher_id, stored.confidence)
        )
        self._index(stored.researcher_id, stored.sighting, sighting_block_keys(stored.sighting))

    def add_profile(self, rid: int, sighting: Sighting) -> None:
        self._index(rid, sighting, sighting_block_keys(sighting))

    def add(self, rid: int, draft: Draft) -> None:
        self._index(rid, draft.sighting, draft.block_keys)

    def absorb(self, source: int, target: int) -> None:
        """``source`` was merged into ``target``."""
        self.researchers.setdefault(target, []).extend(self.researchers.pop(source, []))
        for rids in self.by_key.values():
            if source in rids:
                rids.discard(source)
                rids.add(target)
        moved = self.names.pop(source, set())
        self.names.setdefault(target, set()).update(moved)
        for key in moved:
            rids = self.by_name.setdefault(key, set())
            rids.discard(source)
            rids.add(target)
        for fp, (rid, conf) in list(self.by_fingerprint.items()):
            if rid == source:
                self.by_fingerprint[fp] = (target, conf)
        for a, b in list(self.apart):
            if source in (a, b):
                self.apart.discard((a, b))
                x, y = sorted(target if r == source else r for r in (a, b))
                if x != y:
                    self.apart.add((x, y))

    def view(self, draft: Draft) -> dict[int, list[Sighting]]:
        rids: set[int] = set()
        for key in draft.block_keys:
            rids |= self.by_key.get(key, set())
        for name in draft.sighting.all_names():
            for key in person_keys(name):
                rids |= self.by_name.get(key, set())
        return {rid: self.researchers[rid] for rid in sorted(rids)}

    def institutions(self) -> set[int]:
        return {
            s[0] for sightings in self.researchers.values() for x in sightings for s in x.stints
        }

    def name_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for names in self.names.values():
            for key in names:
                counts[key] = counts.get(key, 0) + 1
        return counts


@dataclass
class Resolver:
    conn: asyncpg.Connection
    source: str
    institutions_created: set[int] = field(default_factory=set)
    _inst_cache: dict[tuple[str, ...], int] = field(default_factory=dict)
    _person_by_id: dict[tuple[str, str], int] = field(default_factory=dict)
    merged_targets: set[int] = field(default_factory=set)
    doubtful: set[int] = field(default_factory=set)
    _spare_ids: list[int] = field(default_factory=list)
    _learnt: set[tuple[object, ...]] = field(default_factory=set)
    _index: InstitutionIndex | None = None
    _inst_by_ext: dict[tuple[str, str], int] = field(default_factory=dict)
    _inst_exact: set[tuple[str, ...]] = field(default_factory=set)
    _reviewed: dict[int, bool] = field(default_factory=dict)
    _name_keys: dict[tuple[str, str | None], set[str]] = field(default_factory=dict)
    _aliases_sent: set[tuple[int, str]] = field(default_factory=set)
    _normalized: dict[str, str] = field(default_factory=dict)
    _search_texts: dict[tuple[str, ...], str] = field(default_factory=dict)
    _filled: set[tuple[int, str | None, str | None, str | None, str | None]] = field(
        default_factory=set
    )

    # -- institutions --------------------------------------------------------------------------
    async def institution_index(self) -> InstitutionIndex:
        """The run's in-memory index of every institution, loaded on first use and kept up to
        date with the institutions, aliases and ids this run adds."""
        if self._index is None:
            self._index = InstitutionIndex(await self._records())
        return self._index

    async def _records(self, ids: Sequence[int] | None = None) -> list[InstitutionRecord]:
        records: list[InstitutionRecord] = []
        for row in await institution_writes.index_rows(self.conn, ids):
            ext = {str(pair[0]): str(pair[1]) for pair in row["ids"] or []}
            for scheme, value in ext.items():
                self._inst_by_ext[(scheme, value)] = row["id"]
            self._reviewed[row["id"]] = bool(row["reviewed"])
            records.append(
                InstitutionRecord(
                    id=row["id"],
                    slug=row["slug"],
                    name=row["name"],
                    kind=row["kind"],
                    country_code=row["country_code"],
                    parent_id=row["parent_id"],
                    is_site=bool(row["is_site"]),
                    ror=ext.get("ror"),
                    openalex_id=ext.get("openalex"),
                    aliases=tuple(row["aliases"] or ()),
                )
            )
        return records

    async def _load_institutions(self, ids: Sequence[int]) -> None:
        """Add stored institutions this run's index does not know yet (created by another
        ingester instance since the index was loaded)."""
        index = await self.institution_index()
        for record in await self._records(ids):
            index.add(record)

    def _inst_keys(self, ref: InstitutionRef | InstitutionSeen) -> list[tuple[str, ...]]:
        keys: list[tuple[str, ...]] = [("id", s, v) for s, v in sorted(ref.ids.items())]
        slug = field_value(ref, "slug")
        if slug:
            keys.append(("slug", slug))
        if ref.name:
            normalized = self._normalized.get(ref.name)
            if normalized is None:
                if len(self._normalized) > 100_000:
                    self._normalized.clear()
                normalized = self._normalized[ref.name] = normalize_institution(ref.name)
            keys.append(("name", normalized, ref.country_code or ""))
        return keys

    async def find_institution(self, ref: InstitutionRef | InstitutionSeen) -> int | None:
        """The institution a reference names, or None: external ids, then slug, then the index
        (exact alias, the parts of a raw affiliation string, a conservative fuzzy match with the
        country breaking ties); an exact alias shared by several institutions goes to the curated
        one with the lowest id, as before the index."""
        found, _ = await self._find(ref)
        return found

    async def _find(self, ref: InstitutionRef | InstitutionSeen) -> tuple[int | None, bool]:
        """(institution id or None, whether the match is exact enough to learn the ref's names
        and ids from: ids, slug or exact alias, not a segment or fuzzy match)."""
        keys = self._inst_keys(ref)
        for key in keys:
            if key in self._inst_cache:
                return self._inst_cache[key], key in self._inst_exact
        index = await self.institution_index()
        found: int | None = None
        exact = True
        for pair in sorted(ref.ids.items()):
            if pair in self._inst_by_ext:
                found = self._inst_by_ext[pair]
                break
        slug = field_value(ref, "slug")
        if found is None and slug:
            record = index.by_slug(slug)
            found = record.id if record is not None else None
        if found is None and ref.name:
            match = index.resolve(ref.name, country_code=ref.country_code)
            if match is not None:
                found = match.id
                exact = match.method in ("alias", "ror", "openalex")
            else:
                found = self._shared_alias(index, normalize_institution(ref.name))
        if found is not None:
            for key in keys:
                self._inst_cache[key] = found
                if exact:
                    self._inst_exact.add(key)
        return found, exact

    def _shared_alias(self, index: InstitutionIndex, key: str) -> int | None:
        ids = index.ids_for_key(key)
        if not ids:
            return None
        curated = [i for i in ids if self._reviewed.get(i)]
        return min(curated or ids)

    async def institution(self, ref: InstitutionRef | InstitutionSeen) -> tuple[int, bool]:
        """(institution id, created now) for a reference, creating an unreviewed row if new."""
        found, exact = await self._find(ref)
        if found is not None:
            if exact and found not in self.institutions_created:
                await self._learn_institution(found, ref)
            return found, False
        return await self._create(ref)

    async def _create(self, ref: InstitutionRef | InstitutionSeen) -> tuple[int, bool]:
        """A new unreviewed institution for a reference ``_find`` just found nothing for, as
        (id, True); or (id, False) for the one another ingester instance stored since this run
        loaded its index, now added to the index."""
        ref_slug: str | None = field_value(ref, "slug")
        name = ref.name or ref_slug or next(iter(ref.ids.values()))
        parent_id = None
        if isinstance(ref, InstitutionSeen) and ref.parent is not None:
            parent_id, _ = await self.institution(ref.parent)
        elif (university := _university_after_unit(name)) is not None:
            # "Institute of Formal and Applied Linguistics, Charles University" met before the
            # university: the university is stored too, as the unit's parent, so that a later
            # "Charles University" is that parent (as the string resolves to the university
            # once it is known) and one person's stints there are not a move.
            parent_id, _ = await self.institution(
                InstitutionRef(name=university, ids={}, country_code=ref.country_code)
            )
        names = [name, *(ref.aliases if isinstance(ref, InstitutionSeen) else [])]
        kind = (ref.kind if isinstance(ref, InstitutionSeen) else None) or "other"
        # The aliases and ids learning from the reference adds go in with the new row.
        aliases, new_ids = self._to_learn(ref)
        new_id, slug, added, gained_ids, existing = await institution_writes.create_unreviewed(
            self.conn,
            base_slug=ref_slug or slugify(name),
            name=name[:500],
            kind=kind,
            country_code=ref.country_code,
            city=ref.city if isinstance(ref, InstitutionSeen) else None,
            website=ref.website if isinstance(ref, InstitutionSeen) else None,
            parent_id=parent_id,
            search_text=institution_search_text(names),
            aliases=aliases,
            pairs=new_ids,
            source=self.source,
            explicit_slug=bool(ref_slug),
        )
        if existing:
            await self._load_institutions([new_id])
            for key in self._inst_keys(ref):
                self._inst_cache[key] = new_id
                self._inst_exact.add(key)
            await self._learn_institution(new_id, ref)
            return new_id, False
        self._learnt.add(self._fingerprint(new_id, ref))
        self.institutions_created.add(new_id)
        self._reviewed[new_id] = False
        index = await self.institution_index()
        index.add(
            InstitutionRecord(
                id=new_id,
                slug=slug,
                name=name[:500],
                kind=kind,
                country_code=ref.country_code,
                parent_id=parent_id,
                ror=ref.ids.get("ror"),
                openalex_id=ref.ids.get("openalex"),
                aliases=tuple(n[:500] for n in names),
            )
        )
        self._learnt_from(new_id, aliases, new_ids, added, gained_ids)
        for key in self._inst_keys(ref):
            self._inst_cache[key] = new_id
            self._inst_exact.add(key)
        return new_id, True

    async def _learn_institution(self, inst_id: int, ref: InstitutionRef | InstitutionSeen) -> bool:
        """Add the aliases and ids a source gives; True if anything was added."""
        fingerprint = self._fingerprint(inst_id, ref)
        if fingerprint in self._learnt:
            return False
        self._learnt.add(fingerprint)
        aliases, new_ids = self._to_learn(ref)
        added = await institution_writes.add_aliases(self.conn, inst_id, aliases, self.source)
        gained_ids = await institution_writes.add_external_ids(self.conn, inst_id, new_ids)
        return self._learnt_from(inst_id, aliases, new_ids, added, gained_ids)

    @staticmethod
    def _fingerprint(inst_id: int, ref: InstitutionRef | InstitutionSeen) -> tuple[object, ...]:
        """What learning reads of a reference: its names and ids."""
        return (
            inst_id,
            ref.name,
            tuple(ref.aliases) if isinstance(ref, InstitutionSeen) else (),
            tuple(sorted(ref.ids.items())),
        )

    def _to_learn(
        self, ref: InstitutionRef | InstitutionSeen
    ) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The (alias, normalized) aliases and the (scheme, value) ids not known yet that a
        reference gives."""
        names = [ref.name] if ref.name else []
        if isinstance(ref, InstitutionSeen):
            names += ref.aliases
        aliases = [(n[:500], normalize_institution(n)) for n in names if normalize_institution(n)]
        new_ids = [p for p in sorted(ref.ids.items()) if p not in self._inst_by_ext]
        return aliases, new_ids

    def _learnt_from(
        self,
        inst_id: int,
        aliases: list[tuple[str, str]],
        new_ids: list[tuple[str, str]],
        added: int,
        gained_ids: int,
    ) -> bool:
        """Follow what was added to the stored institution; True if anything was."""
        if gained_ids:
            for pair in new_ids:
                self._inst_by_ext.setdefault(pair, inst_id)
        if added or gained_ids:
            self._reindex(inst_id, [a for a, _ in aliases], dict(new_ids))
        return (added + gained_ids) > 0

    def _reindex(self, inst_id: int, names: list[str], ids: dict[str, str]) -> None:
        index = self._index
        record = index.get(inst_id) if index is not None else None
        if index is None or record is None:
            return
        index.add(
            replace(
                record,
                aliases=tuple(dict.fromkeys((*record.aliases, *names))),
                ror=record.ror or ids.get("ror"),
                openalex_id=record.openalex_id or ids.get("openalex"),
            )
        )

    async def institution_seen(self, seen: InstitutionSeen) -> str:
        """Resolve or create an institution from an ``InstitutionSeen``: created/updated/unchanged."""
        found, exact = await self._find(seen)
        if found is None:
            new_id, created = await self._create(seen)  # institution() would look it up again
            if not created:  # another instance stored it meanwhile: learn and fill as found
                return await self.institution_seen(seen)
            # created with these very fields: offering them again would fill nothing
            self._filled.add((new_id, seen.kind, seen.country_code, seen.city, seen.website))
            return "created"
        changed = await self._learn_institution(found, seen) if exact else False
        # Filling is idempotent: once these values were offered for this institution in this
        # run, offering them again fills nothing (the fields they could fill are no longer
        # empty), so an institution named by thousands of records costs one UPDATE per run.
        filled = (found, seen.kind, seen.country_code, seen.city, seen.website)
        if filled not in self._filled:
            if len(self._filled) > 100_000:
                self._filled.clear()
            changed |= await institution_writes.fill_missing(
                self.conn,
                found,
                kind=seen.kind,
                country_code=seen.country_code,
                city=seen.city,
                website=seen.website,
            )
            self._filled.add(filled)
        return "updated" if changed else "unchanged"

    # -- researchers ---------------------------------------------------------------------------
    def name_keys(self, name: str, native: str | None = None) -> set[str]:
        """``name_keys`` remembered for the run: a person is named in several observations of a
        batch (profile, affiliations, reports), and the variants are the costly part."""
        key = (name, native)
        found = self._name_keys.get(key)
        if found is None:
            if len(self._name_keys) > 100_000:
                self._name_keys.clear()
            found = self._name_keys[key] = name_keys(name, native)
        return found

    def prepare_person(self, ref: PersonRef | ResearcherSeen) -> None:
        """Compute ahead what resolving ``ref`` reads of its names alone (``Batchwriter.prepare``):
        its name keys, and for a profile the search text of the row it would create."""
        self.name_keys(ref.name, ref.native_name)
        self.name_keys(ref.name)
        if isinstance(ref, ResearcherSeen):
            names = _search_names(ref, {ref.name, *ref.aliases})
            if len(self._search_texts) > 100_000:
                self._search_texts.clear()
            self._search_texts[names] = researcher_search_text(names)

    async def _new_id(self) -> int:
        if not self._spare_ids:
            self._spare_ids = await sequences.next_ids(self.conn, "researcher", 256)
        return self._spare_ids.pop(0)

    async def people(
        self,
        refs: Sequence[PersonRef | ResearcherSeen],
        contexts: Sequence[PersonContext] | None = None,
        doc_ids: Mapping[str, int] | None = None,
    ) -> list[PersonResolution]:
        """Resolve a batch of person references, creating researchers where needed.

        The references are grouped into sightings (:mod:`service.ingest.sightings`); each is
        decided by :func:`service.domain.identity.resolve` against the stored sightings of the
        researchers it could be (found by id, by a block key, or by name for records kept
        before sightings were), and against the sightings this batch has placed already, in a
        fixed order: the same decision a later batch or run would make.
        """
        self.merged_targets = set()
        self.doubtful = set()
        contexts = contexts or [PersonContext() for _ in refs]
        doc_ids = doc_ids or {}
        drafts = group(refs, contexts)
        pairs = sorted({(s, v) for ref in refs for s, v in ref.ids.items()})
        unknown_pairs = [p for p in pairs if p not in self._person_by_id]
        self._person_by_id.update(await researchers.ids_by_external_id(self.conn, unknown_pairs))
        # Rows already stored (or sent earlier in the run) would only hit ON CONFLICT DO NOTHING.
        stored_pairs = {p for p in pairs if p in self._person_by_id}
        # Drafts known by an id need no comparison; the others are compared with every
        # researcher sharing a block key or a name key.
        open_drafts = [d for d in drafts if self._by_ids(d.ids) is None]
        pool = await self._candidate_pool(open_drafts)
        ctx = await self._identity_context(pool, drafts)
        new_rows: list[dict[str, object]] = []
        ext_rows: list[tuple[int, str, str]] = []
        alias_rows: list[tuple[int, str, str, str]] = []
        matches: list[tuple[int, int, float, list[str]]] = []
        sightings: list[SightingRow] = []
        merges: list[tuple[int, int, tuple[str, ...]]] = []
        out: list[PersonResolution | None] = [None] * len(refs)

        # Drafts with ids first, then those with a profile, then by fingerprint: a fixed order
        # for a given batch, in which a researcher is created from its profile where the batch
        # has one.
        def order(d: Draft) -> tuple[bool, bool, str]:
            profile = any(isinstance(refs[i], ResearcherSeen) for i in d.members)
            return (not d.ids, not profile, d.fingerprint)

        for draft in sorted(drafts, key=order):
            rid = self._by_ids(draft.ids)
            created = False
            creator = -1
            confidence = 1.0
            reasons: tuple[str, ...] = ("id",) if rid is not None else ()
            if rid is None:
                known = pool.by_fingerprint.get(draft.fingerprint)
                if known is not None:
                    rid, confidence = known
                    reasons = ("the same sighting again",)
                    # Seen again, perhaps with more (a stint the earlier batch did not hold):
                    # whatever else the whole sighting now links to is the same person.
                    whole = _combined(draft.sighting, pool.researchers.get(rid, []))
                    again = resolve(whole, pool.view(draft), ctx, pool.apart)
                    if again.researcher is not None:
                        for other in sorted({again.researcher, *again.also_merge} - {rid}):
                            merges.append((other, rid, again.reasons))
                            pool.absorb(other, rid)
            if rid is None:
                view = pool.view(draft)
                decision = resolve(draft.sighting, view, ctx, pool.apart)
                rid = decision.researcher
                if rid is None:
                    rid = await self._new_id()
                    created = True
                    creator = next(
                        (i for i in draft.members if isinstance(refs[i], ResearcherSeen)),
                        draft.members[0],
                    )
                    first = refs[creator]
                    names = {first.name, *(field_value(first, "aliases") or [])}
                    new_rows.append(self._new_row(rid, first, names))
                else:
                    confidence = decision.confidence
                    reasons = decision.reasons
                    if confidence < 1:
                        self.doubtful.add(rid)
                    for other in decision.also_merge:
                        merges.append((other, rid, decision.reasons))
                        pool.absorb(other, rid)
                for cand, comparison in decision.candidates:
                    matches.append((rid, cand, comparison.probability, list(comparison.reasons)))
            pool.add(rid, draft)
            pool.by_fingerprint.setdefault(draft.fingerprint, (rid, confidence))
            sightings.append(
                SightingRow(
                    researcher_id=rid,
                    fingerprint=draft.fingerprint,
                    document_id=doc_ids.get(draft.document_url or ""),
                    source=self.source,
                    sighting=draft.sighting,
                    block_keys=draft.block_keys,
                    confidence=confidence,
                    reasons=reasons,
                )
            )
            for i in draft.members:
                ref = refs[i]
                for scheme, value in ref.ids.items():
                    if (scheme, value) not in stored_pairs:
                        stored_pairs.add((scheme, value))
                        ext_rows.append((rid, scheme, value))
                    self._person_by_id.setdefault((scheme, value), rid)
                names = {ref.name, *(field_value(ref, "aliases") or [])}
                for name in sorted(names) + ([ref.native_name] if ref.native_name else []):
                    folded = fold(name)
                    if folded and (rid, folded) not in self._aliases_sent:
                        self._aliases_sent.add((rid, folded))
                        alias_rows.append((rid, name[:500], folded, self.source))
                out[i] = PersonResolution(rid, created and i == creator)
        # Sent ahead: nothing below needs its answer at once, and the writer goes on building
        # the batch's affiliations while PostgreSQL inserts the people (the connection's next
        # statement waits for it).
        self._gained = await send_ahead(
            self.conn, researchers.insert_people(self.conn, new_rows, ext_rows, alias_rows)
        )
        redirect: dict[int, int] = {}
        if merges:
            await self._gained
            for merged, into, why in merges:
                into = redirect.get(into, into)
                if merged == into:
                    continue
                await merge_for_identity(self.conn, merged, into, why, actor=self.source)
                redirect[merged] = into
                for earlier, now in list(redirect.items()):
                    if now == merged:
                        redirect[earlier] = into
                self.merged_targets.add(into)
            for pair, rid in list(self._person_by_id.items()):
                if rid in redirect:
                    self._person_by_id[pair] = redirect[rid]
        await sightings_store.upsert(
            self.conn,
            [
                replace(r, researcher_id=redirect.get(r.researcher_id, r.researcher_id))
                for r in sightings
            ],
        )
        await researchers.add_candidate_matches(
            self.conn,
            [
                (redirect.get(a, a), redirect.get(b, b), score, why)
                for a, b, score, why in matches
                if redirect.get(a, a) != redirect.get(b, b)
            ],
        )
        result: list[PersonResolution] = []
        for item in out:
            assert item is not None
            moved = item.id in redirect
            result.append(
                PersonResolution(redirect.get(item.id, item.id), item.created and not moved)
            )
        return result

    async def _candidate_pool(self, drafts: Sequence[Draft]) -> CandidatePool:
        """The stored sightings the drafts could be, and researchers kept before sightings were
        (found by name key; compared through a sighting made of their profile)."""
        pool = CandidatePool()
        if not drafts:
            return pool
        # Drafts grouped by the strong-id schemes they carry: a researcher already holding an
        # id of such a scheme is a different person (the id is not known, or it would have
        # been found by it), so it is not read at all.
        groups: dict[tuple[str, ...], set[str]] = {}
        for d in drafts:
            schemes = tuple(sorted(s for s in STRONG_SCHEMES if s in d.ids))
            groups.setdefault(schemes, set()).update(d.block_keys)
        seen: set[int] = set()
        for schemes, keys in sorted(groups.items()):
            for stored in await sightings_store.by_block_keys(self.conn, sorted(keys), schemes):
                if stored.id not in seen:
                    seen.add(stored.id)
                    pool.add_stored(stored)
        need_names: set[str] = set()
        for d in drafts:
            for ref_name in d.sighting.all_names():
                need_names |= self.name_keys(ref_name)
        legacy = await researchers.candidates_by_alias(self.conn, sorted(need_names))
        unseen = sorted(
            {c.id for found in legacy.values() for c in found} - pool.researchers.keys()
        )
        with_sightings = await sightings_store.researchers_with_sightings(self.conn, unseen)
        for found in legacy.values():
            for cand in found:
                if cand.id in pool.researchers or cand.id in with_sightings:
                    continue
                pool.add_profile(
                    cand.id,
                    Sighting(
                        names=(cand.display_name, *(a[0] for a in cand.aliases)),
                        native_name=cand.native_name,
                        ids=cand.ids,
                        topics=frozenset(cand.topics),
                    ),
                )
        pool.apart = await researchers.declared_apart(self.conn, sorted(pool.researchers))
        return pool

    async def _identity_context(
        self, pool: CandidatePool, drafts: Sequence[Draft]
    ) -> IdentityContext:
        index = await self.institution_index()
        # The kinds of every institution either side of a comparison names (a university
        # beside a company at the same time is a plausible dual post).
        named = pool.institutions() | {t[0] for d in drafts for t in d.sighting.stints}
        kinds = {inst: record.kind for inst in named if (record := index.get(inst)) is not None}
        names = {
            inst: (record.name, *record.aliases)
            for inst in named
            if (record := index.get(inst)) is not None
        }

        def related(a: int, b: int) -> bool:
            return a == b or (a in index and b in index and index.related(a, b))

        # Stored namesakes raise a name's share (the term-frequency adjustment).
        stored = reference_frequencies().with_stored(pool.name_counts())
        return IdentityContext(stored, Institutions(related=related, kinds=kinds, names=names))

    async def gained_ids_or_aliases(self) -> set[int]:
        """Researchers that gained an external id or alias in the last ``people`` call."""
        gained = getattr(self, "_gained", None)
        return set() if gained is None else await gained

    def _by_ids(self, ids: Mapping[str, str]) -> int | None:
        for scheme in (*STRONG_SCHEMES, *sorted(ids)):
            value = ids.get(scheme)
            if value is not None and (scheme, value) in self._person_by_id:
                return self._person_by_id[(scheme, value)]
        return None

    def _new_row(
        self, rid: int, ref: PersonRef | ResearcherSeen, names: set[str]
    ) -> dict[str, object]:
        seen = ref if isinstance(ref, ResearcherSeen) else None
        search_names = _search_names(ref, names)
        search_text = self._search_texts.pop(search_names, None)
        if search_text is None:
            search_text = researcher_search_text(search_names)
        return {
            "id": rid,
            "display_name": ref.name[:500],
            "native_name": ref.native_name,
            "search_text": search_text,
            "topics": list(seen.topics) if seen else [],
            "works_count": seen.works_count if seen else None,
            "cited_by_count": seen.cited_by_count if seen else None,
            "h_index": seen.h_index if seen else None,
        }


_UNIVERSITY = re.compile(r"\b(universit\w*|universidad|universidade|college)\b", re.IGNORECASE)


def _university_after_unit(name: str) -> str | None:
    """The university an affiliation string names after its unit ("Institute of X (IX),
    Y University" → "Y University"), or None: only a later comma-separated part that names a
    university, the unit (the first part) not naming one itself."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) < 2 or _UNIVERSITY.search(parts[0]):
        return None
    for part in parts[1:]:
        if _UNIVERSITY.search(part) and len(part) <= 120:
            return part
    return None


def _search_names(ref: PersonRef | ResearcherSeen, names: set[str]) -> tuple[str, ...]:
    """The names a new researcher's search text is made of, in order: its name, then every
    other name sorted, then its native name."""
    all_names = sorted(names) + ([ref.native_name] if ref.native_name else [])
    return tuple(dict.fromkeys([ref.name, *all_names]))


def _combined(sighting: Sighting, stored: Sequence[Sighting]) -> Sighting:
    """A sighting with what the stored sightings of its own document already hold."""
    same = [x for x in stored if x.document is not None and x.document == sighting.document]
    if not same:
        return sighting
    stints = tuple(dict.fromkeys([*sighting.stints, *(t for x in same for t in x.stints)]))
    moves = tuple(dict.fromkeys([*sighting.moves, *(m for x in same for m in x.moves)]))
    topics = sighting.topics.union(*(x.topics for x in same))
    return replace(sighting, stints=stints, moves=moves, topics=topics)
