"""Visits, renames and mergers, and evidence-based confidence, end to end: observations through
the jsonl ingester into a seeded database, moves read back through GraphQL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from plugins.openalex.parse import author_record
from service.config import get_settings
from service.db.pool import create_pool
from service.db.stores.institutions import seed_institutions
from service.ingest.pipeline import RunResult, run_ingester
from tests.ingest.helpers import write_jsonl

MOVES = """
query($filter: MoveFilterInput) {
  moves(first: 100, filter: $filter, orderBy: DATE_ASC) {
    nodes {
      isVisit confidence reasons
      date { text precision } dateEarliest { text } dateLatest { text }
      from { slug name } to { slug name }
      researcher { openalexId }
    }
  }
}
"""


async def _ingest(db_url: str, tmp_path: Path, lines: list[Any]) -> RunResult:
    pool = await create_pool(db_url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            await seed_institutions(conn)
        path = write_jsonl(tmp_path / "in.jsonl", lines)
        result = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=get_settings())
        assert result.ok and result.rejected == 0, (result.error, result.rejects)
        return result
    finally:
        await pool.close()


async def _moves(client: httpx.AsyncClient, **flt: Any) -> list[dict[str, Any]]:
    r = await client.post("/graphql", json={"query": MOVES, "variables": {"filter": flt or None}})
    body = r.json()
    assert r.status_code == 200 and "errors" not in body, body
    nodes: list[dict[str, Any]] = body["data"]["moves"]["nodes"]
    return nodes


def _name(inst: dict[str, Any] | None) -> str | None:
    return inst["name"] if inst else None


async def test_recorded_openalex_author_has_three_moves_and_the_2020_year_is_a_visit(
    recorded: Path, db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    author = json.loads((recorded / "openalex_author_A5023888391.json").read_text())
    lines = [
        o.model_dump(mode="json", exclude_none=True) for o in author_record(author).observations()
    ]
    await _ingest(db_url, tmp_path, lines)

    moves = await _moves(client)
    assert [(_name(m["from"]), _name(m["to"]), m["date"]["text"]) for m in moves] == [
        ("Florida College", "University of North Carolina at Chapel Hill", "2010"),
        (
            "University of North Carolina at Chapel Hill",
            "Impact Technology Development (United States)",
            "2017",
        ),
        ("Impact Technology Development (United States)", "OurResearch", "2019"),
    ]
    assert not any(m["isVisit"] for m in moves)
    # each move keeps its evidence, and its confidence reflects it
    first, second, third = moves
    assert (first["dateEarliest"]["text"], first["dateLatest"]["text"]) == ("2008", "2010")
    assert first["reasons"]["years_before"] == 1 and first["reasons"]["years_after"] == 5
    assert second["reasons"]["gap_years"] == 2
    assert (second["dateEarliest"]["text"], second["dateLatest"]["text"]) == ("2014", "2017")
    assert third["reasons"]["years_after"] == 4
    assert len({m["confidence"] for m in moves}) == 3
    assert all(0.05 <= m["confidence"] <= 0.95 for m in moves)
    # the 2020 papers (Johns Hopkins, Florida State) between OurResearch years are visits
    everything = await _moves(client, includeVisits=True)
    visits = [(_name(m["from"]), _name(m["to"])) for m in everything if m["isVisit"]]
    assert ("OurResearch", "Johns Hopkins University") in visits
    assert ("OurResearch", "Florida State University") in visits
    assert not any(_name(m["to"]) == "OurResearch" and m["isVisit"] for m in everything)
    assert len(everything) == len(moves) + len(visits)
    # and the researcher's history shows them apart
    r = await client.post(
        "/graphql",
        json={
            "query": '{ researcher(openalexId: "A5023888391") { moves { to { name } } '
            "visits { to { name } date { text } reasons } } }"
        },
    )
    person = r.json()["data"]["researcher"]
    assert len(person["moves"]) == 3
    # 2020 has two affiliations of equal weight and neither elsewhere: one of them stands for
    # the year between the OurResearch years, the other is held beside it (the tie breaks by
    # name, not by the order the institutions were stored in).
    rules = {v["to"]["name"]: v["reasons"]["rule"] for v in person["visits"]}
    years = {v["to"]["name"]: v["date"]["text"] for v in person["visits"]}
    assert years["Johns Hopkins University"] == years["Florida State University"] == "2020"
    assert sorted(rules[n] for n in ("Johns Hopkins University", "Florida State University")) == [
        "visit_between_home_stints",
        "visit_inside_home_stint",
    ]


def _history(oa: str, stints: list[tuple[dict[str, Any], list[int]]]) -> list[dict[str, Any]]:
    url = f"https://profiles.example/{oa}"
    person = {"name": f"Person {oa}", "ids": {"openalex": oa}}
    lines: list[dict[str, Any]] = [{"type": "document_seen", "url": url, "kind": "profile"}]
    for n, (inst, years) in enumerate(stints):
        lines.append(
            {
                "type": "affiliation_seen",
                "person": person,
                "institution": inst,
                "years": years,
                "source_key": f"{oa}:{n}",
                "document_url": url,
            }
        )
    return lines


async def test_the_google_deepmind_merger_is_continuity_and_google_brain_keeps_its_site(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    brain = {"name": "Google Brain", "country_code": "US"}
    lines = [
        *_history(
            "A1",
            [(brain, list(range(2017, 2024))), ({"slug": "google-deepmind"}, [2023, 2024, 2025])],
        ),
        # a move out of Google Brain before the merger is a move, from the Mountain View lab
        *_history(
            "A2", [(brain, list(range(2016, 2021))), ({"slug": "openai"}, [2021, 2022, 2023])]
        ),
        # ... and one into it
        *_history(
            "A3",
            [
                ({"slug": "stanford-university"}, list(range(2013, 2018))),
                (brain, list(range(2018, 2023))),
                ({"slug": "google-deepmind"}, [2023, 2024]),
            ],
        ),
    ]
    await _ingest(db_url, tmp_path, lines)
    moves = await _moves(client)
    got = sorted((m["researcher"]["openalexId"], m["from"]["slug"], m["to"]["slug"]) for m in moves)
    assert got == [("A2", "google-brain", "openai"), ("A3", "stanford-university", "google-brain")]
    r = await client.post(
        "/graphql",
        json={
            "query": '{ institution(slug: "google-brain") { country { code } city '
            "successors { kind date { text } institution { slug } } } }"
        },
    )
    inst = r.json()["data"]["institution"]
    assert inst["country"]["code"] == "US" and inst["city"] == "Mountain View"
    assert inst["successors"] == [
        {"kind": "MERGER", "date": {"text": "2023-04"}, "institution": {"slug": "google-deepmind"}}
    ]


async def test_a_rename_is_continuity_only_around_its_date(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    element = {"slug": "element-ai"}
    servicenow = {"slug": "servicenow"}
    lines = [
        # acquired in January 2021: the same job under a new name
        *_history("A21", [(element, [2018, 2019, 2020]), (servicenow, [2021, 2022, 2023])]),
        # joining ServiceNow years after Element AI is a move
        *_history(
            "A22",
            [
                (element, [2017, 2018]),
                ({"slug": "mila"}, [2019, 2020, 2021]),
                (servicenow, [2024, 2025]),
            ],
        ),
        *_history("A23", [(element, [2016, 2017]), (servicenow, [2024, 2025])]),
    ]
    await _ingest(db_url, tmp_path, lines)
    got = sorted(
        (m["researcher"]["openalexId"], m["from"]["slug"], m["to"]["slug"])
        for m in await _moves(client)
    )
    assert got == [
        ("A22", "element-ai", "mila"),
        ("A22", "mila", "servicenow"),
        ("A23", "element-ai", "servicenow"),
    ]


@pytest.mark.parametrize("include", [False, True])
async def test_flows_leave_visits_out_unless_asked(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient, include: bool
) -> None:
    lines = _history(
        "A31", [({"slug": "mit"}, [2015, 2016, 2018, 2019]), ({"slug": "openai"}, [2017])]
    )
    await _ingest(db_url, tmp_path, lines)
    q = (
        "query($f: MoveFilterInput) { flows(level: INSTITUTION, period: YEAR, filter: $f) "
        "{ count } }"
    )
    r = await client.post(
        "/graphql", json={"query": q, "variables": {"f": {"includeVisits": include}}}
    )
    body = r.json()
    assert "errors" not in body, body
    assert sum(c["count"] for c in body["data"]["flows"]) == (1 if include else 0)


async def test_relations_a_source_gives_make_a_rename_continuity(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    old = {"name": "Acme Learning Lab", "country_code": "US", "ids": {"ror": "05ppvf150"}}
    lines: list[dict[str, Any]] = [
        {
            "type": "institution_seen",
            "name": "Acme Intelligence",
            "country_code": "US",
            "ids": {"ror": "02nr0ka47"},
            "predecessors": [{"institution": old, "kind": "rename", "date": "2021-03"}],
        },
        *_history(
            "A41",
            [
                (old, [2018, 2019, 2020]),
                ({"name": "Acme Intelligence", "country_code": "US"}, [2021, 2022]),
            ],
        ),
    ]
    await _ingest(db_url, tmp_path, lines)
    assert await _moves(client) == []
    r = await client.post(
        "/graphql",
        json={
            "query": '{ institution(ror: "02nr0ka47") { name predecessors { kind date { text } '
            "institution { name } } } }"
        },
    )
    inst = r.json()["data"]["institution"]
    assert inst["predecessors"] == [
        {
            "kind": "RENAME",
            "date": {"text": "2021-03"},
            "institution": {"name": "Acme Learning Lab"},
        }
    ]


async def test_rest_moves_leave_visits_out_unless_asked_and_carry_the_evidence(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    lines = _history(
        "A51",
        [
            ({"slug": "mit"}, [2012, 2013, 2014, 2016, 2017]),
            ({"slug": "openai"}, [2015]),
            ({"slug": "anthropic"}, [2018, 2019, 2020]),
        ],
    )
    result = await _ingest(db_url, tmp_path, lines)
    default = (await client.get("/api/v1/moves")).json()["data"]
    # the run reports (and notifies) the new move, not the visit
    assert result.new_move_ids == [default[0]["id"]]
    assert [(m["is_visit"], m["reasons"]["years_before"]) for m in default] == [(False, 5)]
    assert (default[0]["date_earliest"], default[0]["date_latest"]) == ("2017-01-01", "2018-01-01")
    both = (await client.get("/api/v1/moves", params={"include_visits": "true"})).json()["data"]
    assert sorted(m["is_visit"] for m in both) == [False, True]
    csv = await client.get("/api/v1/moves", params={"format": "csv", "include_visits": "true"})
    assert csv.status_code == 200 and "is_visit" in csv.text.splitlines()[0]


async def test_documents_per_year_are_stored_and_make_a_short_stay_a_visit(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    """Two years at ETH between Stanford stints: the same years make two moves unless ETH's
    works are counted per year (one paper a year): then it is one visit."""
    home = {"slug": "stanford-university"}
    eth = {"slug": "eth-zurich"}
    stanford_years = [*range(2010, 2016), *range(2018, 2024)]
    counted = _history("A8", [(home, stanford_years), (eth, [2016, 2017])])
    counted[-1]["documents_per_year"] = {"2016": 1, "2017": 1}
    plain = _history("A9", [(home, stanford_years), (eth, [2016, 2017])])
    await _ingest(db_url, tmp_path, [*counted, *plain])

    moves = await _moves(client)
    got = sorted((m["researcher"]["openalexId"], m["from"]["slug"], m["to"]["slug"]) for m in moves)
    assert got == [
        ("A9", "eth-zurich", "stanford-university"),
        ("A9", "stanford-university", "eth-zurich"),
    ]
    visits = [m for m in await _moves(client, includeVisits=True) if m["isVisit"]]
    assert [(v["researcher"]["openalexId"], v["to"]["slug"]) for v in visits] == [
        ("A8", "eth-zurich")
    ]
    assert visits[0]["reasons"]["documents_at_host"] == 2

    conn = await asyncpg.connect(db_url)
    try:
        stored = await conn.fetchval(
            "SELECT a.year_documents FROM affiliation a JOIN institution i ON i.id = a.institution_id"
            " WHERE i.slug = 'eth-zurich' AND a.source_key = 'A8:1'"
        )
    finally:
        await conn.close()
    assert json.loads(stored) == {"2016": 1, "2017": 1}


async def test_a_start_up_spun_out_of_a_university_and_a_short_post_are_moves(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    """Tsinghua to Zhipu AI (a spin-out of a Tsinghua lab, in the seed's relations) changes
    employer and sector; a one-year postdoc between a PhD and a lectureship is a step."""
    bristol = {"name": "University of Bristol", "country_code": "GB"}
    sheffield = {"name": "University of Sheffield", "country_code": "GB"}
    kings = {"name": "King's College London", "country_code": "GB"}
    announce = [
        {"type": "institution_seen", "name": i["name"], "country_code": "GB", "kind": "university"}
        for i in (bristol, sheffield, kings)
    ]
    lines = [
        *announce,
        *_history(
            "A41",
            [
                ({"slug": "tsinghua-university"}, [2014, 2016, 2018, 2019]),
                ({"slug": "zhipu-ai"}, [2019, 2020, 2021, 2022]),
            ],
        ),
        *_history(
            "A42",
            [
                (bristol, [2014, 2015, 2016, 2017, 2018]),
                (sheffield, [2018]),
                (kings, [2019, 2021, 2023]),
            ],
        ),
    ]
    await _ingest(db_url, tmp_path, lines)
    got = [
        (m["researcher"]["openalexId"], _name(m["from"]), _name(m["to"]), m["date"]["text"])
        for m in await _moves(client)
    ]
    assert sorted(got) == [
        ("A41", "Tsinghua University", "Zhipu AI", "2019"),
        ("A42", "University of Bristol", "University of Sheffield", "2018"),
        ("A42", "University of Sheffield", "King's College London", "2019"),
    ]


async def test_a_stale_orcid_entry_does_not_hide_a_move_abroad_as_a_dual_affiliation(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    """An ORCID entry at an Indian lab left open after the papers there stopped (2020), then
    Google in the US with years of papers: a migration, listed among the moves."""
    person = {"name": "Person A43", "ids": {"openalex": "A43"}}
    orcid_url = "https://orcid.example/A43"
    iisc = {"slug": "iisc"}
    google = {"slug": "google"}
    lines = [
        *_history("A43", [(iisc, [2012, 2014, 2016]), (google, list(range(2020, 2027)))]),
        {"type": "document_seen", "url": orcid_url, "kind": "profile"},
        *(
            {
                "type": "affiliation_seen",
                "person": person,
                "institution": inst,
                "start": start,
                "end": None,
                "source_key": f"orcid:A43:{n}",
                "document_url": orcid_url,
            }
            for n, (inst, start) in enumerate(
                [(iisc, {"year": 2011, "month": 8}), (google, {"year": 2020, "month": 4})]
            )
        ),
    ]
    await _ingest(db_url, tmp_path, lines)
    moves = await _moves(client)
    assert [(m["from"]["slug"], m["to"]["slug"], m["date"]["text"]) for m in moves] == [
        ("iisc", "google", "2020-04")
    ]


async def test_acquired_start_ups_leaves_and_labs_of_one_company_end_to_end(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    """Through the seed: a start-up acquired while its years are shared with the university's
    last and the acquirer's first is one job with the acquirer; two years at a company away
    from an established research post are a leave (a visit); DAMO Academy to the Qwen team
    is a transfer inside Alibaba."""
    lines = [
        *_history(
            "A41",
            [
                ({"slug": "nyu"}, list(range(2011, 2016))),
                ({"name": "Geometric Intelligence", "country_code": "US"}, [2015, 2016]),
                ({"name": "Uber AI Labs", "country_code": "US"}, [2016, 2017, 2018, 2019, 2020]),
                ({"slug": "openai"}, list(range(2020, 2027))),
            ],
        ),
        *_history(
            "A42",
            [
                ({"slug": "mpi-inf"}, [*range(2012, 2021), *range(2023, 2027)]),
                ({"slug": "deepl"}, [2021, 2022]),
            ],
        ),
        *_history(
            "A43",
            [
                ({"slug": "zhejiang-university"}, list(range(2013, 2019))),
                ({"slug": "damo-academy"}, list(range(2018, 2024))),
                ({"slug": "qwen"}, list(range(2023, 2027))),
            ],
        ),
    ]
    await _ingest(db_url, tmp_path, lines)
    got = sorted(
        (m["researcher"]["openalexId"], m["from"]["slug"], m["to"]["slug"])
        for m in await _moves(client)
    )
    assert got == [
        ("A41", "nyu", "geometric-intelligence"),
        ("A41", "uber-ai-labs", "openai"),
        ("A43", "zhejiang-university", "damo-academy"),
    ]
    visits = [m for m in await _moves(client, includeVisits=True) if m["isVisit"]]
    assert [(m["from"]["slug"], m["to"]["slug"], m["reasons"]["rule"]) for m in visits] == [
        ("mpi-inf", "deepl", "leave_of_absence")
    ]


async def test_curated_acquisitions_and_a_university_merger_are_continuity_end_to_end(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    """Through the seed's curated relations: a team kept by its acquirer (Silo AI → AMD, named
    as the papers name them) and a university merged into a new one (UPMC → Sorbonne
    Université) keep their job; the move into the start-up stays."""
    lines = [
        *_history(
            "A51",
            [
                ({"name": "Aalto University", "country_code": "FI"}, list(range(2014, 2021))),
                ({"name": "Silo AI", "country_code": "FI"}, list(range(2019, 2025))),
                ({"name": "AMD", "country_code": "US"}, [2024, 2025, 2026]),
            ],
        ),
        *_history(
            "A52",
            [
                ({"name": "Université Pierre et Marie Curie"}, list(range(2011, 2019))),
                ({"slug": "sorbonne-university"}, list(range(2018, 2027))),
            ],
        ),
    ]
    await _ingest(db_url, tmp_path, lines)
    got = sorted(
        (m["researcher"]["openalexId"], m["from"]["slug"], m["to"]["slug"])
        for m in await _moves(client)
    )
    assert got == [("A51", "aalto-university", "silo-ai")]


async def test_an_orcid_record_with_a_doctorate_then_posts_has_the_phd_to_postdoc_move(
    db_url: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    """ORCID only: a doctorate in the education section, then two employments. The doctorate
    is the first stint of the career: PhD → postdoc (October 2019) and postdoc → company."""
    url = "https://orcid.example/0000-0002-1825-0097"
    person = {"name": "Person O1", "ids": {"orcid": "0000-0002-1825-0097"}}
    lines = [
        {"type": "document_seen", "url": url, "kind": "profile", "publisher": "ORCID"},
        {
            "type": "education_seen",
            "person": person,
            "institution": {"slug": "university-of-edinburgh"},
            "degree": "doctorate",
            "start": {"year": 2015, "month": 9},
            "end": {"year": 2019, "month": 8},
            "source_key": "orcid:o1:1",
            "document_url": url,
        },
        {
            "type": "affiliation_seen",
            "person": person,
            "institution": {"slug": "university-of-oxford"},
            "start": {"year": 2019, "month": 10},
            "end": {"year": 2022, "month": 6},
            "role": "Postdoctoral Research Assistant",
            "source_key": "orcid:o1:2",
            "document_url": url,
        },
        {
            "type": "affiliation_seen",
            "person": person,
            "institution": {"slug": "anthropic"},
            "start": {"year": 2022, "month": 7},
            "end": None,
            "source_key": "orcid:o1:3",
            "document_url": url,
        },
    ]
    await _ingest(db_url, tmp_path, lines)
    got = [(m["from"]["slug"], m["to"]["slug"], m["date"]["text"]) for m in await _moves(client)]
    assert got == [
        ("university-of-edinburgh", "university-of-oxford", "2019-10"),
        ("university-of-oxford", "anthropic", "2022-07"),
    ]
