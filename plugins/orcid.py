"""The ``orcid`` ingester: employment and education histories from ORCID public records (v3.0).

For each configured ORCID iD it reads ``GET /v3.0/{orcid}/employments`` (``Accept:
application/json``, conditionally, with the validators the framework keeps). A record whose
``last-modified-date`` equals the one in the checkpoint state is skipped; otherwise the person's
name comes from ``GET /v3.0/{orcid}/person`` and each employment summary yields an
``InstitutionSeen`` (ROR, RINGGOLD, GRID or FUNDREF ids) and an ``AffiliationSeen`` with partial
start/end dates, role and department. ``GET /v3.0/{orcid}/educations`` is read with it: each
education summary yields an ``EducationSeen`` whose degree level (bachelor, master,
doctorate, postdoc, else unknown) is read from its role title, with the department as the
field; the record counts as changed when either section's ``last-modified-date`` is newer (an
education changed while the employments answer 304 waits for the next change to them). The
state is ``{"last_modified": {orcid: epoch ms}}``,
checkpointed after every record. See ``docs/plugins/orcid.md``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator, Mapping
from datetime import date
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from talentflow import (
    AffiliationSeen,
    Checkpoint,
    DocumentSeen,
    EducationSeen,
    FatalIngestError,
    IngestContext,
    Ingester,
    IngesterConfig,
    InstitutionRef,
    InstitutionSeen,
    Observation,
    PartialDateModel,
    PersonRef,
    ResearcherSeen,
    SkippableRecordError,
    __version__,
    hookimpl,
)

logger = logging.getLogger(__name__)

ORCID_RE = re.compile(r"^(?:https?://(?:www\.)?orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])/?$")
PROFILE_URL = "https://orcid.org/"
ACCEPT = {"Accept": "application/json"}
UNIVERSITY_CUES = ("universit", "大学", "institute of technology", "college")
ORG_SCHEMES = {"ROR": "ror", "RINGGOLD": "ringgold", "GRID": "grid", "FUNDREF": "fundref"}

Item = Observation | Checkpoint | SkippableRecordError


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 MOD 11-2 check digit of a hyphenated ORCID iD."""
    digits = orcid.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    result = (12 - total % 11) % 11
    check = "X" if result == 10 else str(result)
    return digits[-1].upper() == check


def normalize_orcid(value: str) -> str:
    """``https://orcid.org/0000-0002-1825-0097`` → ``0000-0002-1825-0097``; ValueError if bad."""
    match = ORCID_RE.match(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not an ORCID iD like 0000-0002-1825-0097")
    orcid = match.group(1).upper()
    if not orcid_checksum_ok(orcid):
        raise ValueError(f"ORCID iD {orcid} has a wrong check digit (last character)")
    return orcid


class OrcidConfig(IngesterConfig):
    from_database: bool = Field(
        default=False,
        description="Also follow the ORCID iDs of every researcher already stored.",
    )
    orcids: list[str] = Field(
        default_factory=list,
        max_length=100_000,
        validate_default=True,
        description="ORCID iDs to follow (bare or as URLs).",
    )
    base_url: str = Field(default="https://pub.orcid.org", description="Public API root.")
    token: SecretStr | None = Field(
        default=None, description="Optional read-public access token (sent as Bearer)."
    )
    requests_per_second: float = Field(
        default=8.0, gt=0, le=24.0, description="Request rate (ORCID allows 24/s, burst 40)."
    )

    @field_validator("orcids")
    @classmethod
    def _orcids(cls, values: list[str], info: ValidationInfo) -> list[str]:
        if not values and not info.data.get("from_database"):
            raise ValueError("give ORCID iDs to follow, or set from_database = true")
        return list(dict.fromkeys(normalize_orcid(v) for v in values))

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url {value!r} must start with http:// or https://")
        return value


# -- mapping (pure) ---------------------------------------------------------------------------
def _value(node: Any) -> Any:
    return node.get("value") if isinstance(node, dict) else None


def partial_date(node: Any) -> PartialDateModel | None:
    """An ORCID ``fuzzy-date`` (year/month/day ``{"value": "…"}`` or null) as a partial date.

    An impossible day (ORCID's test record has 1930-02-29) keeps the year and month.
    """
    if not isinstance(node, dict):
        return None
    parts: list[int] = []
    for key in ("year", "month", "day"):
        raw = _value(node.get(key))
        if raw is None or not str(raw).strip().isdigit():
            break
        parts.append(int(str(raw)))
    if not parts or not 1900 <= parts[0] <= 2100:
        return None
    year = parts[0]
    month = parts[1] if len(parts) > 1 and 1 <= parts[1] <= 12 else None
    day = parts[2] if month is not None and len(parts) > 2 else None
    if day is not None:
        try:
            date(year, month or 1, day)
        except ValueError:
            day = None
    return PartialDateModel(year=year, month=month, day=day)


def organization_ids(org: Mapping[str, Any]) -> dict[str, str]:
    disambiguated = org.get("disambiguated-organization") or {}
    source = str(disambiguated.get("disambiguation-source") or "").upper()
    value = str(disambiguated.get("disambiguated-organization-identifier") or "").strip()
    scheme = ORG_SCHEMES.get(source)
    if not scheme or not value:
        return {}
    if scheme == "ror":
        value = value.removeprefix("https://ror.org/").removeprefix("http://ror.org/")
    return {scheme: value}


def institution_from_org(org: Mapping[str, Any]) -> InstitutionSeen:
    name = str(org.get("name") or "").strip()
    address = org.get("address") or {}
    country = str(address.get("country") or "").strip().upper()
    folded = name.casefold()
    return InstitutionSeen(
        name=name,
        ids=organization_ids(org),
        kind="university" if any(cue in folded for cue in UNIVERSITY_CUES) else None,
        country_code=country if re.fullmatch(r"[A-Z]{2}", country) else None,
        city=str(address.get("city") or "").strip() or None,
    )


def person_name(person: Mapping[str, Any] | None) -> tuple[str | None, list[str]]:
    """(display name, other names) from a ``/person`` document."""
    if not isinstance(person, dict):
        return None, []
    name = person.get("name") or {}
    credit = _value(name.get("credit-name"))
    given = _value(name.get("given-names"))
    family = _value(name.get("family-name"))
    full = " ".join(str(p).strip() for p in (given, family) if p and str(p).strip())
    display = (str(credit).strip() if credit else "") or full or None
    others = [
        str(o.get("content")).strip()
        for o in (person.get("other-names") or {}).get("other-name") or []
        if isinstance(o, dict) and o.get("content")
    ]
    aliases = [a for a in dict.fromkeys([full, *others]) if a and a != display]
    return display, aliases


def employment_summaries(employments: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for group in employments.get("affiliation-group") or []:
        for summary in (group or {}).get("summaries") or []:
            item = (summary or {}).get("employment-summary")
            if isinstance(item, dict):
                yield item


def employment_observations(
    orcid: str, person: PersonRef, employments: Mapping[str, Any]
) -> Iterator[Item]:
    """Institutions and affiliations of one record; a bad summary becomes a rejection."""
    url = PROFILE_URL + orcid
    for summary in employment_summaries(employments):
        put_code = summary.get("put-code")
        position = f"{orcid}/employment/{put_code}"
        try:
            institution = institution_from_org(summary.get("organization") or {})
            start = partial_date(summary.get("start-date"))
            end = partial_date(summary.get("end-date"))
            yield institution
            if start is None and end is None:
                logger.info("%s has no start or end date; affiliation not recorded", position)
                continue
            yield AffiliationSeen(
                person=person,
                institution=InstitutionRef(
                    name=institution.name,
                    ids=institution.ids,
                    country_code=institution.country_code,
                ),
                start=start,
                end=end,
                role=(summary.get("role-title") or None),
                department=(summary.get("department-name") or None),
                source_key=f"orcid:{orcid}:{put_code}",
                document_url=url,
            )
        except (ValidationError, ValueError) as exc:
            yield SkippableRecordError(
                f"{position}: {_describe(exc)}", position=position, record=put_code
            )


DEGREE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("postdoc", re.compile(r"\bpost[- ]?doc", re.I)),
    (
        "doctorate",
        re.compile(
            r"\b(ph\.? ?d|d\.? ?phil|doctor|doctorate|dr\.? ?rer|d\.? ?sc|sc\.? ?d)\b|博士", re.I
        ),
    ),
    (
        "master",
        re.compile(
            r"\b(master|m\.? ?sc|m\.? ?s|m\.? ?a|m\.? ?phil|m\.? ?res|m\.? ?eng|mba|"
            r"diplom)\b|硕士",
            re.I,
        ),
    ),
    (
        "bachelor",
        re.compile(
            r"\b(bachelor|b\.? ?sc|b\.? ?s|b\.? ?a|b\.? ?eng|b\.? ?tech|undergraduate|"
            r"licen[cs]e|laurea)\b|学士|本科",
            re.I,
        ),
    ),
)


def degree_level(*texts: str | None) -> str:
    """The degree level an ORCID education's role title (or department) names, else
    ``unknown``; the first level found, from the most advanced down."""
    text = " ".join(t for t in texts if t)
    for level, pattern in DEGREE_PATTERNS:
        if pattern.search(text):
            return level
    return "unknown"


def education_summaries(educations: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for group in educations.get("affiliation-group") or []:
        for summary in (group or {}).get("summaries") or []:
            item = (summary or {}).get("education-summary")
            if isinstance(item, dict):
                yield item


def education_observation(orcid: str, person: PersonRef, summary: Mapping[str, Any]) -> Item:
    """One education summary as institution + ``EducationSeen``; a bad one is a rejection."""
    put_code = summary.get("put-code")
    position = f"{orcid}/education/{put_code}"
    try:
        institution = institution_from_org(summary.get("organization") or {})
        role = summary.get("role-title") or None
        return EducationSeen(
            person=person,
            institution=InstitutionRef(
                name=institution.name, ids=institution.ids, country_code=institution.country_code
            ),
            degree=degree_level(role),
            field=summary.get("department-name") or None,
            start=partial_date(summary.get("start-date")),
            end=partial_date(summary.get("end-date")),
            source_key=f"orcid:{orcid}:education:{put_code}",
            document_url=PROFILE_URL + orcid,
        )
    except (ValidationError, ValueError) as exc:
        return SkippableRecordError(
            f"{position}: {_describe(exc)}", position=position, record=put_code
        )


def education_observations(
    orcid: str, person: PersonRef, educations: Mapping[str, Any]
) -> Iterator[Item]:
    """The institution and the education of each summary in an ``educations`` section."""
    for summary in education_summaries(educations):
        item = education_observation(orcid, person, summary)
        if isinstance(item, EducationSeen):
            yield institution_from_org(summary.get("organization") or {})
        yield item


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(record)'}: {err['msg']}"
            for err in exc.errors()
        )
    return str(exc)


# -- the ingester -----------------------------------------------------------------------------
class OrcidIngester(Ingester):
    name: ClassVar[str] = "orcid"
    version: ClassVar[str] = __version__
    Config: ClassVar[type[BaseModel]] = OrcidConfig
    description: ClassVar[str] = "Employment histories from ORCID public records."

    @property
    def cfg(self) -> OrcidConfig:
        assert isinstance(self.config, OrcidConfig)
        return self.config

    def _headers(self) -> dict[str, str]:
        headers = dict(ACCEPT)
        if self.cfg.token is not None:
            headers["Authorization"] = f"Bearer {self.cfg.token.get_secret_value()}"
        return headers

    async def _get(
        self, ctx: IngestContext, path: str, *, conditional: bool
    ) -> tuple[Any, bool] | None:
        """(JSON body, not_modified) for ``path``; None for a 404/410 (no such record)."""
        try:
            response = await ctx.http.get(
                self.cfg.base_url + path, headers=self._headers(), conditional=conditional
            )
        except FatalIngestError as exc:
            status = exc.details.get("status")
            if status in (401, 403):
                raise FatalIngestError(
                    f"ingester 'orcid': ORCID refused GET {path} ({status}); check this "
                    "ingester's `token` setting (a read-public token) or remove it",
                    status=status,
                ) from None
            raise
        if response.not_modified:
            return None, True
        if response.status_code in (404, 410):
            return None
        response.raise_for_status()
        return response.json(), False

    async def fetch(self, ctx: IngestContext, state: dict[str, Any] | None) -> AsyncIterator[Item]:
        cfg = self.cfg
        ctx.http.set_rate(cfg.requests_per_second)
        known: dict[str, int] = dict((state or {}).get("last_modified") or {})
        orcids = list(cfg.orcids)
        if cfg.from_database:
            stored = await ctx.known_ids("orcid")
            given = set(cfg.orcids)
            orcids.extend(o for o in stored if o not in given)
            ctx.logger.info(
                "following %d ORCID iDs (%d from the database)", len(orcids), len(stored)
            )
        for orcid in orcids:
            async for item in self._record(ctx, orcid, known):
                yield item
            yield Checkpoint({"last_modified": dict(known)})

    async def _record(
        self, ctx: IngestContext, orcid: str, known: dict[str, int]
    ) -> AsyncIterator[Item]:
        got = await self._get(ctx, f"/v3.0/{orcid}/employments", conditional=True)
        if got is None:
            yield SkippableRecordError(
                f"ORCID record {orcid} was not found (404/410)", position=orcid, record=orcid
            )
            return
        employments, not_modified = got
        if not_modified:
            ctx.logger.debug("%s employments not modified (304)", orcid)
            return
        if not isinstance(employments, dict):
            yield SkippableRecordError(
                f"ORCID record {orcid}: employments is not a JSON object", position=orcid
            )
            return
        modified = _value(employments.get("last-modified-date"))
        # Degrees: the record's educations section (absent or empty is no education).
        edu_got = await self._get(ctx, f"/v3.0/{orcid}/educations", conditional=False)
        educations = edu_got[0] if edu_got and isinstance(edu_got[0], dict) else {}
        edu_modified = _value(educations.get("last-modified-date"))
        if isinstance(edu_modified, int) and (
            not isinstance(modified, int) or edu_modified > modified
        ):
            modified = edu_modified
        if isinstance(modified, int) and known.get(orcid) == modified:
            ctx.logger.debug("%s unchanged since %s", orcid, modified)
            return
        person_got = await self._get(ctx, f"/v3.0/{orcid}/person", conditional=False)
        display, aliases = person_name(person_got[0] if person_got else None)
        if display is None:
            yield SkippableRecordError(
                f"ORCID record {orcid} shows no public name; its employments are not recorded",
                position=orcid,
                record=orcid,
            )
            return
        url = PROFILE_URL + orcid
        person = PersonRef(name=display, ids={"orcid": orcid})
        yield DocumentSeen(url=url, kind="profile", title=display, publisher="ORCID")
        yield ResearcherSeen(name=display, ids={"orcid": orcid}, aliases=aliases, document_url=url)
        for item in employment_observations(orcid, person, employments):
            yield item
        for item in education_observations(orcid, person, educations):
            yield item
        if isinstance(modified, int):
            known[orcid] = modified


@hookimpl
def register_ingesters() -> list[type[Ingester]]:
    return [OrcidIngester]
