"""Writes need a live key with the right scope: without one nothing is written; keys are stored
hashed and compared in constant time."""

from __future__ import annotations

import hmac
from typing import Any

import asyncpg
import httpx
import pytest

from service.db.stores import api_keys
from tests.api.graphql.seed import Seeded, gid

RESULT = "__typename ... on Error { message code }"


async def fingerprint(pool: asyncpg.Pool) -> dict[str, str]:
    """An md5 of every table's full content (api_key aside: using a key stamps last_used_at)."""
    tables = await pool.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'api_key'"
    )
    out: dict[str, str] = {}
    for (name,) in tables:
        out[name] = await pool.fetchval(
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{name}\" t"
        )
    return out


def mutations(s: Seeded) -> list[tuple[str, str, dict[str, Any], str]]:
    """(name, document, variables, scope needed) for every mutation."""
    move = gid("Move", s.moves["garcia"])
    yao, yao2 = gid("Researcher", s.researchers["yao"]), gid("Researcher", s.researchers["yao2"])
    return [
        (
            "confirmMove",
            "mutation($id: ID!) { confirmMove(id: $id) { @R } }",
            {"id": move},
            "curate",
        ),
        (
            "retractMove",
            "mutation($id: ID!) { retractMove(id: $id) { @R } }",
            {"id": move},
            "curate",
        ),
        (
            "recordMove",
            "mutation($in: RecordMoveInput!) { recordMove(input: $in) { @R } }",
            {
                "in": {
                    "researcher": yao,
                    "toInstitution": "openai",
                    "evidenceUrl": "https://example.org/x",
                }
            },
            "curate",
        ),
        (
            "mergeResearchers",
            "mutation($s: ID!, $t: ID!) { mergeResearchers(source: $s, target: $t) { @R } }",
            {"s": yao2, "t": yao},
            "curate",
        ),
        (
            "unmergeResearchers",
            "mutation($s: ID!) { unmergeResearchers(source: $s) { @R } }",
            {"s": yao2},
            "curate",
        ),
        (
            "resolveCandidateMatch",
            "mutation($id: ID!) { resolveCandidateMatch(id: $id, same: true) { @R } }",
            {"id": gid("CandidateMatch", s.match_id)},
            "curate",
        ),
        (
            "addInstitutionAlias",
            'mutation { addInstitutionAlias(institution: "tencent", alias: "TX") { @R } }',
            {},
            "curate",
        ),
        (
            "upsertInstitution",
            "mutation($in: InstitutionInput!) { upsertInstitution(input: $in) { @R } }",
            {"in": {"slug": "evil-lab", "name": "Evil Lab"}},
            "curate",
        ),
        (
            "startIngestRun",
            'mutation { startIngestRun(plugin: "jsonl", config: {path: "/dev/null"}) { @R } }',
            {},
            "ingest",
        ),
    ]


@pytest.fixture
async def bad_keys(pool: asyncpg.Pool, keys: dict[str, str]) -> dict[str, str]:
    async with pool.acquire() as conn:
        record, revoked = await api_keys.create_key(conn, "revoked-admin", ["admin"])
        await api_keys.revoke_key(conn, str(record.id))
    forged = keys["admin"][: len("tf_") + 8] + "_" + "A" * 43  # a real prefix, a wrong secret
    return {"revoked": revoked, "forged": forged, "garbage": "tf_zz_" + "'; DROP TABLE move; --"}


async def test_every_mutation_refused_without_the_right_key(
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    seeded: Seeded,
    keys: dict[str, str],
    bad_keys: dict[str, str],
) -> None:
    before = await fingerprint(pool)
    wrong_scope = {"curate": ["read", "ingest"], "ingest": ["read", "curate"]}
    for name, doc, variables, scope in mutations(seeded):
        attempts: list[tuple[str | None, str]] = [
            (None, "UNAUTHENTICATED"),
            (bad_keys["revoked"], "UNAUTHENTICATED"),
            (bad_keys["forged"], "UNAUTHENTICATED"),
            (bad_keys["garbage"], "UNAUTHENTICATED"),
            *((keys[s], "FORBIDDEN") for s in wrong_scope[scope]),
        ]
        for key, expected in attempts:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            r = await client.post(
                "/graphql",
                json={"query": doc.replace("@R", RESULT), "variables": variables},
                headers=headers,
            )
            assert r.status_code == 200, r.text
            out = r.json()["data"][name]
            assert out["__typename"] == "PermissionError", (name, key, out)
            assert out["code"] == expected, (name, key, out)
    assert await fingerprint(pool) == before


async def test_every_rest_write_refused_without_the_right_key(
    client: httpx.AsyncClient,
    pool: asyncpg.Pool,
    seeded: Seeded,
    keys: dict[str, str],
    bad_keys: dict[str, str],
) -> None:
    spec = (await client.get("/openapi.json")).json()
    writes = [
        (method.upper(), path, op["security"][0]["bearer"][0])
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("post", "put", "patch", "delete")
    ]
    assert {(m, p) for m, p, _ in writes} >= {
        ("POST", "/api/v1/moves/{id}/confirm"),
        ("POST", "/api/v1/moves/{id}/retract"),
        ("POST", "/api/v1/ingest-runs"),
    }
    bodies = {"/api/v1/ingest-runs": {"plugin": "jsonl", "config": {"path": "/dev/null"}}}
    before = await fingerprint(pool)
    others = {"curate": ["read", "ingest"], "ingest": ["read", "curate"]}
    for method, path, scope in writes:
        url = path.replace("{id}", str(seeded.moves["garcia"]))
        body = bodies.get(path, {"note": "x"})
        for key, status in [
            (None, 401),
            (bad_keys["revoked"], 401),
            (bad_keys["forged"], 401),
            (bad_keys["garbage"], 401),
            *((keys[s], 403) for s in others[scope]),
        ]:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            r = await client.request(method, url, json=body, headers=headers)
            assert r.status_code == status, (method, url, key, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            if status == 401:
                assert r.headers["www-authenticate"].startswith("Bearer")
    assert await fingerprint(pool) == before


async def test_keys_are_stored_hashed(pool: asyncpg.Pool, keys: dict[str, str]) -> None:
    rows = await pool.fetch("SELECT * FROM api_key")
    assert len(rows) == len(keys)
    dumped = "\n".join(str(dict(r)) for r in rows)
    for key in keys.values():
        secret = key.split("_", 2)[2]
        assert key not in dumped and secret not in dumped
        assert api_keys.hash_key(key) in dumped


async def test_key_check_uses_constant_time_comparison(
    client: httpx.AsyncClient, keys: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[object, object]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api_keys.hmac, "compare_digest", spy)
    doc = 'mutation { addInstitutionAlias(institution: "nope", alias: "x") { __typename } }'
    for key in (keys["curate"], keys["curate"][:-1] + "x", "tf_00000000_" + "x" * 43):
        calls.clear()
        r = await client.post(
            "/graphql", json={"query": doc}, headers={"Authorization": f"Bearer {key}"}
        )
        assert r.status_code == 200
        assert len(calls) == 1, "every key check goes through hmac.compare_digest"
        assert calls[0][0] == api_keys.hash_key(key)
