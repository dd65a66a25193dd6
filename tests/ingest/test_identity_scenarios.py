"""Identity at ingest, through the ``jsonl`` ingester as a user runs it: namesakes at two
institutions stay two people whatever the batching or order, and one person named in
romanised form and in Chinese characters in two articles is one person with one move."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.config import Settings, load_settings
from service.db.stores.institutions import seed_institutions
from service.ingest.pipeline import run_ingester
from tests.ingest.helpers import write_jsonl


@pytest.fixture
def settings() -> Settings:
    return load_settings()


async def _run(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings, name: str, lines: list[Any]
) -> None:
    path = write_jsonl(tmp_path / f"{name}.jsonl", lines)
    result = await run_ingester(
        pool, "jsonl", {"path": str(path)}, instance=name, settings=settings
    )
    assert result.ok and result.rejected == 0, (result.error, result.rejects)


def _wei_li(url: str, slug: str, years: list[int]) -> list[dict[str, Any]]:
    return [
        {"type": "document_seen", "url": url, "kind": "publication", "title": "A paper"},
        {
            "type": "affiliation_seen",
            "person": {"name": "Wei Li"},
            "institution": {"slug": slug},
            "years": years,
            "document_url": url,
        },
    ]


TSINGHUA = _wei_li(
    "https://papers.example/tsinghua-2015", "tsinghua-university", [2014, 2015, 2016]
)
DEEPMIND = _wei_li("https://papers.example/deepmind-2024", "google-deepmind", [2023, 2024])


async def _people(conn: asyncpg.Connection) -> tuple[int, int, int]:
    researchers = await conn.fetchval(
        "SELECT count(*) FROM researcher WHERE merged_into_id IS NULL"
    )
    moves = await conn.fetchval("SELECT count(*) FROM move")
    open_matches = await conn.fetchval("SELECT count(*) FROM candidate_match WHERE status = 'open'")
    return researchers, moves, open_matches


@pytest.mark.parametrize("plan", ["one file", "tsinghua first", "deepmind first"])
async def test_wei_li_at_tsinghua_and_at_deepmind_are_not_one_mover(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings, plan: str
) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    if plan == "one file":
        await _run(pool, tmp_path, settings, "both", TSINGHUA + DEEPMIND)
    else:
        runs = [("t", TSINGHUA), ("d", DEEPMIND)]
        for name, lines in runs if plan == "tsinghua first" else runs[::-1]:
            await _run(pool, tmp_path, settings, name, lines)
    async with pool.acquire() as conn:
        researchers, moves, _ = await _people(conn)
    assert researchers == 2
    assert moves == 0


def _article(url: str, name: str, native: str | None, day: str) -> list[dict[str, Any]]:
    person: dict[str, Any] = {"name": name}
    if native:
        person["native_name"] = native
    return [
        {
            "type": "document_seen",
            "url": url,
            "kind": "news_article",
            "publisher": url.split("/")[2],
            "published_at": f"{day}T08:00:00Z",
        },
        {
            "type": "move_reported",
            "person": person,
            "from_institution": {"slug": "openai"},
            "to_institution": {"slug": "tencent"},
            "date": day[:7],
            "quote": f"{name} has left OpenAI to join Tencent",
            "document_url": url,
            "confidence": 0.8,
        },
    ]


@pytest.mark.parametrize("together", [True, False])
async def test_romanised_and_native_name_in_two_articles_make_one_move(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings, together: bool
) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    english = _article("https://en.news.example/a", "Zhang Xiaoming", None, "2025-03-02")
    chinese = _article("https://zh.news.example/b", "张晓明", "张晓明", "2025-03-03")
    if together:
        await _run(pool, tmp_path, settings, "news", english + chinese)
    else:
        await _run(pool, tmp_path, settings, "en", english)
        await _run(pool, tmp_path, settings, "zh", chinese)
    async with pool.acquire() as conn:
        researchers, moves, _ = await _people(conn)
        evidence = await conn.fetchval("SELECT count(*) FROM evidence WHERE move_id IS NOT NULL")
    assert (researchers, moves, evidence) == (1, 1, 2)


async def test_a_professor_with_an_industry_post_at_once_stays_one_person(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    """A university and a company at the same time is a plausible dual post, whichever side
    is stored first: the kinds of both institutions count."""
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    lines: list[dict[str, Any]] = []
    for url, slug, years in (
        ("https://p.example/berkeley", "uc-berkeley", [2016, 2017, 2018, 2019]),
        ("https://p.example/openai", "openai", [2016, 2017]),
    ):
        lines += [
            {"type": "document_seen", "url": url, "kind": "publication"},
            {
                "type": "researcher_seen",
                "name": "Pieter Abbeelson",
                "topics": ["robotics", "reinforcement learning"],
                "document_url": url,
            },
            {
                "type": "affiliation_seen",
                "person": {"name": "Pieter Abbeelson"},
                "institution": {"slug": slug},
                "years": years,
                "document_url": url,
            },
        ]
    await _run(pool, tmp_path, settings, "dual", lines)
    async with pool.acquire() as conn:
        researchers, _, _ = await _people(conn)
    assert researchers == 1


async def test_a_news_mention_joins_a_researcher_only_when_the_context_agrees(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    """Shunyu Yao at Tsinghua 2014-16: an article on a Shunyu Yao leaving OpenAI for Tencent
    in 2025 is someone to check (a candidate), one on leaving Tsinghua in 2016 is him."""
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    paper = [
        {"type": "document_seen", "url": "https://papers.example/yao", "kind": "publication"},
        {
            "type": "affiliation_seen",
            "person": {"name": "Shunyu Yao"},
            "institution": {"slug": "tsinghua-university"},
            "years": [2014, 2015, 2016],
            "document_url": "https://papers.example/yao",
        },
    ]
    await _run(pool, tmp_path, settings, "paper", paper)
    elsewhere = _article("https://news.example/elsewhere", "Shunyu Yao", None, "2025-03-02")
    await _run(pool, tmp_path, settings, "news1", elsewhere)
    async with pool.acquire() as conn:
        researchers, moves, open_matches = await _people(conn)
    assert (researchers, moves, open_matches) == (2, 1, 1)
    agreeing = [
        {"type": "document_seen", "url": "https://news.example/agreeing", "kind": "news_article"},
        {
            "type": "move_reported",
            "person": {"name": "Yao Shunyu"},
            "from_institution": {"slug": "tsinghua-university"},
            "to_institution": {"slug": "alibaba"},
            "date": "2016-09",
            "document_url": "https://news.example/agreeing",
        },
    ]
    await _run(pool, tmp_path, settings, "news2", agreeing)
    async with pool.acquire() as conn:
        researchers, moves, _ = await _people(conn)
        same_person = await conn.fetchval(
            "SELECT count(DISTINCT m.researcher_id) FROM move m "
            "JOIN institution i ON i.id = m.from_institution_id "
            "JOIN affiliation a ON a.researcher_id = m.researcher_id "
            "WHERE i.slug = 'tsinghua-university'"
        )
    assert (researchers, moves, same_person) == (2, 2, 1)


@pytest.mark.parametrize("plan", ["one file", "record first", "byline first"])
async def test_a_students_byline_meets_the_doctorate_a_record_lists(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings, plan: str
) -> None:
    # A record lists a doctorate at IISc (2009-2014) and a post at Adobe Research since; a
    # paper from 2012 places a student of that name at IISc, in the same field. The years of
    # study are context for the person, like a post's.
    record_url, paper_url = "https://orcid.example/kn", "https://papers.example/iisc-2012"
    person = {"name": "Karthik Narayanan", "ids": {"orcid": "0000-0002-1825-0097"}}
    record = [
        {"type": "document_seen", "url": record_url, "kind": "profile", "title": "Record"},
        {
            "type": "researcher_seen",
            **person,
            "topics": ["active learning", "crowdsourcing"],
            "document_url": record_url,
        },
        {
            "type": "affiliation_seen",
            "person": person,
            "institution": {"slug": "adobe-research"},
            "start": {"year": 2014, "month": 9},
            "document_url": record_url,
        },
        {
            "type": "education_seen",
            "person": person,
            "institution": {"slug": "iisc"},
            "degree": "doctorate",
            "start": {"year": 2009},
            "end": {"year": 2014},
            "document_url": record_url,
        },
    ]
    paper = [
        {"type": "document_seen", "url": paper_url, "kind": "publication", "title": "A paper"},
        {
            "type": "researcher_seen",
            "name": "Karthik Narayanan",
            "topics": ["active learning"],
            "document_url": paper_url,
        },
        {
            "type": "affiliation_seen",
            "person": {"name": "Karthik Narayanan"},
            "institution": {"slug": "iisc"},
            "years": [2012],
            "document_url": paper_url,
        },
    ]
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    if plan == "one file":
        await _run(pool, tmp_path, settings, "both", record + paper)
    else:
        runs = [("r", record), ("p", paper)]
        for name, lines in runs if plan == "record first" else runs[::-1]:
            await _run(pool, tmp_path, settings, name, lines)
    async with pool.acquire() as conn:
        researchers, _, _ = await _people(conn)
        degrees = await conn.fetchval("SELECT count(*) FROM education")
    assert researchers == 1
    assert degrees == 1


async def test_a_bachelors_years_are_no_post_at_the_university(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    # A master's student who did a bachelor's there (2017-2021) and a professor publishing
    # there since 2009, in one field: namesakes, not one person.
    student_url, prof_url = "https://osaka.example/people/ht", "https://openalex.example/A52"
    student = {"name": "Hiroshi Tanaka"}
    osaka = {"name": "Osaka University", "country_code": "JP"}
    lines = [
        {"type": "document_seen", "url": student_url, "kind": "profile", "title": "Page"},
        {
            "type": "researcher_seen",
            **student,
            "topics": ["optimization", "learning theory"],
            "document_url": student_url,
        },
        {
            "type": "affiliation_seen",
            "person": student,
            "institution": osaka,
            "start": {"year": 2021, "month": 9},
            "role": "Master's Student",
            "document_url": student_url,
        },
        {
            "type": "education_seen",
            "person": student,
            "institution": osaka,
            "degree": "bachelor",
            "start": {"year": 2017},
            "end": {"year": 2021},
            "document_url": student_url,
        },
        {"type": "document_seen", "url": prof_url, "kind": "profile", "title": "OpenAlex"},
        {
            "type": "researcher_seen",
            "name": "Hiroshi Tanaka",
            "ids": {"openalex": "A5218127056"},
            "topics": [
                "Sparse and Compressive Sensing Techniques",
                "Stochastic Gradient Optimization Techniques",
            ],
            "document_url": prof_url,
        },
        {
            "type": "affiliation_seen",
            "person": {"name": "Hiroshi Tanaka", "ids": {"openalex": "A5218127056"}},
            "institution": osaka,
            "years": list(range(2009, 2027)),
            "document_url": prof_url,
        },
    ]
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    await _run(pool, tmp_path, settings, "both", lines)
    async with pool.acquire() as conn:
        researchers, _, _ = await _people(conn)
    assert researchers == 2


def _unit_byline() -> list[dict[str, Any]]:
    url = "https://papers.example/2021/speech-probes"
    return [
        {"type": "document_seen", "url": url, "kind": "publication", "title": "Speech probes"},
        {
            "type": "researcher_seen",
            "name": "Tomáš Dvořák",
            "document_url": url,
            "topics": ["speech recognition", "spoken language understanding"],
        },
        {
            "type": "affiliation_seen",
            "person": {"name": "Tomáš Dvořák"},
            "institution": {
                "name": "Institute of Speech Technology (ISTL), Masaryk University",
                "country_code": "CZ",
            },
            "years": [2021],
            "document_url": url,
        },
    ]


def _university_profile() -> list[dict[str, Any]]:
    url = "https://scholar.example/citations?user=dvorak"
    return [
        {"type": "document_seen", "url": url, "kind": "profile", "title": "Tomas Dvorak"},
        {
            "type": "researcher_seen",
            "name": "Tomas Dvorak",
            "document_url": url,
            "topics": ["speech recognition", "spoken dialogue"],
        },
        {
            "type": "affiliation_seen",
            "person": {"name": "Tomas Dvorak"},
            "institution": {"name": "Masaryk University", "country_code": "CZ"},
            "start": {"year": 2016},
            "document_url": url,
        },
    ]


@pytest.mark.parametrize("byline_first", [True, False])
async def test_a_unit_named_with_its_university_is_that_university_in_either_order(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings, byline_first: bool
) -> None:
    # An affiliation string naming a unit and its university ("Institute of ..., X
    # University") is stored as an institution of its own when it comes first, and resolved
    # to the university when the university is known: identity must not depend on which.
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    runs = [("byline", _unit_byline()), ("profile", _university_profile())]
    for name, lines in runs if byline_first else runs[::-1]:
        await _run(pool, tmp_path, settings, name, lines)
    async with pool.acquire() as conn:
        researchers, moves, _ = await _people(conn)
    assert researchers == 1
    assert moves == 0
