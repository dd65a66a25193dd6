"""The talent pipeline: where a cohort trained, where it works, and who stayed where they trained.

Following MacroPolo's Global AI Talent Tracker, for the researchers working somewhere in a year
(the *cohort*):

- the **undergraduate country** is the country of a researcher's first bachelor's degree (by
  its dates), the **doctorate country** that of their last doctorate, the **current country**
  that of the stint that put them in the cohort; each is ``None`` where unknown, and unknowns are
  counted, never left out of the total (a share is of the whole cohort);
- the **stay rate** of a country A after N years: of the researchers whose doctorate in A ended
  in year D and who have a known stint in year D + N, the fraction with a stint in A that year.
  Graduates with no known stint N years on are not counted either way.

No I/O here; :mod:`service.db.queries.pipeline` gathers the rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from service.domain.rates import Stint, stint_years


@dataclass(frozen=True, slots=True)
class Degree:
    researcher_id: int
    degree: str
    country: str | None
    start_year: int | None
    end_year: int | None

    @property
    def sort_year(self) -> int:
        year = self.end_year if self.end_year is not None else self.start_year
        return year if year is not None else 9999


@dataclass(frozen=True, slots=True)
class CountryShare:
    country: str | None
    count: int
    share: float


@dataclass(frozen=True, slots=True)
class PipelinePath:
    """The researchers of a cohort who share an undergraduate, a doctorate and a current
    country (each ``None`` where unknown): one band of the three-column Sankey."""

    undergraduate: str | None
    doctorate: str | None
    current: str | None
    count: int
    share: float


@dataclass(frozen=True, slots=True)
class Pipeline:
    total: int
    undergraduate: list[CountryShare]
    doctorate: list[CountryShare]
    current: list[CountryShare]
    paths: list[PipelinePath] = field(default_factory=list)
    """The three countries taken together; each stage's counts are sums of these."""


@dataclass(frozen=True, slots=True)
class StayRate:
    country: str
    graduates: int
    stayed: int

    @property
    def rate(self) -> float | None:
        return self.stayed / self.graduates if self.graduates else None


def undergraduate_country(degrees: Iterable[Degree]) -> str | None:
    bachelors = sorted((d for d in degrees if d.degree == "bachelor"), key=lambda d: d.sort_year)
    return bachelors[0].country if bachelors else None


def doctorate_country(degrees: Iterable[Degree]) -> str | None:
    doctorates = sorted((d for d in degrees if d.degree == "doctorate"), key=lambda d: d.sort_year)
    return doctorates[-1].country if doctorates else None


def shares(values: Sequence[str | None]) -> list[CountryShare]:
    """Counts and shares of the whole, largest first, unknown (None) last among equals."""
    total = len(values)
    counts = Counter(values)
    return [
        CountryShare(country, n, n / total)
        for country, n in sorted(
            counts.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or "")
        )
    ]


def _key(country: str | None) -> tuple[bool, str]:
    return country is None, country or ""


def paths(triples: Sequence[tuple[str | None, str | None, str | None]]) -> list[PipelinePath]:
    """Counts and shares of each (undergraduate, doctorate, current) triple, largest first,
    then by the countries (unknown last)."""
    total = len(triples)
    counts = Counter(triples)
    return [
        PipelinePath(u, d, c, n, n / total)
        for (u, d, c), n in sorted(
            counts.items(), key=lambda kv: (-kv[1], _key(kv[0][0]), _key(kv[0][1]), _key(kv[0][2]))
        )
    ]


def pipeline(cohort: Mapping[int, str | None], degrees: Mapping[int, Sequence[Degree]]) -> Pipeline:
    """Undergraduate, doctorate and current countries of a cohort (researcher → current country)."""
    people = sorted(cohort)
    under = [undergraduate_country(degrees.get(r, ())) for r in people]
    doctor = [doctorate_country(degrees.get(r, ())) for r in people]
    current = [cohort[r] for r in people]
    return Pipeline(
        total=len(people),
        undergraduate=shares(under),
        doctorate=shares(doctor),
        current=shares(current),
        paths=paths(list(zip(under, doctor, current, strict=True))),
    )


def stay_rates(
    degrees: Iterable[Degree], stints: Iterable[Stint], years_after: int, as_of: int
) -> list[StayRate]:
    """Stay rates per doctorate country, ``years_after`` years after each doctorate ended.

    ``stints`` have a country as their entity. A researcher's last doctorate with an end year
    is the one that counts.
    """
    if years_after < 0:
        raise ValueError(f"years_after must not be negative (got {years_after})")
    where: dict[int, dict[int, set[str]]] = {}
    for stint in stints:
        if not isinstance(stint.entity, str):
            continue
        for year in stint_years(stint, as_of):
            where.setdefault(stint.researcher_id, {}).setdefault(year, set()).add(stint.entity)
    last: dict[int, Degree] = {}
    for d in degrees:
        if d.degree != "doctorate" or d.end_year is None or d.country is None:
            continue
        if d.researcher_id not in last or d.end_year >= (last[d.researcher_id].end_year or 0):
            last[d.researcher_id] = d
    graduates: Counter[str] = Counter()
    stayed: Counter[str] = Counter()
    for rid, d in last.items():
        assert d.country is not None and d.end_year is not None
        countries = where.get(rid, {}).get(d.end_year + years_after)
        if not countries:
            continue  # not seen working that year: neither stayed nor left
        graduates[d.country] += 1
        stayed[d.country] += d.country in countries
    return [StayRate(c, graduates[c], stayed[c]) for c in sorted(graduates)]
