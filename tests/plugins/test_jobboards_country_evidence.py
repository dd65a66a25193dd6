"""A posting's country from its own evidence: a city whose name several countries share is
chosen by the board's structured fields or the text, not by its best-known country; a remote
job open to a whole region has no country, not the company's."""

from __future__ import annotations

import pytest

from plugins.jobboards.common import BoardConfig, build_posting, posting_country
from plugins.jobboards.location import parse_location, text_anywhere


@pytest.mark.parametrize(
    ("text", "country", "alternatives"),
    [
        ("Cambridge", "GB", ("GB", "US")),
        ("Vancouver", "CA", ("CA", "US")),
        ("Cambridge, MA", "US", ()),
        ("Cambridge, UK", "GB", ()),
        ("Paris", "FR", ()),
        ("Remote", None, ()),
    ],
)
def test_an_ambiguous_city_alone_says_which_countries_it_could_be(
    text: str, country: str | None, alternatives: tuple[str, ...]
) -> None:
    parsed = parse_location(text)
    assert parsed.country_code == country
    assert parsed.alternatives == alternatives


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Cambridge | Boston, MA", "US"),
        ("Cambridge; San Francisco", "US"),
        ("Cambridge | London", "GB"),
        ("Vancouver | Seattle, WA", "US"),
    ],
)
def test_a_sibling_place_chooses_an_ambiguous_citys_country(text: str, country: str) -> None:
    assert parse_location(text).country_code == country


def test_the_boards_address_chooses_an_ambiguous_citys_country() -> None:
    # Ashby's address of a bare "Cambridge" at a US company's Kendall Square office
    assert (
        posting_country("GB", ["United States"], "", "Cambridge", "US", alternatives=("GB", "US"))
        == "US"
    )
    # the text, when the board has no structured country
    text = "You will be based in Cambridge, Massachusetts."
    assert posting_country("GB", [], text, "Cambridge", "GB", alternatives=("GB", "US")) == "US"
    # an office named only "Cambridge" chooses nothing; nor does the company's default
    assert (
        posting_country("GB", ["Cambridge"], "", "Cambridge", "US", alternatives=("GB", "US"))
        == "GB"
    )
    # a country the city cannot be in is no choice
    assert (
        posting_country("GB", ["France"], "", "Cambridge", "US", alternatives=("GB", "US")) == "GB"
    )
    # a named place without alternatives is never overridden
    assert posting_country("FR", ["United States"], "", "Paris", "US") == "FR"


def test_a_posting_in_an_ambiguous_city_gets_its_addresss_country() -> None:
    seen = build_posting(
        source="ashby",
        external_id="board:1",
        board=BoardConfig(institution="liquid-ai"),
        title="IT Support Specialist",
        department="Operations",
        team="IT",
        location="Cambridge",
        remote=False,
        posted_at=None,
        updated_at=None,
        url=None,
        description="On-site IT support for our office.",
        fallback_countries=["United States"],
    )
    assert seen.country_code == "US"


@pytest.mark.parametrize(
    "text",
    [
        "Fully remote; we can employ you anywhere in EMEA through our employer of record.",
        "Remote role; candidates may be based in any LatAm country.",
        "Work from anywhere across Europe.",
        "You can live in any EU country.",
    ],
)
def test_a_remote_job_open_to_a_whole_region_has_no_country(text: str) -> None:
    assert text_anywhere(text)
    assert posting_country(None, [], text, "Remote", "GB") is None


@pytest.mark.parametrize("text", ["Work from anywhere in Japan.", "Remote within Germany."])
def test_a_remote_job_in_one_country_keeps_it(text: str) -> None:
    assert not text_anywhere(text)
    assert posting_country(None, [], text, "Remote", "US") in {"JP", "DE"}
