"""The first job after a doctorate, end to end through the jsonl ingester and GraphQL.

By hand: A911 did a doctorate at Stanford 2012-2017, publishing there 2013-2017, then at
OpenAI 2018-2021 and at Anthropic 2022-2024: two inferred moves, Stanford → OpenAI 2018 (the
first job: the first move, out of the doctorate's university, one year after its end) and
OpenAI → Anthropic 2022 (not). A912's doctorate at Stanford ended in 2012 and the move out of
Stanford is in 2016: a later job, not the first after the doctorate.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.ingest.test_visits_and_lineages import _ingest

MOVES = """query($f: MoveFilterInput) { moves(first: 10, filter: $f, orderBy: DATE_ASC) {
  nodes { researcher { openalexId } from { slug } to { slug } date { text }
          isFirstJobAfterDoctorate } } }"""


def _person(oa: str, phd: tuple[int, int], stints: list[tuple[str, range]]) -> list[Any]:
    url = f"https://profiles.example/{oa}"
    person = {"name": f"Person {oa}", "ids": {"openalex": oa}}
    lines: list[dict[str, Any]] = [
        {"type": "document_seen", "url": url, "kind": "profile"},
        {
            "type": "education_seen",
            "person": person,
            "institution": {"slug": "stanford-university"},
            "degree": "doctorate",
            "start": str(phd[0]),
            "end": str(phd[1]),
            "source_key": f"{oa}:phd",
        },
    ]
    for slug, years in stints:
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


async def _moves(client: httpx.AsyncClient, flt: dict[str, Any] | None) -> list[tuple[Any, ...]]:
    r = await client.post("/graphql", json={"query": MOVES, "variables": {"f": flt}})
    body = r.json()
    assert r.status_code == 200 and "errors" not in body, body
    return sorted(
        (m["researcher"]["openalexId"], m["from"]["slug"], m["to"]["slug"], m["date"]["text"],
         m["isFirstJobAfterDoctorate"])
        for m in body["data"]["moves"]["nodes"]
    )  # fmt: skip


async def test_the_move_out_of_the_doctorate_is_classed_and_filtered(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    await _ingest(
        db_url,
        tmp_path,
        [
            *_person(
                "A911",
                (2012, 2017),
                [
                    ("stanford-university", range(2013, 2018)),
                    ("openai", range(2018, 2022)),
                    ("anthropic", range(2022, 2025)),
                ],
            ),
            *_person(
                "A912",
                (2008, 2012),
                [("stanford-university", range(2008, 2016)), ("openai", range(2016, 2021))],
            ),
        ],
    )
    assert await _moves(client, None) == [
        ("A911", "openai", "anthropic", "2022", False),
        ("A911", "stanford-university", "openai", "2018", True),
        ("A912", "stanford-university", "openai", "2016", False),
    ]
    assert await _moves(client, {"firstJobAfterDoctorate": True}) == [
        ("A911", "stanford-university", "openai", "2018", True)
    ]
    r = await client.get("/api/v1/moves", params={"first_job_after_doctorate": "false"})
    assert r.status_code == 200, r.text
    assert sorted(m["is_first_job_after_doctorate"] for m in r.json()["data"]) == [False, False]
