"""Typed filter inputs and their translation to the query layer's filter dataclasses."""

from __future__ import annotations

import re
from datetime import date

import strawberry

from service.api.graphql.context import Info
from service.api.graphql.errors import InvalidInput
from service.api.graphql.ids import decode_id, institution_ref
from service.api.graphql.types.common import InstitutionKind, MoveKind, MoveOrigin, MoveStatus
from service.db.queries.institutions import InstitutionFilter
from service.db.queries.moves import MoveFilter
from service.db.queries.researchers import ResearcherFilter

COUNTRY = re.compile(r"^[A-Za-z]{2}$")


def countries(values: list[str] | None, field: str) -> tuple[str, ...]:
    out: list[str] = []
    for value in values or []:
        if not COUNTRY.match(value):
            raise InvalidInput(
                f"`{field}`: {value!r} is not an ISO 3166-1 alpha-2 country code (e.g. US, CN)",
                field=field,
            )
        out.append(value.upper())
    return tuple(out)


@strawberry.input(description="Which moves. Every condition given must hold.")
class MoveFilterInput:
    researcher: strawberry.ID | None = None
    from_institution: strawberry.ID | None = strawberry.field(
        default=None, description="A global id or a slug; includes its descendants by default."
    )
    to_institution: strawberry.ID | None = strawberry.field(
        default=None, description="A global id or a slug; includes its descendants by default."
    )
    include_descendants: bool = strawberry.field(
        default=True,
        description="Whether fromInstitution/toInstitution also match their sub-units "
        "(Alphabet matches Google DeepMind).",
    )
    from_country: list[str] | None = None
    to_country: list[str] | None = None
    date_from: date | None = strawberry.field(default=None, description="Inclusive.")
    date_to: date | None = strawberry.field(default=None, description="Inclusive.")
    kind: list[MoveKind] | None = None
    status: list[MoveStatus] | None = strawberry.field(
        default=None, description="Default: every status but RETRACTED and RUMOURED."
    )
    min_confidence: float | None = None
    topic: list[str] | None = strawberry.field(
        default=None, description="The researcher works on any of these topics."
    )
    cross_border_only: bool = False
    provisional: bool | None = strawberry.field(
        default=None, description="true: only provisional moves; false: none of them."
    )
    origin: list[MoveOrigin] | None = None
    include_visits: bool = strawberry.field(
        default=False,
        description="Also visits: short stints away from a home institution, which are not "
        "moves (left out by default, from flows too).",
    )
    returnee: bool | None = strawberry.field(
        default=None,
        description="true: only returns (a cross-border move into a country the researcher "
        "worked or studied in before); false: none of them.",
    )
    min_h_index: int | None = strawberry.field(
        default=None, description="The researcher's h-index is at least this."
    )
    min_citations: int | None = strawberry.field(
        default=None, description="The researcher is cited at least this many times."
    )
    include_dual_affiliations: bool = strawberry.field(
        default=False,
        description="Also dual affiliations: cross-border moves after which the researcher "
        "stays active in the origin country (a traveller, not a migrant; left out by default, "
        "from flows and rates too).",
    )
    dual_affiliation: bool | None = strawberry.field(
        default=None,
        description="true: only dual affiliations (whatever `includeDualAffiliations` says); "
        "false: none of them.",
    )
    top_cited_percent: float | None = strawberry.field(
        default=None,
        description="Only researchers in the top N % by citations within `topic` (any of its "
        "topics; within everyone if no topic): fewer than N % of that topic's researchers "
        "are cited more. 0 < N <= 100.",
    )
    first_job_after_doctorate: bool | None = strawberry.field(
        default=None,
        description="true: only first jobs after a doctorate (the first move, out of the "
        "university of the researcher's doctorate, within two years of its end); false: none.",
    )


async def move_filter(info: Info, flt: MoveFilterInput | None) -> MoveFilter:
    if flt is None:
        return MoveFilter()
    if flt.min_confidence is not None and not 0 <= flt.min_confidence <= 1:
        raise InvalidInput("`minConfidence` must be between 0 and 1", field="minConfidence")
    if flt.date_from and flt.date_to and flt.date_from > flt.date_to:
        raise InvalidInput("`dateFrom` is after `dateTo`", field="dateFrom")
    for name, value in (("minHIndex", flt.min_h_index), ("minCitations", flt.min_citations)):
        if value is not None and value < 0:
            raise InvalidInput(f"`{name}` must not be negative", field=name)
    if flt.top_cited_percent is not None and not 0 < flt.top_cited_percent <= 100:
        raise InvalidInput(
            "`topCitedPercent` must be above 0 and at most 100", field="topCitedPercent"
        )
    return MoveFilter(
        researcher=decode_id(flt.researcher, "Researcher", "researcher")
        if flt.researcher
        else None,
        from_institution=await institution_ref(info, flt.from_institution, "fromInstitution")
        if flt.from_institution
        else None,
        to_institution=await institution_ref(info, flt.to_institution, "toInstitution")
        if flt.to_institution
        else None,
        include_descendants=flt.include_descendants,
        from_country=countries(flt.from_country, "fromCountry"),
        to_country=countries(flt.to_country, "toCountry"),
        date_from=flt.date_from,
        date_to=flt.date_to,
        kind=tuple(k.value for k in flt.kind or ()),
        status=tuple(s.value for s in flt.status or ()),
        min_confidence=flt.min_confidence,
        topic=tuple(flt.topic or ()),
        cross_border_only=flt.cross_border_only,
        provisional=flt.provisional,
        origin=tuple(o.value for o in flt.origin or ()),
        include_visits=flt.include_visits,
        returnee=flt.returnee,
        min_h_index=flt.min_h_index,
        min_citations=flt.min_citations,
        include_dual_affiliations=flt.include_dual_affiliations,
        dual_affiliation=flt.dual_affiliation,
        first_job_after_doctorate=flt.first_job_after_doctorate,
        top_cited_percent=flt.top_cited_percent,
    )


@strawberry.input(description="Which researchers. Every condition given must hold.")
class ResearcherFilterInput:
    search: str | None = strawberry.field(
        default=None,
        description="Name search: accents, case and name order do not matter; Chinese "
        "characters match their pinyin; a part shorter than three letters matches the start "
        "of a name (`li` finds Li Wei, not Alice).",
    )
    current_institution: strawberry.ID | None = strawberry.field(
        default=None, description="A global id or a slug; includes its descendants."
    )
    country: list[str] | None = strawberry.field(
        default=None, description="Currently affiliated with an institution in these countries."
    )
    topic: list[str] | None = None
    has_moved_since: date | None = None


async def researcher_filter(info: Info, flt: ResearcherFilterInput | None) -> ResearcherFilter:
    if flt is None:
        return ResearcherFilter()
    return ResearcherFilter(
        search=flt.search,
        current_institution=await institution_ref(
            info, flt.current_institution, "currentInstitution"
        )
        if flt.current_institution
        else None,
        country=countries(flt.country, "country"),
        topic=tuple(flt.topic or ()),
        has_moved_since=flt.has_moved_since,
    )


@strawberry.input(description="Which institutions. Every condition given must hold.")
class InstitutionFilterInput:
    kind: list[InstitutionKind] | None = None
    country: list[str] | None = None
    parent: strawberry.ID | None = strawberry.field(
        default=None, description="A global id or a slug."
    )
    include_descendants: bool = strawberry.field(
        default=False, description="With parent: also the children's children."
    )
    search: str | None = None


async def institution_filter(info: Info, flt: InstitutionFilterInput | None) -> InstitutionFilter:
    if flt is None:
        return InstitutionFilter()
    return InstitutionFilter(
        kind=tuple(k.value for k in flt.kind or ()),
        country=countries(flt.country, "country"),
        parent=await institution_ref(info, flt.parent, "parent") if flt.parent else None,
        include_descendants=flt.include_descendants,
        search=flt.search,
    )
