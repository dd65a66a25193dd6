"""Move classes read from a researcher's whole history: the traveller (dual affiliation).

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
dated stint there (an open stint runs to the current year). Consequences: a move in the last
``overlap_years + 1`` years cannot be told apart yet and counts as a migration (it is
provisional anyway); a person who leaves and comes back later is not a traveller, because the
years abroad break the run at home.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from service.domain.moves import InferenceSettings, Stint, _stint_years

__all__ = ["active_years", "country_years", "is_dual_affiliation"]


def active_years(stint: Stint, settings: InferenceSettings) -> set[int]:
    """The years a stint shows the researcher active: its publication years and every year of
    its dated span (an open one to ``settings.current_year``); the inference's own rule."""
    return _stint_years(stint, settings)


def country_years(
    stints: Iterable[Stint], countries: Mapping[int, str | None], settings: InferenceSettings
) -> dict[str, set[int]]:
    """Country → the years the researcher is active there; stints at institutions of unknown
    country are left out."""
    out: dict[str, set[int]] = {}
    for stint in stints:
        country = countries.get(stint.institution_id)
        if country:
            out.setdefault(country.upper(), set()).update(active_years(stint, settings))
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
