# mypy: disable-error-code="untyped-decorator"
"""The GraphQL schema: queries, mutations, the subscription and the protective extensions."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated, cast

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from service.api.graphql import fast_fields, preshaped
from service.api.graphql.context import Info, analysis_db
from service.api.graphql.errors import (
    ConflictError,
    Error,
    InvalidInput,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    classify,
)
from service.api.graphql.flow_cache import flow_cache
from service.api.graphql.ids import decode_id
from service.api.graphql.limits import MAX_BATCH_OPERATIONS
from service.api.graphql.mutations.ingest_run import IngestRunMutations
from service.api.graphql.mutations.institution import InstitutionMutations
from service.api.graphql.mutations.move import MoveMutations
from service.api.graphql.mutations.researcher import ResearcherMutations
from service.api.graphql.prefetch import node_selection, prefetch_moves
from service.api.graphql.preshaped import (
    PreshapedExecutionContext,
    cached_answer,
)
from service.api.graphql.request_guards import RequestGuards, request_guards
from service.api.graphql.strawberry_internals import core_schema
from service.api.graphql.subscriptions import Subscription
from service.api.graphql.types.affiliation import Affiliation
from service.api.graphql.types.candidate_match import CandidateMatch
from service.api.graphql.types.common import CandidateMatchStatus, IngestRunStatus, page_args
from service.api.graphql.types.connection import Connection, connection
from service.api.graphql.types.filters import (
    InstitutionFilterInput,
    MoveFilterInput,
    ResearcherFilterInput,
    institution_filter,
    move_filter,
    researcher_filter,
)
from service.api.graphql.types.flow import (
    CELL_FIELDS,
    NET_FIELDS,
    FlowCell,
    NetFlow,
    entities,
    shape_cells,
    shape_rows,
)
from service.api.graphql.types.hiring import HiringQueries
from service.api.graphql.types.ingest_run import IngestRun
from service.api.graphql.types.institution import Institution
from service.api.graphql.types.job_posting import JobPosting
from service.api.graphql.types.move import Document, Evidence, Move
from service.api.graphql.types.pipeline import PipelineQueries
from service.api.graphql.types.rates import RateQueries
from service.api.graphql.types.researcher import Researcher
from service.api.middleware import query_hash
from service.config import Settings, get_settings
from service.db.queries import (
    candidate_matches,
    flows,
    ingest_runs,
    institutions,
    moves,
    rates,
    researchers,
    search,
)
from service.db.queries.candidate_matches import CandidateMatchFilter
from service.db.queries.flows import Level, Period, Weight, mark_small
from service.db.queries.ingest_runs import IngestRunFilter
from service.db.queries.institutions import InstitutionOrder
from service.db.queries.moves import MoveOrder
from service.db.queries.rates import current_year
from service.db.queries.researchers import ResearcherOrder
from service.domain.names import check_search
from service.errors import LimitExceeded, UserError

logger = logging.getLogger(__name__)

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "schema" / "schema.graphql"

SearchResult = Annotated[Researcher | Institution, strawberry.union("SearchResult")]


def _one_of(**given: object) -> str:
    named = [k for k, v in given.items() if v is not None]
    if len(named) != 1:
        raise InvalidInput("give exactly one of: " + ", ".join(given), field=",".join(given))
    return named[0]


@strawberry.type
class Query(HiringQueries, RateQueries, PipelineQueries):
    @strawberry.field(description="Any object by its global id.")
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        found: relay.Node | None = await id.resolve_node(info, required=False)
        return found

    @strawberry.field(description="Objects by their global ids, in the order given.")
    async def nodes(self, info: Info, ids: list[relay.GlobalID]) -> list[relay.Node | None]:
        if len(ids) > info.context.settings.page_size_max:
            raise LimitExceeded(
                f"at most {info.context.settings.page_size_max} ids at once", field="ids"
            )
        return list(await asyncio.gather(*(i.resolve_node(info, required=False) for i in ids)))

    @strawberry.field(
        description="A researcher by global id, ORCID or OpenAlex id (exactly one). A merged "
        "researcher resolves to the record it was merged into."
    )
    async def researcher(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        orcid: str | None = None,
        openalex_id: str | None = None,
    ) -> Researcher | None:
        which = _one_of(id=id, orcid=orcid, openalexId=openalex_id)
        loaders = info.context.loaders
        pk: int | None
        if which == "id":
            assert id is not None
            pk = decode_id(id, "Researcher")
        elif which == "orcid":
            assert orcid is not None
            pk = await loaders.researcher_id_by_orcid.load(orcid.strip().upper())
        else:
            assert openalex_id is not None
            pk = await loaders.researcher_id_by_openalex.load(openalex_id.strip())
        if pk is None:
            return None
        row = await loaders.researcher_by_id.load(pk)
        return Researcher.from_row(row) if row else None

    @strawberry.field(description="An institution by global id, ROR id or slug (exactly one).")
    async def institution(
        self,
        info: Info,
        id: strawberry.ID | None = None,
        ror: str | None = None,
        slug: str | None = None,
    ) -> Institution | None:
        which = _one_of(id=id, ror=ror, slug=slug)
        loaders = info.context.loaders
        pk: int | None
        if which == "id":
            assert id is not None
            pk = decode_id(id, "Institution")
        elif which == "ror":
            assert ror is not None
            pk = await loaders.institution_id_by_ror.load(ror.strip().rsplit("/", 1)[-1])
        else:
            assert slug is not None
            pk = await loaders.institution_id_by_slug.load(slug.strip())
        if pk is None:
            return None
        row = await loaders.institution_by_id.load(pk)
        return Institution.from_row(row) if row else None

    @strawberry.field(description="A move by global id.")
    async def move(self, info: Info, id: strawberry.ID) -> Move | None:
        row = await info.context.loaders.move_by_id.load(decode_id(id, "Move"))
        return Move.from_row(row) if row else None

    @strawberry.field(description="Researchers (merged records left out), filtered and sorted.")
    async def researchers(
        self,
        info: Info,
        filter: ResearcherFilterInput | None = None,
        order_by: ResearcherOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Researcher]:
        ctx = info.context
        flt = await researcher_filter(info, filter)
        page = await researchers.list_researchers(
            ctx.db,
            flt,
            order_by,
            page_args(ctx.settings, first, after, last, before),
            trigram=await ctx.trigram(),
        )
        return connection(
            page, Researcher.from_row, lambda: researchers.count_researchers(ctx.db, flt)
        )

    @strawberry.field(description="Institutions, filtered and sorted.")
    async def institutions(
        self,
        info: Info,
        filter: InstitutionFilterInput | None = None,
        order_by: InstitutionOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Institution]:
        ctx = info.context
        flt = await institution_filter(info, filter)
        page = await institutions.list_institutions(
            ctx.db,
            flt,
            order_by,
            page_args(ctx.settings, first, after, last, before),
            trigram=await ctx.trigram(),
        )
        return connection(
            page, Institution.from_row, lambda: institutions.count_institutions(ctx.db, flt)
        )

    @strawberry.field(description="Moves, filtered and sorted (newest first by default).")
    async def moves(
        self,
        info: Info,
        filter: MoveFilterInput | None = None,
        order_by: MoveOrder | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Move]:
        ctx = info.context
        flt = await move_filter(info, filter)
        page = await moves.list_moves(
            ctx.db, flt, order_by, page_args(ctx.settings, first, after, last, before)
        )
        await prefetch_moves(info, page.items, node_selection(info))
        return connection(page, Move.from_row, lambda: moves.count_moves(ctx.db, flt))

    @strawberry.field(
        description="Moves counted from origin to destination per period. `small` marks "
        "counts under the small-number threshold."
    )
    async def flows(
        self,
        info: Info,
        level: Level = Level.COUNTRY,
        period: Period = Period.YEAR,
        filter: MoveFilterInput | None = None,
        weight: Weight = Weight.COUNT,
    ) -> list[FlowCell]:
        ctx = info.context
        flt = await move_filter(info, filter)
        threshold = ctx.settings.small_number_threshold

        async def compute() -> list[FlowCell]:
            rows = await flows.flows(
                ctx.db, level, period, flt, weight, rollups=ctx.settings.flow_rollups
            )
            found = await entities(info, [k for r in rows for k in (r.origin, r.destination)])
            return [
                FlowCell(
                    origin=found.get(r.origin) if r.origin is not None else None,
                    destination=found.get(r.destination) if r.destination is not None else None,
                    period=r.period,
                    count=r.count,
                    small=mark_small(r.count, threshold),
                    citations=r.citations,
                )
                for r in rows
            ]

        cache = flow_cache(ctx.state)
        key = ("flows", level, period, flt, threshold, weight)
        # A flows answer is ~1 MB of JSON: in response form, encoded once per selection.
        answer = await cached_answer(cache, key, compute, info, CELL_FIELDS, shape_cells)
        return cast("list[FlowCell]", answer)

    @strawberry.field(
        description="Inflow, outflow and net per entity and period; moves within one entity "
        "(a domestic move at COUNTRY level) are neither. `weight: CITATIONS` adds the movers' "
        "citations summed beside each count, as `flows` does; populations and rates stay "
        "counts of people."
    )
    async def net_flows(
        self,
        info: Info,
        level: Level = Level.COUNTRY,
        period: Period = Period.YEAR,
        filter: MoveFilterInput | None = None,
        weight: Weight = Weight.COUNT,
    ) -> list[NetFlow]:
        ctx = info.context
        flt = await move_filter(info, filter)
        threshold = ctx.settings.small_number_threshold

        as_of = current_year()

        async def compute() -> list[NetFlow]:
            async with analysis_db(ctx) as db:
                rows = await rates.net_flow_rates(
                    db,
                    level,
                    period,
                    flt,
                    as_of,
                    threshold,
                    weight,
                    rollups=ctx.settings.flow_rollups,
                )
            found = await entities(info, [r.flow.entity for r in rows])
            return [
                NetFlow(
                    entity=found[r.flow.entity],
                    period=r.flow.period,
                    inflow=r.flow.inflow,
                    outflow=r.flow.outflow,
                    net=r.flow.net,
                    small=r.rates.small,
                    population=r.rates.population,
                    in_rate=r.rates.in_rate,
                    out_rate=r.rates.out_rate,
                    net_rate=r.rates.net_rate,
                    inflow_citations=r.flow.inflow_citations,
                    outflow_citations=r.flow.outflow_citations,
                    net_citations=r.flow.net_citations,
                )
                for r in rows
                if r.flow.entity in found
            ]

        cache = flow_cache(ctx.state)
        key = ("net_flows", level, period, flt, threshold, as_of, weight)
        answer = await cached_answer(
            cache,
            key,
            compute,
            info,
            NET_FIELDS,
            lambda rows, shape: shape_rows(rows, shape, "NetFlow"),
        )
        return cast("list[NetFlow]", answer)

    @strawberry.field(
        description="One search box: researchers (by any of their names) and institutions "
        "(by name or alias); up to `first` of each."
    )
    async def search(self, info: Info, query: str, first: int | None = None) -> list[SearchResult]:
        ctx = info.context
        size = first if first is not None else ctx.settings.page_size_default
        if size > ctx.settings.page_size_max:
            raise LimitExceeded(
                f"`first` is {size}; at most {ctx.settings.page_size_max}", field="first"
            )
        if size < 0:
            raise UserError("`first` must not be negative", field="first")
        check_search(query, "query")
        if not query.strip():
            return []
        found = await search.search(ctx.db, query, size, trigram=await ctx.trigram())
        return [
            *(Researcher.from_row(r) for r in found.researchers),
            *(Institution.from_row(i) for i in found.institutions),
        ]

    @strawberry.field(description="Ingestion runs, newest first.")
    async def ingest_runs(
        self,
        info: Info,
        plugin: str | None = None,
        status: list[IngestRunStatus] | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[IngestRun]:
        ctx = info.context
        flt = IngestRunFilter(plugin, tuple(s.value for s in status or ()))
        page = await ingest_runs.list_ingest_runs(
            ctx.db, flt, page_args(ctx.settings, first, after, last, before)
        )
        return connection(
            page, IngestRun.from_row, lambda: ingest_runs.count_ingest_runs(ctx.db, flt)
        )

    @strawberry.field(description="Candidate matches for curators, best score first.")
    async def candidate_matches(
        self,
        info: Info,
        status: list[CandidateMatchStatus] | None = None,
        min_score: float | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[CandidateMatch]:
        ctx = info.context
        flt = CandidateMatchFilter(tuple(s.value for s in status or ()), min_score)
        page = await candidate_matches.list_candidate_matches(
            ctx.db, flt, page_args(ctx.settings, first, after, last, before)
        )
        return connection(
            page,
            CandidateMatch.from_row,
            lambda: candidate_matches.count_candidate_matches(ctx.db, flt),
        )


@strawberry.type
class Mutation(MoveMutations, ResearcherMutations, InstitutionMutations, IngestRunMutations):
    pass


class TalentflowSchema(strawberry.Schema):
    """strawberry's schema, logging errors without the query.

    strawberry logs every error at ERROR with ``str(error)``, which prints the query's source
    lines (the whole query when it is one line, keys and personal data included) and a
    traceback for expected refusals. Here each error is one line naming its code, its path and
    the query's hash (a message may quote the input, so it is not logged); unexpected errors keep their traceback, logged by ``ErrorPolicy``.
    """

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        query = execution_context.query if execution_context is not None else None
        digest = query_hash(query) if query else "-"
        for error in errors:
            code, mask = classify(error)
            logger.log(
                logging.WARNING if mask else logging.INFO,
                "graphql error %s at %s (query %s)",
                code,
                ".".join(str(p) for p in error.path or ()) or "-",
                digest,
            )


def build_schema(
    settings: Settings | None = None,
    guards: RequestGuards | None = None,
    *,
    shortcuts: bool = True,
) -> strawberry.Schema:
    """The schema, whose extensions are the request guards (the fast path runs the same
    ``guards``: pass the object both are built with).

    ``shortcuts=False`` leaves out the direct field resolvers (``fast_fields``) and the
    pre-shaped completion (``preshaped``): plain strawberry and graphql-core execution, the
    reference the differential test compares both executors with."""
    settings = settings or get_settings()
    guards = guards if guards is not None else request_guards(settings)
    schema = TalentflowSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[
            Affiliation,
            Document,
            Evidence,
            JobPosting,
            Error,
            NotFoundError,
            PermissionDeniedError,
            ValidationError,
            ConflictError,
        ],
        extensions=guards.extensions(),
        config=StrawberryConfig(batching_config={"max_operations": MAX_BATCH_OPERATIONS}),
        execution_context_class=PreshapedExecutionContext if shortcuts else None,
    )
    if shortcuts:
        fast_fields.install(schema)
        preshaped.enable(core_schema(schema))
    return schema


def schema_sdl() -> str:
    """The SDL frontend teams build on (the limits do not change it)."""
    from service.config import load_settings

    return build_schema(load_settings()).as_str() + "\n"


def export_schema(path: Path | str = SCHEMA_FILE) -> Path:
    """Write the SDL to ``path`` (``schema/schema.graphql`` by default)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(schema_sdl(), encoding="utf-8")
    return target
