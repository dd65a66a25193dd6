"""Move classes read from a researcher's whole history: the traveller (dual affiliation) and
the first job after a doctorate.

The migration-of-scholars literature tells *migrants*, who leave a country, from *travellers*,
who add an affiliation abroad while keeping the one at home. A traveller's move is real (a new
job, reported by the news or shown by an employment record) but not a migration: counting it
would move a person out of a country they never left. So a cross-border move is a **dual
affiliation** when the researcher stays active in the origin country, at any of its
institutions, in every year from the move's year through ``overlap_years + 1`` years after it:

    dual(move from X to Y in year t) = X != Y and every year of t .. t + overlap_years + 1
                                        is an active year in X

``overlap_years`` is the inference's allowed overlap (publications lag: a migrant still signs
with the old affiliation in the year of the move and the next), so home activity only counts
beyond it. An active year is a year of publications at an institution in X or a year inside a
dated stint there (an open stint runs to the current year, unless it is stale: an open entry
nobody closed after the papers there stopped and years of papers elsewhere followed, as
inference reads it). Consequences: a move in the last
``overlap_years + 1`` years cannot be told apart yet and counts as a migration (it is
provisional anyway); a person who leaves and comes back later is not a traveller, because the
years abroad break the run at home.

The **first job after a doctorate** is the researcher's first move (visits aside) when it
leaves the institution of one of their doctorates, no earlier than the year before the
doctorate's end and at most ``FIRST_JOB_WINDOW_YEARS`` after it:

    first_job(move from A in year t) = no earlier move and some doctorate at A ending in e
                                       with e - 1 <= t <= e + FIRST_JOB_WINDOW_YEARS

A PhD student's papers carry the university, so publication histories show the step from it
into the first job as an ordinary move; this class names it. A doctorate with no end date, or
at a university the history never shows, gives no such move.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from service.domain.moves import InferenceSettings, Stint, dated_years, stint_years

__all__ = [
    "FIRST_JOB_WINDOW_YEARS",
    "Doctorate",
    "active_years",
    "country_years",
    "is_dual_affiliation",
    "is_first_job_after_doctorate",
]

# How long after a doctorate's end the move out of it still counts as the first job.
FIRST_JOB_WINDOW_YEARS = 2


@dataclass(frozen=True)
class Doctorate:
    institution_id: int
    end_year: int | None


def active_years(
    stint: Stint, settings: InferenceSettings, history: Sequence[Stint] = ()
) -> set[int]:
    """The years a stint shows the researcher active: its publication years and every year of
    its dated span (an open one to ``settings.current_year``); the inference's own rule. Given
    the whole ``history``, a dated span is read as inference reads it: an open entry nobody
    closed stops after the papers there stop and years of papers elsewhere follow."""
    if stint.start is None or not history:
        return stint_years(stint, settings)
    return set(stint.years) | dated_years(stint, history, settings, {})


def country_years(
    stints: Iterable[Stint], countries: Mapping[int, str | None], settings: InferenceSettings
) -> dict[str, set[int]]:
    """Country → the years the researcher is active there; stints at institutions of unknown
    country are left out."""
    stints = list(stints)
    out: dict[str, set[int]] = {}
    for stint in stints:
        country = countries.get(stint.institution_id)
        if country:
            out.setdefault(country.upper(), set()).update(active_years(stint, settings, stints))
    return out


def is_dual_affiliation(
    from_country: str | None,
    to_country: str | None,
    move_year: int | None,
    years_by_country: Mapping[str, set[int]],
    overlap_years: int,
) -> bool:
    """Whether a move is a traveller's (the rule in the module docstring)."""
    if not from_country or not to_country or move_year is None:
        return False
    origin = from_country.upper()
    if origin == to_country.upper():
        return False
    home = years_by_country.get(origin, set())
    return all(year in home for year in range(move_year, move_year + max(overlap_years, 0) + 2))


def is_first_job_after_doctorate(
    from_institution_id: int | None,
    move_year: int | None,
    doctorates: Iterable[Doctorate],
    earlier_moves: int,
) -> bool:
    """Whether a move is the first job after a doctorate (the rule in the module docstring)."""
    if earlier_moves or from_institution_id is None or move_year is None:
        return False
    return any(
        d.institution_id == from_institution_id
        and d.end_year is not None
        and d.end_year - 1 <= move_year <= d.end_year + FIRST_JOB_WINDOW_YEARS
        for d in doctorates
    )
