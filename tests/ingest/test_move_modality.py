"""Rumours and denials of moves, through the jsonl ingester, the writer and GraphQL.

A rumour is kept as a RUMOURED move that default lists and flows leave out; a later firm report
of the same move makes it a reported move. A denial is evidence against a move that exists and
lowers its confidence; a denial of a move nobody reported creates nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import asyncpg
import httpx

from service.config import load_settings
from service.ingest.pipeline import run_ingester
from tests.ingest.helpers import write_jsonl


def _doc(url: str, publisher: str) -> dict[str, Any]:
    return {"type": "document_seen", "url": url, "kind": "news_article", "publisher": publisher}


def _move(url: str, modality: str, confidence: float) -> dict[str, Any]:
    return {
        "type": "move_reported",
        "person": {"name": "Noor Halvorsen"},
        "from_institution": {"name": "Kestrel Robotics Lab", "country_code": "NO"},
        "to_institution": {"name": "Fjordline AI Institute", "country_code": "NO"},
        "date": "2025-05",
        "quote": "Noor Halvorsen and Fjordline",
        "document_url": url,
        "confidence": confidence,
        "modality": modality,
    }


async def _ingest(pool: asyncpg.Pool, path: Path, lines: list[dict[str, Any]]) -> None:
    write_jsonl(path, lines)
    result = await run_ingester(
        pool, "jsonl", {"path": str(path)}, instance=path.stem, settings=load_settings()
    )
    assert result.ok and result.rejected == 0, (result.error, result.rejects)


async def _moves(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    async with pool.acquire() as conn:
        rows = await conn.fetch("SELECT status, confidence FROM move ORDER BY id")
    return [{"status": r["status"], "confidence": round(r["confidence"], 4)} for r in rows]


QUERY = """query($status: [MoveStatus!]) { moves(first: 10, filter: {status: $status}) {
  nodes { status confidence researcher { name } } } }"""
FLOWS = """query($status: [MoveStatus!]) {
  flows(level: INSTITUTION, filter: {status: $status}) { count } }"""


async def test_a_rumour_is_a_rumoured_move_that_default_lists_leave_out(
    pool: asyncpg.Pool, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    a = "https://wire.example/rumour"
    await _ingest(pool, tmp_path / "one.jsonl", [_doc(a, "Wire"), _move(a, "rumoured", 0.4)])
    assert await _moves(pool) == [{"status": "rumoured", "confidence": 0.4}]
    plain = (await client.post("/graphql", json={"query": QUERY})).json()
    assert plain["data"]["moves"]["nodes"] == [], plain
    asked = (
        await client.post("/graphql", json={"query": QUERY, "variables": {"status": ["RUMOURED"]}})
    ).json()
    assert [n["status"] for n in asked["data"]["moves"]["nodes"]] == ["RUMOURED"]
    flows = (await client.post("/graphql", json={"query": FLOWS})).json()
    assert flows["data"]["flows"] == [], flows
    rumoured_flows = (
        await client.post("/graphql", json={"query": FLOWS, "variables": {"status": ["RUMOURED"]}})
    ).json()
    assert [c["count"] for c in rumoured_flows["data"]["flows"]] == [1], rumoured_flows


async def test_a_firm_report_turns_a_rumour_into_a_reported_move(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    a, b = "https://wire.example/rumour", "https://daily.example/confirmed"
    await _ingest(pool, tmp_path / "one.jsonl", [_doc(a, "Wire"), _move(a, "rumoured", 0.4)])
    await _ingest(pool, tmp_path / "two.jsonl", [_doc(b, "Daily"), _move(b, "reported", 0.8)])
    moves = await _moves(pool)
    # One firm source: reported, not corroborated (a rumour corroborates nothing), but the
    # rumour still adds to the confidence.
    assert len(moves) == 1 and moves[0]["status"] == "reported", moves
    assert moves[0]["confidence"] > 0.8
    async with pool.acquire() as conn:
        modalities = await conn.fetch("SELECT modality FROM evidence ORDER BY id")
    assert [r["modality"] for r in modalities] == ["rumoured", "reported"]


async def test_a_denial_lowers_the_confidence_of_a_reported_move(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    a, b = "https://wire.example/moved", "https://daily.example/denied"
    await _ingest(pool, tmp_path / "one.jsonl", [_doc(a, "Wire"), _move(a, "reported", 0.8)])
    before = await _moves(pool)
    await _ingest(pool, tmp_path / "two.jsonl", [_doc(b, "Daily"), _move(b, "denied", 0.6)])
    after = await _moves(pool)
    assert len(after) == 1 and after[0]["status"] == "reported"
    assert after[0]["confidence"] < before[0]["confidence"]
    assert abs(after[0]["confidence"] - 0.8 * 0.4) < 1e-4


async def test_a_denial_of_an_unknown_move_creates_no_move(
    pool: asyncpg.Pool, tmp_path: Path
) -> None:
    b = "https://daily.example/denied"
    await _ingest(pool, tmp_path / "one.jsonl", [_doc(b, "Daily"), _move(b, "denied", 0.6)])
    assert await _moves(pool) == []
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM document") == 1
