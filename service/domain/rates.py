"""Stocks and rates: researcher populations from affiliation stints, and migration rates.

The definitions follow the Max Planck Institute for Demographic Research's scholarly migration
estimates (Akbaritabar, Theile and Zagheni, Scientific Data 11:816, 2024), so Talentflow's rates
read beside theirs:

- **population** of an entity (country, institution, parent organisation) in a year: the number
  of distinct researchers with a stint at that entity covering the year;
- ``out_rate = out-migrations / population``, ``in_rate = in-migrations / population`` and
  ``net_rate = (in - out) / population``, as fractions (0.061, not 61 per mille);
- a rate is undefined (``None``) where the population is zero or unknown.

**The counting rule.** A stint covers every year from its first to its last known year, the
years between two sightings included (the MPIDR "padded" population does the same for the
years between a scholar's publications):

- first year: the earliest of its start date's year and its sighting years;
- last year: its end date's year when it has one; else its latest sighting year; else (a stint
  with a start and no end, as ORCID gives a current job) the ``as_of`` year;
- a researcher counts once per entity and year however many stints cover it (two stints at two
  labs of one country count once for the country).

No I/O here: the read queries (:mod:`service.db.queries.rates`) compute the same populations in
SQL, and tests hold the two to the same hand-computed answers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from service.domain.flows import SMALL_COUNT_THRESHOLD

SMALL_POPULATION_THRESHOLD = 20
"""A population below this makes a rate too noisy to read: one move is 5 % or more of it."""


@dataclass(frozen=True, slots=True)
class Stint:
    """The years one affiliation stint is known by: its dates' years and its sightings."""

    researcher_id: int
    entity: Hashable
    start_year: int | None = None
    end_year: int | None = None
    years: tuple[int, ...] = ()


def stint_years(stint: Stint, as_of: int) -> range:
    """The years a stint covers under the counting rule (empty if it has no known year)."""
    known = [*stint.years, *([stint.start_year] if stint.start_year is not None else [])]
    if stint.end_year is not None:
        last = stint.end_year
        known.append(stint.end_year)
    elif stint.years:
        last = max(stint.years)
    elif stint.start_year is not None:
        last = max(as_of, stint.start_year)
    else:
        return range(0)
    first = min(known)
    return range(first, max(first, last) + 1)


def populations(stints: Iterable[Stint], as_of: int) -> dict[tuple[Hashable, int], int]:
    """Distinct researchers per (entity, year) under the counting rule."""
    people: dict[tuple[Hashable, int], set[int]] = defaultdict(set)
    for stint in stints:
        for year in stint_years(stint, as_of):
            people[(stint.entity, year)].add(stint.researcher_id)
    return {key: len(ids) for key, ids in sorted(people.items(), key=lambda kv: repr(kv[0]))}


def rate(count: int, population: int | None) -> float | None:
    """``count / population`` as a fraction; ``None`` where the population is 0 or unknown."""
    if count < 0:
        raise ValueError(f"a count of moves cannot be negative (got {count})")
    if population is None or population <= 0:
        return None
    return count / population


@dataclass(frozen=True, slots=True)
class Rates:
    population: int | None
    inflow: int
    outflow: int
    in_rate: float | None
    out_rate: float | None
    net_rate: float | None
    small: bool

    @property
    def net(self) -> int:
        return self.inflow - self.outflow


def migration_rates(inflow: int, outflow: int, population: int | None) -> Rates:
    """In-, out- and net migration rates of one entity in one period, MPIDR's definitions."""
    if inflow < 0 or outflow < 0:
        raise ValueError(f"counts of moves cannot be negative (in {inflow}, out {outflow})")
    net_rate = None if population is None or population <= 0 else (inflow - outflow) / population
    return Rates(
        population=population,
        inflow=inflow,
        outflow=outflow,
        in_rate=rate(inflow, population),
        out_rate=rate(outflow, population),
        net_rate=net_rate,
        small=is_small(inflow + outflow, population),
    )


def is_small(
    moves: int,
    population: int | None,
    count_threshold: int = SMALL_COUNT_THRESHOLD,
    population_threshold: int = SMALL_POPULATION_THRESHOLD,
) -> bool:
    """Whether a cell is too small to read a rate from.

    Small when it counts fewer than ``count_threshold`` moves (as for flows), or its population
    is unknown or below ``population_threshold`` (a rate over a handful of people swings by
    whole percentage points with one person).
    """
    if moves < count_threshold:
        return True
    return population is None or population < population_threshold


def rates_table(
    inflows: Mapping[tuple[Hashable, int], int],
    outflows: Mapping[tuple[Hashable, int], int],
    pops: Mapping[tuple[Hashable, int], int],
) -> dict[tuple[Hashable, int], Rates]:
    """Rates for every (entity, year) that has moves or a population."""
    keys = set(inflows) | set(outflows) | set(pops)
    return {
        key: migration_rates(inflows.get(key, 0), outflows.get(key, 0), pops.get(key))
        for key in sorted(keys, key=repr)
    }
