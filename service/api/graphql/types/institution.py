# mypy: disable-error-code="untyped-decorator"
"""Institutions: companies, labs, universities; their sites, people, moves and openings."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum

import strawberry
from strawberry import relay

from service.api.graphql.context import Info
from service.api.graphql.flow_cache import flow_cache
from service.api.graphql.ids import node_pks
from service.api.graphql.loaders import CurrentReq, MovesReq, PostingsReq, SeriesReq
from service.api.graphql.loaders.base import ByParent
from service.api.graphql.prefetch import node_selection, prefetch_moves
from service.api.graphql.types.common import (
    Country,
    ExternalId,
    InstitutionKind,
    PartialDate,
    country,
    page_args,
    partial_date,
)
from service.api.graphql.types.connection import Connection, connection
from service.api.graphql.types.filters import MoveFilterInput, move_filter
from service.api.graphql.types.job_posting import JobPosting
from service.api.graphql.types.move import Move, load_institution
from service.api.graphql.types.researcher import Researcher
from service.db.queries.flows import Period
from service.db.queries.institutions import InstitutionRow, relations_of
from service.db.queries.job_postings import JobPostingFilter
from service.db.queries.moves import MoveOrder
from service.db.queries.researchers import ResearcherOrder
from service.domain.seed import seed_names


@strawberry.type(description="Inflow, outflow and net of one period.")
class FlowPoint:
    period: date | None = strawberry.field(description="The period's first day; null for ALL.")
    inflow: int
    outflow: int
    net: int


@strawberry.type(description="A company, lab, university or other organisation, or one site of it.")
class Institution(relay.Node):
    id: relay.NodeID[int]
    slug: str
    name: str
    native_name: str | None
    kind: InstitutionKind
    country: Country | None
    city: str | None
    is_site: bool = strawberry.field(description="A site of its parent (its own country).")
    website: str | None
    created_at: datetime
    updated_at: datetime
    parent_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: InstitutionRow) -> Institution:
        return cls(
            id=row.id,
            slug=row.slug,
            name=row.name,
            native_name=row.native_name,
            kind=InstitutionKind(row.kind),
            country=country(row.country_code),
            city=row.city,
            is_site=row.is_site,
            website=row.website,
            created_at=row.created_at,
            updated_at=row.updated_at,
            parent_id=row.parent_id,
        )

    @strawberry.field
    async def parent(self, info: Info) -> Institution | None:
        return await load_institution(info, self.parent_id)

    @strawberry.field(
        description="What this institution came from: renamed, merged into or spun out of, "
        "with the date. A change of affiliation along one around its date is not a move."
    )
    async def predecessors(self, info: Info) -> list[InstitutionRelation]:
        return await _relations(info, self.id, "predecessors")

    @strawberry.field(description="What this institution became (part of), with the date.")
    async def successors(self, info: Info) -> list[InstitutionRelation]:
        return await _relations(info, self.id, "successors")

    @strawberry.field
    async def children(self, info: Info) -> list[Institution]:
        rows = await info.context.loaders.institution_children.load(self.id)
        return [Institution.from_row(r) for r in rows]

    @strawberry.field(description="Every name seen for it, native scripts included.")
    async def aliases(self, info: Info) -> list[str]:
        rows = await info.context.loaders.institution_aliases.load(self.id)
        # A seeded name that normalises like another is not a row of its own: added here.
        from_seed = any(r.source == "seed" for r in rows)
        seeded = seed_names().get(self.slug, ()) if from_seed else ()
        return list(dict.fromkeys([*(r.alias for r in rows), *seeded]))

    @strawberry.field(description="ROR, OpenAlex and Wikidata ids.")
    async def external_ids(self, info: Info) -> list[ExternalId]:
        rows = await info.context.loaders.institution_external_ids.load(self.id)
        return [ExternalId(scheme=r.scheme, value=r.value) for r in rows]

    @strawberry.field
    async def ror(self, info: Info) -> str | None:
        rows = await info.context.loaders.institution_external_ids.load(self.id)
        return next((r.value for r in rows if r.scheme == "ror"), None)

    @strawberry.field(description="Researchers with a current affiliation here.")
    async def current_researchers(
        self,
        info: Info,
        order_by: ResearcherOrder | None = None,
        include_descendants: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Researcher]:
        req = CurrentReq(
            order_by,
            page_args(info.context.settings, first, after, last, before),
            include_descendants,
        )
        key = ByParent(req, self.id)
        loaders = info.context.loaders
        page = await loaders.current_researchers.load(key)
        return connection(
            page, Researcher.from_row, lambda: loaders.current_researchers_count.load(key)
        )

    async def _moves(
        self,
        info: Info,
        direction: str,
        flt: MoveFilterInput | None,
        order_by: MoveOrder | None,
        include_descendants: bool,
        first: int | None,
        after: str | None,
        last: int | None,
        before: str | None,
    ) -> Connection[Move]:
        req = MovesReq(
            direction,
            await move_filter(info, flt),
            order_by,
            page_args(info.context.settings, first, after, last, before),
            include_descendants,
        )
        key = ByParent(req, self.id)
        loaders = info.context.loaders
        page = await loaders.institution_moves.load(key)
        await prefetch_moves(info, page.items, node_selection(info))
        return connection(page, Move.from_row, lambda: loaders.institution_moves_count.load(key))

    @strawberry.field(description="Moves arriving here (newest first by default).")
    async def moves_in(
        self,
        info: Info,
        filter: MoveFilterInput | None = None,
        order_by: MoveOrder | None = None,
        include_descendants: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Move]:
        return await self._moves(
            info, "in", filter, order_by, include_descendants, first, after, last, before
        )

    @strawberry.field(description="Moves leaving here (newest first by default).")
    async def moves_out(
        self,
        info: Info,
        filter: MoveFilterInput | None = None,
        order_by: MoveOrder | None = None,
        include_descendants: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Move]:
        return await self._moves(
            info, "out", filter, order_by, include_descendants, first, after, last, before
        )

    @strawberry.field(
        description="Inflow, outflow and net per period, counting this institution together "
        "with its sub-units; moves between them are neither in nor out."
    )
    async def flow_series(
        self, info: Info, period: Period = Period.YEAR, filter: MoveFilterInput | None = None
    ) -> list[FlowPoint]:
        req = SeriesReq(period, await move_filter(info, filter), info.context.settings.flow_rollups)
        key = ByParent(req, self.id)
        loader = info.context.loaders.institution_flow_series
        # Kept like the flows (``flow_cache``): dropped when a move is recorded, after
        # curator writes, and refreshed after 30 s. Misses of one request still batch in the loader.
        points = await flow_cache(info.context.state).get_or_compute(
            ("series", key), lambda: loader.load(key), bucket="series"
        )
        return [
            FlowPoint(period=p.period, inflow=p.inflow, outflow=p.outflow, net=p.net)
            for p in points
        ]

    @strawberry.field(description="Job postings, newest first.")
    async def job_postings(
        self,
        info: Info,
        open_only: bool = False,
        research_only: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[JobPosting]:
        req = PostingsReq(
            JobPostingFilter(open_only=open_only, research_only=research_only),
            page_args(info.context.settings, first, after, last, before),
        )
        key = ByParent(req, self.id)
        loaders = info.context.loaders
        page = await loaders.institution_postings.load(key)
        return connection(
            page, JobPosting.from_row, lambda: loaders.institution_postings_count.load(key)
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Institution | None]:
        rows = await info.context.loaders.institution_by_id.load_many(node_pks(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.enum(description="How one institution became (part of) another.")
class InstitutionRelationKind(Enum):
    RENAME = "rename"
    MERGER = "merger"
    SPIN_OUT = "spin_out"
    ACQUISITION = "acquisition"


@strawberry.type(description="A dated predecessor or successor of an institution.")
class InstitutionRelation:
    kind: InstitutionRelationKind
    date: PartialDate | None = strawberry.field(description="Null when the source gives none.")
    note: str | None
    institution: Institution


async def _relations(info: Info, institution_id: int, direction: str) -> list[InstitutionRelation]:
    rows = await relations_of(info.context.db, institution_id, direction)
    out: list[InstitutionRelation] = []
    for row in rows:
        other = await load_institution(info, row.other_id)
        when = partial_date(row.relation_date, row.date_precision)
        if other is not None:
            out.append(
                InstitutionRelation(
                    kind=InstitutionRelationKind(row.kind),
                    date=when,
                    note=row.note,
                    institution=other,
                )
            )
    return out
