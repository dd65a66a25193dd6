"""Schema-driven fuzzing with a small fixed budget: every REST operation from /openapi.json and
every GraphQL root field from the schema, with generated inputs; no 500s, and each response
conforms to its declared schema (status, content type, body, headers)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.testclient import TestClient

from service.api.graphql.schema import SCHEMA_FILE
from service.api.rest.openapi import build_openapi
from service.db.pool import create_pool
from service.db.urls import with_database
from tests.api.graphql.seed import seed
from tests.conftest import clone_database, drop_database

BUDGET = settings(
    max_examples=3,
    deadline=None,
    derandomize=True,  # the same examples every run: CI failures reproduce
    database=None,
    suppress_health_check=list(HealthCheck),
)

rest_schema = schemathesis.openapi.from_dict(build_openapi())
graphql_schema = schemathesis.graphql.from_file(SCHEMA_FILE.read_text(encoding="utf-8"))


async def _seed(url: str) -> None:
    pool = await create_pool(url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            await seed(conn)
    finally:
        await pool.close()


@pytest.fixture(scope="module")
def live(
    server_url: str,
    template_db: str,
    server_version: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestClient]:
    """One seeded database and one app for the whole module (the fuzzers only read, or are
    refused before writing), its lifespan running in the test client's loop."""
    from service.api.app import create_app
    from service.config import get_settings, load_settings

    name = clone_database(server_url, template_db, server_version)
    url = with_database(server_url, name)
    try:
        asyncio.run(_seed(url))
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DATABASE_URL", url)
            mp.setenv("TALENTFLOW_DATA_DIR", str(tmp_path_factory.mktemp("fuzz")))
            get_settings.cache_clear()
            app = create_app(load_settings())
            with TestClient(app, raise_server_exceptions=False) as client:
                yield client
            get_settings.cache_clear()
    finally:
        drop_database(server_url, name)


def send(client: TestClient, case: Case, base_url: str = "http://testserver") -> httpx.Response:
    kwargs: dict[str, Any] = case.as_transport_kwargs(base_url=base_url)
    kwargs.pop("timeout", None)
    kwargs.pop("verify", None)
    kwargs.pop("allow_redirects", None)
    method = kwargs.pop("method")
    url = kwargs.pop("url")
    return client.request(method, url, **kwargs)


@rest_schema.parametrize()
@BUDGET
def test_rest_operations(case: Case, live: TestClient) -> None:
    response = send(live, case)
    assert response.status_code < 500, (case.path, response.status_code, response.text[:500])
    # An opaque cursor can only be checked by the server: a random schema-valid string is a
    # 400 INVALID_CURSOR by design, so positive-data acceptance is not asserted here.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])


@graphql_schema.parametrize()
@BUDGET
def test_graphql_fields(case: Case, live: TestClient) -> None:
    response = send(live, case, "http://testserver/graphql")
    assert response.request.url.path == "/graphql"
    assert response.status_code < 500, (response.status_code, response.text[:500])
    body = response.json()
    for err in body.get("errors") or []:
        code = (err.get("extensions") or {}).get("code")
        assert code is not None and code != "INTERNAL_SERVER_ERROR", (case.body, err)
    # schemathesis' own GraphQL checks count every user error (an empty id, first: 0) as a
    # failure; the service's contract is that such errors carry a code, checked above.
    assert response.headers["content-type"].startswith("application/json")
    assert body.get("data") is not None or body.get("errors")
