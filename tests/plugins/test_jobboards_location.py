"""Job-board location strings: the forms boards use, ambiguities, the hint, and quality."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugins.jobboards.location import ParsedLocation, parse_location

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("text", "countries", "remote", "hybrid"),
    [
        ("San Francisco, CA | New York City, NY", ("US",), False, False),
        ("Remote - US", ("US",), True, False),
        ("Remote (Canada)", ("CA",), True, False),
        ("London, UK", ("GB",), False, False),
        ("London, United Kingdom", ("GB",), False, False),
        ("Beijing, China", ("CN",), False, False),
        ("北京", ("CN",), False, False),
        ("Hybrid", (), False, True),
        ("Remote", (), True, False),
        ("Paris, France; Remote-Friendly", ("FR",), True, False),
        ("Zürich", ("CH",), False, False),
        ("Toronto, ON", ("CA",), False, False),
        ("Tokyo, Japan", ("JP",), False, False),
        ("Bengaluru, India", ("IN",), False, False),
        ("Seattle, WA; San Francisco, CA", ("US",), False, False),
        ("New York", ("US",), False, False),
        ("SF", ("US",), False, False),
        ("NYC", ("US",), False, False),
        ("Bay Area", ("US",), False, False),
        ("EMEA", (), False, False),
        ("Anywhere", (), True, False),
        ("Tel Aviv", ("IL",), False, False),
        ("München", ("DE",), False, False),
        ("São Paulo", ("BR",), False, False),
        ("Singapore", ("SG",), False, False),
        ("Hong Kong", ("HK",), False, False),
        ("HK", ("HK",), False, False),
        ("Taipei", ("TW",), False, False),
        ("台北", ("TW",), False, False),
        ("北京市海淀区", ("CN",), False, False),
        ("Portland, OR", ("US",), False, False),
        ("Mountain View, CA", ("US",), False, False),
        ("Toronto, ON, CA", ("CA",), False, False),
        ("British Columbia, CA", ("CA",), False, False),
        ("London, ON", ("CA",), False, False),
        ("Berlin, DE", ("DE",), False, False),
        ("Cambridge, MA", ("US",), False, False),
        ("Paris, TX", ("US",), False, False),
        ("Remote (US or Canada)", ("US", "CA"), True, False),
        (
            "London, UK; Ontario, CAN; Remote-Friendly, United States",
            ("GB", "CA", "US"),
            True,
            False,
        ),
        ("Remote-Friendly US (Travel Required)", ("US",), True, False),
        ("London (Hybrid)", ("GB",), False, True),
        ("", (), False, False),
    ],
)
def test_board_forms(text: str, countries: tuple[str, ...], remote: bool, hybrid: bool) -> None:
    parsed = parse_location(text)
    assert parsed.countries == countries
    assert parsed.country_code == (countries[0] if countries else None)
    assert (parsed.remote, parsed.hybrid) == (remote, hybrid)


def test_cities_are_canonical() -> None:
    assert parse_location("München, Germany").cities == ("Munich",)
    assert parse_location("SF | NYC").cities == ("San Francisco", "New York")
    assert parse_location("Springfield, IL").cities == ("Springfield",)


def test_none_is_empty() -> None:
    assert parse_location(None) == ParsedLocation((), None, False, False, ())


def test_hint_fills_only_a_bare_remote_or_hybrid() -> None:
    assert parse_location("Remote", country_hint="DE").countries == ("DE",)
    assert parse_location("Hybrid", country_hint="fr").countries == ("FR",)
    assert parse_location("Remote - US", country_hint="DE").countries == ("US",)
    assert parse_location("Remote - EMEA", country_hint="DE").countries == ()
    assert parse_location("Anywhere", country_hint="DE").countries == ()
    assert parse_location("London", country_hint="CA").countries == ("GB",)
    assert parse_location(None, country_hint="DE").countries == ()
    assert parse_location("Remote", country_hint="not a country").countries == ()


@given(st.text(max_size=60))
def test_never_raises_and_keeps_its_invariants(text: str) -> None:
    parsed = parse_location(text)
    assert len(set(parsed.countries)) == len(parsed.countries)
    assert parsed.country_code == (parsed.countries[0] if parsed.countries else None)
    assert all(len(code) == 2 and code.isupper() for code in parsed.countries)


def _measure() -> dict[str, float]:
    path = REPO_ROOT / "bench" / "quality_jobs.py"
    spec = importlib.util.spec_from_file_location("bench_quality_jobs_locations", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    figures = module.measure()["all"]
    assert figures.locations >= 80
    result: dict[str, float] = figures.as_dict()
    return result


def test_location_quality_does_not_regress() -> None:
    figures = _measure()
    # Reached when written, rounded down to 2 decimals: they may only rise.
    assert math.floor(figures["country_accuracy"] * 100) / 100 >= 0.99
    assert math.floor(figures["flag_accuracy"] * 100) / 100 >= 1.00
