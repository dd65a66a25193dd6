"""Moves: inferring them from affiliation histories, classifying them, merging reports.

Inference follows the bibliometric practice: a move is a change of *primary* affiliation
between consecutive active years. The primary affiliation of a year is the institution with the
most activity that year, where a dated employment record (ORCID-style stint with a start date)
weighs more than a year of publications. Ties keep last year's primary (continuity), then the
lowest institution id, so the result never depends on the order of the input. Institutions
active together are a dual appointment, not a move; a stay shorter than ``min_stay_years`` is
noise (except the latest one, which may be a move still in progress); moves in the last
``provisional_years`` before ``current_year`` are provisional, because publications lag.
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from service.domain.dates import PartialDate
from service.domain.institutions import InstitutionIndex, sector

logger = logging.getLogger(__name__)

MoveKind = Literal[
    "academia_to_industry",
    "industry_to_academia",
    "industry_to_industry",
    "academia_to_academia",
    "unknown",
]
MoveStatus = Literal["reported", "corroborated", "confirmed", "retracted", "rumoured"]
CURATED_STATUSES = frozenset({"confirmed", "retracted"})

# A year covered by a dated employment record counts as this many years of publications.
DATED_STINT_WEIGHT = 3.0
CONFIDENCE_CAP = 0.99


@dataclass(frozen=True)
class Stint:
    """One affiliation: dated (start/end) like an ORCID employment, or a set of active years
    like publication affiliations, or both."""

    institution_id: int
    start: PartialDate | None
    end: PartialDate | None
    years: frozenset[int] = frozenset()
    source: str = ""


@dataclass(frozen=True)
class InstInfo:
    kind: str
    country_code: str | None
    parent_id: int | None = None
    parent_kind: str | None = None


@dataclass(frozen=True)
class InferenceSettings:
    current_year: int
    allowed_overlap_years: int = 1
    min_stay_years: int = 1
    provisional_years: int = 2


@dataclass(frozen=True)
class InferredMove:
    from_institution_id: int
    to_institution_id: int
    date: PartialDate
    provisional: bool
    evidence_sources: tuple[str, ...]


@dataclass(frozen=True)
class MoveClass:
    kind: MoveKind
    cross_border: bool
    returnee: bool


# ------------------------------------------------------------------------------- inference


def _stint_years(stint: Stint, settings: InferenceSettings) -> set[int]:
    years = set(stint.years)
    if stint.start is not None:
        last = stint.end.year if stint.end is not None else settings.current_year
        years.update(range(stint.start.year, max(last, stint.start.year) + 1))
    elif stint.end is not None and not years:
        years.add(stint.end.year)
    return years


def _activity(stints: Sequence[Stint], settings: InferenceSettings) -> dict[int, dict[int, float]]:
    """year → institution → weight."""
    activity: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for stint in stints:
        for year in stint.years:
            activity[year][stint.institution_id] += 1.0
        if stint.start is not None:
            for year in _stint_years(stint, settings):
                activity[year][stint.institution_id] += DATED_STINT_WEIGHT
        elif stint.end is not None and not stint.years:
            activity[stint.end.year][stint.institution_id] += 1.0
    return activity


def _primary_runs(
    activity: Mapping[int, Mapping[int, float]],
) -> list[tuple[int, int, int]]:
    """Runs of the same primary institution: (institution, first_year, last_year)."""
    runs: list[tuple[int, int, int]] = []
    previous: int | None = None
    for year in sorted(activity):
        weights = activity[year]
        top = max(weights.values())
        tied = sorted(i for i, w in weights.items() if w == top)
        primary = previous if previous in tied else tied[0]
        assert primary is not None
        if runs and runs[-1][0] == primary:
            runs[-1] = (primary, runs[-1][1], year)
        else:
            runs.append((primary, year, year))
        previous = primary
    return runs


def _drop_short_stays(
    runs: list[tuple[int, int, int]], settings: InferenceSettings
) -> list[tuple[int, int, int]]:
    recent = settings.current_year - settings.provisional_years
    kept: list[tuple[int, int, int]] = []
    for position, run in enumerate(runs):
        length = run[2] - run[1] + 1
        is_last = position == len(runs) - 1
        if length < settings.min_stay_years and not (is_last and run[2] >= recent):
            continue
        if kept and kept[-1][0] == run[0]:
            kept[-1] = (run[0], kept[-1][1], run[2])
        else:
            kept.append(run)
    return kept


def _move_date(
    to_id: int,
    became_primary: int,
    previous_first_year: int,
    stints: Sequence[Stint],
    activity: Mapping[int, Mapping[int, float]],
    settings: InferenceSettings,
) -> PartialDate:
    """The first year at the new institution when it started at most ``allowed_overlap_years``
    before becoming primary (a dual appointment that started long before counts from when it
    became primary); a dated stint starting that year gives its month or day."""
    year = became_primary
    candidate = became_primary
    while (
        candidate - 1 in activity
        and to_id in activity[candidate - 1]
        and candidate - 1 > previous_first_year
    ):
        candidate -= 1
    if became_primary - candidate <= settings.allowed_overlap_years:
        year = candidate
    starts = sorted(
        (s.start for s in stints if s.institution_id == to_id and s.start is not None),
    )
    for start in starts:
        if start.year == year:
            return start
    return PartialDate(year)


def infer_moves(
    stints: Iterable[Stint],
    settings: InferenceSettings,
    info: Mapping[int, InstInfo] | None = None,
) -> list[InferredMove]:
    """Moves implied by one researcher's affiliation history, oldest first.

    ``info`` is accepted for callers that classify on the way; inference itself needs only the
    ids. The result does not depend on the order of ``stints``.
    """
    ordered = sorted(
        stints,
        key=lambda s: (
            s.institution_id,
            s.start.sort_key() if s.start else (0, 0, 0, 0),
            s.end.sort_key() if s.end else (0, 0, 0, 0),
            tuple(sorted(s.years)),
            s.source,
        ),
    )
    if not ordered:
        return []
    activity = _activity(ordered, settings)
    if not activity:
        return []
    runs = _drop_short_stays(_primary_runs(activity), settings)
    moves: list[InferredMove] = []
    for before, after in itertools.pairwise(runs):
        from_id, to_id = before[0], after[0]
        if from_id == to_id:  # pragma: no cover - runs are merged
            continue
        date = _move_date(to_id, after[1], before[1], ordered, activity, settings)
        sources = sorted(
            {s.source for s in ordered if s.institution_id in (from_id, to_id) and s.source}
        )
        moves.append(
            InferredMove(
                from_institution_id=from_id,
                to_institution_id=to_id,
                date=date,
                provisional=date.year >= settings.current_year - settings.provisional_years,
                evidence_sources=tuple(sources),
            )
        )
    return moves


# ------------------------------------------------------------------------------- classification


def _sector_of(info: InstInfo | None) -> str:
    if info is None:
        return "other"
    return sector(info.kind, (info.parent_kind,) if info.parent_kind else ())


def classify_move(
    from_info: InstInfo | None,
    to_info: InstInfo | None,
    prior_countries: Sequence[str] = (),
) -> MoveClass:
    """The kind of a move (by sector, see :func:`service.domain.institutions.sector`), whether
    it crosses a border, and whether the person returns to a country they were in before
    (other than the origin)."""
    origin, destination = _sector_of(from_info), _sector_of(to_info)
    kind: MoveKind = "unknown"
    if origin in ("academia", "industry") and destination in ("academia", "industry"):
        kind = f"{origin}_to_{destination}"  # type: ignore[assignment]
    from_country = from_info.country_code if from_info else None
    to_country = to_info.country_code if to_info else None
    cross_border = bool(from_country and to_country and from_country != to_country)
    returnee = bool(
        to_country
        and to_country != from_country
        and to_country in {c.upper() for c in prior_countries}
    )
    return MoveClass(kind, cross_border, returnee)


# ------------------------------------------------------------------------------- reports


@dataclass
class MoveReport:
    """One source's report of a move."""

    researcher_id: int
    from_id: int | None
    to_id: int | None
    date: PartialDate | None
    source_kind: str
    publisher: str | None
    confidence: float
    extra: dict[str, str] = field(default_factory=dict)


def _ends_compatible(a: int | None, b: int | None, index: InstitutionIndex | None) -> bool:
    if a is None or b is None or a == b:
        return True
    return index is not None and a in index and b in index and index.related(a, b)


def same_move(
    a: MoveReport,
    b: MoveReport,
    index: InstitutionIndex | None = None,
    window_months: int = 18,
) -> bool:
    """Whether two reports describe the same move: the same person; each end equal, unknown on
    one side, or one the parent (ancestor) of the other; dates within the window or unknown;
    and at least one end known on both sides."""
    if a.researcher_id != b.researcher_id:
        return False
    if not _ends_compatible(a.from_id, b.from_id, index):
        return False
    if not _ends_compatible(a.to_id, b.to_id, index):
        return False
    shares_an_end = (a.from_id is not None and b.from_id is not None) or (
        a.to_id is not None and b.to_id is not None
    )
    if not shares_an_end and not (a.date and b.date):
        return False
    if a.date is not None and b.date is not None:
        return abs(a.date.months() - b.date.months()) <= window_months
    return True


def _source_key(report: MoveReport) -> tuple[str, str]:
    publisher = (report.publisher or "").strip().casefold()
    return (report.source_kind.strip().casefold(), publisher)


def independent_sources(reports: Iterable[MoveReport]) -> dict[tuple[str, str], float]:
    """The best confidence per distinct (source kind, publisher)."""
    best: dict[tuple[str, str], float] = {}
    for report in reports:
        key = _source_key(report)
        value = min(max(float(report.confidence), 0.0), 1.0)
        best[key] = max(best.get(key, 0.0), value)
    return best


def combine_confidence(reports: Iterable[MoveReport]) -> float:
    """1 - ∏(1 - c) over independent sources (the same publisher twice counts once, with its
    best confidence), capped at 0.99."""
    remaining = 1.0
    sources = independent_sources(reports)
    if not sources:
        return 0.0
    for value in sources.values():
        remaining *= 1.0 - value
    return round(min(1.0 - remaining, CONFIDENCE_CAP), 6)


def next_status(current: str, reports: Iterable[MoveReport]) -> str:
    """reported → corroborated once two independent sources report the move; confirmed and
    retracted are a curator's word and never change automatically; corroborated stays."""
    if current in CURATED_STATUSES:
        return current
    if current == "corroborated":
        return current
    if len(independent_sources(reports)) >= 2:
        return "corroborated"
    return "reported"


def status_from_evidence(
    current: str, firm: Iterable[MoveReport], rumours: Iterable[MoveReport]
) -> str:
    """A move's status from its evidence: ``rumoured`` while only rumours (talks, unnamed
    sources) support it, else as ``next_status`` over the sources that report it firmly.
    A curator's word (confirmed, retracted) never changes."""
    if current in CURATED_STATUSES:
        return current
    firm = list(firm)
    if not firm:
        return "rumoured" if list(rumours) else current
    return next_status("reported" if current == "rumoured" else current, firm)


def deny(confidence: float, denials: Iterable[float]) -> float:
    """A move's confidence after sources that deny it: each denial with confidence ``d``
    keeps ``1 - d`` of what the supporting sources gave."""
    for value in denials:
        confidence *= 1.0 - max(0.0, min(1.0, value))
    return round(confidence, 6)
