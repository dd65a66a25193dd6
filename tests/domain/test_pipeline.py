"""Pipeline shares and stay rates on a small cohort worked out by hand."""

from __future__ import annotations

import pytest

from service.domain.pipeline import (
    CountryShare,
    Degree,
    PipelinePath,
    doctorate_country,
    pipeline,
    shares,
    stay_rates,
    undergraduate_country,
)
from service.domain.rates import Stint

# 1: BSc CN 2012, PhD US 2017;  2: BSc CN 2010, MSc GB, PhD CN 2016;  3: PhD US 2018 only;
# 4: no education known
DEGREES = [
    Degree(1, "bachelor", "CN", 2008, 2012),
    Degree(1, "doctorate", "US", 2012, 2017),
    Degree(2, "bachelor", "CN", 2006, 2010),
    Degree(2, "master", "GB", 2010, 2011),
    Degree(2, "doctorate", "CN", 2011, 2016),
    Degree(3, "doctorate", "US", 2013, 2018),
]
BY_PERSON = {r: [d for d in DEGREES if d.researcher_id == r] for r in (1, 2, 3)}


def test_first_bachelor_and_last_doctorate() -> None:
    assert undergraduate_country(BY_PERSON[1]) == "CN"
    assert doctorate_country(BY_PERSON[2]) == "CN"
    assert undergraduate_country(BY_PERSON[3]) is None
    two = [Degree(5, "doctorate", "FR", 2000, 2004), Degree(5, "doctorate", "DE", 2005, 2009)]
    assert doctorate_country(two) == "DE"


def test_pipeline_counts_and_shares_of_the_whole_cohort() -> None:
    cohort = {1: "US", 2: "CN", 3: "US", 4: "US"}
    p = pipeline(cohort, BY_PERSON)
    assert p.total == 4
    assert p.undergraduate == [CountryShare("CN", 2, 0.5), CountryShare(None, 2, 0.5)]
    assert p.doctorate == [CountryShare("US", 2, 0.5), CountryShare("CN", 1, 0.25),
                           CountryShare(None, 1, 0.25)]  # fmt: skip
    assert p.current == [CountryShare("US", 3, 0.75), CountryShare("CN", 1, 0.25)]
    assert shares([]) == []
    # the three together: each person's (undergraduate, doctorate, current), unknown last
    assert p.paths == [
        PipelinePath("CN", "CN", "CN", 1, 0.25),
        PipelinePath("CN", "US", "US", 1, 0.25),
        PipelinePath(None, "US", "US", 1, 0.25),
        PipelinePath(None, None, "US", 1, 0.25),
    ]
    # each stage is the paths summed
    for stage in ("undergraduate", "doctorate", "current"):
        summed: dict[str | None, int] = {}
        for path in p.paths:
            key = getattr(path, stage)
            summed[key] = summed.get(key, 0) + path.count
        assert summed == {s.country: s.count for s in getattr(p, stage)}
    assert pipeline({}, {}).paths == []


def test_stay_rates_n_years_after_the_doctorate() -> None:
    stints = [
        Stint(1, "US", 2017, 2020),  # 1: PhD US 2017, in the US 2020 -> stayed (3 years on)
        Stint(2, "US", 2016, 2018),  # 2: PhD CN 2016, US until 2018, back in CN from 2019
        Stint(2, "CN", 2019, None),  # -> in CN in 2019: stayed... 3 years on = 2019: stayed
        Stint(3, "GB", 2019, 2022),  # 3: PhD US 2018, GB 2019-2022 -> left (2021)
    ]
    rates = {
        s.country: (s.graduates, s.stayed, s.rate) for s in stay_rates(DEGREES, stints, 3, 2024)
    }
    assert rates == {"US": (2, 1, 0.5), "CN": (1, 1, 1.0)}
    # one year on: 1 in the US (stayed), 2 in the US (left CN), 3 in GB (left)
    one = {s.country: (s.graduates, s.stayed) for s in stay_rates(DEGREES, stints, 1, 2024)}
    assert one == {"US": (2, 1), "CN": (1, 0)}
    # ten years on nobody is seen: no rate at all rather than a rate of 0
    assert stay_rates(DEGREES, stints, 10, 2024) == []
    with pytest.raises(ValueError, match="negative"):
        stay_rates(DEGREES, stints, -1, 2024)
