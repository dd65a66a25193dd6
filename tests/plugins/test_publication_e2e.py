"""Publication ingesters end to end: a recorded OpenAlex (and ORCID) API over real HTTP, the real
pipeline into PostgreSQL, then the inferred moves read back through SQL and GraphQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from service.config import Settings, load_settings
from service.db.pool import create_pool
from service.db.urls import with_database
from service.ingest.pipeline import run_ingester
from service.ingest.testing import RecordedResponse, RecordedServer
from tests.conftest import clone_database, drop_database

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OPENALEX = FIXTURES / "openalex"
ORCID = FIXTURES / "orcid"
ADA = "0000-0000-1234-5672"


def settings() -> Settings:
    return load_settings(contact_email="tests@example.org", http_retries=2, http_timeout_s=10)


def openalex_config(server: RecordedServer, **extra: Any) -> dict[str, Any]:
    return {
        "base_url": server.url,
        "api_key": "sekrit-openalex-key-123",
        "topics": ["T10036"],
        "min_works_count": 20,
        **extra,
    }


def five_pages(server: RecordedServer) -> None:
    server.add("/authors", file=OPENALEX / "authors_page_1.json", query={"cursor": "*"})
    for n in range(2, 6):
        server.add(
            "/authors", file=OPENALEX / f"authors_page_{n}.json", query={"cursor": f"cursor-{n}"}
        )
    server.add("/authors", file=OPENALEX / "authors_page_end.json", query={"cursor": "cursor-6"})


async def snapshot(conn: asyncpg.Connection) -> dict[str, list[Any]]:
    """The rows a run leaves, without surrogate ids or timestamps."""
    queries = {
        "researchers": """
            SELECT r.display_name, r.works_count, r.h_index, r.topics,
                   array_agg(x.scheme || ':' || x.value ORDER BY x.scheme) AS ids
            FROM researcher r JOIN researcher_external_id x ON x.researcher_id = r.id
            GROUP BY r.id ORDER BY 1""",
        "institutions": """
            SELECT i.name, i.kind, i.country_code, p.name AS parent,
                   array_agg(x.scheme || ':' || x.value ORDER BY x.scheme) AS ids
            FROM institution i JOIN institution_external_id x ON x.institution_id = i.id
            LEFT JOIN institution p ON p.id = i.parent_id
            WHERE x.scheme = 'openalex' OR i.reviewed = false
            GROUP BY i.id, p.name ORDER BY 1""",
        "affiliations": """
            SELECT r.display_name, i.name, a.years, a.start_date, a.end_date, a.source,
                   a.source_key
            FROM affiliation a JOIN researcher r ON r.id = a.researcher_id
            JOIN institution i ON i.id = a.institution_id ORDER BY a.source_key""",
        "moves": """
            SELECT r.display_name, f.name, t.name, m.move_date, m.date_precision,
                   m.provisional, m.origin, m.status
            FROM move m JOIN researcher r ON r.id = m.researcher_id
            LEFT JOIN institution f ON f.id = m.from_institution_id
            LEFT JOIN institution t ON t.id = m.to_institution_id ORDER BY 1, 4""",
        "documents": "SELECT url, kind, title, publisher, source FROM document ORDER BY url",
        "evidence": """
            SELECT d.url, e.extractor, (e.move_id IS NOT NULL) AS for_move
            FROM evidence e JOIN document d ON d.id = e.document_id ORDER BY 1, 2, 3""",
    }
    return {name: [tuple(r) for r in await conn.fetch(sql)] for name, sql in queries.items()}


# -- resume against the database ---------------------------------------------------------------
@pytest.fixture
def second_db_url(server_url: str, template_db: str, server_version: int) -> Iterator[str]:
    """Another fresh database at the migration head, for comparing two runs."""
    name = clone_database(server_url, template_db, server_version)
    try:
        yield with_database(server_url, name)
    finally:
        drop_database(server_url, name)


async def test_stopped_run_resumes_at_page_three_and_matches_an_uninterrupted_run(
    pool: asyncpg.Pool, second_db_url: str
) -> None:
    with RecordedServer() as server:
        # page 3 fails once (a fatal 400), then answers
        server.add_sequence(
            "/authors",
            [
                RecordedResponse(status=400, body='{"error": "try again"}'),
                RecordedResponse(file=OPENALEX / "authors_page_3.json"),
            ],
            query={"cursor": "cursor-3"},
        )
        five_pages(server)
        config = openalex_config(server)
        first = await run_ingester(pool, "openalex", config, settings=settings())
        assert first.status == "failed" and "400" in (first.error or "")
        assert first.cursor_after["pass"]["cursor"] == "cursor-3"
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM researcher") == 4
        before = len(server.requests)
        second = await run_ingester(pool, "openalex", config, settings=settings())
        assert second.ok, second.error
        assert [r.query["cursor"] for r in server.requests[before:]] == [
            f"cursor-{n}" for n in range(3, 7)
        ]
        assert second.cursor_after == {"since": datetime.now(UTC).date().isoformat(), "pass": None}
        async with pool.acquire() as conn:
            resumed = await snapshot(conn)
            state = await conn.fetchval("SELECT state::text FROM plugin_state")
        assert "sekrit" not in state

    fresh_pool = await create_pool(second_db_url, min_size=1, max_size=3)
    try:
        with RecordedServer() as server:
            five_pages(server)
            whole = await run_ingester(
                fresh_pool, "openalex", openalex_config(server), settings=settings()
            )
            assert whole.ok, whole.error
        async with fresh_pool.acquire() as conn:
            uninterrupted = await snapshot(conn)
    finally:
        await fresh_pool.close()
    assert len(resumed["researchers"]) == 10
    assert resumed == uninterrupted


async def test_rerun_changes_nothing(pool: asyncpg.Pool) -> None:
    with RecordedServer() as server:
        five_pages(server)
        first = await run_ingester(pool, "openalex", openalex_config(server), settings=settings())
        async with pool.acquire() as conn:
            await conn.execute("DELETE FROM plugin_state")  # forget the cursor: a full re-run
            before = await snapshot(conn)
        again = await run_ingester(pool, "openalex", openalex_config(server), settings=settings())
        async with pool.acquire() as conn:
            after = await snapshot(conn)
    assert first.ok and again.ok
    assert again.created == 0
    assert before == after


# -- end to end: moves from affiliation years ---------------------------------------------------
def e2e_server(server: RecordedServer) -> None:
    server.add("/authors", file=OPENALEX / "authors_e2e.json")
    server.add("/works", file=OPENALEX / "works_page_1.json", query={"cursor": "*"})
    server.add("/works", file=OPENALEX / "works_page_2.json", query={"cursor": "works-2"})


def expected_provisional(year: int) -> bool:
    return year >= datetime.now(UTC).year - settings().inference_provisional_years


async def test_moves_are_inferred_from_openalex_affiliation_years(pool: asyncpg.Pool) -> None:
    with RecordedServer() as server:
        e2e_server(server)
        result = await run_ingester(pool, "openalex", openalex_config(server), settings=settings())
    assert result.ok, result.error
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            """
            SELECT r.display_name, f.name AS from_name, t.name AS to_name, m.move_date,
                   m.provisional, m.origin, d.url, d.publisher, m.cross_border
            FROM move m
            JOIN researcher r ON r.id = m.researcher_id
            JOIN researcher_external_id x ON x.researcher_id = r.id AND x.scheme = 'openalex'
            LEFT JOIN institution f ON f.id = m.from_institution_id
            LEFT JOIN institution t ON t.id = m.to_institution_id
            JOIN evidence e ON e.move_id = m.id
            JOIN document d ON d.id = e.document_id
            ORDER BY r.display_name
            """
        )
    moves = {r["display_name"]: r for r in rows}
    assert set(moves) == {"Lan Qiao", "Mira Testwell"}
    mira = moves["Mira Testwell"]
    assert (mira["from_name"], mira["to_name"]) == ("Stanford University", "Tsinghua University")
    assert mira["move_date"].year == 2023 and mira["cross_border"]
    assert mira["provisional"] is expected_provisional(2023)
    assert mira["origin"] == "inferred"
    assert mira["url"] == "https://openalex.org/A5900000091" and mira["publisher"] == "OpenAlex"
    lan = moves["Lan Qiao"]
    assert (lan["from_name"], lan["to_name"]) == ("Peking University", "Tsinghua University")
    assert lan["move_date"].year == 2024
    assert lan["provisional"] is expected_provisional(2024)


GRAPHQL = """
query ($id: String!) {
  researcher(openalexId: $id) {
    name
    openalexId
    moves {
      date { date precision }
      provisional
      from { name }
      to { name country { code } }
      evidence { document { url kind publisher } }
    }
  }
}
"""


async def test_graphql_shows_the_move_and_its_openalex_evidence(
    pool: asyncpg.Pool, client: httpx.AsyncClient
) -> None:
    with RecordedServer() as server:
        e2e_server(server)
        result = await run_ingester(pool, "openalex", openalex_config(server), settings=settings())
    assert result.ok, result.error
    response = await client.post(
        "/graphql", json={"query": GRAPHQL, "variables": {"id": "A5900000091"}}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    researcher = body["data"]["researcher"]
    assert researcher["name"] == "Mira Testwell" and researcher["openalexId"] == "A5900000091"
    (move,) = researcher["moves"]
    assert move["date"]["date"].startswith("2023")
    assert move["provisional"] is expected_provisional(2023)
    assert move["from"]["name"] == "Stanford University"
    assert move["to"]["name"] == "Tsinghua University"
    urls = {e["document"]["url"] for e in move["evidence"]}
    assert "https://openalex.org/A5900000091" in urls


async def test_works_mode_dates_affiliation_starts_in_the_database(pool: asyncpg.Pool) -> None:
    with RecordedServer() as server:
        e2e_server(server)
        result = await run_ingester(
            pool,
            "openalex",
            openalex_config(server, works_mode=True, works_since_year=2015),
            settings=settings(),
        )
    assert result.ok, result.error
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            """
            SELECT a.source_key, a.start_date, a.start_precision, d.url
            FROM affiliation a JOIN evidence e ON e.affiliation_id = a.id
            JOIN document d ON d.id = e.document_id
            WHERE a.source = 'openalex' AND a.source_key LIKE 'openalex-works:%'
            ORDER BY 1
            """
        )
    got = {r["source_key"]: (str(r["start_date"]), r["start_precision"], r["url"]) for r in rows}
    assert got == {
        "openalex-works:A5900000091:I97018004": (
            "2018-06-01",
            "month",
            "https://openalex.org/W9100000001",
        ),
        "openalex-works:A5900000091:I99065089": (
            "2023-03-01",
            "month",
            "https://openalex.org/W9100000003",
        ),
    }


async def test_orcid_employments_into_the_database(pool: asyncpg.Pool) -> None:
    with RecordedServer() as server:
        server.add(f"/v3.0/{ADA}/employments", file=ORCID / f"employments_{ADA}.json")
        server.add(f"/v3.0/{ADA}/person", file=ORCID / f"person_{ADA}.json")
        config = {"orcids": [ADA], "base_url": server.url}
        first = await run_ingester(pool, "orcid", config, settings=settings())
        again = await run_ingester(pool, "orcid", config, settings=settings())
        assert [r.path for r in server.requests].count(f"/v3.0/{ADA}/person") == 1
    assert first.ok, first.error
    assert again.ok and again.seen == 0  # unchanged last-modified: nothing re-read
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            """
            SELECT i.name, a.start_date, a.start_precision, a.end_date, a.end_precision, a.role
            FROM affiliation a JOIN institution i ON i.id = a.institution_id
            JOIN researcher_external_id x ON x.researcher_id = a.researcher_id
            WHERE x.scheme = 'orcid' AND x.value = $1 ORDER BY a.start_date
            """,
            ADA,
        )
        evidence = await conn.fetchval(
            "SELECT count(*) FROM evidence e JOIN document d ON d.id = e.document_id "
            "WHERE d.url = $1",
            f"https://orcid.org/{ADA}",
        )
    got = [(r["name"], str(r["start_date"]), r["start_precision"], r["end_date"]) for r in rows]
    assert [g[0] for g in got] == [
        "Example Robotics GmbH",
        "Stanford University",
        "Tsinghua University",
    ]
    stanford = rows[1]
    assert (str(stanford["end_date"]), stanford["end_precision"]) == ("2023-02-28", "day")
    assert rows[2]["end_date"] is None and rows[2]["start_precision"] == "month"
    assert evidence >= 3


def test_cli_ingest_openalex_as_a_subprocess(db_url: str, tmp_path: Path) -> None:
    with RecordedServer() as server:
        e2e_server(server)
        config = tmp_path / "openalex.toml"
        config.write_text(f'base_url = "{server.url}"\ntopics = ["T10036"]\nmin_works_count = 20\n')
        env = {**os.environ, "DATABASE_URL": db_url, "TALENTFLOW_CONTACT_EMAIL": "t@example.org"}
        proc = subprocess.run(
            [sys.executable, "-m", "service.cli", "ingest", "openalex", "--config", str(config)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        assert [r.path for r in server.requests] == ["/authors"]
