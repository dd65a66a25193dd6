"""The explorer renders a source's URL as a link only when it is http(s), in Chromium: an
institution website, a job posting URL or a document URL of ``javascript:`` (any case, split
by tabs), ``data:`` or ``vbscript:`` is shown as text, and clicking it runs nothing. (Ingestion
and the API refuse such URLs; these rows stand for data stored before they did.)"""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from tests.web.conftest import Server, run_async

pytestmark = pytest.mark.browser

HOSTILE = [
    "javascript:window.__pwned='website'",
    "JaVa\tScRiPt:window.__pwned='tab'",
    " javascript:window.__pwned='space'",
    "data:text/html,<script>window.__pwned='data'</script>",
    "vbscript:msgbox(1)",
]


def set_urls(db_url: str, website: str, job_url: str, doc_url: str) -> None:
    async def run() -> None:
        conn = await asyncpg.connect(db_url)
        try:
            await conn.execute(
                "UPDATE institution SET website = $1 WHERE slug = 'tencent'", website
            )
            await conn.execute("UPDATE job_posting SET url = $1", job_url)
            await conn.execute("UPDATE document SET url = $1 || id", doc_url)
        finally:
            await conn.close()

    run_async(run)


def hrefs(page: Any) -> list[str]:
    return [str(a.get_attribute("href")) for a in page.locator("main a[href]").all()]


@pytest.mark.parametrize("url", HOSTILE)
def test_a_non_http_url_is_text_and_clicking_it_runs_nothing(
    server: Server, page: Any, url: str
) -> None:
    set_urls(server.db_url, url, url, url + "#")
    page.goto(f"{server.url}/#/institution/tencent")
    page.get_by_text("Website", exact=True).wait_for()
    page.get_by_text("Research Scientist, Reasoning").wait_for()
    assert all(h.startswith(("#", "http://", "https://")) for h in hrefs(page)), hrefs(page)
    website = page.locator("dt:text-is('Website') + dd")
    assert website.locator("a").count() == 0  # shown as text, not as a link
    assert website.inner_text().strip() != ""
    page.get_by_text("Research Scientist, Reasoning").click()
    website.click()
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None
    # the evidence of a move into Tencent: its document link is text too
    page.locator("ul.moves a.researcher").first.click()
    page.locator("li.evidence").first.wait_for()
    assert all(h.startswith(("#", "http://", "https://")) for h in hrefs(page)), hrefs(page)
    page.locator("li.evidence .source").first.click()
    page.wait_for_timeout(200)
    assert page.evaluate("window.__pwned") is None


def test_http_urls_stay_links(server: Server, page: Any) -> None:
    set_urls(
        server.db_url,
        "https://www.tencent.com/",
        "https://jobs.example.org/p1",
        "http://news.example.org/a-",
    )
    page.goto(f"{server.url}/#/institution/tencent")
    page.get_by_text("Website", exact=True).wait_for()
    assert (
        page.locator("dt:text-is('Website') + dd a[href='https://www.tencent.com/']").count() == 1
    )
    assert page.locator("a[href='https://jobs.example.org/p1']").count() == 1
