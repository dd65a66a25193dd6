"""The explorer's rates and pipeline views in headless Chromium, against a real ``talentflow
serve`` on the seeded dataset (its stints and degrees are worked out in tests/web/dataset.py):
the numbers each view shows, and how it copes with no data and with a failing API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import Server, chromium

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(shared_server: Server, chromium_path: Path) -> Iterator[Any]:
    """One Chromium for this module's read-only tests, opened after the shared database."""
    with chromium(chromium_path) as b:
        yield b


def ready(page: Any, chart: str) -> None:
    page.wait_for_function(
        "id => document.getElementById(id)?.getAttribute('aria-busy') === 'false'", arg=chart
    )


def rate_cells(page: Any) -> dict[tuple[str, int], tuple[str, str, int, int]]:
    """(country, year) -> (net rate, population, inflow, outflow), as the grid's cells carry
    them ('' for a rate: no population known)."""
    out = {}
    for el in page.locator("#rates-chart g.cell").all():
        key = (el.get_attribute("data-entity"), int(el.get_attribute("data-year")))
        out[key] = (
            el.get_attribute("data-rate"),
            el.get_attribute("data-population"),
            int(el.get_attribute("data-inflow")),
            int(el.get_attribute("data-outflow")),
        )
    return out


def test_rates_view_shows_net_migration_rates_with_populations(
    shared_server: Server, page: Any
) -> None:
    page.goto(f"{shared_server.url}/#/flows")
    page.get_by_role("link", name="Rates").click()
    ready(page, "rates-chart")
    assert page.get_by_role("link", name="Rates").get_attribute("aria-current") == "page"
    cells = rate_cells(page)
    # 2023: Chen CN -> GB; 2024: Alice US -> CN; 2025: Eva GB -> US and Frank US -> CN
    assert cells[("GB", 2023)] == ("1", "1", 1, 0)
    assert cells[("CN", 2023)] == ("", "0", 0, 1)  # no one in China yet: no rate
    assert cells[("US", 2024)] == ("-0.5", "2", 0, 1)
    assert cells[("CN", 2024)] == ("1", "1", 1, 0)
    assert cells[("US", 2025)] == ("0", "3", 1, 1)
    assert cells[("GB", 2025)] == ("-1", "1", 0, 1)
    # a population with no move in or out: a rate of 0
    assert cells[("US", 2019)] == ("0", "1", 0, 0)
    us_2024 = page.locator('#rates-chart g.cell[data-entity="US"][data-year="2024"]')
    text = us_2024.text_content()
    assert "−50.0%" in text and "pop 2" in text
    us_2024.focus()
    assert "population 2" in page.locator("#rates-chart .tip").inner_text()
    # rows by latest population: the US first
    labels = page.locator("#rates-chart .bar-label").all_text_contents()
    assert labels[0] == "United States" and len(labels) == 3
    # every cell is small (populations under 20) and hatched
    assert page.locator("#rates-chart g.cell.small").count() == len(cells)
    page.get_by_role("button", name="Show the rates as a table").click()
    assert page.locator("#rates-chart table tbody tr").count() == len(cells)
    # a shorter span keeps the latest years only
    page.locator("#main select[name=years]").select_option("5")
    page.wait_for_url("**/#/rates?years=5")
    ready(page, "rates-chart")
    assert min(year for _, year in rate_cells(page)) >= page.evaluate(
        "new Date().getUTCFullYear() - 4"
    )


def pipeline_nodes(page: Any) -> dict[tuple[str, str], int]:
    return {
        (el.get_attribute("data-column"), el.get_attribute("data-key")): int(
            el.get_attribute("data-count")
        )
        for el in page.locator("#pipeline-chart rect.node").all()
    }


def pipeline_links(page: Any) -> dict[tuple[str, str, str], int]:
    return {
        (
            el.get_attribute("data-stage"),
            el.get_attribute("data-source"),
            el.get_attribute("data-target"),
        ): int(el.get_attribute("data-count"))
        for el in page.locator("#pipeline-chart path.link").all()
    }


def test_pipeline_view_draws_undergraduate_doctorate_and_work(
    shared_server: Server, page: Any
) -> None:
    page.goto(f"{shared_server.url}/#/flows")
    page.get_by_role("link", name="Pipeline").click()
    page.wait_for_url("**/#/pipeline")
    ready(page, "pipeline-chart")
    page.get_by_label("Working in the year").select_option("2025")
    page.wait_for_url("**/#/pipeline?year=2025")
    ready(page, "pipeline-chart")
    assert page.locator("#pipeline-total").inner_text() == "5 researchers working in 2025"
    # '' is unknown: Dana and Eva took no bachelor's the sources know of, Eva no doctorate
    assert pipeline_nodes(page) == {
        ("undergraduate", "CN"): 3, ("undergraduate", ""): 2,
        ("doctorate", "US"): 3, ("doctorate", "CN"): 1, ("doctorate", ""): 1,
        ("current", "US"): 3, ("current", "CN"): 1, ("current", "GB"): 1,
    }  # fmt: skip
    assert pipeline_links(page) == {
        ("undergraduate-doctorate", "CN", "US"): 2,  # Alice, Bob
        ("undergraduate-doctorate", "CN", "CN"): 1,  # Chen
        ("undergraduate-doctorate", "", "US"): 1,  # Dana
        ("undergraduate-doctorate", "", ""): 1,  # Eva
        ("doctorate-current", "US", "CN"): 1,  # Alice, back in China
        ("doctorate-current", "US", "US"): 2,  # Bob, Dana
        ("doctorate-current", "CN", "GB"): 1,  # Chen
        ("doctorate-current", "", "US"): 1,  # Eva
    }
    page.locator('#pipeline-chart path[data-source="CN"][data-target="US"]').hover()
    assert "2 researchers" in page.locator("#pipeline-chart .tip").inner_text()
    page.get_by_role("button", name="Show the pipeline as a table").click()
    assert page.locator("#pipeline-chart table tbody tr").count() == 5
    # those working in the US: Bob, Dana and Eva
    page.get_by_label("Working in the country").fill("us")
    page.get_by_label("Working in the country").press("Enter")
    page.get_by_label("Working in the country").blur()
    page.wait_for_url("**/#/pipeline?year=2025&country=US")
    ready(page, "pipeline-chart")
    assert page.locator("#pipeline-total").inner_text() == "3 researchers working in US in 2025"
    assert pipeline_nodes(page)[("current", "US")] == 3


def test_views_say_so_when_there_is_nothing_to_show(shared_server: Server, page: Any) -> None:
    # nobody in the dataset worked in 2012
    page.goto(f"{shared_server.url}/#/pipeline?year=2012")
    ready(page, "pipeline-chart")
    assert page.locator("#pipeline-total").inner_text() == "0 researchers working in 2012"
    assert page.locator("#pipeline-chart").get_by_text("No researchers match").is_visible()

    def empty(route: Any) -> None:
        if "query Rates" in (route.request.post_data or ""):
            body = {"data": {"netFlows": [], "populations": []}}
            route.fulfill(status=200, content_type="application/json", body=json.dumps(body))
        else:
            route.continue_()

    page.route("**/graphql", empty)
    page.goto(f"{shared_server.url}/#/rates")
    ready(page, "rates-chart")
    assert page.locator("#rates-chart").get_by_text("No populations or moves").is_visible()
    assert page.locator("#rates-total").inner_text() == "0 countries, no years"


@pytest.mark.parametrize("view", ["rates", "pipeline"])
def test_views_survive_a_failing_api(shared_server: Server, page: Any, view: str) -> None:
    def failing(route: Any) -> None:
        body = route.request.post_data or ""
        if "query Rates" in body or "query Pipeline" in body:
            route.fulfill(status=503, content_type="text/plain", body="unavailable")
        else:
            route.continue_()

    page.route("**/graphql", failing)
    page.goto(f"{shared_server.url}/#/{view}")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "without JSON" in alert.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == "Something went wrong"
    # the rest of the explorer still works
    page.unroute("**/graphql")
    page.get_by_role("link", name="Flows", exact=True).click()
    page.wait_for_selector("#main[data-ready='flows']", state="attached")


def test_phone_width_has_no_horizontal_scroll(shared_server: Server, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        pg = context.new_page()
        for view, chart in (("rates", "rates-chart"), ("pipeline?year=2025", "pipeline-chart")):
            pg.goto(f"{shared_server.url}/#/{view}")
            ready(pg, chart)
            assert pg.evaluate("document.documentElement.scrollWidth") <= 390, view
    finally:
        context.close()
