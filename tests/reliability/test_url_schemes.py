"""Only http(s) URLs are stored: a document URL, an institution website or a job URL of
``javascript:``, ``data:``, ``vbscript:`` (any case, split by tabs or newlines) is a reject with
its line number at ingestion, and a ValidationError from the mutations that take URLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.config import load_settings
from service.domain.urls import is_web_url, web_url
from service.ingest.pipeline import run_ingester
from tests.api.graphql.conftest import Gql
from tests.ingest.helpers import write_jsonl

HOSTILE = [
    "javascript:alert(document.domain)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "\tjavascript:alert(1)",
    "  javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "https:alert(1)",
    "http://exa\tmple.org/",
    "https://example.org/\x00",
]
GOOD = ["https://example.org/a", "HTTP://Example.org/b?c=1#d", " https://example.org/c "]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_urls_are_refused(url: str) -> None:
    assert not is_web_url(url)
    with pytest.raises(ValueError):
        web_url(url)


@pytest.mark.parametrize("url", GOOD)
def test_http_urls_are_kept(url: str) -> None:
    assert web_url(url) == url.strip()


def lines_for(url: str, n: int) -> list[dict[str, Any]]:
    return [
        {"type": "document_seen", "url": url, "kind": "news_article", "title": f"doc {n}"},
        {"type": "institution_seen", "name": f"Hostile Lab {n}", "website": url},
        {
            "type": "job_posting_seen",
            "source": "test",
            "external_id": f"job-{n}",
            "title": "Research Scientist",
            "url": url,
        },
        {
            "type": "move_reported",
            "person": {"name": f"Person {n}"},
            "to_institution": {"name": "OpenAI"},
            "document_url": url,
        },
    ]


async def test_ingestion_rejects_each_hostile_url_by_line_and_goes_on(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    records: list[Any] = []
    for n, url in enumerate(HOSTILE):
        records.extend(lines_for(url, n))
    records.append({"type": "institution_seen", "name": "Fine Lab", "website": GOOD[0]})
    path = write_jsonl(tmp_path / "urls.jsonl", records)
    result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=load_settings())
    assert result.status == "succeeded", result.error
    assert result.rejected == len(HOSTILE) * 4
    positions = {r.position for r in result.rejects}
    assert positions == {f"line {i}" for i in range(1, len(HOSTILE) * 4 + 1)}
    for reject in result.rejects:
        assert "http" in reject.reason and ("url" in reject.reason or "website" in reject.reason)
    stored = await pool.fetchval("SELECT count(*) FROM ingest_reject")
    assert stored == len(HOSTILE) * 4
    urls = [
        *(r["url"] for r in await pool.fetch("SELECT url FROM document")),
        *(r["website"] for r in await pool.fetch("SELECT website FROM institution")),
        *(r["url"] for r in await pool.fetch("SELECT url FROM job_posting")),
    ]
    assert GOOD[0] in urls
    for url in urls:
        assert url is None or url.startswith(("http://", "https://", "urn:talentflow:")), url


UPSERT = """mutation($website: String) {
  upsertInstitution(input: {slug: "hostile-lab", name: "Hostile Lab", website: $website}) {
    __typename
    ... on Institution { website }
    ... on ValidationError { message field }
  }
}"""


@pytest.mark.parametrize("url", HOSTILE[:9])
async def test_upsert_institution_refuses_non_http_websites(
    gql: Gql, keys: dict[str, str], pool: asyncpg.Pool, url: str
) -> None:
    body = await gql(UPSERT, {"website": url}, key=keys["curate"])
    result = body["data"]["upsertInstitution"]
    assert result["__typename"] == "ValidationError", result
    assert result["field"] == "website" and "http" in result["message"]
    assert await pool.fetchval("SELECT count(*) FROM institution WHERE slug = 'hostile-lab'") == 0


async def test_upsert_institution_keeps_an_https_website(gql: Gql, keys: dict[str, str]) -> None:
    body = await gql(UPSERT, {"website": "https://hostile-lab.example/"}, key=keys["curate"])
    assert body["data"]["upsertInstitution"]["website"] == "https://hostile-lab.example/"
