"""Typed observations: everything an ingester can tell Talentflow.

An ingester never writes SQL; it yields these, and the pipeline validates, resolves and writes
them with their provenance. Each model is exported as JSON Schema to
``schema/observation.schema.json`` (regenerate with ``talentflow schema export``), which is also
the line format of the ``jsonl`` ingester: one JSON object per line with a ``type`` field.

Ids are given as ``{"scheme": value}`` maps (``orcid``, ``openalex``, ``ror``, ``wikidata``,
``dblp``, ``semantic_scholar``, or any lowercase scheme of your own).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from service.domain.urls import web_url

ORCID_RE = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
SCHEME_RE = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
OPENALEX_RE = re.compile(r"^[AIWS]\d+$")
ROR_RE = re.compile(r"^0[a-z0-9]{6}\d{2}$")
COUNTRY_RE = r"^[A-Z]{2}$"
INT_MAX = 2**31 - 1  # counts and offsets are stored as PostgreSQL integers


def _clean_ids(value: dict[str, str]) -> dict[str, str]:
    if not value:
        return {}
    # The same ids come again and again (a person in each of their affiliations, an
    # institution in every affiliation with it): clean each set once.
    return dict(_clean_id_items(tuple(value.items())))


@lru_cache(maxsize=65536)
def _clean_id_items(items: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(_clean_ids_uncached(dict(items)).items())


def _clean_ids_uncached(value: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for scheme, raw in value.items():
        if not SCHEME_RE.match(scheme):
            raise ValueError(f"id scheme {scheme!r} must be lowercase letters, digits, '_'")
        v = str(raw).strip()
        if not v:
            continue
        if scheme == "orcid":
            v = v.removeprefix("https://orcid.org/").removeprefix("http://orcid.org/").upper()
            if not ORCID_RE.match(v):
                raise ValueError(f"orcid {raw!r} is not an ORCID iD like 0000-0002-1825-0097")
        elif scheme == "openalex":
            v = v.removeprefix("https://openalex.org/").upper()
            if not OPENALEX_RE.match(v):
                raise ValueError(f"openalex id {raw!r} is not like A5023888391 or I27837315")
        elif scheme == "ror":
            v = v.removeprefix("https://ror.org/").lower()
            if not ROR_RE.match(v):
                raise ValueError(f"ror id {raw!r} is not like 00jmfr291")
        out[scheme] = v
    return out


# The forms ``_clean_ids`` takes, for the published schema (an empty value is dropped).
_ID_FORMS = {
    "orcid": r"(https?://orcid\.org/)?[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]",
    "openalex": r"(https://openalex\.org/)?[AIWSaiws][0-9]+",
    "ror": r"(https://ror\.org/)?0[a-zA-Z0-9]{6}[0-9]{2}",
}

WebUrl = Annotated[
    str,
    Field(min_length=1, max_length=2000),
    AfterValidator(web_url),
]
"""A URL people may follow: http or https only (``service.domain.urls``)."""

Ids = Annotated[
    dict[str, str],
    AfterValidator(_clean_ids),
    Field(
        default_factory=dict,
        description="External ids by scheme.",
        json_schema_extra={
            "propertyNames": {"pattern": SCHEME_RE.pattern},
            "properties": {
                scheme: {"type": "string", "pattern": rf"^\s*({form})?\s*$"}
                for scheme, form in _ID_FORMS.items()
            },
        },
    ),
]


class PartialDateModel(BaseModel):
    """A date known to the year, month or day."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    year: int = Field(ge=1900, le=2100)
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)

    @model_validator(mode="after")
    def _check(self) -> PartialDateModel:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        if self.day is not None and self.month is not None:
            date(self.year, self.month, self.day)  # raises ValueError for 2023-02-30
        return self

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def to_date(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @classmethod
    def parse(cls, value: str) -> PartialDateModel:
        parts = value.strip().split("-")
        if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f"{value!r} is not a date like 2024, 2024-07 or 2024-07-01")
        nums = [int(p) for p in parts]
        return cls(
            year=nums[0],
            month=nums[1] if len(nums) > 1 else None,
            day=nums[2] if len(nums) > 2 else None,
        )


def _coerce_partial(value: Any) -> Any:
    if isinstance(value, str):
        return PartialDateModel.parse(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return {"year": value}
    if isinstance(value, datetime):
        return {"year": value.year, "month": value.month, "day": value.day}
    if isinstance(value, date):
        return {"year": value.year, "month": value.month, "day": value.day}
    return value


# What a partial date may be written as on the wire: the published schema says exactly what
# ``_coerce_partial`` takes, so a producer that validates against it is never refused for the
# form of a date (a day that does not exist, 2023-02-30, is still refused by the ingester).
PARTIAL_DATE_TEXT = (
    r"^(19[0-9]{2}|20[0-9]{2}|2100)(-(0?[1-9]|1[0-2])(-(0?[1-9]|[12][0-9]|3[01]))?)?$"
)
PartialDateText = Annotated[
    str,
    Field(
        pattern=PARTIAL_DATE_TEXT,
        description="2024, 2024-07 or 2024-07-01",
        examples=["2024", "2024-07", "2024-07-01"],
    ),
]
PartialDateYear = Annotated[int, Field(ge=1900, le=2100, description="A year alone.")]
PartialDate = Annotated[
    PartialDateModel,
    BeforeValidator(
        _coerce_partial, json_schema_input_type=PartialDateText | PartialDateYear | PartialDateModel
    ),
]
"""A partial date field: ``"2024-07"``, ``2024`` or ``{"year": 2024, "month": 7}``."""

# A timestamp on the wire. Pydantic takes more (unix seconds, a space for the ``T``); the
# published form is ISO 8601, a date alone or a date and time with an optional zone.
TIMESTAMP_TEXT = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|z|[+-][0-9]{2}:?[0-9]{2})?)?$"
)
Timestamp = Annotated[
    datetime,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": TIMESTAMP_TEXT,
            "description": "ISO 8601: 2024-03-17, 2024-03-17T09:00:00Z or with an offset",
        },
        mode="validation",
    ),
]


def _present(field: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"required": [field], "properties": {field: schema or {"not": {"type": "null"}}}}


# What a model's validator demands of several fields together, in JSON Schema, so that a line
# that passes the published schema is not refused for it.
_TOGETHER: dict[str, dict[str, Any]] = {
    "InstitutionRef": {
        "anyOf": [
            _present("name", {"type": "string", "minLength": 1}),
            _present("slug"),
            _present("ids", {"type": "object", "minProperties": 1}),
        ]
    },
    "MoveReported": {"anyOf": [_present("from_institution"), _present("to_institution")]},
    "AffiliationSeen": {
        "anyOf": [
            _present("years", {"type": "array", "minItems": 1}),
            _present("start"),
            _present("end"),
        ]
    },
}


def _wire_schema(schema: dict[str, Any], model: type[Any]) -> None:
    # ``type`` has a default for Python callers, but the jsonl ingester picks the model by it,
    # so on the wire it is required.
    properties = schema.get("properties", {})
    if "type" in properties:
        required = schema.setdefault("required", [])
        if "type" not in required:
            required.insert(0, "type")
    schema.update(_TOGETHER.get(model.__name__, {}))


class _Observation(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra=_wire_schema
    )


class InstitutionRef(_Observation):
    """How an observation names an institution: ids and/or a name (raw strings are fine)."""

    name: str | None = Field(default=None, max_length=1000)
    ids: Ids
    country_code: str | None = Field(default=None, pattern=COUNTRY_RE)
    slug: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")

    @model_validator(mode="after")
    def _some_key(self) -> InstitutionRef:
        if not (self.name or self.ids or self.slug):
            raise ValueError("an institution needs a name, a slug or an id")
        return self


class PersonRef(_Observation):
    """How an observation names a researcher: strong ids when known, else a name."""

    name: str = Field(min_length=1, max_length=500)
    native_name: str | None = Field(default=None, max_length=200)
    ids: Ids


class DocumentSeen(_Observation):
    """A source document: the provenance of the observations that cite it by ``url``."""

    type: Literal["document_seen"] = "document_seen"
    url: WebUrl
    kind: Literal["news_article", "publication", "job_posting", "profile", "dataset", "manual"]
    title: str | None = Field(default=None, max_length=2000)
    publisher: str | None = Field(default=None, max_length=500)
    published_at: Timestamp | None = None
    language: str | None = Field(default=None, max_length=20)
    content_hash: str | None = Field(default=None, max_length=128)
    text: str | None = Field(
        default=None, description="Main text, offered to the extract_moves hooks; not stored."
    )


class InstitutionRelationRef(_Observation):
    """A predecessor or successor of an institution as a source gives it (ROR's
    ``relationships`` of type predecessor/successor, OpenAlex's associated institutions)."""

    institution: InstitutionRef
    kind: Literal["rename", "merger", "spin_out", "acquisition"] = "rename"
    date: PartialDateModel | None = Field(
        default=None, description="When; unknown (ROR gives none) means: where the switch is."
    )

    @field_validator("date", mode="before")
    @classmethod
    def _partial(cls, value: Any) -> Any:
        return _coerce_partial(value)


class InstitutionSeen(_Observation):
    type: Literal["institution_seen"] = "institution_seen"
    name: str = Field(min_length=1, max_length=500)
    ids: Ids
    kind: Literal["company", "lab", "university", "government", "nonprofit", "other"] | None = None
    country_code: str | None = Field(default=None, pattern=COUNTRY_RE)
    city: str | None = None
    parent: InstitutionRef | None = None
    aliases: list[str] = Field(default_factory=list, max_length=200)
    website: WebUrl | None = None
    predecessors: list[InstitutionRelationRef] = Field(
        default_factory=list,
        max_length=50,
        description="What it was before (renamed from, merged from, spun out of).",
    )
    successors: list[InstitutionRelationRef] = Field(
        default_factory=list, max_length=50, description="What it became (part of)."
    )


class ResearcherSeen(_Observation):
    type: Literal["researcher_seen"] = "researcher_seen"
    name: str = Field(min_length=1, max_length=500)
    native_name: str | None = Field(default=None, max_length=200)
    ids: Ids
    aliases: list[str] = Field(default_factory=list, max_length=200)
    topics: list[str] = Field(default_factory=list, max_length=100)
    works_count: int | None = Field(default=None, ge=0, le=INT_MAX)
    cited_by_count: int | None = Field(default=None, ge=0, le=INT_MAX)
    h_index: int | None = Field(default=None, ge=0, le=INT_MAX)
    document_url: WebUrl | None = None


class AffiliationSeen(_Observation):
    """A stint: a researcher at an institution, over years (publications) or dates (ORCID)."""

    type: Literal["affiliation_seen"] = "affiliation_seen"
    person: PersonRef
    institution: InstitutionRef
    years: list[int] = Field(default_factory=list, max_length=200)
    start: PartialDate | None = None
    end: PartialDate | None = None
    documents_per_year: dict[int, int] = Field(
        default_factory=dict,
        max_length=200,
        description="How many of the source's documents carried this affiliation in each "
        "year (OpenAlex works per author, institution and year), where the source counts "
        "them; each year must be among `years`. Move inference takes a short stay with few "
        "documents for a visit.",
    )
    role: str | None = Field(default=None, max_length=500)
    department: str | None = Field(default=None, max_length=500)
    source_key: str = Field(default="", max_length=200, description="Stable id within the source")
    document_url: WebUrl | None = Field(default=None, description="The document this comes from.")

    @field_validator("years")
    @classmethod
    def _years(cls, value: list[int]) -> list[int]:
        for y in value:
            if not 1900 <= y <= 2100:
                raise ValueError(f"year {y} is out of range 1900..2100")
        return sorted(set(value))

    @field_validator("documents_per_year")
    @classmethod
    def _counts(cls, value: dict[int, int]) -> dict[int, int]:
        for year, count in value.items():
            if not 1 <= count <= 1_000_000:
                raise ValueError(f"documents_per_year[{year}] = {count} is out of range 1..1000000")
        return dict(sorted(value.items()))

    @model_validator(mode="after")
    def _dates(self) -> AffiliationSeen:
        stray = sorted(set(self.documents_per_year) - set(self.years))
        if stray:
            raise ValueError(f"documents_per_year names years not in years: {stray}")
        if self.start and self.end and self.end.to_date() < self.start.to_date():
            raise ValueError("end is before start")
        if not (self.years or self.start or self.end):
            raise ValueError("an affiliation needs years or a start/end date")
        return self


class MoveReported(_Observation):
    """A move as a source reports it; either end may be unknown, not both."""

    type: Literal["move_reported"] = "move_reported"
    person: PersonRef
    from_institution: InstitutionRef | None = None
    to_institution: InstitutionRef | None = None
    date: PartialDate | None = None
    quote: str | None = Field(default=None, max_length=5000)
    span_start: int | None = Field(default=None, ge=0, le=INT_MAX)
    span_end: int | None = Field(default=None, ge=0, le=INT_MAX)
    document_url: WebUrl
    confidence: float = Field(default=0.8, ge=0, le=1)
    extractor: str | None = Field(default=None, max_length=200)
    role: str | None = Field(default=None, max_length=500)
    modality: Literal["reported", "rumoured", "denied"] = Field(
        default="reported",
        description="How the source speaks of the move: reports it (as done or confirmed), "
        "passes on a rumour or talks (stored as a RUMOURED move), or denies it (evidence "
        "against a move already known, lowering its confidence; nothing is created).",
    )

    @model_validator(mode="after")
    def _ends(self) -> MoveReported:
        if self.from_institution is None and self.to_institution is None:
            raise ValueError("a move needs a from_institution, a to_institution or both")
        start, end = self.span_start, self.span_end
        if start is not None and end is not None and end < start:
            raise ValueError("span_end is before span_start")
        return self


class JobPostingSeen(_Observation):
    type: Literal["job_posting_seen"] = "job_posting_seen"
    source: str = Field(min_length=1, max_length=100)
    external_id: str = Field(min_length=1, max_length=200)
    institution: InstitutionRef | None = None
    title: str = Field(min_length=1, max_length=1000)
    team: str | None = None
    department: str | None = None
    location: str | None = None
    country_code: str | None = Field(default=None, pattern=COUNTRY_RE)
    remote: bool = False
    posted_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    url: WebUrl | None = None
    description: str | None = None
    is_research: bool = False
    role_category: str | None = None
    topics: list[str] = Field(default_factory=list)


class JobPostingClosed(_Observation):
    type: Literal["job_posting_closed"] = "job_posting_closed"
    source: str = Field(min_length=1, max_length=100)
    external_id: str = Field(min_length=1, max_length=200)
    closed_at: Timestamp


class EducationSeen(_Observation):
    """A degree: a researcher studied (or held a postdoc) at an institution.

    Education never produces a move on its own; it says where a researcher trained, for the
    pipeline measures and for classing a move as a return.
    """

    type: Literal["education_seen"] = "education_seen"
    person: PersonRef
    institution: InstitutionRef
    degree: Literal["bachelor", "master", "doctorate", "postdoc", "unknown"] = Field(
        description="The level; `unknown` when the source does not say (ORCID's free-text "
        "role titles often do not)."
    )
    field: str | None = Field(default=None, max_length=500, description="Subject, if known.")
    start: PartialDateModel | None = None
    end: PartialDateModel | None = None
    source_key: str = Field(default="", max_length=200, description="Stable id within the source")
    document_url: str | None = Field(default=None, description="The document this comes from.")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _partial(cls, value: Any) -> Any:
        return _coerce_partial(value)

    @model_validator(mode="after")
    def _dates(self) -> EducationSeen:
        if self.start and self.end and self.end.to_date() < self.start.to_date():
            raise ValueError("end is before start")
        return self


class BaselineRateSeen(_Observation):
    """One row of a published baseline series: a country's scholarly migration in a year.

    ``series`` names the dataset (its licence and attribution travel with each row, so the
    stored series always carries them); rates are fractions of ``population``.
    """

    type: Literal["baseline_rate_seen"] = "baseline_rate_seen"
    series: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=100)
    measure: Literal["migration"] = "migration"
    title: str | None = Field(default=None, max_length=1000)
    license: str = Field(min_length=1, max_length=200)
    attribution: str = Field(min_length=1, max_length=2000)
    country_code: str = Field(pattern=COUNTRY_RE)
    year: int = Field(ge=1900, le=2100)
    population: int | None = Field(default=None, ge=0)
    in_migrations: int | None = Field(default=None, ge=0)
    out_migrations: int | None = Field(default=None, ge=0)
    in_rate: float | None = None
    out_rate: float | None = None
    net_rate: float | None = None
    document_url: str | None = Field(default=None, description="The dataset this comes from.")


Observation = Annotated[
    DocumentSeen
    | InstitutionSeen
    | ResearcherSeen
    | AffiliationSeen
    | MoveReported
    | JobPostingSeen
    | JobPostingClosed
    | EducationSeen
    | BaselineRateSeen,
    Field(discriminator="type"),
]

OBSERVATION_TYPES: tuple[type[BaseModel], ...] = (
    DocumentSeen,
    InstitutionSeen,
    ResearcherSeen,
    AffiliationSeen,
    MoveReported,
    JobPostingSeen,
    JobPostingClosed,
    EducationSeen,
    BaselineRateSeen,
)

observation_adapter: TypeAdapter[Observation] = TypeAdapter(Observation)


def parse_observation(data: Any) -> Observation:
    """Validate one observation from plain data (raises pydantic.ValidationError)."""
    return observation_adapter.validate_python(data)


def parse_observation_json(data: str | bytes) -> Observation:
    """Validate one observation from its JSON text (raises pydantic.ValidationError); faster
    than ``parse_observation(json.loads(data))``."""
    return observation_adapter.validate_json(data)


def observation_json_schema() -> dict[str, Any]:
    schema = observation_adapter.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Talentflow observation"
    schema["description"] = (
        "One observation yielded by an ingester, or one line of a jsonl ingest file."
    )
    return schema


def observation_schema_text() -> str:
    """The committed form of ``schema/observation.schema.json`` (stable key order)."""
    import json

    return (
        json.dumps(observation_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def export_observation_schema(path: str | Path) -> Path:
    """Write the observation JSON Schema to ``path``; return the path written."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(observation_schema_text(), encoding="utf-8")
    return target
