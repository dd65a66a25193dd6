"""The traveller rule (dual affiliation), worked out by hand on small histories."""

from __future__ import annotations

from dataclasses import replace

from service.domain.dates import PartialDate
from service.domain.move_classes import country_years, is_dual_affiliation
from service.domain.moves import InferenceSettings, Stint

SETTINGS = InferenceSettings(current_year=2026, allowed_overlap_years=1)
TSINGHUA, PEKING, GOOGLE = 1, 2, 3
COUNTRIES = {TSINGHUA: "CN", PEKING: "cn", GOOGLE: "US"}


def years(*stints: Stint) -> dict[str, set[int]]:
    return country_years(stints, COUNTRIES, SETTINGS)


def test_a_stint_at_home_that_goes_on_makes_the_move_abroad_a_dual_affiliation() -> None:
    # papers at Tsinghua 2010-2024, employed at Google from 2018: at home 2018, 2019 and 2020
    home = years(Stint(TSINGHUA, None, None, frozenset(range(2010, 2025))))
    assert is_dual_affiliation("CN", "US", 2018, home, 1)
    # ... but a move home-to-home is no traveller's, nor a move to an unknown country
    assert not is_dual_affiliation("CN", "CN", 2018, home, 1)
    assert not is_dual_affiliation("CN", None, 2018, home, 1)
    assert not is_dual_affiliation("CN", "US", None, home, 1)


def test_the_allowed_overlap_is_not_a_stay_at_home() -> None:
    # a migrant who still signs with Tsinghua in the year of the move and the next (2018, 2019)
    migrant = years(Stint(TSINGHUA, None, None, frozenset(range(2010, 2020))))
    assert not is_dual_affiliation("CN", "US", 2018, migrant, 1)
    # with no allowed overlap, one year at home after the move's year is enough
    assert is_dual_affiliation("CN", "US", 2018, migrant, 0)
    # one more year at home (2020) and it is a traveller under the default overlap
    longer = years(Stint(TSINGHUA, None, None, frozenset(range(2010, 2021))))
    assert is_dual_affiliation("CN", "US", 2018, longer, 1)


def test_home_is_the_country_not_the_institution() -> None:
    # Tsinghua until 2018, then Peking University from 2019: still at home in 2018-2020
    home = years(
        Stint(TSINGHUA, None, None, frozenset(range(2012, 2019))),
        Stint(PEKING, None, None, frozenset({2019, 2020, 2021})),
    )
    assert is_dual_affiliation("CN", "US", 2018, home, 1)


def test_a_return_after_years_abroad_is_not_a_traveller() -> None:
    # Tsinghua 2010-2017, abroad, back at Tsinghua from 2020: 2018 and 2019 break the run at home
    home = years(Stint(TSINGHUA, None, None, frozenset([*range(2010, 2018), 2020, 2021])))
    assert not is_dual_affiliation("CN", "US", 2018, home, 1)


def test_an_open_dated_stint_runs_to_the_current_year() -> None:
    # employed at Tsinghua since 2015-09 with no end: active 2015-2026
    home = years(Stint(TSINGHUA, PartialDate(2015, 9), None))
    assert is_dual_affiliation("CN", "US", 2022, home, 1)  # 2022, 2023, 2024
    assert is_dual_affiliation("CN", "US", 2024, home, 1)  # 2024, 2025, 2026
    # a move last year cannot be told apart yet: 2027 is not known
    assert not is_dual_affiliation("CN", "US", 2025, home, 1)
    # a closed stint ends where it ends
    closed = years(Stint(TSINGHUA, PartialDate(2015, 9), PartialDate(2019, 6)))
    assert not is_dual_affiliation("CN", "US", 2018, closed, 1)
    assert is_dual_affiliation("CN", "US", 2017, closed, 1)


def test_the_first_move_out_of_the_doctorate_is_the_first_job() -> None:
    from service.domain.move_classes import Doctorate, is_first_job_after_doctorate

    stanford, mit = 10, 11
    phd = [Doctorate(stanford, 2017)]
    # leaves Stanford in 2016, 2017, 2018 or 2019: from the year before the end to two after
    for year in (2016, 2017, 2018, 2019):
        assert is_first_job_after_doctorate(stanford, year, phd, 0), year
    assert not is_first_job_after_doctorate(stanford, 2015, phd, 0)  # before the doctorate ends
    assert not is_first_job_after_doctorate(stanford, 2020, phd, 0)  # three years on: a later job
    assert not is_first_job_after_doctorate(stanford, 2018, phd, 1)  # not the first move
    assert not is_first_job_after_doctorate(mit, 2018, phd, 0)  # out of another institution
    assert not is_first_job_after_doctorate(stanford, 2018, [Doctorate(stanford, None)], 0)


def test_a_stale_open_entry_does_not_keep_the_researcher_at_home() -> None:
    """An ORCID entry at home left open after the papers there stopped (2020), with years of
    papers abroad after it: the move abroad is a migration, as inference reads the entry."""
    stale = Stint(TSINGHUA, PartialDate(2016, 7), None, frozenset(range(2016, 2021)))
    abroad = Stint(GOOGLE, PartialDate(2020, 4), None, frozenset(range(2020, 2027)))
    home = years(stale, abroad)
    assert max(home["CN"]) == 2020
    assert not is_dual_affiliation("CN", "US", 2020, home, 1)
    # still papers at home: the open entry is no stale one, the move abroad a traveller's
    current = replace(stale, years=frozenset(range(2016, 2027)))
    assert is_dual_affiliation("CN", "US", 2020, years(current, abroad), 1)
