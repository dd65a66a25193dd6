"""Pure mapping from OpenAlex JSON (authors, institutions, works) to Talentflow observations.

No I/O here: the ingester fetches, these functions translate, so the mapping can be tested on
recorded payloads alone. OpenAlex data is CC0.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from talentflow import (
    AffiliationSeen,
    DocumentSeen,
    InstitutionRef,
    InstitutionRelationRef,
    InstitutionSeen,
    PartialDateModel,
    PersonRef,
    ResearcherSeen,
    parse_date,
)

Kind = Literal["company", "lab", "university", "government", "nonprofit", "other"]

OPENALEX_URL = "https://openalex.org/"
PUBLISHER = "OpenAlex"

# OpenAlex ``type`` is not reliable for universities (many carry ``funder``), so names decide
# first for every type but ``education`` and ``company``.
UNIVERSITY_CUES = ("universit", "大学", "institute of technology", "college")
TYPE_KINDS: dict[str, Kind] = {
    "education": "university",
    "company": "company",
    "facility": "lab",
    "government": "government",
    "nonprofit": "nonprofit",
    "healthcare": "other",
    "archive": "other",
    "funder": "other",
    "other": "other",
}

_OPENALEX_ID = re.compile(r"^(?:https?://openalex\.org/)?([AIWST]\d+)$", re.IGNORECASE)
_ROR_ID = re.compile(r"^(?:https?://ror\.org/)?(0[a-z0-9]{6}\d{2})$", re.IGNORECASE)
_ORCID_ID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", re.IGNORECASE)


def short_id(value: Any) -> str | None:
    """``https://openalex.org/A123`` → ``A123`` (None when it is not an OpenAlex id)."""
    if not isinstance(value, str):
        return None
    match = _OPENALEX_ID.match(value.strip())
    return match.group(1).upper() if match else None


def ror_id(value: Any) -> str | None:
    """``https://ror.org/00jmfr291`` → ``00jmfr291`` (None when it is not a ROR id)."""
    if not isinstance(value, str):
        return None
    match = _ROR_ID.match(value.strip())
    return match.group(1).lower() if match else None


def orcid_id(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    match = _ORCID_ID.match(value.strip())
    return match.group(1).upper() if match else None


def entity_url(openalex_id: str) -> str:
    return OPENALEX_URL + openalex_id


def institution_kind(openalex_type: str | None, name: str) -> Kind:
    """The Talentflow kind for an OpenAlex institution ``type``, corrected by name cues."""
    mapped = TYPE_KINDS.get((openalex_type or "").lower(), "other")
    if mapped in ("university", "company"):
        return mapped
    folded = name.casefold()
    if any(cue in folded for cue in UNIVERSITY_CUES):
        return "university"
    return mapped


def _country(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        return value.strip().upper()
    return None


def institution_ids(inst: Mapping[str, Any]) -> dict[str, str]:
    ids: dict[str, str] = {}
    oid = short_id(inst.get("id"))
    if oid:
        ids["openalex"] = oid
    ror = ror_id(inst.get("ror"))
    if ror:
        ids["ror"] = ror
    return ids


def parent_ref(inst: Mapping[str, Any]) -> InstitutionRef | None:
    """The parent named by ``lineage`` (ids only): the first ancestor other than the institution.

    ``lineage`` lists the institution and all its ancestors, not always self first.
    """
    own = short_id(inst.get("id"))
    ancestors = [
        oid for oid in (short_id(x) for x in inst.get("lineage") or []) if oid and oid != own
    ]
    if not ancestors:
        return None
    return InstitutionRef(ids={"openalex": ancestors[0]})


def institution_ref(inst: Mapping[str, Any]) -> InstitutionRef:
    return InstitutionRef(
        name=inst.get("display_name") or None,
        ids=institution_ids(inst),
        country_code=_country(inst.get("country_code")),
    )


def institution_seen(inst: Mapping[str, Any]) -> InstitutionSeen | None:
    """An ``InstitutionSeen`` from a dehydrated or full OpenAlex institution (None without id)."""
    ids = institution_ids(inst)
    name = (inst.get("display_name") or "").strip()
    if "openalex" not in ids or not name:
        return None
    geo = inst.get("geo") or {}
    aliases = [
        str(a)
        for a in (
            *(inst.get("display_name_alternatives") or []),
            *(inst.get("display_name_acronyms") or []),
        )
        if a and str(a).strip() and str(a) != name
    ]
    parent = parent_ref(inst)
    for assoc in inst.get("associated_institutions") or []:
        if assoc.get("relationship") == "parent" and short_id(assoc.get("id")):
            parent = InstitutionRef(
                name=assoc.get("display_name") or None, ids=institution_ids(assoc)
            )
            break
    # ROR's predecessor/successor relationships, where OpenAlex passes them on (undated)
    lineage: dict[str, list[InstitutionRelationRef]] = {"predecessor": [], "successor": []}
    for assoc in inst.get("associated_institutions") or []:
        relationship = str(assoc.get("relationship") or "").lower()
        if relationship in lineage and short_id(assoc.get("id")):
            lineage[relationship].append(
                InstitutionRelationRef(institution=institution_ref(assoc), kind="rename")
            )
    return InstitutionSeen(
        name=name,
        ids=ids,
        predecessors=lineage["predecessor"],
        successors=lineage["successor"],
        kind=institution_kind(inst.get("type"), name),
        country_code=_country(inst.get("country_code") or geo.get("country_code")),
        city=geo.get("city") or None,
        parent=parent,
        aliases=aliases[:200],
        website=inst.get("homepage_url") or None,
    )


def institution_family(inst: Mapping[str, Any]) -> list[InstitutionSeen]:
    """A full institution record: the institution, then its children pointing at it."""
    out: list[InstitutionSeen] = []
    own = institution_seen(inst)
    if own is None:
        return out
    out.append(own)
    me = InstitutionRef(name=own.name, ids=own.ids)
    for assoc in inst.get("associated_institutions") or []:
        if assoc.get("relationship") != "child":
            continue
        child = institution_seen(assoc)
        if child is not None:
            out.append(child.model_copy(update={"parent": me}))
    return out


def person_ref(author: Mapping[str, Any]) -> PersonRef:
    ids: dict[str, str] = {}
    oid = short_id(author.get("id"))
    if oid:
        ids["openalex"] = oid
    orcid = orcid_id(author.get("orcid") or (author.get("ids") or {}).get("orcid"))
    if orcid:
        ids["orcid"] = orcid
    return PersonRef(name=author.get("display_name") or oid or "?", ids=ids)


@dataclass(frozen=True)
class AuthorRecord:
    """What one OpenAlex author yields, in the order the pipeline wants them."""

    document: DocumentSeen
    researcher: ResearcherSeen
    institutions: list[InstitutionSeen]
    affiliations: list[AffiliationSeen]

    def observations(
        self,
    ) -> Iterator[DocumentSeen | ResearcherSeen | InstitutionSeen | AffiliationSeen]:
        yield self.document
        yield self.researcher
        yield from self.institutions
        yield from self.affiliations


def author_record(author: Mapping[str, Any]) -> AuthorRecord:
    """Map one author; raises ``ValueError`` (incl. pydantic's) for a record that cannot map."""
    oid = short_id(author.get("id"))
    if oid is None or not oid.startswith("A"):
        raise ValueError(f"author id {author.get('id')!r} is not an OpenAlex author id")
    name = (author.get("display_name") or "").strip()
    if not name:
        raise ValueError(f"author {oid} has no display_name")
    url = entity_url(oid)
    person = person_ref(author)
    aliases = sorted(
        {str(a).strip() for a in author.get("display_name_alternatives") or [] if a} - {name}
    )
    topics = [str(t["display_name"]) for t in author.get("topics") or [] if t.get("display_name")][
        :100
    ]
    stats = author.get("summary_stats") or {}
    researcher = ResearcherSeen(
        name=name,
        ids=person.ids,
        aliases=aliases[:200],
        topics=topics,
        works_count=author.get("works_count"),
        cited_by_count=author.get("cited_by_count"),
        h_index=stats.get("h_index"),
        document_url=url,
    )
    document = DocumentSeen(url=url, kind="profile", title=name, publisher=PUBLISHER)
    institutions: dict[str, InstitutionSeen] = {}
    affiliations: list[AffiliationSeen] = []
    for aff in author.get("affiliations") or []:
        inst = aff.get("institution") or {}
        seen = institution_seen(inst)
        years = [int(y) for y in aff.get("years") or [] if isinstance(y, int)]
        if seen is None or not years:
            continue
        iid = seen.ids["openalex"]
        institutions.setdefault(iid, seen)
        affiliations.append(
            AffiliationSeen(
                person=person,
                institution=institution_ref(inst),
                years=years,
                source_key=f"openalex:{oid}:{iid}",
                document_url=url,
            )
        )
    return AuthorRecord(document, researcher, list(institutions.values()), affiliations)


@dataclass
class FirstWork:
    """The earliest work of one author at one institution."""

    author: Mapping[str, Any]
    institution: Mapping[str, Any]
    when: date
    precision_month: bool
    work_id: str
    title: str | None
    raw_affiliations: list[str]


def _publication_date(work: Mapping[str, Any]) -> tuple[date, bool] | None:
    day = parse_date(work.get("publication_date"))
    if day is not None:
        return day, True
    year = work.get("publication_year")
    if isinstance(year, int) and 1900 <= year <= 2100:
        return date(year, 1, 1), False
    return None


def first_works(
    works: Sequence[Mapping[str, Any]],
    authors: set[str],
    into: dict[tuple[str, str], FirstWork] | None = None,
) -> dict[tuple[str, str], FirstWork]:
    """Fold ``works`` into the earliest work per (followed author, institution)."""
    found = into if into is not None else {}
    for work in works:
        wid = short_id(work.get("id"))
        when = _publication_date(work)
        if wid is None or when is None:
            continue
        for authorship in work.get("authorships") or []:
            author = authorship.get("author") or {}
            aid = short_id(author.get("id"))
            if aid is None or aid not in authors:
                continue
            raw = [str(s) for s in authorship.get("raw_affiliation_strings") or [] if s]
            for inst in authorship.get("institutions") or []:
                iid = short_id(inst.get("id"))
                if iid is None:
                    continue
                key = (aid, iid)
                known = found.get(key)
                if known is None or when[0] < known.when:
                    found[key] = FirstWork(
                        author, inst, when[0], when[1], wid, work.get("display_name"), raw
                    )
    return found


def count_works(
    works: Sequence[Mapping[str, Any]],
    authors: set[str],
    into: dict[tuple[str, str], dict[int, set[str]]] | None = None,
) -> dict[tuple[str, str], dict[int, set[str]]]:
    """Fold ``works`` into the works of each (followed author, institution) by publication
    year (sets of work ids: a work read twice, or naming an institution twice, counts once)."""
    found = into if into is not None else {}
    for work in works:
        wid = short_id(work.get("id"))
        year = work.get("publication_year")
        if wid is None or not isinstance(year, int) or not 1900 <= year <= 2100:
            continue
        for authorship in work.get("authorships") or []:
            aid = short_id((authorship.get("author") or {}).get("id"))
            if aid is None or aid not in authors:
                continue
            for inst in authorship.get("institutions") or []:
                iid = short_id(inst.get("id"))
                if iid is not None:
                    found.setdefault((aid, iid), {}).setdefault(year, set()).add(wid)
    return found


def counted_affiliations(
    author: Mapping[str, Any], counts: Mapping[tuple[str, str], Mapping[int, set[str]]]
) -> list[AffiliationSeen]:
    """The author's affiliations again (same source key and document as
    :func:`author_record`'s), each with the works counted in its years
    (``documents_per_year``); affiliations with no counted year are left out."""
    oid = short_id(author.get("id"))
    if oid is None:
        return []
    found: list[AffiliationSeen] = []
    for aff in author.get("affiliations") or []:
        inst = aff.get("institution") or {}
        iid = short_id(inst.get("id"))
        years = sorted({int(y) for y in aff.get("years") or [] if isinstance(y, int)})
        by_year = counts.get((oid, iid), {}) if iid else {}
        per_year = {y: len(by_year[y]) for y in years if by_year.get(y)}
        if not per_year or institution_seen(inst) is None:
            continue
        found.append(
            AffiliationSeen(
                person=person_ref(author),
                institution=institution_ref(inst),
                years=years,
                documents_per_year=per_year,
                source_key=f"openalex:{oid}:{iid}",
                document_url=entity_url(oid),
            )
        )
    return found


def first_work_observations(
    first: FirstWork,
) -> Iterator[DocumentSeen | InstitutionSeen | AffiliationSeen]:
    """The work as a document, the institution, and the dated start of the affiliation."""
    aid = short_id(first.author.get("id"))
    iid = short_id(first.institution.get("id"))
    url = entity_url(first.work_id)
    yield DocumentSeen(
        url=url,
        kind="publication",
        title=first.title,
        publisher=PUBLISHER,
    )
    inst = institution_seen(first.institution)
    if inst is not None:
        yield inst
    start = PartialDateModel(
        year=first.when.year, month=first.when.month if first.precision_month else None
    )
    yield AffiliationSeen(
        person=person_ref(first.author),
        institution=institution_ref(first.institution),
        start=start,
        source_key=f"openalex-works:{aid}:{iid}",
        document_url=url,
    )
