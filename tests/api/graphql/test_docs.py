"""Every query in docs/graphql.md runs on the demo dataset and answers with real data; the
documented scopes and error codes are the code's; confidences read as they were written."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from service.api.graphql.errors import ERROR_CODES
from service.cli import DEMO_DATA
from service.config import load_settings
from service.db.stores.api_keys import SCOPES
from service.db.stores.institutions import seed_institutions
from service.ingest.pipeline import run_ingester
from tests.api.graphql.conftest import Gql

DOC = Path(__file__).resolve().parents[3] / "docs" / "graphql.md"
BLOCK = re.compile(r"```graphql\n(.*?)```", re.S)
# A float with more digits than anyone wrote: a float4 widened to a double (0.9100000262260437).
NOISY_FLOAT = re.compile(r"(?<![\d.])0\.\d{8,}")


def doc_queries() -> list[str]:
    return BLOCK.findall(DOC.read_text(encoding="utf-8"))


def doc_section(title: str) -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.split(title, 1)[1].split("\n## ", 1)[0]


async def load_demo(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    result = await run_ingester(
        pool, "jsonl", {"path": str(DEMO_DATA)}, instance="demo", settings=load_settings()
    )
    assert result.ok and result.rejected == 0, (result.error, result.rejects)


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(path without list indexes, value) for every scalar in an answer."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, f"{path}.{k}")
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v, path)
    else:
        yield path, value


def served_by_fast_path() -> float:
    from service.api.graphql.fast_path import FAST_PATH

    return sum(
        s.value
        for m in FAST_PATH.collect()
        for s in m.samples
        if s.name.endswith("_total") and s.labels["outcome"] == "served"
    )


def test_the_doc_has_ten_queries() -> None:
    assert len(doc_queries()) == 10


async def test_doc_queries_answer_with_real_data(gql: Gql, pool: asyncpg.Pool) -> None:
    await load_demo(pool)
    answers = []
    for query in doc_queries():
        body = await gql(query)
        assert "errors" not in body, (query[:40], body.get("errors"))
        assert body["data"], query[:40]
        # No field the doc asks for is null (or empty) everywhere: each shows something.
        seen: dict[str, bool] = {}
        for path, value in leaves(body["data"]):
            seen[path] = seen.get(path, False) or value not in (None, "", 0)
        empty = sorted(
            p
            for p, shown in seen.items()
            if not shown and not any(q.startswith(f"{p}.") and seen[q] for q in seen)
        )
        allowed = {".moves.pageInfo.hasPreviousPage", ".flows.small", ".flows.period"}
        assert set(empty) <= allowed, (query[:40], empty)
        answers.append(body["data"])
    latest, us_cn, page, series, matrix, net, orgs, search, people, paging = answers
    assert latest["moves"]["totalCount"] >= 20
    assert us_cn["moves"]["totalCount"] >= 5
    deepmind = page["institution"]
    assert deepmind["currentResearchers"]["totalCount"] >= 3
    assert deepmind["movesIn"]["totalCount"] > 0 and deepmind["movesOut"]["totalCount"] > 0
    assert any(p["net"] > 0 for p in series["institution"]["flowSeries"])
    assert any(p["net"] < 0 for p in series["institution"]["flowSeries"])
    assert {("US", "CN"), ("CN", "US")} <= {
        (c["origin"]["code"], c["destination"]["code"]) for c in matrix["flows"]
    }
    assert {e["entity"]["code"] for e in net["netFlows"]} >= {"US", "CN", "GB"}
    assert orgs["flows"]
    found = {(x["__typename"], x.get("name")) for x in search["search"]}
    assert ("Researcher", "Lin Haoran") in found and ("Institution", "01.AI") in found, found
    tencent = people["researchers"]
    assert tencent["totalCount"] >= 2
    for person in tencent["nodes"]:
        current = person["currentAffiliation"]
        assert current["role"] and current["start"]["text"], person["name"]
        assert all(a["start"]["text"] for a in person["affiliations"]), person["name"]
        assert any(a["end"] for a in person["affiliations"]), person["name"]
        assert person["nativeName"] and person["orcid"], person["name"]
        assert any(m["evidence"] for m in person["moves"]), person["name"]
    assert paging["moves"]["pageInfo"]["hasNextPage"]
    nxt = await gql(doc_queries()[-1], {"after": paging["moves"]["pageInfo"]["endCursor"]})
    assert "errors" not in nxt and nxt["data"]["moves"]["edges"]


async def test_the_demo_shows_moves_in_every_direction(pool: asyncpg.Pool) -> None:
    await load_demo(pool)
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT m.from_country, m.to_country, m.kind, m.is_returnee, ti.kind AS to_kind "
            "FROM move m LEFT JOIN institution ti ON ti.id = m.to_institution_id"
        )
        current_at_deepmind = await conn.fetchval(
            "SELECT count(*) FROM affiliation a JOIN institution i ON i.id = a.institution_id "
            "WHERE i.slug = 'google-deepmind' AND a.end_date IS NULL AND a.start_date IS NOT NULL"
        )
    moves = [dict(r) for r in rows]
    us_to_cn_companies = [
        m
        for m in moves
        if (m["from_country"], m["to_country"], m["to_kind"]) == ("US", "CN", "company")
    ]
    assert len(us_to_cn_companies) >= 4
    assert any(m["is_returnee"] and m["to_country"] == "CN" for m in moves)
    kinds = {m["kind"] for m in moves}
    assert {"academia_to_industry", "industry_to_academia", "industry_to_industry"} <= kinds
    assert any((m["from_country"], m["to_country"]) == ("CN", "US") for m in moves)
    assert any(m["to_country"] is None for m in moves)  # a departure, destination unknown
    assert current_at_deepmind >= 3


async def test_confidences_read_as_written_on_every_surface(
    client: httpx.AsyncClient, pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    await load_demo(pool)
    async with pool.acquire() as conn:
        move_id = await conn.fetchval(
            "SELECT move_id FROM evidence WHERE confidence = 0.91 ORDER BY move_id LIMIT 1"
        )
    assert move_id is not None
    async with pool.acquire() as conn:
        # a match score is a float too (the demo has no ambiguous names)
        await conn.execute(
            "INSERT INTO candidate_match (researcher_id, candidate_id, score) "
            "SELECT min(id), max(id), 0.73 FROM researcher"
        )
    scores = await client.post(
        "/graphql", json={"query": "{ candidateMatches(first: 5) { nodes { score } } }"}
    )
    assert re.search(r'"score" ?: ?0\.73\b', scores.text), scores.text
    query = "{ moves(first: 50) { nodes { confidence evidence { confidence } } } }"
    settings = client._transport.app.state.talentflow.settings  # type: ignore[attr-defined]
    texts = []
    for fast in (True, False):  # the compiled plans, then strawberry field by field
        monkeypatch.setattr(settings, "graphql_fast_path", fast)
        served = served_by_fast_path()
        r = await client.post("/graphql", json={"query": query})
        assert served_by_fast_path() == served + (1 if fast else 0)
        assert r.status_code == 200 and "errors" not in r.json(), r.text
        texts.append(r.text)
        assert not NOISY_FLOAT.search(r.text), NOISY_FLOAT.search(r.text)
        evidence = [
            e["confidence"] for m in r.json()["data"]["moves"]["nodes"] for e in m["evidence"]
        ]
        assert 0.91 in evidence and 0.85 in evidence
    assert re.search(r'"confidence" ?: ?0\.91\b', texts[0]) and re.search(
        r'"confidence" ?: ?0\.91\b', texts[1]
    )

    detail = await client.get(f"/api/v1/moves/{move_id}")
    assert detail.status_code == 200
    assert re.search(r'"confidence":0\.91\b', detail.text), detail.text[:500]
    assert not NOISY_FLOAT.search(detail.text)
    listed = await client.get("/api/v1/moves", params={"limit": 100})
    assert not NOISY_FLOAT.search(listed.text)
    values = [m["confidence"] for m in listed.json()["data"]]
    assert values and all(v == round(v, 6) for v in values)
    csv = await client.get("/api/v1/moves", params={"format": "csv"})
    assert csv.status_code == 200 and csv.text.startswith("id,")
    assert not NOISY_FLOAT.search(csv.text)
    header, *rows = csv.text.splitlines()
    column = header.split(",").index("confidence")
    by_id = {row.split(",")[0]: row.split(",")[column] for row in rows}
    for move in listed.json()["data"]:
        assert by_id[str(move["id"])] == repr(move["confidence"])


def test_documented_scopes_are_the_codes() -> None:
    text = doc_section("## Curation (API keys)")
    documented = re.search(r"The scopes are (.*?)\.", text, re.S)
    assert documented, "docs/graphql.md lost its scope list"
    assert set(re.findall(r"`(\w+)`", documented.group(1))) == set(SCOPES)


def test_documented_error_codes_are_the_codes() -> None:
    text = DOC.read_text(encoding="utf-8")
    errors = text.split("- **Errors**", 1)[1].split("\n- **", 1)[0]
    listed = set(re.findall(r"`([A-Z][A-Z_]+)`", errors))
    assert listed == set(ERROR_CODES)


def test_every_code_the_server_makes_is_listed() -> None:
    import service.api.app  # noqa: F401  (imports every error class the API can raise)
    from service.api.graphql import errors, limits
    from service.errors import UserError

    def subclasses(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    made = {UserError.code} | {c.code for c in subclasses(UserError)}
    made |= {code for _, code in errors._MESSAGE_CODES} | set(errors.TRANSIENT)
    # codes written as literals: classify()'s, and those put straight into extensions
    for module in (errors, limits):
        tree = ast.parse(inspect.getsource(module))
        made |= {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and re.fullmatch(r"[A-Z][A-Z_]{4,}", n.value)
        }
    assert made - {"OPTIONS"} - set(ERROR_CODES) == set()


@pytest.mark.parametrize("snippet", ["cdn.", "unpkg.com", "jsdelivr"])
def test_no_cdn_references(snippet: str) -> None:
    assert snippet not in DOC.read_text(encoding="utf-8")
