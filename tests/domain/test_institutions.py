from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from service.domain.institutions import (
    InstitutionIndex,
    InstitutionRecord,
    records_from_seed,
    sector,
)

SEED = Path(__file__).resolve().parents[2] / "service" / "data" / "institutions.toml"


@pytest.fixture(scope="module")
def small() -> InstitutionIndex:
    return InstitutionIndex(
        [
            InstitutionRecord(
                1,
                "microsoft",
                "Microsoft",
                "company",
                "US",
                None,
                aliases=("Microsoft Corporation",),
            ),
            InstitutionRecord(
                2,
                "msr-asia",
                "Microsoft Research Asia",
                "lab",
                "CN",
                1,
                is_site=True,
                aliases=("MSRA", "微软亚洲研究院"),
            ),
            InstitutionRecord(
                3,
                "tsinghua",
                "Tsinghua University",
                "university",
                "CN",
                None,
                ror="03cve4549",
                openalex_id="I99065089",
                aliases=("清华大学",),
            ),
            InstitutionRecord(4, "thu-lab", "Tsinghua AI Lab", "lab", "CN", 3),
            InstitutionRecord(5, "meta", "Meta", "company", "US", None),
            InstitutionRecord(6, "fair", "FAIR", "lab", "US", 5, aliases=("Meta AI",)),
            InstitutionRecord(7, "acme-us", "Acme Robotics", "company", "US", None),
            InstitutionRecord(8, "acme-de", "Acme Robotics", "company", "DE", None),
        ]
    )


def slug(index: InstitutionIndex, text: str, **kw: str) -> str | None:
    match = index.resolve(text, **kw)
    record = index.get(match.id) if match else None
    return record.slug if record else None


def test_ids_first(small: InstitutionIndex) -> None:
    match = small.resolve("something else", ror="https://ror.org/03cve4549")
    assert match is not None and match.method == "ror" and match.id == 3
    match = small.resolve(None, openalex_id="https://openalex.org/I99065089")
    assert match is not None and match.method == "openalex"


def test_affiliation_strings(small: InstitutionIndex) -> None:
    text = "Department of Computer Science, Tsinghua University, Beijing 100084, China"
    assert slug(small, text) == "tsinghua"
    assert slug(small, "Microsoft Research Asia, Beijing") == "msr-asia"
    assert slug(small, "FAIR, Meta") == "fair"
    assert slug(small, "清华大学计算机系") == "tsinghua"
    assert slug(small, "Microsoft Corp.") == "microsoft"


def test_unknown_and_ambiguous_give_none(small: InstitutionIndex) -> None:
    assert small.resolve("University of Nowhere") is None
    assert small.resolve("Acme Robotics") is None  # two rows, no country to choose
    assert slug(small, "Acme Robotics", country_code="de") == "acme-de"
    assert small.resolve("") is None
    assert small.resolve("Meta-learning Group, University of Lagos") is None


def test_fuzzy_only_for_spelling_slips(small: InstitutionIndex) -> None:
    match = small.resolve("Tsinghua Universtiy")
    assert match is not None and match.id == 3
    assert small.resolve("Tsinghai Institute") is None


def test_hierarchy(small: InstitutionIndex) -> None:
    assert small.ancestors(2) == [1]
    assert small.descendants(1) == {1, 2}
    assert small.top_level(4) == 3
    assert small.related(6, 5) and not small.related(6, 1)
    assert small.sector(4) == "academia"
    assert small.sector(6) == "industry"
    assert sector("government") == "academia"
    assert sector("other") == "other"
    assert sector("lab") == "industry"


def test_add_replaces_a_record(small: InstitutionIndex) -> None:
    index = InstitutionIndex(small.records())
    index.add(InstitutionRecord(7, "acme-us", "Acme Robotics US", "company", "US", None))
    assert slug(index, "Acme Robotics") == "acme-de"


@pytest.mark.skipif(not SEED.exists(), reason="seed file not present")
def test_seed_file_builds_an_index() -> None:
    with SEED.open("rb") as handle:
        index = InstitutionIndex(records_from_seed(tomllib.load(handle)["institution"]))
    assert slug(index, "Google DeepMind, London, UK") == "google-deepmind"
    assert slug(index, "Tencent AI Lab, Shenzhen") == "tencent-ai-lab"
    for record in index.records():
        assert index.top_level(record.id) in index


@pytest.mark.skipif(not SEED.exists(), reason="seed file not present")
def test_a_name_inside_a_longer_one_in_another_country_is_a_site_not_the_lab() -> None:
    """ "Microsoft Research India" in India is a site of its own, not the US lab whose name
    it contains: resolving it to the lab put an Indian stint in the United States and made a
    move of a stay. Without a country, or in the lab's own country, the lab is still found."""
    with SEED.open("rb") as handle:
        index = InstitutionIndex(records_from_seed(tomllib.load(handle)["institution"]))
    assert slug(index, "Microsoft Research India", country_code="IN") is None
    assert slug(index, "IBM Research Africa", country_code="KE") is None
    assert slug(index, "Microsoft Research India") == "microsoft-research"
    assert slug(index, "Microsoft Research Redmond", country_code="US") == "microsoft-research"
    # a name that is the lab's own alias stays the lab, whatever the country given
    assert slug(index, "Microsoft Research", country_code="IN") == "microsoft-research"


@pytest.mark.skipif(not SEED.exists(), reason="seed file not present")
def test_a_name_seated_in_another_place_is_a_sister_institution_not_the_known_one() -> None:
    """The seed's "École normale supérieure" is the one in Paris: "École Normale Supérieure
    de Lyon" is another school, and taking it for the Paris one invented a Paris stint (and a
    move from it). A place word the record's own names contain keeps the match."""
    with SEED.open("rb") as handle:
        index = InstitutionIndex(records_from_seed(tomllib.load(handle)["institution"]))
    assert slug(index, "Ecole Normale Supérieure de Lyon", country_code="FR") is None
    assert slug(index, "Ecole Normale Supérieure de Paris", country_code="FR") == "ens-paris"
    assert slug(index, "Ecole Normale Supérieure", country_code="FR") == "ens-paris"
    assert slug(index, "Google DeepMind, London, UK") == "google-deepmind"
