"""Reports and inference meet in the pipeline: a report naming a parent company merges with the
move inferred to its lab, confidence and status follow the independent sources, and an inferred
move that a later history no longer supports is withdrawn unless something else backs it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from service.config import Settings, load_settings
from service.db.stores.institutions import seed_institutions
from service.ingest.pipeline import run_ingester
from tests.ingest.helpers import write_jsonl

ORCID = "0000-0002-1825-0097"
PERSON = {"name": "Lin Example", "ids": {"orcid": ORCID}}
NOW = datetime.now(UTC).year


@pytest.fixture
def settings() -> Settings:
    return load_settings(ingest_batch_size=2)


async def _run(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings, name: str, lines: list[Any]
) -> None:
    path = write_jsonl(tmp_path / f"{name}.jsonl", lines)
    result = await run_ingester(
        pool, "jsonl", {"path": str(path)}, instance=name, settings=settings
    )
    assert result.ok and result.rejected == 0, (result.error, result.rejects)


def _report(url: str, publisher: str, confidence: float, to: str) -> list[dict[str, Any]]:
    return [
        {"type": "document_seen", "url": url, "kind": "news_article", "publisher": publisher},
        {
            "type": "move_reported",
            "person": PERSON,
            "from_institution": {"name": "Tsinghua University"},
            "to_institution": {"name": to},
            "date": "2020-06",
            "document_url": url,
            "confidence": confidence,
        },
    ]


def _stint(key: str, institution: str, years: list[int], person: Any = None) -> dict[str, Any]:
    return {
        "type": "affiliation_seen",
        "person": person or PERSON,
        "institution": {"name": institution},
        "years": years,
        "source_key": key,
        "document_url": "https://profiles.example/lin",
    }


async def _moves(conn: asyncpg.Connection, visits: bool = False) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT m.*, f.slug AS f, t.slug AS t FROM move m "
        "LEFT JOIN institution f ON f.id = m.from_institution_id "
        "LEFT JOIN institution t ON t.id = m.to_institution_id "
        "WHERE m.is_visit = $1 ORDER BY m.id",
        visits,
    )
    return [dict(r) for r in rows]


async def test_parent_company_report_merges_with_inferred_move_to_its_lab(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    await _run(
        pool, tmp_path, settings, "news", _report("https://n1.example/a", "N1", 0.7, "Google")
    )
    async with pool.acquire() as conn:
        (reported,) = await _moves(conn)
        assert reported["t"] == "google" and reported["status"] == "reported"
        first_confidence = reported["confidence"]
    await _run(
        pool,
        tmp_path,
        settings,
        "openalex",
        [
            _stint("a", "Tsinghua University", [2015, 2016, 2017, 2018, 2019]),
            _stint("b", "Google Research", [2020, 2021, 2022]),
        ],
    )
    await _run(
        pool, tmp_path, settings, "news2", _report("https://n2.example/b", "N2", 0.6, "Google")
    )
    async with pool.acquire() as conn:
        moves = await _moves(conn)
        assert len(moves) == 1, moves
        move = moves[0]
        # the more specific end wins: Google Research sits under Google
        assert (move["f"], move["t"]) == ("tsinghua-university", "google-research")
        assert move["status"] == "corroborated"
        assert move["kind"] == "academia_to_industry" and move["to_country"] == "US"
        assert move["confidence"] > max(first_confidence, 0.6, 0.7)
        ev = await conn.fetch(
            "SELECT e.extractor, d.url FROM evidence e JOIN document d ON d.id = e.document_id "
            "WHERE e.move_id = $1 ORDER BY d.url",
            move["id"],
        )
        assert [(e["extractor"], e["url"]) for e in ev] == [
            ("jsonl", "https://n1.example/a"),
            ("jsonl", "https://n2.example/b"),
            ("talentflow.inference", "https://profiles.example/lin"),
        ]


async def test_a_sibling_company_is_not_merged(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    """Google DeepMind sits under Alphabet, beside Google: a report naming Google is not about
    the inferred move to DeepMind."""
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    await _run(
        pool, tmp_path, settings, "news", _report("https://n1.example/a", "N1", 0.7, "Google")
    )
    await _run(
        pool,
        tmp_path,
        settings,
        "openalex",
        [
            _stint("a", "Tsinghua University", [2015, 2016, 2017, 2018, 2019]),
            _stint("b", "Google DeepMind", [2020, 2021, 2022]),
        ],
    )
    async with pool.acquire() as conn:
        assert [m["t"] for m in await _moves(conn)] == ["google", "google-deepmind"]


async def test_unsupported_inferred_moves_are_withdrawn_unless_backed_otherwise(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    people = [{"name": f"Stint Person {n}", "ids": {"openalex": f"A77{n}"}} for n in range(3)]
    moved = [
        line
        for person in people
        for line in (
            _stint("a", "Alpha Institute of Things", [2014, 2015, 2016, 2017], person),
            _stint("b", "Beta Robotics Company", [2018, 2019, 2020], person),
        )
    ]
    await _run(pool, tmp_path, settings, "one", moved)
    async with pool.acquire() as conn:
        moves = await _moves(conn)
        assert len(moves) == 3 and {m["origin"] for m in moves} == {"inferred"}
        by_person = {m["researcher_id"]: m for m in moves}
        ids = [
            await conn.fetchval(
                "SELECT researcher_id FROM researcher_external_id WHERE value = $1",
                p["ids"]["openalex"],
            )
            for p in people
        ]
        # person 1's move is also in the news; person 2's move was confirmed by a curator
        doc = await conn.fetchval(
            "INSERT INTO document (url, kind, publisher, source) "
            "VALUES ('https://n.example/x', 'news_article', 'N', 'test') RETURNING id"
        )
        await conn.execute(
            "INSERT INTO evidence (move_id, document_id, extractor, confidence) "
            "VALUES ($1, $2, 'news', 0.8)",
            by_person[ids[1]]["id"],
            doc,
        )
        await conn.execute(
            "UPDATE move SET status = 'confirmed' WHERE id = $1", by_person[ids[2]]["id"]
        )
    # the stay at Beta turns out to be a visit during the Alpha years: no move any more
    visit = [
        _stint("b", "Beta Robotics Company", [2016], person) | {"years": [2016]}
        for person in people
    ]
    await _run(pool, tmp_path, settings, "two", visit)
    async with pool.acquire() as conn:
        after = {m["researcher_id"]: m for m in await _moves(conn)}
        assert ids[0] not in after
        # ... but a visit of Beta from Alpha, kept apart from moves
        visits = {m["researcher_id"]: m for m in await _moves(conn, visits=True)}
        assert (visits[ids[0]]["f"], visits[ids[0]]["t"]) == (
            by_person[ids[0]]["f"],
            by_person[ids[0]]["t"],
        )
        assert visits[ids[0]]["move_date"].year == 2016
        kept = after[ids[1]]
        assert kept["origin"] == "reported" and kept["provisional"] is False
        assert abs(kept["confidence"] - 0.8) < 1e-6
        extractors = await conn.fetch(
            "SELECT extractor FROM evidence WHERE move_id = $1", kept["id"]
        )
        assert [e["extractor"] for e in extractors] == ["news"]
        assert after[ids[2]]["status"] == "confirmed"
        audit = await conn.fetch(
            "SELECT entity, entity_id, details FROM audit_log WHERE action = 'inference_withdrawn'"
        )
        assert len(audit) == 1
        assert audit[0]["entity"] == "move"
        assert audit[0]["entity_id"] == by_person[ids[0]]["id"]
        details = audit[0]["details"]
        assert details["move_date"] == "2018-01-01" and details["researcher_id"] == ids[0]
        assert {details["from_institution_id"], details["to_institution_id"]} == {
            by_person[ids[0]]["from_institution_id"],
            by_person[ids[0]]["to_institution_id"],
        }


async def test_provisional_flag_follows_the_history(
    pool: asyncpg.Pool, tmp_path: Path, settings: Settings
) -> None:
    recent = [
        _stint("a", "Alpha Institute of Things", [NOW - 5, NOW - 4, NOW - 3, NOW - 2, NOW - 1]),
        _stint("b", "Beta Robotics Company", [NOW]),
    ]
    await _run(pool, tmp_path, settings, "one", recent)
    async with pool.acquire() as conn:
        (move,) = await _moves(conn)
        assert move["provisional"] is True and move["reasons"]["provisional"] is True
    # older publications show the move happened years ago
    older = [
        _stint("a", "Alpha Institute of Things", [NOW - 9, NOW - 8, NOW - 7, NOW - 6]),
        _stint("b", "Beta Robotics Company", list(range(NOW - 5, NOW + 1))),
    ]
    await _run(pool, tmp_path, settings, "two", older)
    async with pool.acquire() as conn:
        (again,) = await _moves(conn)
        assert again["id"] == move["id"]
        # more years on each side and no longer provisional: more confident
        assert again["provisional"] is False and again["confidence"] > move["confidence"]
        assert again["move_date"].year == NOW - 5
        assert (again["reasons"]["years_before"], again["reasons"]["years_after"]) == (4, 6)
        confidences = await conn.fetch(
            "SELECT confidence FROM evidence WHERE move_id = $1", again["id"]
        )
        assert [round(c["confidence"], 4) for c in confidences] == [round(again["confidence"], 4)]
