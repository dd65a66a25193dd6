"""Curator mutations: scopes through permission classes, union results, audit rows."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from service.db.stores import curation
from service.errors import Conflict
from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import Seeded, data_of, gid

RESULT = "__typename ... on Error { message code }"


async def audit_actions(pool: asyncpg.Pool) -> list[str]:
    return [r["action"] for r in await pool.fetch("SELECT action FROM audit_log ORDER BY id")]


async def test_confirm_and_retract_need_curate_scope(
    gql: Gql, seeded: Seeded, keys: dict[str, str], pool: asyncpg.Pool
) -> None:
    q = f"""mutation($id: ID!) {{ confirmMove(id: $id, note: "checked") {{ {RESULT}
             ... on Move {{ status }} }} }}"""
    mid = gid("Move", seeded.moves["garcia"])
    out = data_of(await gql(q, {"id": mid}))["confirmMove"]
    assert out["__typename"] == "PermissionError" and out["code"] == "UNAUTHENTICATED"
    out = data_of(await gql(q, {"id": mid}, key="tf_deadbeef_nope"))["confirmMove"]
    assert out["code"] == "UNAUTHENTICATED"
    out = data_of(await gql(q, {"id": mid}, key=keys["read"]))["confirmMove"]
    assert out["__typename"] == "PermissionError" and out["code"] == "FORBIDDEN"
    assert await audit_actions(pool) == []
    out = data_of(await gql(q, {"id": mid}, key=keys["curate"]))["confirmMove"]
    assert out == {"__typename": "Move", "status": "CONFIRMED"}
    out = data_of(await gql(q, {"id": gid("Move", 999999)}, key=keys["admin"]))["confirmMove"]
    assert out["__typename"] == "NotFoundError" and out["code"] == "NOT_FOUND"

    r = f"""mutation($id: ID!) {{ retractMove(id: $id) {{ {RESULT} ... on Move {{ status }} }} }}"""
    out = data_of(await gql(r, {"id": mid}, key=keys["curate"]))["retractMove"]
    assert out == {"__typename": "Move", "status": "RETRACTED"}
    out = data_of(await gql(q, {"id": mid}, key=keys["curate"]))["confirmMove"]
    assert out["__typename"] == "ConflictError"
    out = data_of(await gql(r, {"id": "bad"}, key=keys["curate"]))["retractMove"]
    assert out["__typename"] == "ValidationError"
    assert await audit_actions(pool) == ["move.confirm", "move.retract"]
    row = await pool.fetchrow("SELECT actor, details FROM audit_log ORDER BY id LIMIT 1")
    assert row["actor"].endswith(":test-curate") and row["details"]["note"] == "checked"


async def test_record_move_with_evidence(
    gql: Gql, seeded: Seeded, keys: dict[str, str], pool: asyncpg.Pool
) -> None:
    q = f"""mutation($in: RecordMoveInput!) {{ recordMove(input: $in) {{ {RESULT}
      ... on ValidationError {{ field }}
      ... on Move {{ origin status crossBorder date {{ text }} from {{ slug }} to {{ slug }}
        researcher {{ name }} evidence {{ quote extractor document {{ url kind }} }} }} }} }}"""
    move = {
        "researcher": gid("Researcher", seeded.researchers["li"]),
        "fromInstitution": "tencent",
        "toInstitution": "openai",
        "date": "2026-03-01",
        "datePrecision": "MONTH",
        "kind": "INDUSTRY_TO_INDUSTRY",
        "evidenceUrl": "https://example.org/li-joins-openai",
        "quote": "Li Wei has joined OpenAI",
    }
    out = data_of(await gql(q, {"in": move}, key=keys["ingest"]))["recordMove"]
    assert out["__typename"] == "PermissionError"
    out = data_of(await gql(q, {"in": move}, key=keys["curate"]))["recordMove"]
    assert out["__typename"] == "Move", out
    assert out["origin"] == "MANUAL" and out["crossBorder"] is True
    assert out["date"]["text"] == "2026-03"
    assert out["evidence"] == [
        {
            "quote": "Li Wei has joined OpenAI",
            "extractor": "curator",
            "document": {"url": "https://example.org/li-joins-openai", "kind": "MANUAL"},
        }
    ]
    bad = {**move, "evidenceUrl": "ftp://x"}
    out = data_of(await gql(q, {"in": bad}, key=keys["curate"]))["recordMove"]
    assert out["__typename"] == "ValidationError" and out["field"] == "evidenceUrl"
    same = {**move, "toInstitution": "tencent"}
    out = data_of(await gql(q, {"in": same}, key=keys["curate"]))["recordMove"]
    assert out["__typename"] == "ValidationError"
    missing = {**move, "toInstitution": "no-such-place"}
    out = data_of(await gql(q, {"in": missing}, key=keys["curate"]))["recordMove"]
    assert out["__typename"] == "NotFoundError"
    assert "move.record" in await audit_actions(pool)


MERGE = f"""mutation($s: ID!, $t: ID!) {{ mergeResearchers(source: $s, target: $t) {{ {RESULT}
  ... on Researcher {{ id name moves {{ to {{ slug }} }} externalIds {{ value }} }} }} }}"""
UNMERGE = f"""mutation($s: ID!) {{ unmergeResearchers(source: $s) {{ {RESULT}
  ... on Researcher {{ id name moves {{ to {{ slug }} }} }} }} }}"""


async def test_merge_and_unmerge_restore(
    gql: Gql, seeded: Seeded, keys: dict[str, str], pool: asyncpg.Pool
) -> None:
    source = gid("Researcher", seeded.researchers["yao2"])
    target = gid("Researcher", seeded.researchers["yao"])
    out = data_of(await gql(MERGE, {"s": source, "t": target}))["mergeResearchers"]
    assert out["__typename"] == "PermissionError"
    out = data_of(await gql(MERGE, {"s": source, "t": target}, key=keys["curate"]))
    merged = out["mergeResearchers"]
    assert merged["id"] == target
    assert sorted(m["to"]["slug"] for m in merged["moves"]) == ["openai", "openai", "tencent"]
    # the merged id now resolves to the survivor, and lists hide the merged record
    data = data_of(
        await gql(
            """query($s: ID!) { researcher(id: $s) { id } node(id: $s) { id }
                 researchers(filter: {search: "yao"}) { totalCount }
                 moves(filter: {researcher: $s}) { totalCount } }""",
            {"s": source},
        )
    )
    assert data["researcher"]["id"] == target and data["node"]["id"] == target
    assert data["researchers"]["totalCount"] == 1
    assert data["moves"]["totalCount"] == 3
    status = await pool.fetchval(
        "SELECT status FROM candidate_match WHERE id = $1", seeded.match_id
    )
    assert status == "same"
    again = data_of(await gql(MERGE, {"s": source, "t": target}, key=keys["curate"]))
    assert again["mergeResearchers"]["__typename"] == "ConflictError"
    out = data_of(await gql(UNMERGE, {"s": source}, key=keys["curate"]))["unmergeResearchers"]
    assert out["id"] == source and [m["to"]["slug"] for m in out["moves"]] == ["openai"]
    data = data_of(
        await gql("query($t: ID!) { researcher(id: $t) { moves { id } } }", {"t": target})
    )
    assert len(data["researcher"]["moves"]) == 2
    out = data_of(await gql(UNMERGE, {"s": source}, key=keys["curate"]))["unmergeResearchers"]
    assert out["__typename"] == "ConflictError"
    assert (await audit_actions(pool))[-2:] == ["researcher.merge", "researcher.unmerge"]


async def test_concurrent_merges_one_wins(seeded: Seeded, pool: asyncpg.Pool) -> None:
    a, b = seeded.researchers["yao2"], seeded.researchers["yao"]

    async def merge(actor: str) -> Any:
        async with pool.acquire() as conn:
            try:
                return await curation.merge_researchers(conn, a, b, actor=actor)
            except Conflict as exc:
                return exc

    results = await asyncio.gather(merge("one"), merge("two"))
    wins = [r for r in results if r == b]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1
    assert "already merged" in losses[0].message
    assert await pool.fetchval("SELECT count(*) FROM audit_log") == 1


async def test_resolve_candidate_match(
    gql: Gql, seeded: Seeded, keys: dict[str, str], pool: asyncpg.Pool
) -> None:
    q = f"""mutation($id: ID!, $same: Boolean!) {{ resolveCandidateMatch(id: $id, same: $same) {{
      {RESULT} ... on CandidateMatch {{ status resolvedBy }} }} }}"""
    mid = gid("CandidateMatch", seeded.match_id)
    out = data_of(await gql(q, {"id": mid, "same": False}))["resolveCandidateMatch"]
    assert out["__typename"] == "PermissionError"
    out = data_of(await gql(q, {"id": mid, "same": False}, key=keys["curate"]))
    assert out["resolveCandidateMatch"]["status"] == "DIFFERENT"
    out = data_of(await gql(q, {"id": mid, "same": True}, key=keys["curate"]))
    assert out["resolveCandidateMatch"]["__typename"] == "ConflictError"
    await pool.execute("UPDATE candidate_match SET status = 'open' WHERE id = $1", seeded.match_id)
    out = data_of(await gql(q, {"id": mid, "same": True}, key=keys["curate"]))
    assert out["resolveCandidateMatch"]["status"] == "SAME"
    merged = await pool.fetchval(
        "SELECT merged_into_id FROM researcher WHERE id = $1", seeded.researchers["yao2"]
    )
    assert merged == seeded.researchers["yao"]


async def test_institution_mutations(
    gql: Gql, seeded: Seeded, keys: dict[str, str], pool: asyncpg.Pool
) -> None:
    alias = f"""mutation {{ addInstitutionAlias(institution: "tencent", alias: "Tencent AI Lab",
      lang: "en") {{ {RESULT} ... on Institution {{ aliases }} }} }}"""
    out = data_of(await gql(alias))["addInstitutionAlias"]
    assert out["__typename"] == "PermissionError"
    out = data_of(await gql(alias, key=keys["curate"]))["addInstitutionAlias"]
    assert "Tencent AI Lab" in out["aliases"]
    found = data_of(await gql('{ institutions(filter: {search: "ai lab"}) { totalCount } }'))
    assert found["institutions"]["totalCount"] == 1

    up = f"""mutation($in: InstitutionInput!) {{ upsertInstitution(input: $in) {{ {RESULT}
      ... on ValidationError {{ field }}
      ... on Institution {{ slug name kind country {{ code }} parent {{ slug }} ror }} }} }}"""
    data = {
        "slug": "tencent-hunyuan",
        "name": "Tencent Hunyuan",
        "kind": "LAB",
        "country": "cn",
        "parent": "tencent",
        "ror": "00a0b0c00",
    }
    out = data_of(await gql(up, {"in": data}, key=keys["curate"]))["upsertInstitution"]
    assert out == {
        "__typename": "Institution",
        "slug": "tencent-hunyuan",
        "name": "Tencent Hunyuan",
        "kind": "LAB",
        "country": {"code": "CN"},
        "parent": {"slug": "tencent"},
        "ror": "00a0b0c00",
    }
    out = data_of(await gql(up, {"in": {**data, "name": "Hunyuan"}}, key=keys["curate"]))
    assert out["upsertInstitution"]["name"] == "Hunyuan"
    out = data_of(await gql(up, {"in": {**data, "slug": "Bad Slug"}}, key=keys["curate"]))
    assert out["upsertInstitution"]["field"] == "slug"
    cycle = {"slug": "tencent", "name": "Tencent", "parent": "tencent-hunyuan"}
    out = data_of(await gql(up, {"in": cycle}, key=keys["curate"]))
    assert out["upsertInstitution"]["__typename"] == "ValidationError"
    out = data_of(
        await gql(up, {"in": {**data, "slug": "x2", "ror": "00a0b0c00"}}, key=keys["curate"])
    )
    assert out["upsertInstitution"]["__typename"] == "ConflictError"
    assert (await audit_actions(pool)).count("institution.create") == 1


async def test_start_ingest_run_needs_ingest_scope(
    gql: Gql, seeded: Seeded, keys: dict[str, str], client: httpx.AsyncClient
) -> None:
    q = f"""mutation($p: String!, $c: JSON) {{ startIngestRun(plugin: $p, config: $c) {{
      {RESULT} ... on QueuedIngestRun {{ jobId plugin status }} }} }}"""
    out = data_of(await gql(q, {"p": "jsonl", "c": {}}, key=keys["curate"]))["startIngestRun"]
    assert out["__typename"] == "PermissionError"
    out = data_of(await gql(q, {"p": "no-such-plugin", "c": {}}, key=keys["ingest"]))
    assert out["startIngestRun"]["__typename"] == "NotFoundError"


async def test_start_ingest_run_queues_the_run_for_the_worker(
    gql: Gql, keys: dict[str, str], pool: asyncpg.Pool, app: Any, client: httpx.AsyncClient
) -> None:
    from service.cli import DEMO_DATA

    # a local file given through the API must lie under the operator's ingest directory
    app.state.talentflow.settings.ingest_dir = DEMO_DATA.parent

    q = f"""mutation($c: JSON, $i: String) {{ startIngestRun(plugin: "jsonl", config: $c,
      instance: $i) {{ {RESULT} ... on QueuedIngestRun {{ jobId plugin instance status workers
      warning }} }} }}"""
    out = data_of(await gql(q, {"c": {"path": str(DEMO_DATA)}, "i": "t"}, key=keys["ingest"]))
    run = out["startIngestRun"]
    assert run["__typename"] == "QueuedIngestRun", run
    assert (run["plugin"], run["instance"], run["status"]) == ("jsonl", "t", "queued")
    assert run["workers"] == 0 and "no worker is listening" in run["warning"]
    job = await pool.fetchrow(
        "SELECT task_name, args FROM procrastinate_jobs WHERE id = $1", run["jobId"]
    )
    assert job is not None and "t" in str(job["args"])
    # The API process does not ingest: nothing runs until a worker takes the job.
    await asyncio.sleep(0.3)
    assert await pool.fetchval("SELECT count(*) FROM ingest_run") == 0
    assert await pool.fetchval("SELECT count(*) FROM move") == 0

    # The same request through REST meets the same queue: the instance is already queued.
    again = data_of(await gql(q, {"c": {"path": str(DEMO_DATA)}, "i": "t"}, key=keys["ingest"]))
    assert again["startIngestRun"]["__typename"] == "ConflictError"
    rest = await client.post(
        "/api/v1/ingest-runs",
        json={"plugin": "jsonl", "instance": "t", "config": {"path": str(DEMO_DATA)}},
        headers={"Authorization": f"Bearer {keys['ingest']}"},
    )
    assert rest.status_code == 409, rest.text

    bad = data_of(await gql(q, {"c": {"nope": 1}, "i": "u"}, key=keys["admin"]))
    assert bad["startIngestRun"]["__typename"] == "ValidationError"
