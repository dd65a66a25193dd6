# mypy: disable-error-code="untyped-decorator"
"""Enums, small value types and the arguments every paged field shares."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import TypeVar

import pycountry
import strawberry

from service.config import Settings
from service.db.queries.flows import Level, Period, Weight
from service.db.queries.institutions import InstitutionOrder
from service.db.queries.moves import MoveOrder
from service.db.queries.pagination import PageArgs
from service.db.queries.researchers import ResearcherOrder

E = TypeVar("E", bound=Enum)

MoveOrderBy = strawberry.enum(MoveOrder, name="MoveOrderBy", description="How to sort moves.")
ResearcherOrderBy = strawberry.enum(
    ResearcherOrder,
    name="ResearcherOrderBy",
    description=(
        "How to sort researchers. RELEVANCE needs a name search (it falls back to NAME): first"
        " the researchers with a name that starts with the search, exact names first, then in"
        " name order, ties by id; then the other matches, most similar first."
    ),
)
InstitutionOrderBy = strawberry.enum(
    InstitutionOrder, name="InstitutionOrderBy", description="How to sort institutions."
)
FlowLevel = strawberry.enum(
    Level,
    name="FlowLevel",
    description="COUNTRY, INSTITUTION (a site is its own entity) or PARENT (top-level owner).",
)
FlowPeriod = strawberry.enum(
    Period, name="FlowPeriod", description="The bucket size of a series; ALL is one bucket."
)
FlowWeight = strawberry.enum(
    Weight,
    name="FlowWeight",
    description="What a flow cell adds up beside its count: COUNT (nothing more) or "
    "CITATIONS (the movers' citation counts, in `citations`).",
)


@strawberry.enum(description="What kind of move: between academia and industry.")
class MoveKind(Enum):
    ACADEMIA_TO_INDUSTRY = "academia_to_industry"
    INDUSTRY_TO_ACADEMIA = "industry_to_academia"
    INDUSTRY_TO_INDUSTRY = "industry_to_industry"
    ACADEMIA_TO_ACADEMIA = "academia_to_academia"
    UNKNOWN = "unknown"


@strawberry.enum(
    description="Reported (one source), corroborated, confirmed by a curator, retracted, or "
    "rumoured (only talks or unnamed sources so far; left out of lists and flows by default)."
)
class MoveStatus(Enum):
    REPORTED = "reported"
    CORROBORATED = "corroborated"
    CONFIRMED = "confirmed"
    RETRACTED = "retracted"
    RUMOURED = "rumoured"


@strawberry.enum(description="Where a move comes from.")
class MoveOrigin(Enum):
    REPORTED = "reported"
    INFERRED = "inferred"
    MANUAL = "manual"


@strawberry.enum(description="How precisely a date is known.")
class DatePrecision(Enum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    DAY = "day"


def by_value(enum: type[E]) -> Callable[[str], E]:
    """``enum(value)`` as one dict lookup: rows are turned into objects by the thousand, and
    an enum call (its metaclass, then ``__new__``) costs several times as much."""
    return {member.value: member for member in enum}.__getitem__


move_kind = by_value(MoveKind)
move_status = by_value(MoveStatus)
move_origin = by_value(MoveOrigin)
date_precision = by_value(DatePrecision)


@strawberry.enum
class InstitutionKind(Enum):
    COMPANY = "company"
    LAB = "lab"
    UNIVERSITY = "university"
    GOVERNMENT = "government"
    NONPROFIT = "nonprofit"
    OTHER = "other"


@strawberry.enum
class DocumentKind(Enum):
    NEWS_ARTICLE = "news_article"
    PUBLICATION = "publication"
    JOB_POSTING = "job_posting"
    PROFILE = "profile"
    DATASET = "dataset"
    MANUAL = "manual"


@strawberry.enum
class IngestRunStatus(Enum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@strawberry.enum
class CandidateMatchStatus(Enum):
    OPEN = "open"
    SAME = "same"
    DIFFERENT = "different"


@lru_cache(maxsize=512)
def country_name(code: str) -> str:
    found = pycountry.countries.get(alpha_2=code)
    return str(found.name) if found is not None else code


@strawberry.type(description="A country by its ISO 3166-1 alpha-2 code.")
class Country:
    code: str

    @strawberry.field
    def name(self) -> str:
        return country_name(self.code)


def country(code: str | None) -> Country | None:
    return Country(code=code) if code else None


@strawberry.type(description="A date known to a precision: 2024 (year), 2024-03 (month)...")
class PartialDate:
    date: date
    precision: DatePrecision

    @strawberry.field(description="The date written to its precision: 2024, 2024-Q2, 2024-03.")
    def text(self) -> str:
        d = self.date
        if self.precision is DatePrecision.YEAR:
            return f"{d.year:04d}"
        if self.precision is DatePrecision.QUARTER:
            return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
        if self.precision is DatePrecision.MONTH:
            return f"{d.year:04d}-{d.month:02d}"
        return d.isoformat()


def partial_date(value: date | None, precision: str | None) -> PartialDate | None:
    if value is None or precision is None:
        return None
    return PartialDate(date=value, precision=date_precision(precision))


@strawberry.type
class ExternalId:
    scheme: str
    value: str


def page_args(
    settings: Settings,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
) -> PageArgs:
    """Relay arguments checked against the page-size limits (``LIMIT_EXCEEDED`` beyond)."""
    return PageArgs(first, after, last, before).checked(
        settings.page_size_default, settings.page_size_max
    )
