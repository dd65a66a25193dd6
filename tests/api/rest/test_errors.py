"""Problem details (RFC 9457) for every error status the API sends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.api.rest.conftest import Data, make_settings

API = "/api/v1"


def problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].startswith("https://")
    assert body["title"] and body["detail"]
    assert r.headers.get("x-request-id")
    return body


@pytest.fixture
def client(read_client: httpx.AsyncClient, data: Data) -> httpx.AsyncClient:
    return read_client


async def test_400_names_each_bad_parameter(client: httpx.AsyncClient) -> None:
    r = await client.get(
        API + "/moves",
        params={"to_country": "China", "min_confidence": "2", "date_from": "May", "colour": "red"},
    )
    body = problem(r, 400, "VALIDATION_FAILED")
    assert body["instance"] == API + "/moves"
    names = {e["name"] for e in body["errors"]}
    assert names == {"to_country", "min_confidence", "date_from", "colour"}
    assert all(e["in"] == "query" for e in body["errors"])


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("/moves", {"limit": "101"}, "limit"),
        ("/moves", {"limit": "zero"}, "limit"),
        ("/moves", {"cursor": "not-a-cursor"}, "cursor"),
        ("/moves", {"kind": "sideways"}, "kind"),
        ("/moves", {"order": "RANDOM"}, "order"),
        ("/moves", {"to_institution": "no-such-lab"}, "to_institution"),
        ("/moves", {"date_from": "2025", "date_to": "2024"}, "date_from"),
        ("/moves", {"provisional": "maybe"}, "provisional"),
        ("/moves", {"format": "xml"}, "format"),
        ("/flows", {"level": "planet"}, "level"),
        ("/institutions", {"kind": "castle"}, "kind"),
        ("/researchers", {"has_moved_since": "yesterday"}, "has_moved_since"),
        ("/ingest-runs", {"status": "exploded"}, "status"),
        ("/job-postings", {"remote": "sometimes"}, "remote"),
    ],
)
async def test_400_for_bad_values(
    client: httpx.AsyncClient, path: str, params: dict[str, str], name: str
) -> None:
    r = await client.get(API + path, params=params)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert name in {e["name"] for e in r.json()["errors"]}


async def test_cursor_from_another_ordering_is_refused(client: httpx.AsyncClient) -> None:
    r = await client.get(API + "/moves", params={"limit": 1, "order": "CONFIDENCE_DESC"})
    cursor = r.json()["next_cursor"]
    r = await client.get(API + "/moves", params={"limit": 1, "cursor": cursor})
    body = problem(r, 400, "INVALID_CURSOR")
    assert body["errors"][0]["name"] == "cursor"


async def test_404_405_406(client: httpx.AsyncClient) -> None:
    problem(await client.get(API + "/nothing-here"), 404, "NOT_FOUND")
    problem(await client.get(API + "/moves/99999999"), 404, "NOT_FOUND")
    r = await client.delete(API + "/moves")
    problem(r, 405, "METHOD_NOT_ALLOWED")
    assert "GET" in r.headers["allow"]
    problem(
        await client.get(API + "/moves", headers={"Accept": "application/xml"}),
        406,
        "NOT_ACCEPTABLE",
    )
    r = await client.get(API + "/moves/1", headers={"Accept": "text/csv"})
    problem(r, 406, "NOT_ACCEPTABLE")
    r = await client.get(API + "/moves", headers={"Accept": "text/csv;q=0.5, application/json"})
    assert r.headers["content-type"] == "application/json"


async def test_401_and_403(client: httpx.AsyncClient, keys: dict[str, str], data: Data) -> None:
    url = f"{API}/moves/{data.moves['bo_openai_tencent']}/confirm"
    r = await client.post(url)
    problem(r, 401, "UNAUTHENTICATED")
    assert r.headers["www-authenticate"].startswith("Bearer")
    r = await client.post(url, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    problem(r, 401, "UNAUTHENTICATED")
    r = await client.post(url, headers={"Authorization": "Bearer tf_deadbeef_wrong"})
    problem(r, 401, "UNAUTHENTICATED")
    assert 'error="invalid_token"' in r.headers["www-authenticate"]
    r = await client.post(url, headers={"Authorization": f"Bearer {keys['read']}"})
    problem(r, 403, "FORBIDDEN")
    assert 'scope="curate"' in r.headers["www-authenticate"]
    r = await client.post(
        API + "/ingest-runs", headers={"Authorization": f"Bearer {keys['curate']}"}
    )
    problem(r, 403, "FORBIDDEN")


@pytest_asyncio.fixture(scope="module")
async def keys(read_db_url: str) -> dict[str, str]:
    from service.db.pool import create_pool
    from service.db.stores.api_keys import create_key

    pool = await create_pool(read_db_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            return {s: (await create_key(conn, f"k-{s}", [s]))[1] for s in ("read", "curate")}
    finally:
        await pool.close()


async def test_413_and_415(client: httpx.AsyncClient, keys: dict[str, str], data: Data) -> None:
    url = f"{API}/moves/{data.moves['bo_openai_tencent']}/confirm"
    auth = {"Authorization": f"Bearer {keys['curate']}"}
    r = await client.post(url, content=b"x" * 2_000_000, headers=auth)
    problem(r, 413, "PAYLOAD_TOO_LARGE")

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted while read
        for _ in range(40):
            yield b"y" * 50_000

    r = await client.post(url, content=chunks(), headers=auth)
    problem(r, 413, "PAYLOAD_TOO_LARGE")
    r = await client.post(url, content=b"note=hi", headers={**auth, "Content-Type": "text/plain"})
    problem(r, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_429_with_retry_after(read_db_url: str, data: Data, tmp_path: Path) -> None:
    from service.api.app import create_app

    app = create_app(
        make_settings(read_db_url, tmp_path, rate_limit_per_minute=3), database_url=read_db_url
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            codes = [(await c.get(API + "/institutions")).status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            r = await c.get(API + "/institutions")
            problem(r, 429, "RATE_LIMITED")
            assert int(r.headers["retry-after"]) >= 1
            assert (await c.get("/healthz")).status_code == 200  # probes are not limited


async def test_graphql_shares_the_rest_rate_limit(
    read_db_url: str, data: Data, tmp_path: Path
) -> None:
    """One policy and one budget per client, whichever API (and GraphQL executor) it uses."""
    from service.api.app import create_app

    app = create_app(
        make_settings(read_db_url, tmp_path, rate_limit_per_minute=3), database_url=read_db_url
    )
    query = {"query": "{ institutions(first: 1) { totalCount } }"}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            assert (await c.get(API + "/institutions")).status_code == 200
            assert (await c.post("/graphql", json=query)).status_code == 200  # fast path
            strawberry = {"accept": "application/graphql-response+json"}
            assert (await c.post("/graphql", json=query, headers=strawberry)).status_code == 200
            r = await c.post("/graphql", json=query)
            assert r.status_code == 429
            assert r.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
            assert int(r.headers["retry-after"]) >= 1
            problem(await c.get(API + "/institutions"), 429, "RATE_LIMITED")


async def test_500_hides_internals(
    read_db_url: str, data: Data, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.api.app import create_app
    from service.db.queries import moves

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals: SELECT * FROM api_key")

    monkeypatch.setattr(moves, "list_moves", broken)
    app = create_app(make_settings(read_db_url, tmp_path), database_url=read_db_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            r = await c.get(API + "/moves", headers={"X-Request-ID": "req-500"})
    body = problem(r, 500, "INTERNAL")
    assert "secret" not in r.text and "SELECT" not in r.text
    assert r.headers["x-request-id"] == "req-500"
    assert body["detail"] == "internal error"
