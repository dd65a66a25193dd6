"""Bad input is a client error, never an internal one: NUL bytes in any string (arguments,
variables, mutation inputs, REST parameters and bodies), cursors holding huge integers, and
global ids beyond bigint. Also the security headers and host-independent links."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.api.graphql.seed import Seeded

STRAWBERRY = {"accept": "application/graphql-response+json"}
CLIENT_CODES = {"BAD_USER_INPUT", "VALIDATION_FAILED", "INVALID_CURSOR", "INVALID_ID"}
NUL = "a\x00b"

DOCUMENTS = {
    "topic": ("query($v: String!) { moves(filter: {topic: [$v]}) { totalCount } }", {}),
    "plugin": ("query($v: String) { ingestRuns(plugin: $v) { totalCount } }", {}),
    "slug": ("query($v: String) { institution(slug: $v) { name } }", {}),
    "ror": ("query($v: String) { institution(ror: $v) { name } }", {}),
    "orcid": ("query($v: String) { researcher(orcid: $v) { name } }", {}),
    "openalexId": ("query($v: String) { researcher(openalexId: $v) { name } }", {}),
    "search": ("query($v: String) { researchers(filter: {search: $v}) { totalCount } }", {}),
    "mutation": (
        "mutation($v: String!) { upsertInstitution(input: {name: $v, kind: LAB}) { __typename } }",
        {},
    ),
}


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code", "") for e in body.get("errors", [])]


@pytest.mark.parametrize("name", list(DOCUMENTS))
async def test_nul_bytes_are_bad_input_on_both_paths(
    client: httpx.AsyncClient, seeded: Seeded, name: str
) -> None:
    query, _ = DOCUMENTS[name]
    literal = query.replace("$v", json.dumps(NUL)).split(")", 1)[1].lstrip()
    for body in ({"query": query, "variables": {"v": NUL}}, {"query": literal}):
        for headers in ({}, STRAWBERRY):
            r = await client.post("/graphql", json=body, headers=headers)
            assert r.status_code in (200, 400), r.text
            got = codes(r.json())
            assert got == ["BAD_USER_INPUT"], (name, body, got)
            assert "NUL" in r.json()["errors"][0]["message"]


async def test_nul_bytes_in_rest(client: httpx.AsyncClient, seeded: Seeded) -> None:
    for path, param in (
        ("/api/v1/moves", "topic"),
        ("/api/v1/moves", "source"),
        ("/api/v1/researchers", "search"),
        ("/api/v1/ingest-runs", "plugin"),
        ("/api/v1/institutions/a%00b", None),
    ):
        r = await client.get(path, params={param: NUL} if param else {})
        assert r.status_code in (400, 404), (path, r.status_code, r.text)
    r = await client.post(
        "/api/v1/moves/1/confirm",
        content=json.dumps({"note": NUL}),
        headers={"content-type": "application/json"},
    )
    assert r.status_code in (400, 401), r.text


async def test_huge_integers_in_cursors_and_ids(client: httpx.AsyncClient, seeded: Seeded) -> None:
    r = await client.get("/api/v1/moves", params={"limit": 1})
    cursor = r.json()["next_cursor"]
    raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    huge = [v if not isinstance(v, int) else 99999999999999999999 for v in raw]
    forged = base64.urlsafe_b64encode(json.dumps(huge).encode()).decode().rstrip("=")
    r = await client.get("/api/v1/moves", params={"limit": 1, "cursor": forged})
    assert r.status_code == 400 and r.json()["code"] == "INVALID_CURSOR", r.text
    for headers in ({}, STRAWBERRY):
        r = await client.post(
            "/graphql",
            json={"query": f'{{ moves(first: 1, after: "{forged}") {{ totalCount }} }}'},
            headers=headers,
        )
        assert set(codes(r.json())) <= CLIENT_CODES and codes(r.json()), r.text
        gid = base64.b64encode(b"Researcher:99999999999999999999").decode()
        for query in (
            f'{{ researcher(id: "{gid}") {{ name }} }}',
            f'{{ node(id: "{gid}") {{ id }} }}',
            f'{{ moves(filter: {{researcher: "{gid}"}}) {{ totalCount }} }}',
        ):
            r = await client.post("/graphql", json={"query": query}, headers=headers)
            body = r.json()
            assert "INTERNAL_SERVER_ERROR" not in codes(body), (query, body)
            assert body.get("errors") is None or set(codes(body)) <= CLIENT_CODES, body


async def test_security_headers_and_links_ignore_the_host(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    for path in ("/", "/graphql", "/api/v1/moves"):
        headers = {"accept": "text/html"} if path != "/api/v1/moves" else {}
        r = await client.get(path, headers=headers)
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
        csp = r.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    r = await client.get("/api/v1/moves", params={"limit": 1}, headers={"host": "evil.example"})
    assert r.status_code == 200
    link = r.headers["link"]
    assert "evil.example" not in link and link.startswith("</api/v1/moves?"), link


async def test_a_public_base_url_names_the_only_host_answered(
    settings_env: str, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a public URL and no explicit trusted hosts, a forged Host is refused (400), the
    public host and the loopback names are answered, and links carry the public URL."""
    from service.api.app import create_app
    from service.config import load_settings

    monkeypatch.setenv("TALENTFLOW_PUBLIC_BASE_URL", "https://talent.example.org/")
    app = create_app(load_settings())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            for host in ("evil.example", "testserver", "talent.example.org.evil.example"):
                r = await c.get("/healthz", headers={"host": host})
                assert r.status_code == 400, host
            for host in ("talent.example.org", "localhost", "127.0.0.1"):
                r = await c.get("/healthz", headers={"host": host})
                assert r.status_code == 200, host
            r = await c.get(
                "/api/v1/moves", params={"limit": 1}, headers={"host": "talent.example.org"}
            )
            link = r.headers["link"]
            assert link.startswith("<https://talent.example.org/api/v1/moves?"), link


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("talent.example.org", "not an http(s) URL"),
        ("javascript:alert(1)", "not an http(s) URL"),
        ("https://talent.example.org/?next=evil", "query or a fragment"),
    ],
)
def test_a_bad_public_base_url_is_refused_by_name(value: str, fragment: str) -> None:
    from service.config import load_settings
    from service.errors import ConfigError

    with pytest.raises(ConfigError) as info:
        load_settings(database_url=None, public_base_url=value)
    assert "TALENTFLOW_PUBLIC_BASE_URL" in info.value.message
    assert fragment in info.value.message


def test_trusted_hosts_when_set_win_over_the_public_url() -> None:
    from service.config import load_settings

    s = load_settings(
        database_url=None,
        public_base_url="https://talent.example.org",
        trusted_hosts="api.example.org, *.example.net",
    )
    assert s.allowed_hosts() == ["api.example.org", "*.example.net"]
    assert load_settings(database_url=None).allowed_hosts() == ["*"]
