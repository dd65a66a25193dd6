"""The OpenAPI 3.1 document: valid, served, covering every route, matching the responses, and
exported to schema/openapi.json without drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from openapi_spec_validator import validate

from service.api.rest import ENDPOINTS
from service.api.rest.openapi import build_openapi, render_openapi
from tests.api.rest.conftest import Data

ROOT = Path(__file__).resolve().parents[3]


def test_document_is_valid_openapi_3_1() -> None:
    doc = build_openapi()
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_exported_file_matches_the_code() -> None:
    path = ROOT / "schema" / "openapi.json"
    assert path.read_text("utf-8") == render_openapi(), (
        "schema/openapi.json is out of date: run `talentflow schema export`"
    )


def test_every_endpoint_is_documented_with_its_parameters() -> None:
    paths = build_openapi()["paths"]
    for ep in ENDPOINTS:
        op = paths["/api/v1" + ep.path][ep.method.lower()]
        documented = {p["name"] for p in op["parameters"]}
        assert {p.name for p in ep.params} <= documented
        assert "400" in op["responses"] and "503" in op["responses"]
        if ep.scope:
            assert op["security"] == [{"bearer": [ep.scope]}]
            assert {"401", "403"} <= set(op["responses"])
    moves = paths["/api/v1/moves"]["get"]
    assert "text/csv" in moves["responses"]["200"]["content"]
    assert "Link" in moves["responses"]["200"]["headers"]


@pytest.fixture
def client(read_client: httpx.AsyncClient, data: Data) -> httpx.AsyncClient:
    return read_client


async def test_served_and_responses_match_the_schemas(
    client: httpx.AsyncClient, data: Data
) -> None:
    r = await client.get("/openapi.json")
    assert r.status_code == 200
    doc: dict[str, Any] = r.json()
    assert doc == json.loads(render_openapi())
    checks = [
        ("/moves", "get", {}),
        (f"/moves/{data.moves['bo_openai_tencent']}", "get", None),
        ("/researchers", "get", {}),
        (f"/researchers/{data.bo}", "get", None),
        ("/institutions", "get", {}),
        ("/institutions/alphabet", "get", None),
        ("/flows", "get", {"period": "ALL"}),
        ("/net-flows", "get", {}),
        ("/job-postings", "get", {}),
        ("/hiring-signals", "get", {"level": "COUNTRY", "period": "YEAR"}),
        ("/ingest-runs", "get", {}),
    ]
    for path, method, params in checks:
        template = path
        for ep in ENDPOINTS:
            if (
                "{" in ep.path
                and path.startswith(ep.path.split("{")[0])
                and path.count("/") == ep.path.count("/")
            ):
                template = ep.path
        schema = doc["paths"]["/api/v1" + template][method]["responses"]["200"]["content"][
            "application/json"
        ]["schema"]
        body = (await client.get("/api/v1" + path, params=params or {})).json()
        jsonschema.validate(
            body,
            {**schema, "components": doc["components"]},
            cls=jsonschema.Draft202012Validator,
        )
