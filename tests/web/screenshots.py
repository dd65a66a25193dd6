"""Take the README's screenshots of the explorer from a running server (not a test).

talentflow demo          # in another shell; serves the demo data on :8000
python -m tests.web.screenshots http://127.0.0.1:8000 docs/images
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS

# a selector, not a string predicate: the page's CSP forbids eval, which polling one needs
READY = "#main[data-ready='{view}']"


def shoot(base: str, out: Path) -> list[str]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []

    def open_view(page: Any, fragment: str, view: str) -> None:
        page.evaluate("document.getElementById('main').dataset.ready = ''")
        page.goto(f"{base}/{fragment}")
        page.wait_for_selector(READY.format(view=view), state="attached")
        page.wait_for_timeout(300)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        page = context.new_page()
        page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(base)

        open_view(page, "#/flows", "flows")
        page.locator("#flows-chart [data-origin]").first.hover()
        page.screenshot(path=str(out / "explorer-flows.png"), full_page=True)

        open_view(page, "#/time?level=COUNTRY&o=US&d=CN", "time")
        page.screenshot(path=str(out / "explorer-time.png"), full_page=True)

        rid = page.evaluate(
            """async () => {
              const q = '{ moves(first: 100) { nodes { researcher { id } evidence { quote } } } }';
              const r = await fetch('/graphql', {method: 'POST',
                headers: {'Content-Type': 'application/json'}, body: JSON.stringify({query: q})});
              const counts = new Map();
              for (const m of (await r.json()).data.moves.nodes) {
                const n = m.evidence.filter((e) => e.quote).length;
                counts.set(m.researcher.id, (counts.get(m.researcher.id) || 0) + n);
              }
              return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
            }"""
        )
        open_view(page, f"#/researcher/{rid}", "researcher")
        page.screenshot(path=str(out / "explorer-researcher.png"), full_page=True)

        slug = sys.argv[3] if len(sys.argv) > 3 else "openai"
        open_view(page, f"#/institution/{slug}", "institution")
        page.screenshot(path=str(out / "explorer-institution.png"), full_page=True)

        open_view(page, "#/live", "live")
        box = page.get_by_role("combobox")
        box.fill("li")
        page.locator("#q-results [role=option]").first.wait_for()
        box.press("ArrowDown")
        box.press("ArrowDown")
        page.screenshot(path=str(out / "explorer-live-search.png"))

        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2
        )
        pp = phone.new_page()
        pp.goto(f"{base}/#/flows")
        pp.wait_for_selector(READY.format(view="flows"), state="attached")
        pp.evaluate("window.scrollTo(0, document.getElementById('flows-title').offsetTop - 8)")
        pp.wait_for_timeout(300)
        pp.screenshot(path=str(out / "explorer-phone.png"))
        browser.close()
    return problems


if __name__ == "__main__":
    found = shoot(sys.argv[1], Path(sys.argv[2]))
    for line in found:
        print("page:", line)
