"""Shared helpers for the ingestion tests: sample observations and table snapshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import asyncpg

DATA_TABLES = (
    "document",
    "institution",
    "institution_alias",
    "institution_external_id",
    "researcher",
    "researcher_alias",
    "researcher_external_id",
    "affiliation",
    "move",
    "evidence",
    "job_posting",
    "candidate_match",
)


def sample_lines() -> list[dict[str, Any]]:
    """A small world: two labs, a researcher who moves, a news report of the move."""
    return [
        {
            "type": "institution_seen",
            "name": "Example AI Lab",
            "kind": "lab",
            "country_code": "US",
            "ids": {"ror": "00abcde12"},
            "aliases": ["ExampleAI"],
        },
        {
            "type": "institution_seen",
            "name": "Beijing Example University",
            "kind": "university",
            "country_code": "CN",
        },
        {
            "type": "document_seen",
            "url": "https://news.example/a1",
            "kind": "news_article",
            "title": "Ada Example joins Beijing Example University",
            "publisher": "Example News",
        },
        {
            "type": "researcher_seen",
            "name": "Ada Example",
            "ids": {"orcid": "0000-0002-1825-0097"},
            "topics": ["nlp"],
            "works_count": 10,
        },
        {
            "type": "affiliation_seen",
            "person": {"name": "Ada Example", "ids": {"orcid": "0000-0002-1825-0097"}},
            "institution": {"name": "Example AI Lab"},
            "years": [2015, 2016, 2017, 2018],
            "source_key": "a1",
            "document_url": "https://profiles.example/ada",
        },
        {
            "type": "affiliation_seen",
            "person": {"name": "Ada Example", "ids": {"orcid": "0000-0002-1825-0097"}},
            "institution": {"name": "Beijing Example University"},
            "years": [2019, 2020, 2021],
            "source_key": "a2",
            "document_url": "https://profiles.example/ada",
        },
        {
            "type": "move_reported",
            "person": {"name": "Ada Example"},
            "from_institution": {"name": "Example AI Lab"},
            "to_institution": {"name": "Beijing Example University"},
            "date": "2019-03",
            "quote": "Ada Example has joined Beijing Example University",
            "span_start": 0,
            "span_end": 49,
            "document_url": "https://news.example/a1",
            "confidence": 0.7,
        },
        {
            "type": "job_posting_seen",
            "source": "example",
            "external_id": "j1",
            "title": "Research Scientist",
            "institution": {"name": "Example AI Lab"},
            "is_research": True,
            "topics": ["llm"],
        },
    ]


def write_jsonl(path: Path, records: list[Any]) -> Path:
    with path.open("w") as fh:
        for record in records:
            fh.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


async def table_counts(conn: asyncpg.Connection) -> dict[str, int]:
    return {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in DATA_TABLES}


async def canonical_dump(conn: asyncpg.Connection) -> dict[str, list[tuple[Any, ...]]]:
    """Key columns of the data tables, without ids or timestamps, sorted."""
    queries = {
        "document": "SELECT url, kind, title, publisher FROM document",
        "institution": "SELECT slug, name, kind, country_code, reviewed FROM institution",
        "institution_alias": "SELECT i.slug, a.normalized FROM institution_alias a "
        "JOIN institution i ON i.id = a.institution_id",
        "researcher": "SELECT display_name, topics, works_count FROM researcher",
        "researcher_alias": "SELECT r.display_name, a.normalized, a.source FROM researcher_alias a "
        "JOIN researcher r ON r.id = a.researcher_id",
        "researcher_external_id": "SELECT r.display_name, x.scheme, x.value "
        "FROM researcher_external_id x JOIN researcher r ON r.id = x.researcher_id",
        "affiliation": "SELECT r.display_name, i.slug, a.source_key, a.years FROM affiliation a "
        "JOIN researcher r ON r.id = a.researcher_id JOIN institution i ON i.id = a.institution_id",
        "move": "SELECT r.display_name, f.slug, t.slug, m.move_date, m.kind, m.origin, m.status, "
        "round(m.confidence::numeric, 3) FROM move m JOIN researcher r ON r.id = m.researcher_id "
        "LEFT JOIN institution f ON f.id = m.from_institution_id "
        "LEFT JOIN institution t ON t.id = m.to_institution_id",
        "evidence": "SELECT d.url, e.extractor, e.quote, (e.move_id IS NULL) FROM evidence e "
        "JOIN document d ON d.id = e.document_id",
    }
    out = {}
    for name, sql in queries.items():
        rows = await conn.fetch(sql)
        out[name] = sorted(tuple(str(v) for v in r.values()) for r in rows)
    return out
