"""Travellers end to end: histories through the jsonl ingester, the inferred move's
``isDualAffiliation`` read back through GraphQL, and flows that leave the traveller out.

By hand (allowed overlap 1 year, the default): both people publish at Tsinghua (CN) from 2010
and are employed at OpenAI (US) from 2018-03, which outweighs the papers, so each has one
inferred move Tsinghua → OpenAI dated 2018-03. The traveller keeps publishing at Tsinghua
through 2024 (active at home in 2018, 2019 and 2020: a dual affiliation); the migrant's last
Tsinghua papers are from 2019 (the year of the move and the next: the allowed overlap).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.ingest.test_visits_and_lineages import _ingest

MOVES = """query($f: MoveFilterInput) { moves(first: 10, filter: $f, orderBy: DATE_ASC) {
  nodes { researcher { openalexId } from { slug } to { slug } date { text }
          isDualAffiliation isVisit } } }"""
FLOWS = """query($f: MoveFilterInput) { flows(level: COUNTRY, period: ALL, filter: $f) {
  origin { code } destination { code } count } }"""


def _person(oa: str, tsinghua_years: list[int]) -> list[dict[str, Any]]:
    url = f"https://profiles.example/{oa}"
    person = {"name": f"Person {oa}", "ids": {"openalex": oa}}
    return [
        {"type": "document_seen", "url": url, "kind": "profile"},
        {
            "type": "affiliation_seen",
            "person": person,
            "institution": {"slug": "tsinghua-university"},
            "years": tsinghua_years,
            "source_key": f"{oa}:tsinghua",
            "document_url": url,
        },
        {
            "type": "affiliation_seen",
            "person": person,
            "institution": {"slug": "openai"},
            "start": "2018-03",
            "source_key": f"{oa}:openai",
            "document_url": url,
        },
    ]


async def _query(client: httpx.AsyncClient, query: str, flt: dict[str, Any] | None) -> Any:
    r = await client.post("/graphql", json={"query": query, "variables": {"f": flt}})
    body = r.json()
    assert r.status_code == 200 and "errors" not in body, body
    return body["data"]


async def test_a_traveller_keeps_home_and_is_left_out_of_flows(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    await _ingest(
        db_url,
        tmp_path,
        [*_person("A901", list(range(2010, 2025))), *_person("A902", list(range(2010, 2020)))],
    )
    both = (await _query(client, MOVES, {"includeDualAffiliations": True}))["moves"]["nodes"]
    assert sorted(
        (m["researcher"]["openalexId"], m["from"]["slug"], m["to"]["slug"], m["date"]["text"],
         m["isDualAffiliation"], m["isVisit"])
        for m in both
    ) == [
        ("A901", "tsinghua-university", "openai", "2018-03", True, False),
        ("A902", "tsinghua-university", "openai", "2018-03", False, False),
    ]  # fmt: skip
    default = (await _query(client, MOVES, None))["moves"]["nodes"]
    assert [m["researcher"]["openalexId"] for m in default] == ["A902"]
    flows = (await _query(client, FLOWS, None))["flows"]
    assert [(c["origin"]["code"], c["destination"]["code"], c["count"]) for c in flows] == [
        ("CN", "US", 1)
    ]
    flows = (await _query(client, FLOWS, {"includeDualAffiliations": True}))["flows"]
    assert [c["count"] for c in flows] == [2]


async def test_the_flag_follows_the_history_when_it_changes(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    # first seen as a migrant; later papers at Tsinghua (2020-2023) show a traveller
    await _ingest(db_url, tmp_path, _person("A903", list(range(2010, 2020))))
    (first,) = (await _query(client, MOVES, {"includeDualAffiliations": True}))["moves"]["nodes"]
    assert first["isDualAffiliation"] is False
    later_dir = tmp_path / "later"
    later_dir.mkdir()
    await _ingest(db_url, later_dir, _person("A903", list(range(2010, 2024))))
    (later,) = (await _query(client, MOVES, {"includeDualAffiliations": True}))["moves"]["nodes"]
    assert later["isDualAffiliation"] is True
    assert (await _query(client, MOVES, None))["moves"]["nodes"] == []
