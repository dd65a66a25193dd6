"""Populations and migration rates: hand-computed answers, and MPIDR's published rates."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from service.domain.rates import (
    Stint,
    is_small,
    migration_rates,
    populations,
    rate,
    rates_table,
    stint_years,
)

AS_OF = 2026


def test_a_stint_covers_the_years_between_two_sightings() -> None:
    assert list(stint_years(Stint(1, "US", years=(2015, 2018)), AS_OF)) == [2015, 2016, 2017, 2018]


def test_a_stint_with_dates_covers_start_to_end_and_an_open_one_runs_to_as_of() -> None:
    assert list(stint_years(Stint(1, "US", start_year=2019, end_year=2021), AS_OF)) == [
        2019,
        2020,
        2021,
    ]
    assert list(stint_years(Stint(1, "US", start_year=2024), AS_OF)) == [2024, 2025, 2026]
    # an open stint sighted in publications ends at its last sighting, not at as_of
    assert list(stint_years(Stint(1, "US", start_year=2020, years=(2022,)), AS_OF)) == [
        2020,
        2021,
        2022,
    ]
    # a sighting before the start date widens the stint
    assert list(
        stint_years(Stint(1, "US", start_year=2020, end_year=2021, years=(2019,)), AS_OF)
    ) == [
        2019,
        2020,
        2021,
    ]
    assert list(stint_years(Stint(1, "US"), AS_OF)) == []


def test_populations_count_each_researcher_once_per_entity_and_year() -> None:
    stints = [
        # researcher 1: two US labs in 2019 (overlap) counts once for the US that year
        Stint(1, "US", years=(2017, 2019)),
        Stint(1, "US", start_year=2019, end_year=2020),
        # researcher 2: US 2018, then China from 2020 (ORCID, current job)
        Stint(2, "US", years=(2018,)),
        Stint(2, "CN", start_year=2020),
        # researcher 3: China 2019 and 2021, the gap year 2020 counted
        Stint(3, "CN", years=(2019, 2021)),
    ]
    pops = populations(stints, as_of=2022)
    assert pops == {
        ("CN", 2019): 1,
        ("CN", 2020): 2,
        ("CN", 2021): 2,
        ("CN", 2022): 1,
        ("US", 2017): 1,
        ("US", 2018): 2,
        ("US", 2019): 1,
        ("US", 2020): 1,
    }


def test_rates_are_fractions_of_the_population() -> None:
    r = migration_rates(inflow=3, outflow=8, population=200)
    assert (r.in_rate, r.out_rate, r.net_rate, r.net) == (0.015, 0.04, -0.025, -5)
    assert r.small is False  # 11 moves over 200 people
    assert migration_rates(3, 8, 0).net_rate is None
    assert migration_rates(3, 8, None).in_rate is None
    assert rate(0, 10) == 0.0
    with pytest.raises(ValueError, match="negative"):
        migration_rates(-1, 0, 10)


def test_small_looks_at_moves_and_population() -> None:
    assert is_small(4, 10_000)  # few moves
    assert is_small(50, 19)  # small population
    assert is_small(50, None)  # unknown population
    assert not is_small(5, 20)


def test_rates_table_covers_cells_with_moves_or_a_population() -> None:
    table = rates_table({("US", 2020): 2}, {("CN", 2020): 1}, {("US", 2020): 40, ("DE", 2020): 7})
    assert set(table) == {("US", 2020), ("CN", 2020), ("DE", 2020)}
    assert table[("US", 2020)].in_rate == 0.05
    assert table[("CN", 2020)].out_rate is None
    assert table[("DE", 2020)].net_rate == 0.0


def test_the_rate_functions_reproduce_mpidr_published_rates(recorded: Path) -> None:
    path = recorded / "mpidr_openalex_country_rates_sample.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 117
    for row in rows:
        population = int(row["padded_population_of_researchers"])
        inflow = int(row["number_of_inmigrations"])
        outflow = int(row["number_of_outmigrations"])
        r = migration_rates(inflow, outflow, population)
        where = f"{row['countrycode']} {row['year']}"
        assert r.net == int(row["netmigration"]), where
        # the file prints float32 values: agree to 1e-6 relative
        assert r.in_rate == pytest.approx(float(row["inmigrationrate"]), rel=1e-6), where
        assert r.out_rate == pytest.approx(float(row["outmigrationrate"]), rel=1e-6), where
        assert r.net_rate == pytest.approx(float(row["netmigrationrate"]), rel=1e-6, abs=1e-9), (
            where
        )
