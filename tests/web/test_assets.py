"""The explorer's page as served by the app: self-contained, small and without a build step."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx

JS_BUDGET = 200 * 1024
IMPORT = re.compile(r"""^\s*import\s[^;]*?from\s+["']([^"']+)["']""", re.MULTILINE)


class Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"] or "")
        if tag == "link" and a.get("rel") == "stylesheet":
            self.styles.append(a["href"] or "")


async def served_js(client: httpx.AsyncClient, entry: str) -> dict[str, int]:
    """Every module reachable from ``entry`` through static imports, with its size in bytes."""
    seen: dict[str, int] = {}
    todo = [entry]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        r = await client.get(path)
        assert r.status_code == 200, path
        assert "javascript" in r.headers["content-type"], (path, r.headers["content-type"])
        seen[path] = len(r.content)
        base = path.rsplit("/", 1)[0]
        for spec in IMPORT.findall(r.text):
            assert spec.startswith("./"), f"{path} imports {spec}: only local modules"
            todo.append(f"{base}/{spec[2:]}")
    return seen


async def test_page_is_self_contained_and_under_the_js_budget(client: httpx.AsyncClient) -> None:
    r = await client.get("/")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    refs = Refs()
    refs.feed(r.text)
    assert {"main", "q", "live-list"} <= refs.ids
    for url in [*refs.scripts, *refs.styles]:
        assert url.startswith("/") and not url.startswith("//"), f"external asset: {url}"
        assert (await client.get(url)).status_code == 200
    assert not re.search(r"""(src|href)=["']https?://""", r.text), "the page loads nothing remote"
    sizes: dict[str, int] = {}
    for script in refs.scripts:
        sizes.update(await served_js(client, script))
    assert len(sizes) >= 4
    total = sum(sizes.values())
    assert total < JS_BUDGET, f"{total} bytes of JavaScript: {sizes}"
    css = (await client.get(refs.styles[0])).text
    assert "@import" not in css and "url(http" not in css


async def test_graphql_documents_of_the_explorer_validate_against_the_schema(
    client: httpx.AsyncClient,
) -> None:
    """Each query the page sends parses and validates (the reference client stays in step)."""
    from graphql import parse, validate

    from service.api.graphql.schema import build_schema

    schema = build_schema()._schema
    src = (await client.get("/explorer/queries.js")).text
    fragments = dict(re.findall(r"const (\w+) = `([^`]*)`;", src))
    documents = re.findall(r"export const (\w+) = `([^`]*)`;", src)
    assert len(documents) >= 7
    for name, body in documents:
        text = body
        while "${" in text:
            text = re.sub(r"\$\{(\w+)\}", lambda m: fragments[m.group(1)], text)
        errors = validate(schema, parse(text))
        assert not errors, f"{name}: {[e.message for e in errors]}"
