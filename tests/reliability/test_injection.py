"""Filter and search inputs carrying SQL, LIKE wildcards, NUL bytes, invalid UTF-8 or very long
strings get a clear error or an empty result, never a 500, and the tables stay intact."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from service.db.queries.sql import like_pattern
from tests.api.graphql.seed import Seeded

HOSTILE = [
    "'; DROP TABLE move; --",
    '" OR 1=1 --',
    "x') OR ('1'='1",
    "%",
    "_",
    "%%",
    "\\",
    "Yao%",
    "Ya_",
    "a\x00b",
    "\x00",
    "名" * 5000,
    "a" * 100_000,
]


# a query string longer than this is refused by the HTTP client itself
REST_HOSTILE = [t for t in HOSTILE if len(t) < 20_000] + ["a" * 8000]


async def counts(pool: asyncpg.Pool) -> dict[str, int]:
    return {
        t: await pool.fetchval(f"SELECT count(*) FROM {t}")
        for t in ("move", "researcher", "institution", "api_key")
    }


WILDCARDS = set("%_\\")


def clear_refusal_or_result(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code in (200, 400, 413, 414, 422), (r.status_code, r.text[:300])
    body: dict[str, Any] = r.json()
    return body


GQL = """query($s: String!) {
  researchers(filter: {search: $s}) { totalCount edges { node { name } } }
  institutions(filter: {search: $s}) { totalCount }
  search(query: $s, first: 5) { __typename }
}"""


async def test_graphql_search_inputs(
    client: httpx.AsyncClient, pool: asyncpg.Pool, seeded: Seeded
) -> None:
    before = await counts(pool)
    for text in HOSTILE:
        await graphql_search(client, text)
    assert await counts(pool) == before


async def graphql_search(client: httpx.AsyncClient, text: str) -> None:
    r = await client.post("/graphql", json={"query": GQL, "variables": {"s": text}})
    body = clear_refusal_or_result(r)
    if body.get("errors"):
        for err in body["errors"]:
            assert err.get("extensions", {}).get("code") not in (None, "INTERNAL_SERVER_ERROR")
    elif set(text) & WILDCARDS and any(c.isalnum() for c in text):
        # a wildcard is never a pattern: the answer is the one for the text without it
        plain = "".join(" " if c in WILDCARDS else c for c in text)
        r = await client.post("/graphql", json={"query": GQL, "variables": {"s": plain}})
        assert r.json()["data"] == body["data"]


async def test_rest_search_inputs(
    client: httpx.AsyncClient, pool: asyncpg.Pool, seeded: Seeded
) -> None:
    before = await counts(pool)
    for text in REST_HOSTILE:
        await rest_search(client, text)
    assert await counts(pool) == before


async def rest_search(client: httpx.AsyncClient, text: str) -> None:
    for path in ("/api/v1/researchers", "/api/v1/institutions", "/api/v1/job-postings"):
        r = await client.get(path, params={"search": text})
        body = clear_refusal_or_result(r)
        if r.status_code == 200 and set(text) & WILDCARDS and any(c.isalnum() for c in text):
            plain = "".join(" " if c in WILDCARDS else c for c in text)
            again = await client.get(path, params={"search": plain})
            assert again.json()["data"] == body["data"], (path, text)
    for param in ("institution", "country", "researcher", "from", "since"):
        r = await client.get("/api/v1/moves", params={param: text})
        clear_refusal_or_result(r)


async def test_wildcards_only_match_themselves(
    client: httpx.AsyncClient, pool: asyncpg.Pool, seeded: Seeded
) -> None:
    await pool.execute(
        "INSERT INTO researcher (display_name, search_text) VALUES "
        "('Ann 100% Sure', '100% sure'), ('Under_Score', 'under_score')"
    )
    # search splits names into tokens (punctuation separates them), so the wildcard never
    # reaches LIKE as a pattern: "under%core" looks for "under" and "core", not "under.*core"
    r = await client.get("/api/v1/researchers", params={"search": "100%"})
    assert [i["display_name"] for i in r.json()["data"]] == ["Ann 100% Sure"]
    r = await client.get("/api/v1/researchers", params={"search": "under_score"})
    assert [i["display_name"] for i in r.json()["data"]] == ["Under_Score"]
    # and the LIKE pattern built from a token escapes the wildcards
    for token, text, matches in [
        ("a_c", "abc", False),
        ("a_c", "xa_cx", True),
        ("1%", "100% sure", False),
        ("0%", "100% sure", True),
        ("a\\b", "a\\b", True),
        ("a\\b", "ab", False),
    ]:
        got = await pool.fetchval("SELECT $1 LIKE $2", text, like_pattern(token))
        assert got is matches, (token, text)


RAW_QUERIES = [
    b"search=%FF%FE",  # invalid UTF-8 once percent-decoded
    b"search=%C3%28",
    b"search=%00",
    b"search=%E2%82",  # a truncated sequence
    b"limit=%FF",
    b"cursor=%FF%00%27",
]


async def test_invalid_utf8_in_query_strings(
    client: httpx.AsyncClient, pool: asyncpg.Pool, seeded: Seeded
) -> None:
    before = await counts(pool)
    for raw in RAW_QUERIES:
        for path in ("/api/v1/researchers", "/api/v1/moves", "/api/v1/institutions"):
            r = await client.get(httpx.URL(path, query=raw))
            clear_refusal_or_result(r)
    r = await client.get(httpx.URL("/graphql", query=b"query=%FF%FE"))
    assert r.status_code in (200, 400), r.text
    assert await counts(pool) == before


BODIES = [
    b'{"query": "{ researchers(filter: {search: \\"\xff\xfe\\"}) { totalCount } }"}',
    b'{"query": "\xc3\x28"}',
    b"\xff\xfe\x00\x00",
    b'{"query": "{ __typename }", "variables": {"s": "\\u0000"}}',
    b'{"query": "query($s: String!) { researchers(filter: {search: $s}) { totalCount } }",'
    b' "variables": {"s": "\\ud800"}}',  # a lone surrogate
    b"",
    b"null",
    b"[]",
    b'{"query": 5}',
]


async def post_body(client: httpx.AsyncClient, raw: bytes) -> None:
    headers = {"content-type": "application/json"}
    r = await client.post("/graphql", content=raw, headers=headers)
    assert r.status_code in (200, 400, 415, 422), (raw, r.status_code, r.text[:300])
    r = await client.post("/api/v1/moves/1/confirm", content=raw, headers=headers)
    assert r.status_code in (400, 401, 415, 422), (raw, r.status_code, r.text[:300])


async def test_invalid_bodies(
    client: httpx.AsyncClient, pool: asyncpg.Pool, seeded: Seeded
) -> None:
    before = await counts(pool)
    for raw in BODIES:
        await post_body(client, raw)
    assert await counts(pool) == before
    r = await client.post("/graphql", json={"query": "{ __typename }"})
    assert r.status_code == 200


async def test_graphql_body_not_utf8_or_not_an_object_is_a_clear_400(
    client: httpx.AsyncClient,
) -> None:
    headers = {"content-type": "application/json"}
    for raw, says in [
        (b'{"query": "' + bytes([0xC3, 0x28]) + b'"}', "Unable to parse"),
        (bytes([0xFF, 0xFE, 0x00, 0x00]), "Unable to parse"),
        (b"null", "must be a JSON object"),
        (b"[1, 2]", "list of JSON objects"),
    ]:
        r = await client.post("/graphql", content=raw, headers=headers)
        assert r.status_code == 400, (raw, r.text)
        assert says in r.text, r.text


async def test_a_search_of_only_wildcards_matches_nothing(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    for term in ["%", "_", "\\", "%_%", "***"]:
        r = await client.get("/api/v1/researchers", params={"search": term})
        assert r.status_code == 200 and r.json()["data"] == [], term
        r = await client.get("/api/v1/institutions", params={"search": term})
        assert r.status_code == 200 and r.json()["data"] == [], term
    r = await client.get("/api/v1/researchers", params={"search": "Yao"})
    assert r.json()["data"], "a real search still finds people"
