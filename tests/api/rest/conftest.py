"""A small, known dataset for the REST tests, written with plain SQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from service.db.stores.api_keys import create_key
from service.db.urls import with_database
from tests.conftest import clone_database, drop_database


@dataclass
class Data:
    alphabet: int
    deepmind: int
    tencent: int
    tsinghua: int
    openai: int
    ada: int
    bo: int
    chen: int
    moves: dict[str, int]
    document: int


async def load(conn: asyncpg.Connection) -> Data:
    async def inst(slug: str, name: str, kind: str, country: str, parent: int | None = None) -> int:
        value: int = await conn.fetchval(
            "INSERT INTO institution (slug, name, kind, country_code, parent_id, search_text) "
            "VALUES ($1, $2, $3, $4, $5, lower($2)) RETURNING id",
            slug,
            name,
            kind,
            country,
            parent,
        )
        return value

    alphabet = await inst("alphabet", "Alphabet", "company", "US")
    deepmind = await inst("google-deepmind", "Google DeepMind", "lab", "GB", alphabet)
    tencent = await inst("tencent", "Tencent", "company", "CN")
    tsinghua = await inst("tsinghua-university", "Tsinghua University", "university", "CN")
    openai = await inst("openai", "OpenAI", "lab", "US")
    await conn.execute(
        "INSERT INTO institution_alias (institution_id, alias, normalized, lang) "
        "VALUES ($1, '腾讯', '腾讯', 'zh')",
        tencent,
    )

    async def person(name: str, topics: list[str]) -> int:
        value: int = await conn.fetchval(
            "INSERT INTO researcher (display_name, search_text, topics) "
            "VALUES ($1, lower($1), $2) RETURNING id",
            name,
            topics,
        )
        return value

    ada = await person("Ada Lovelace", ["reinforcement learning"])
    bo = await person("Bo Zhang", ["language models"])
    chen = await person("Chen Wei", ["vision"])

    async def move(
        who: int,
        src: int | None,
        dst: int | None,
        day: str | None,
        fc: str | None,
        tc: str | None,
        kind: str = "industry_to_industry",
        status: str = "reported",
        confidence: float = 0.8,
        origin: str = "reported",
    ) -> int:
        value: int = await conn.fetchval(
            "INSERT INTO move (researcher_id, from_institution_id, to_institution_id, "
            "from_country, to_country, move_date, date_precision, kind, status, confidence, "
            "origin) VALUES ($1, $2, $3, $4, $5, $6::text::date, "
            "CASE WHEN $6::text IS NULL THEN NULL ELSE 'day' END, $7, $8, $9, $10) RETURNING id",
            who,
            src,
            dst,
            fc,
            tc,
            day,
            kind,
            status,
            confidence,
            origin,
        )
        return value

    moves = {
        "ada_openai_deepmind": await move(ada, openai, deepmind, "2023-05-01", "US", "GB"),
        "bo_openai_tencent": await move(
            bo, openai, tencent, "2025-02-10", "US", "CN", confidence=0.95
        ),
        "chen_tsinghua_tencent": await move(
            chen,
            tsinghua,
            tencent,
            "2024-07-01",
            "CN",
            "CN",
            kind="academia_to_industry",
            origin="inferred",
            confidence=0.6,
        ),
        "ada_deepmind_openai": await move(ada, deepmind, openai, "2025-09-01", "GB", "US"),
        "bo_retracted": await move(
            bo, tencent, alphabet, "2025-10-01", "CN", "US", status="retracted"
        ),
        "chen_undated": await move(chen, tencent, None, None, "CN", None, confidence=0.3),
    }
    document: int = await conn.fetchval(
        "INSERT INTO document (kind, url, title, publisher, source) VALUES "
        "('news_article', 'https://news.example/bo-zhang-joins-tencent', 'Bo Zhang joins Tencent',"
        " 'Example News', 'news') RETURNING id"
    )
    await conn.execute(
        "INSERT INTO evidence (document_id, move_id, quote, extractor, confidence) "
        "VALUES ($1, $2, 'Bo Zhang has left OpenAI to join Tencent', 'news', 0.9)",
        document,
        moves["bo_openai_tencent"],
    )
    await conn.execute(
        "INSERT INTO affiliation (researcher_id, institution_id, start_date, start_precision, "
        "source) VALUES ($1, $2, '2025-02-10', 'day', 'news')",
        bo,
        tencent,
    )
    await conn.execute(
        "INSERT INTO job_posting (institution_id, source, external_id, title, country_code, "
        "remote, posted_at, is_research, topics, closed_at, first_seen_at) VALUES "
        "($1, 'greenhouse', 'g1', 'Research Scientist, RL', 'GB', false, "
        "'2025-06-01T00:00:00Z', true, '{reinforcement learning}', NULL, '2025-06-01T00:00:00Z'),"
        "($2, 'lever', 'l1', 'Recruiter', 'CN', false, '2025-05-01T00:00:00Z', false, '{}', "
        "'2025-07-01T00:00:00Z', '2025-05-01T00:00:00Z'),"
        "($3, 'ashby', 'a1', 'Member of Technical Staff', 'US', true, '2025-08-01T00:00:00Z', "
        "true, '{language models}', NULL, '2025-08-01T00:00:00Z')",
        deepmind,
        tencent,
        openai,
    )
    await conn.execute(
        "INSERT INTO ingest_run (plugin, instance, status, started_at, finished_at, seen, created)"
        " VALUES ('news', 'news-en', 'succeeded', '2025-01-01T00:00:00Z', "
        "'2025-01-01T00:10:00Z', 10, 4), ('openalex', 'openalex-ai', 'failed', "
        "'2025-01-02T00:00:00Z', '2025-01-02T00:01:00Z', 3, 0)"
    )
    return Data(alphabet, deepmind, tencent, tsinghua, openai, ada, bo, chen, moves, document)


@pytest.fixture(scope="module")
def read_db_url(server_url: str, template_db: str, server_version: int) -> Iterator[str]:
    """One database per read-only test module (cloning costs seconds; reads change nothing)."""
    name = clone_database(server_url, template_db, server_version)
    try:
        yield with_database(server_url, name)
    finally:
        drop_database(server_url, name)


@pytest_asyncio.fixture(scope="module")
async def data(read_db_url: str) -> Data:
    conn = await asyncpg.connect(read_db_url)
    try:
        return await load(conn)
    finally:
        await conn.close()


def make_settings(url: str, tmp: Path, **overrides: Any) -> Any:
    from service.config import load_settings

    return load_settings(database_url=url, data_dir=tmp, **overrides)


@pytest_asyncio.fixture(scope="module")
async def read_client(
    read_db_url: str, data: Data, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app over the module's database (the data loaded first)."""
    from service.api.app import create_app

    application = create_app(
        make_settings(read_db_url, tmp_path_factory.mktemp("data")), database_url=read_db_url
    )
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@pytest_asyncio.fixture
async def fresh_data(db_url: str) -> Data:
    """The dataset in this test's own database (for tests that write)."""
    conn = await asyncpg.connect(db_url)
    try:
        return await load(conn)
    finally:
        await conn.close()


@pytest_asyncio.fixture
async def keys(db_url: str) -> dict[str, str]:
    """API keys by scope: read, curate, ingest."""
    from service.db.pool import create_pool

    pool = await create_pool(db_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            out = {}
            for scope in ("read", "curate", "ingest"):
                _, secret = await create_key(conn, f"test-{scope}", [scope])
                out[scope] = secret
            return out
    finally:
        await pool.close()
