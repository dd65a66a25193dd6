# mypy: disable-error-code="untyped-decorator"
"""Moves and the evidence behind them: the document, the quote and where it sits in the text."""

from __future__ import annotations

from collections.abc import Awaitable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from service.api.graphql.context import Info
from service.api.graphql.ids import node_pks
from service.api.graphql.prefetch import now_or_later
from service.api.graphql.types.common import (
    Country,
    DocumentKind,
    MoveKind,
    MoveOrigin,
    MoveStatus,
    PartialDate,
    country,
    move_kind,
    move_origin,
    move_status,
    partial_date,
)
from service.db.queries.evidence import DocumentRow, EvidenceRow
from service.db.queries.institutions import InstitutionRow
from service.db.queries.moves import MoveRow
from service.db.queries.researchers import ResearcherRow

if TYPE_CHECKING:
    from service.api.graphql.types.institution import Institution
    from service.api.graphql.types.researcher import Researcher

INSTITUTION = "service.api.graphql.types.institution"
RESEARCHER = "service.api.graphql.types.researcher"


@strawberry.type(description="A source document: a news article, a publication, a profile...")
class Document(relay.Node):
    id: relay.NodeID[int]
    kind: DocumentKind
    url: str
    title: str | None
    publisher: str | None
    published_at: datetime | None
    fetched_at: datetime
    language: str | None

    @classmethod
    def from_row(cls, row: DocumentRow) -> Document:
        return cls(
            id=row.id,
            kind=DocumentKind(row.kind),
            url=row.url,
            title=row.title,
            publisher=row.publisher,
            published_at=row.published_at,
            fetched_at=row.fetched_at,
            language=row.language,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Document | None]:
        rows = await info.context.loaders.document_by_id.load_many(node_pks(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(description="Where a quote sits in its document: character offsets.")
class Span:
    start: int
    end: int | None


@strawberry.type(description="One document's support for a move or an affiliation.")
class Evidence(relay.Node):
    id: relay.NodeID[int]
    quote: str | None
    extractor: str = strawberry.field(description="The plugin (or curator) that read it.")
    extractor_version: str | None
    confidence: float
    created_at: datetime
    document_id: strawberry.Private[int]
    span_start: strawberry.Private[int | None]
    span_end: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: EvidenceRow) -> Evidence:
        return cls(
            id=row.id,
            quote=row.quote,
            extractor=row.extractor,
            extractor_version=row.extractor_version,
            confidence=row.confidence,
            created_at=row.created_at,
            document_id=row.document_id,
            span_start=row.span_start,
            span_end=row.span_end,
        )

    @strawberry.field
    def span(self) -> Span | None:
        if self.span_start is None:
            return None
        return Span(start=self.span_start, end=self.span_end)

    @strawberry.field(graphql_type=Document)
    def document(self, info: Info) -> Document | Awaitable[Document]:
        return now_or_later(info.context.loaders.document_by_id, self.document_id, _document)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Evidence | None]:
        rows = await info.context.loaders.evidence_by_id.load_many(node_pks(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


@strawberry.type(description="A researcher leaving one institution for another, with evidence.")
class Move(relay.Node):
    id: relay.NodeID[int]
    date: PartialDate | None = strawberry.field(
        description="When, to the precision the sources give."
    )
    kind: MoveKind
    status: MoveStatus
    confidence: float
    provisional: bool = strawberry.field(
        description="Inferred from recent publications, which lag: may still change."
    )
    cross_border: bool
    is_returnee: bool
    origin: MoveOrigin
    from_country: Country | None
    to_country: Country | None
    created_at: datetime
    updated_at: datetime
    is_visit: bool = strawberry.field(
        default=False,
        description="A visit: a short stint away from the home institution (from) at the "
        "host (to), not a migration. Left out of moves and flows unless `includeVisits`.",
    )
    is_dual_affiliation: bool = strawberry.field(
        default=False,
        description="A dual affiliation: a cross-border move after which the researcher stays "
        "active in the origin country (a traveller, not a migrant). Left out of moves, flows "
        "and rates unless `includeDualAffiliations`.",
    )
    is_first_job_after_doctorate: bool = strawberry.field(
        default=False,
        description="The researcher's first move, out of the university of their doctorate "
        "within two years of its end: the step from the doctorate into a first job.",
    )
    date_earliest: PartialDate | None = strawberry.field(
        default=None,
        description="The earliest the move can have happened (for a move inferred from "
        "publications: the last active year at the origin).",
    )
    date_latest: PartialDate | None = strawberry.field(
        default=None,
        description="The latest the move can have happened (the first active year at the "
        "destination, or the dated employment that agrees).",
    )
    reasons: JSON | None = strawberry.field(
        default=None,
        description="Why an inferred move has its confidence: active years on each side, "
        "documents, gap, date precision, dated employment agreeing, identity confidence, "
        "renames or mergers followed; for a visit, the rule that made it one.",
    )
    doubts: list[str] = strawberry.field(
        default_factory=list,
        description="Why the move is less certain than its evidence alone would make it (a "
        "move across a merge of two records that rests on names and context).",
    )
    researcher_id: strawberry.Private[int]
    from_institution_id: strawberry.Private[int | None]
    to_institution_id: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: MoveRow) -> Move:
        return cls(
            id=row.id,
            date=partial_date(row.move_date, row.date_precision),
            kind=move_kind(row.kind),
            status=move_status(row.status),
            confidence=row.confidence,
            provisional=row.provisional,
            cross_border=row.cross_border,
            is_returnee=row.is_returnee,
            origin=move_origin(row.origin),
            from_country=country(row.from_country),
            to_country=country(row.to_country),
            created_at=row.created_at,
            updated_at=row.updated_at,
            is_visit=row.is_visit,
            is_dual_affiliation=row.is_dual_affiliation,
            is_first_job_after_doctorate=row.is_first_job_after_doctorate,
            date_earliest=partial_date(row.date_earliest, row.earliest_precision),
            date_latest=partial_date(row.date_latest, row.latest_precision),
            reasons=row.reasons,
            doubts=list(row.doubts or ()),
            researcher_id=row.researcher_id,
            from_institution_id=row.from_institution_id,
            to_institution_id=row.to_institution_id,
        )

    # These fields return a value when the request's loaders already hold it (the list
    # fields prefetch a whole page: service.api.graphql.prefetch), an awaitable otherwise.
    @strawberry.field(graphql_type=Annotated["Researcher", strawberry.lazy(RESEARCHER)])
    def researcher(self, info: Info) -> Researcher | Awaitable[Researcher]:
        return now_or_later(info.context.loaders.researcher_by_id, self.researcher_id, _researcher)

    @strawberry.field(
        name="from",
        description="Where from; null when unknown.",
        graphql_type=Annotated["Institution", strawberry.lazy(INSTITUTION)] | None,
    )
    def from_(self, info: Info) -> Institution | Awaitable[Institution | None] | None:
        return institution_now_or_later(info, self.from_institution_id)

    @strawberry.field(
        description="Where to; null for a departure with no known destination.",
        graphql_type=Annotated["Institution", strawberry.lazy(INSTITUTION)] | None,
    )
    def to(self, info: Info) -> Institution | Awaitable[Institution | None] | None:
        return institution_now_or_later(info, self.to_institution_id)

    @strawberry.field(
        description="The documents behind this move, strongest first.",
        graphql_type=list[Evidence],
    )
    def evidence(self, info: Info) -> list[Evidence] | Awaitable[list[Evidence]]:
        return now_or_later(info.context.loaders.evidence_by_move_id, self.id, _evidence_list)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Move | None]:
        rows = await info.context.loaders.move_by_id.load_many(node_pks(node_ids))
        return [cls.from_row(r) if r else None for r in rows]


def _document(row: DocumentRow | None) -> Document:
    assert row is not None
    return Document.from_row(row)


def _evidence_list(rows: list[EvidenceRow]) -> list[Evidence]:
    return [Evidence.from_row(r) for r in rows]


def _researcher(row: ResearcherRow | None) -> Researcher:
    from service.api.graphql.types.researcher import Researcher

    assert row is not None
    return Researcher.from_row(row)


def _institution_or_none(row: InstitutionRow | None) -> Institution | None:
    from service.api.graphql.types.institution import Institution

    return Institution.from_row(row) if row else None


def institution_now_or_later(
    info: Info, pk: int | None
) -> Institution | Awaitable[Institution | None] | None:
    if pk is None:
        return None
    return now_or_later(info.context.loaders.institution_by_id, pk, _institution_or_none)


async def load_institution(info: Info, pk: int | None) -> Institution | None:
    from service.api.graphql.types.institution import Institution

    if pk is None:
        return None
    row = await info.context.loaders.institution_by_id.load(pk)
    return Institution.from_row(row) if row else None
