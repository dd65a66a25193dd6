"""The explorer in headless Chromium, against a real ``talentflow serve`` on a seeded database.

The dataset (tests/web/dataset.py) has four country-level flows, one of them domestic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web import dataset
from tests.web.conftest import Server, chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(shared_server: Server, chromium_path: Path) -> Iterator[Any]:
    """One Chromium for this module's read-only tests, opened after the shared database."""
    with chromium(chromium_path) as b:
        yield b


def links(page: Any) -> list[tuple[str, str, int]]:
    return sorted(
        (
            el.get_attribute("data-origin"),
            el.get_attribute("data-destination"),
            int(el.get_attribute("data-count")),
        )
        for el in page.locator("#flows-chart [data-origin]").all()
    )


def wait_links(page: Any, n: int) -> None:
    page.wait_for_function(
        "n => document.querySelectorAll('#flows-chart [data-origin]').length === n "
        "&& document.getElementById('flows-chart').getAttribute('aria-busy') === 'false'",
        arg=n,
    )


def test_flows_diagram_has_one_link_per_flow_and_filters_change_it(
    shared_server: Server, page: Any
) -> None:
    page.goto(f"{shared_server.url}/#/flows")
    wait_links(page, 4)
    assert links(page) == [("CN", "GB", 1), ("GB", "US", 1), ("US", "CN", 2), ("US", "US", 2)]
    # Hover shows the count, and the small-number cells are marked.
    first = page.locator('#flows-chart [data-origin="US"][data-destination="CN"]')
    first.hover()
    assert "2 moves" in page.locator("#flows-chart .tip").inner_text()
    assert page.locator("#flows-chart .link.small").count() == 4
    # Net flow per country: US gains one (from GB), loses two (to CN).
    assert page.locator('#net-chart [data-entity="US"]').get_attribute("data-net") == "-1"

    page.get_by_label("Cross-border only").check()
    wait_links(page, 3)
    assert ("US", "US", 2) not in links(page)
    assert "cross=1" in page.url

    page.get_by_label("Minimum confidence").select_option("0.7")
    wait_links(page, 3)
    assert ("US", "CN", 1) in links(page)

    # The accessible table holds the same numbers.
    page.get_by_role("button", name="Show the flows as a table").click()
    rows = page.locator("#main table tbody tr")
    assert rows.count() == 3


def test_organisation_level_groups_sites_under_their_parent(
    shared_server: Server, page: Any
) -> None:
    page.goto(f"{shared_server.url}/#/flows?level=PARENT")
    # A selector, not a string predicate: the page's CSP forbids eval, and a string predicate
    # that is not true at once is polled by eval in the page.
    page.wait_for_selector("#flows-chart[aria-busy='false']", state="attached")
    names = page.locator("#flows-chart .node-label").all_text_contents()
    assert any(n.startswith("Alphabet") for n in names)
    assert not any(n.startswith("Google DeepMind") for n in names)


def test_a_flow_leads_to_the_researcher_and_the_evidence(shared_server: Server, page: Any) -> None:
    page.goto(f"{shared_server.url}/#/flows")
    wait_links(page, 4)
    page.locator('#flows-chart [data-origin="US"][data-destination="CN"]').click()
    pair = page.locator("#pair")
    pair.get_by_role("link", name="Alice Zhang").click()
    page.wait_for_url(re.compile(r"#/researcher/"))
    quote = page.locator("blockquote.quote")
    quote.first.wait_for()
    assert dataset.ALICE_QUOTE in quote.all_inner_texts()
    assert (
        page.get_by_role("link", name="Alice Zhang changes labs")
        .get_attribute("href")
        .startswith("https://news.example.org/")
    )
    assert "Example Tech News" in page.locator(".source").first.inner_text()
    # The affiliation timeline and the candidate match awaiting review.
    assert page.locator(".timeline rect.stint").count() == 2
    assert page.get_by_role("link", name="A. Zhang").is_visible()
    assert page.evaluate("document.activeElement.tagName") == "H1"


def test_search_is_keyboard_navigable(shared_server: Server, page: Any) -> None:
    page.goto(f"{shared_server.url}/#/flows")
    wait_links(page, 4)
    box = page.get_by_role("combobox", name="Search researchers and institutions")
    box.fill("tencent")
    page.locator("#q-results [role=option]").first.wait_for()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant") == "q-opt-0"
    box.press("Enter")
    page.wait_for_url(re.compile(r"#/institution/tencent$"))
    page.get_by_role("heading", name="Tencent", level=1).wait_for()
    # Arrivals from OpenAI, one open research posting.
    assert page.locator("#main").get_by_text("Research Scientist, Reasoning").is_visible()
    inflow = sum(
        int(g.get_attribute("data-inflow")) for g in page.locator(".mirrored g.period").all()
    )
    assert inflow == 2


def test_time_view_counts_moves_per_quarter(shared_server: Server, page: Any) -> None:
    page.goto(f"{shared_server.url}/#/time?level=COUNTRY&o=US&d=CN")
    page.locator("#time-chart rect[data-period]").first.wait_for()
    bars = {
        b.get_attribute("data-period"): int(b.get_attribute("data-count"))
        for b in page.locator("#time-chart rect[data-period]").all()
    }
    assert bars["2024 Q1"] == 1 and bars["2025 Q2"] == 1
    assert sum(bars.values()) == 2
    assert len(bars) == 6  # 2024 Q1 .. 2025 Q2, empty quarters included


def test_phone_width_has_no_horizontal_scroll(shared_server: Server, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        pg = context.new_page()
        pg.goto(f"{shared_server.url}/#/flows")
        wait_links(pg, 4)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
