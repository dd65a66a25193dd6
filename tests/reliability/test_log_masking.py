"""Keys and query texts stay out of logs: parameter values are masked except an allow-list
(``k``, ``bearer``, GraphQL GET ``variables`` included), a GraphQL query is logged as its hash,
and GraphQL error logs name the code and the hash, never the query."""

from __future__ import annotations

import logging

import httpx
import pytest

from service.api.middleware import query_hash, redact_query

SECRET = "tfk_live_SECRET0123456789"


def logged_text(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        if record.name.startswith(("httpx", "httpcore")):
            continue  # the test's own client
        parts.append(record.getMessage())
        parts.extend(str(v) for v in vars(record).values())
        if record.exc_text:
            parts.append(record.exc_text)
    return "\n".join(parts)


def test_redaction_masks_every_value_outside_the_allow_list() -> None:
    out = redact_query(f"k={SECRET}&bearer={SECRET}&search=Ada&limit=5&query={{a}}&variables=x")
    assert SECRET not in out and "Ada" not in out
    assert "limit=5" in out and f"query={query_hash('{a}')}".replace(":", "%3A") in out
    assert "k=%2A%2A%2A" in out and "variables=%2A%2A%2A" in out


async def test_keys_in_query_parameters_are_not_logged(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await client.get("/api/v1/researchers", params={"k": SECRET, "limit": 1})
    await client.get("/api/v1/moves", params={"bearer": SECRET})
    await client.get(
        "/graphql",
        params={
            "query": "query($t: String) { researchers(filter: {search: $t}) { totalCount } }",
            "variables": f'{{"t": "{SECRET}"}}',
        },
    )
    text = logged_text(caplog)
    assert SECRET not in text
    assert "limit=1" in text  # allow-listed values are still there


async def test_graphql_errors_log_a_hash_not_the_query(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    bad = f'{{ researcher(id: "{SECRET}") {{ name }} }}'  # INVALID_ID
    unknown = f'{{ nothere(x: "{SECRET}") }}'  # validation error
    for query in (bad, unknown):
        for headers in ({}, {"accept": "application/graphql-response+json"}):
            r = await client.post("/graphql", json={"query": query}, headers=headers)
            assert r.json().get("errors")
    text = logged_text(caplog)
    assert SECRET not in text
    assert query_hash(bad) in text and query_hash(unknown) in text
