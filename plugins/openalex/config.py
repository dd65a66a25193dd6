"""The ``openalex`` ingester's configuration: which authors to follow and how."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from plugins.openalex.parse import orcid_id, ror_id, short_id
from talentflow import IngesterConfig

MAX_OR_VALUES = 50
"""OpenAlex allows up to 100 values OR-ed with ``|`` in one filter; we stay well under."""


class OpenAlexConfig(IngesterConfig):
    base_url: str = Field(default="https://api.openalex.org", description="API root.")
    api_key: SecretStr | None = Field(
        default=None,
        description="OpenAlex API key, sent as the api_key query parameter; list queries need it.",
    )
    mailto: str | None = Field(default=None, description="Contact email sent as mailto.")
    institutions: list[str] = Field(
        default_factory=list,
        max_length=MAX_OR_VALUES,
        description="Follow authors of these institutions: OpenAlex ids (I…) or RORs.",
    )
    institution_filter: Literal["affiliations", "last_known"] = Field(
        default="affiliations",
        description="Match any past affiliation (affiliations.institution.id) or only the "
        "last known one (last_known_institutions.id).",
    )
    topics: list[str] = Field(
        default_factory=list,
        max_length=MAX_OR_VALUES,
        description="Only authors with one of these topics (OpenAlex topic ids T…).",
    )
    authors: list[str] = Field(
        default_factory=list,
        max_length=10_000,
        description="Explicit authors: OpenAlex author ids (A…) or ORCID iDs.",
    )
    min_works_count: int | None = Field(
        default=None, ge=1, description="Only authors with at least this many works."
    )
    since: date | None = Field(
        default=None,
        description="First run only: authors updated on or after this date. Later runs use "
        "the date the previous complete run started.",
    )
    works_mode: bool = Field(
        default=False,
        description="Also read followed authors' works to date the start of each affiliation "
        "to the month of the first work there.",
    )
    works_since_year: int | None = Field(
        default=None, ge=1900, le=2100, description="Works mode: works published from this year."
    )
    per_page: int = Field(default=100, ge=1, le=200, description="Results per list page.")
    requests_per_second: float = Field(
        default=8.0, gt=0, le=8.0, description="Request rate to the API host (at most 8/s)."
    )

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url {value!r} must start with http:// or https://")
        return value

    @field_validator("institutions")
    @classmethod
    def _institutions(cls, values: list[str]) -> list[str]:
        out = []
        for raw in values:
            oid = short_id(raw)
            if oid and oid.startswith("I"):
                out.append(oid)
            elif ror := ror_id(raw):
                out.append(f"ror:{ror}")
            else:
                raise ValueError(
                    f"institution {raw!r} is neither an OpenAlex id (I27837315) nor a ROR "
                    "(https://ror.org/00jmfr291)"
                )
        return list(dict.fromkeys(out))

    @field_validator("topics")
    @classmethod
    def _topics(cls, values: list[str]) -> list[str]:
        out = []
        for raw in values:
            oid = short_id(raw)
            if not oid or not oid.startswith("T"):
                raise ValueError(f"topic {raw!r} is not an OpenAlex topic id like T10102")
            out.append(oid)
        return list(dict.fromkeys(out))

    @field_validator("authors")
    @classmethod
    def _authors(cls, values: list[str]) -> list[str]:
        out = []
        for raw in values:
            oid = short_id(raw)
            if oid and oid.startswith("A"):
                out.append(oid)
            elif orcid := orcid_id(raw):
                out.append(f"orcid:{orcid}")
            else:
                raise ValueError(
                    f"author {raw!r} is neither an OpenAlex author id (A5023888391) nor an "
                    "ORCID iD (0000-0001-6187-6610)"
                )
        return list(dict.fromkeys(out))

    @model_validator(mode="after")
    def _something_to_follow(self) -> OpenAlexConfig:
        if not (self.institutions or self.topics or self.authors):
            raise ValueError(
                "give institutions, topics or authors to follow (an unfiltered run would page "
                "through every OpenAlex author)"
            )
        return self

    def list_filters(self, institution_ids: list[str], since: date | None) -> str | None:
        """The ``filter`` of the author list query, or None when there is no list query."""
        if not (institution_ids or self.topics):
            return None
        parts = []
        if institution_ids:
            key = (
                "affiliations.institution.id"
                if self.institution_filter == "affiliations"
                else "last_known_institutions.id"
            )
            parts.append(f"{key}:{'|'.join(institution_ids)}")
        if self.topics:
            parts.append(f"topics.id:{'|'.join(self.topics)}")
        if self.min_works_count is not None:
            parts.append(f"works_count:>{self.min_works_count - 1}")
        if since is not None:
            parts.append(f"from_updated_date:{since.isoformat()}")
        return ",".join(parts)
