"""Returnees counted from education: a cross-border move into a country where the researcher
studied before is a return, end to end through the jsonl ingester and GraphQL.

By hand: both people publish at Stanford (US) 2012-2017 and at Alibaba (CN) 2018-2022, so each
has one inferred move Stanford → Alibaba dated 2018. Neither worked in China before. A901 took
a bachelor's at Tsinghua (CN) 2008-2012: a returnee. A902 studied at Stanford only: not one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.ingest.test_visits_and_lineages import _ingest

MOVES = """query($f: MoveFilterInput) { moves(first: 10, filter: $f, orderBy: DATE_ASC) {
  nodes { researcher { openalexId } from { slug } to { slug } date { text } isReturnee } } }"""
FLOWS = """query($f: MoveFilterInput) { flows(level: COUNTRY, period: ALL, filter: $f) {
  origin { code } destination { code } count } }"""


def _history(oa: str) -> list[dict[str, Any]]:
    url = f"https://profiles.example/{oa}"
    person = {"name": f"Person {oa}", "ids": {"openalex": oa}}
    lines: list[dict[str, Any]] = [{"type": "document_seen", "url": url, "kind": "profile"}]
    for slug, years in (("stanford-university", range(2012, 2018)), ("alibaba", range(2018, 2023))):
        lines.append(
            {
                "type": "affiliation_seen",
                "person": person,
                "institution": {"slug": slug},
                "years": list(years),
                "source_key": f"{oa}:{slug}",
                "document_url": url,
            }
        )
    return lines


def _degree(oa: str, slug: str, level: str, start: int, end: int) -> dict[str, Any]:
    return {
        "type": "education_seen",
        "person": {"name": f"Person {oa}", "ids": {"openalex": oa}},
        "institution": {"slug": slug},
        "degree": level,
        "start": str(start),
        "end": str(end),
        "source_key": f"{oa}:{slug}:{level}",
    }


async def _query(client: httpx.AsyncClient, query: str, flt: dict[str, Any] | None) -> Any:
    r = await client.post("/graphql", json={"query": query, "variables": {"f": flt}})
    body = r.json()
    assert r.status_code == 200 and "errors" not in body, body
    return body["data"]


def _rows(data: Any) -> list[tuple[str, str, str, str, bool]]:
    return sorted(
        (m["researcher"]["openalexId"], m["from"]["slug"], m["to"]["slug"], m["date"]["text"],
         m["isReturnee"])
        for m in data["moves"]["nodes"]
    )  # fmt: skip


async def test_a_move_into_the_country_of_study_is_a_return(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    await _ingest(
        db_url,
        tmp_path,
        [
            *_history("A901"),
            _degree("A901", "tsinghua-university", "bachelor", 2008, 2012),
            *_history("A902"),
            _degree("A902", "stanford-university", "doctorate", 2012, 2017),
        ],
    )
    assert _rows(await _query(client, MOVES, None)) == [
        ("A901", "stanford-university", "alibaba", "2018", True),
        ("A902", "stanford-university", "alibaba", "2018", False),
    ]
    flows = (await _query(client, FLOWS, {"returnee": True}))["flows"]
    assert [(c["origin"]["code"], c["destination"]["code"], c["count"]) for c in flows] == [
        ("US", "CN", 1)
    ]


async def test_an_education_seen_later_classes_the_move_again(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    await _ingest(db_url, tmp_path, _history("A903"))
    assert _rows(await _query(client, MOVES, None)) == [
        ("A903", "stanford-university", "alibaba", "2018", False)
    ]
    later = tmp_path / "later"
    later.mkdir()
    await _ingest(db_url, later, [_degree("A903", "tsinghua-university", "master", 2009, 2011)])
    assert _rows(await _query(client, MOVES, None)) == [
        ("A903", "stanford-university", "alibaba", "2018", True)
    ]


async def test_a_degree_taken_after_the_move_is_no_return(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    # a part-time master's at Tsinghua from 2019, after the 2018 move to Alibaba
    await _ingest(
        db_url,
        tmp_path,
        [*_history("A904"), _degree("A904", "tsinghua-university", "master", 2019, 2021)],
    )
    assert _rows(await _query(client, MOVES, None)) == [
        ("A904", "stanford-university", "alibaba", "2018", False)
    ]
