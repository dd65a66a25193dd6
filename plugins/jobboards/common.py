"""What the Greenhouse, Lever and Ashby ingesters share.

- Board configs: each board names the institution it belongs to (a seed slug, a ROR id or a
  name) and, optionally, a country used as the hint for bare "Remote" locations.
- ``html_to_text`` and ``parse_datetime`` are the plugin API's (``service.ingest``),
  re-exported here for the three boards.
- ``build_posting``: one ``JobPostingSeen`` with the location parsed and the role classified;
  its country comes from the posting's own evidence first and the company default last
  (``posting_country``).
- Company boilerplate: ``strip_company_sections`` drops sections a company heads as its own
  ("About us", 关于我们, 關於我們, 会社概要, 회사 소개), ``repeated_lines`` / ``strip_lines`` the lines one board's postings
  share; the classifier and the country search read what is left.
- ``BoardDiff``: the open ids of a board from one run to the next, so a posting that disappears
  is closed at the time of the run that first found it missing. The previous run's id set lives
  in the ingester's checkpoint state (``{"boards": {key: {"open": [ids]}}}``); boards that are
  no longer configured keep their state untouched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator

from plugins.jobboards.classify import classify_posting
from plugins.jobboards.location import parse_location, text_anywhere, text_country
from talentflow import (
    IngesterConfig,
    InstitutionRef,
    JobPostingClosed,
    JobPostingSeen,
    html_to_text,
    known_institutions,
    parse_datetime,
)

logger = logging.getLogger(__name__)

__all__ = [
    "BoardConfig",
    "BoardDiff",
    "JobBoardsConfig",
    "build_posting",
    "html_to_text",
    "institution_ref",
    "parse_datetime",
    "parse_epoch_ms",
    "utcnow",
]

ROR_RE = re.compile(r"^(?:https?://ror\.org/)?(0[a-z0-9]{6}\d{2})$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")


def utcnow() -> datetime:
    return datetime.now(UTC)


# -- config ------------------------------------------------------------------------------------
def institution_ref(value: str | dict[str, Any] | InstitutionRef) -> InstitutionRef:
    """``"anthropic"`` (a seed slug), ``"05wx9n238"`` / ``"https://ror.org/..."`` (a ROR id),
    any other string (a name), or an ``InstitutionRef`` mapping."""
    if isinstance(value, InstitutionRef):
        return value
    if isinstance(value, dict):
        return InstitutionRef.model_validate(value)
    text = value.strip()
    ror = ROR_RE.match(text)
    if ror:
        return InstitutionRef.model_validate({"ids": {"ror": ror.group(1)}})
    if SLUG_RE.match(text):
        return InstitutionRef.model_validate({"slug": text})
    return InstitutionRef.model_validate({"name": text})


@lru_cache(maxsize=1)
def _seed_countries() -> dict[str, str]:
    """Slug -> country of the curated seed list (empty if it cannot be read)."""
    try:
        return {row.slug: row.country for row in known_institutions()}
    except Exception:  # the hint is optional; never fail a run over it
        logger.warning("could not read the institution seed list for country hints")
        return {}


class BoardConfig(IngesterConfig):
    """One board: the institution it belongs to and an optional country hint."""

    institution: InstitutionRef = Field(
        description="The institution: a seed slug, a ROR id, a name, or {slug|ids|name}."
    )
    country: str | None = Field(
        default=None,
        description="ISO alpha-2 country used for bare 'Remote' locations; defaults to the "
        "seed country of the institution's slug.",
    )

    @field_validator("institution", mode="before")
    @classmethod
    def _institution(cls, value: Any) -> Any:
        if isinstance(value, str):
            return institution_ref(value)
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().upper()
        if not COUNTRY_RE.match(value):
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 code like US or CN")
        return value

    def country_hint(self) -> str | None:
        if self.country:
            return self.country
        if self.institution.country_code:
            return self.institution.country_code
        if self.institution.slug:
            return _seed_countries().get(self.institution.slug)
        return None


def reject_duplicates(keys: Sequence[str], what: str) -> None:
    """Raise ValueError naming the board keys listed more than once (``what``: "site(s)"…)."""
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValueError(f"{what} listed twice: {', '.join(dupes)}")


class JobBoardsConfig(IngesterConfig):
    """Settings every job-board ingester has besides its boards."""

    base_url: str | None = Field(
        default=None, description="Override the API base URL (tests, proxies)."
    )
    requests_per_second: float = Field(
        default=2.0, gt=0, le=10, description="Polite per-host request rate."
    )

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value


# -- html --------------------------------------------------------------------------------------
# ``html_to_text`` is the plugin API's (``service.ingest.text``), re-exported for the boards.
_SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BREAKS_RE = re.compile(r"\n{3,}")


def plain_text(text: Any) -> str | None:
    """A board's own plain text, with non-breaking spaces and blank-line runs tidied."""
    if not isinstance(text, str):
        return None
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    out = _BREAKS_RE.sub("\n\n", "\n".join(lines)).strip()
    return out or None


# -- boilerplate -------------------------------------------------------------------------------
BOILERPLATE_MIN_POSTINGS = 3
BOILERPLATE_MIN_SHARE = 0.2


def _line_key(line: str) -> str:
    return " ".join(line.split()).casefold().strip(" -•*")


def repeated_lines(texts: Iterable[str | None]) -> frozenset[str]:
    """Lines that one company's postings share: its "About us", benefits and legal blocks.

    A line counts as boilerplate when it is in at least ``BOILERPLATE_MIN_POSTINGS`` postings
    (or in every posting of a board of two) and in at least ``BOILERPLATE_MIN_SHARE`` of them,
    so a paragraph a few postings of one team share stays.
    """
    counts: dict[str, int] = {}
    total = 0
    for text in texts:
        total += 1
        keys = {_line_key(line) for line in (text or "").split("\n")}
        for key in keys:
            if key:
                counts[key] = counts.get(key, 0) + 1
    needed = max(BOILERPLATE_MIN_SHARE * total, 2)
    return frozenset(
        key
        for key, count in counts.items()
        if count >= needed and (count >= BOILERPLATE_MIN_POSTINGS or count == total)
    )


# Headings of the company's own sections ("About us", "About Devrobot", "Benefits",
# 关于我们), as opposed to the role's ("About the role", "About you", "About the team").
_COMPANY_HEADING_RE = re.compile(
    r"^(?:about(?! (?:the |this |our |your )?(?:role|team|job|position|opportunity|work"
    r"|internship|program|programme|you|candidate|project)s?\b)(?:\s+\S+){1,4}"
    r"|who we are|our (?:mission|story|values|culture|benefits)|why join us|why work with us"
    r"|benefits|perks|what we offer|equal (?:employment )?opportunity\b.*"
    r"|关于我们|公司介绍|公司简介|我们的使命|福利待遇|福利|我们提供"
    r"|關於我們|公司介紹|公司簡介|我們的使命|我們提供"
    r"|私たちについて|会社概要|会社紹介|当社について|福利厚生|待遇・福利厚生"
    r"|회사 소개|회사소개|우리에 대하여|복리후생|혜택)\s*[:：]?$",
    re.IGNORECASE,
)
_COMPANY_LEAD_RE = re.compile(
    r"^(?:about us|关于我们|公司介绍|公司简介|關於我們|公司介紹|公司簡介|私たちについて|会社概要"
    r"|会社紹介|회사 소개|회사소개)\s*[:：]",
    re.IGNORECASE,
)
_HEADING_MAX = 60


def _is_heading(line: str) -> bool:
    """A short line that does not end a sentence and is not a list item."""
    text = line.strip()
    return (
        0 < len(text) <= _HEADING_MAX
        and not text.endswith((".", "。", "!", "！", ";", "；", ","))
        and not text.startswith(("- ", "• ", "* "))
    )


def strip_company_sections(text: str | None, shared: frozenset[str] = frozenset()) -> str | None:
    """``text`` without the sections a company heads as its own ("About us", "About
    <Company>", "Benefits", 关于我们 ...) nor a line that opens with "About us:" / 关于我们：.

    A section runs from its heading to the next heading (a short line that ends no sentence
    and is no list item), its first line always being its body. Sections about the role
    ("About the role", "About you") stay. ``shared`` holds the lines the company repeats on
    its postings (``repeated_lines``): when a section's body opens with one, the section ends
    at the first line the company does not repeat, which is the role's own text running on
    after the company's paragraph with no heading of its own."""
    if not text:
        return text
    kept: list[str] = []
    dropping = False
    body_seen = False
    body_shared = False
    for line in text.split("\n"):
        stripped = line.strip().strip("#*").strip()
        if _COMPANY_LEAD_RE.match(stripped):
            dropping = not _COMPANY_LEAD_RE.sub("", stripped).strip()
            body_seen = body_shared = False
            continue
        if _is_heading(line) and (body_seen or not dropping):
            if _COMPANY_HEADING_RE.match(stripped):
                dropping, body_seen, body_shared = True, False, False
                continue
            dropping = False
        if dropping and body_shared and stripped and _line_key(line) not in shared:
            dropping = False  # the role's own text after the company's repeated paragraph
        if dropping:
            if stripped and not body_seen:
                body_shared = _line_key(line) in shared
            body_seen = body_seen or bool(stripped)
            continue
        kept.append(line)
    out = _BREAKS_RE.sub("\n\n", "\n".join(kept)).strip()
    return out or None


def strip_lines(text: str | None, lines: frozenset[str]) -> str | None:
    """``text`` without the lines in ``lines`` (compared as ``repeated_lines`` keys them)."""
    if not text or not lines:
        return text
    kept = [line for line in text.split("\n") if _line_key(line) not in lines]
    out = _BREAKS_RE.sub("\n\n", "\n".join(kept)).strip()
    return out or None


# -- values ------------------------------------------------------------------------------------
def parse_epoch_ms(value: Any) -> datetime | None:
    """Milliseconds since the epoch (Lever's ``createdAt``), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def text_or_none(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def join_locations(values: Iterable[str | None]) -> str | None:
    """Distinct location strings in order, joined with ``"; "``."""
    seen: dict[str, None] = {}
    for value in values:
        text = text_or_none(value)
        if text:
            seen.setdefault(text, None)
    return "; ".join(seen) or None


# -- postings ----------------------------------------------------------------------------------
def build_posting(
    *,
    source: str,
    external_id: str,
    board: BoardConfig,
    title: str,
    department: str | None,
    team: str | None,
    location: str | None,
    remote: bool | None,
    posted_at: datetime | None,
    updated_at: datetime | None,
    url: str | None,
    description: str | None,
    fallback_countries: Sequence[str | None] = (),
    classify_text: str | None = None,
    country_text: str | None = None,
) -> JobPostingSeen:
    """A ``JobPostingSeen`` with the country parsed from ``location`` and the role classified.

    ``remote`` is the board's own flag (None when it has none); the location text can also say
    remote. ``fallback_countries`` are the board's structured countries (office addresses, a
    posting's ``country``). ``classify_text`` is the posting's own text, without its company
    boilerplate (default: ``description``): the classifier reads it, so "About us" adds no
    topics. ``country_text`` is what the country search reads (default: ``classify_text``).
    The country is chosen by ``posting_country``.
    """
    own_text = description if classify_text is None else classify_text
    parsed = parse_location(location)
    country = posting_country(
        parsed.country_code,
        fallback_countries,
        own_text if country_text is None else country_text,
        location,
        board.country_hint(),
        alternatives=parsed.alternatives,
    )
    role = classify_posting(
        title,
        department=department,
        team=team,
        description=description if classify_text is None else classify_text,
    )
    return JobPostingSeen(
        source=source,
        external_id=external_id,
        institution=board.institution,
        title=title,
        team=team,
        department=department,
        location=location,
        country_code=country,
        remote=bool(remote) or parsed.remote,
        posted_at=posted_at,
        updated_at=updated_at,
        url=url,
        description=description,
        is_research=role.is_research,
        role_category=role.category,
        topics=list(role.topics),
    )


def _structured_countries(
    candidates: Sequence[str | None], *, ambiguous: bool = False
) -> Iterator[str]:
    """The countries a board's structured fields name, in order: an ISO code as it is, a
    place as ``parse_location`` reads it (an ambiguous city alone, such as an office named
    "Cambridge", only when ``ambiguous``)."""
    for candidate in candidates:
        if not candidate:
            continue
        code = candidate.strip().upper()
        if COUNTRY_RE.match(code):
            yield code
            continue
        parsed = parse_location(candidate)
        if parsed.country_code and (ambiguous or not parsed.alternatives):
            yield parsed.country_code


def posting_country(
    named: str | None,
    fallback_countries: Sequence[str | None],
    text: str | None,
    location: str | None,
    default: str | None,
    *,
    alternatives: Sequence[str] = (),
) -> str | None:
    """The posting's country, from its own evidence first and the company's default last:

    1. the country its location string names (``named``); when that is a city whose name
       several countries share and nothing in the string chooses (``alternatives``: a bare
       "Cambridge" is GB or US), the board's structured fields or else the text choose
       when they name one of them, else the best-known (the company's default does not
       choose: a US lab's "Oxford" is in England);
    2. the board's structured fields for this posting, in order (Lever's ``country``, Ashby's
       address, Greenhouse's offices);
    3. the one country its own text places the job in ("remote within the United Kingdom");
    4. the company's default country, and only for a bare Remote/Hybrid location whose text
       does not open the job to any country ("you can work from any country": no country).
    """
    if named and len(alternatives) > 1:
        for choice in (*_structured_countries(fallback_countries), text_country(text)):
            if choice and choice.upper() in alternatives:
                return choice.upper()
    if named:
        return named
    for structured in _structured_countries(fallback_countries, ambiguous=True):
        return structured
    found = text_country(text)
    if found:
        return found
    if not default or text_anywhere(text):
        return None
    return parse_location(location, country_hint=default).country_code


# -- closing -----------------------------------------------------------------------------------
@dataclass
class BoardDiff:
    """Ids of one board seen in this run, against the open ids kept from the previous run."""

    source: str
    key: str
    previous: frozenset[str]
    first_run: bool
    seen: set[str] = field(default_factory=set)

    @classmethod
    def from_state(cls, source: str, key: str, state: dict[str, Any] | None) -> BoardDiff:
        boards = (state or {}).get("boards") or {}
        entry = boards.get(key)
        if not isinstance(entry, dict):
            return cls(source, key, frozenset(), True)
        return cls(source, key, frozenset(str(i) for i in entry.get("open") or ()), False)

    def saw(self, external_id: str) -> None:
        self.seen.add(external_id)

    def closed(self, at: datetime) -> list[JobPostingClosed]:
        """A ``JobPostingClosed`` for every id open last run and missing now, closed ``at``."""
        return [
            JobPostingClosed(source=self.source, external_id=gone, closed_at=at)
            for gone in sorted(self.previous - self.seen)
        ]

    def entry(self) -> dict[str, Any]:
        return {"open": sorted(self.seen)}

    def keep(self) -> dict[str, Any]:
        """The state to keep when this run could not read the board (nothing closes)."""
        return {"open": sorted(self.previous)}


def next_state(state: dict[str, Any] | None, key: str, entry: dict[str, Any]) -> dict[str, Any]:
    """``state`` with board ``key``'s entry replaced (other boards kept as they were)."""
    boards = dict((state or {}).get("boards") or {})
    boards[key] = entry
    return {**(state or {}), "boards": boards}
