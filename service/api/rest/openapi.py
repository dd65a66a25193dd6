"""The OpenAPI 3.1 document, built from the endpoint declarations and the query layer's row types.

Row schemas come from the row dataclasses the endpoints serialise (through pydantic's
``TypeAdapter``), so a column added to a query shows up in the contract. ``render_openapi()``
gives the text exported to ``schema/openapi.json``; a test fails when the file drifts.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

from service import __version__
from service.api.rest.endpoint import PREFIX, Endpoint
from service.db.queries.affiliations import AffiliationRow
from service.db.queries.evidence import DocumentRow, EvidenceRow
from service.db.queries.hiring import HiringSignalRow
from service.db.queries.ingest_runs import IngestRunRow
from service.db.queries.institutions import InstitutionRow
from service.db.queries.job_postings import JobPostingRow
from service.db.queries.moves import MoveRow
from service.db.queries.researchers import ResearcherRow

ROWS: tuple[type, ...] = (
    MoveRow,
    ResearcherRow,
    InstitutionRow,
    JobPostingRow,
    IngestRunRow,
    EvidenceRow,
    DocumentRow,
    AffiliationRow,
    HiringSignalRow,
)

STATUS_TEXT = {
    200: "OK",
    202: "Accepted",
    304: "Not modified: the ETag in If-None-Match is current",
    400: "Invalid parameters (problem details with errors[])",
    401: "Missing or invalid API key",
    403: "The API key lacks the needed scope",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable: ask for application/json or text/csv",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type: send application/json",
    429: "Too many requests (see Retry-After)",
    500: "Internal error",
    503: "Database unavailable (see Retry-After)",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _row_schema(cls: type) -> dict[str, Any]:
    schema: dict[str, Any] = TypeAdapter(cls).json_schema(
        ref_template="#/components/schemas/{model}"
    )
    schema.pop("title", None)
    return schema


def _components() -> dict[str, Any]:
    schemas: dict[str, Any] = {cls.__name__: _row_schema(cls) for cls in ROWS}
    nullable_str = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    schemas.update(
        {
            "FieldError": {
                "type": "object",
                "required": ["name", "in", "detail"],
                "properties": {
                    "name": {"type": "string", "description": "The parameter or body field."},
                    "in": {"type": "string", "enum": ["query", "path", "body", "header"]},
                    "detail": {"type": "string"},
                },
            },
            "Problem": {
                "type": "object",
                "description": "RFC 9457 problem details.",
                "required": ["type", "title", "status", "detail", "code"],
                "properties": {
                    "type": {"type": "string", "format": "uri"},
                    "title": {"type": "string"},
                    "status": {"type": "integer"},
                    "detail": {"type": "string"},
                    "instance": {"type": "string"},
                    "code": {"type": "string", "description": "Stable machine-readable code."},
                    "errors": {"type": "array", "items": _ref("FieldError")},
                },
            },
            "EvidenceWithDocument": {
                "allOf": [
                    _ref("EvidenceRow"),
                    {
                        "type": "object",
                        "properties": {
                            "document": {"anyOf": [_ref("DocumentRow"), {"type": "null"}]}
                        },
                    },
                ]
            },
            "MoveDetail": {
                "allOf": [
                    _ref("MoveRow"),
                    {
                        "type": "object",
                        "required": ["evidence"],
                        "properties": {
                            "evidence": {"type": "array", "items": _ref("EvidenceWithDocument")}
                        },
                    },
                ]
            },
            "ResearcherDetail": {
                "allOf": [
                    _ref("ResearcherRow"),
                    {
                        "type": "object",
                        "properties": {
                            "aliases": {"type": "array", "items": {"type": "string"}},
                            "external_ids": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                            "affiliations": {
                                "type": "array",
                                "items": {
                                    "allOf": [
                                        _ref("AffiliationRow"),
                                        {
                                            "type": "object",
                                            "properties": {"current": {"type": "boolean"}},
                                        },
                                    ]
                                },
                            },
                            "moves": {"type": "array", "items": _ref("MoveRow")},
                        },
                    },
                ]
            },
            "InstitutionDetail": {
                "allOf": [
                    _ref("InstitutionRow"),
                    {
                        "type": "object",
                        "properties": {
                            "aliases": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "alias": {"type": "string"},
                                        "lang": nullable_str,
                                    },
                                },
                            },
                            "external_ids": {
                                "type": "object",
                                "additionalProperties": {"type": "string"},
                            },
                            "children": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "id": {"type": "integer"},
                                        "slug": {"type": "string"},
                                        "name": {"type": "string"},
                                    },
                                },
                            },
                        },
                    },
                ]
            },
            "Flows": _aggregate(
                {
                    "origin": {"type": ["string", "integer", "null"]},
                    "destination": {"type": ["string", "integer", "null"]},
                    "period": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                    "count": {"type": "integer"},
                    "small": {
                        "type": "boolean",
                        "description": "Below the small-number threshold: read with caution.",
                    },
                    "citations": {
                        "type": "integer",
                        "description": "With weight=CITATIONS only: the movers' citation "
                        "counts summed.",
                    },
                }
            ),
            "NetFlows": _aggregate(
                {
                    "entity": {"type": ["string", "integer"]},
                    "period": {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}]},
                    "inflow": {"type": "integer"},
                    "outflow": {"type": "integer"},
                    "net": {"type": "integer"},
                    "population": {"type": ["integer", "null"]},
                    "in_rate": {"type": ["number", "null"]},
                    "out_rate": {"type": ["number", "null"]},
                    "net_rate": {"type": ["number", "null"]},
                    "small": {
                        "type": "boolean",
                        "description": "Few moves, or a small or unknown population.",
                    },
                }
            ),
            "Populations": _aggregate(
                {
                    "entity": {"type": ["string", "integer"]},
                    "year": {"type": "integer"},
                    "population": {"type": "integer"},
                    "small": {"type": "boolean"},
                }
            ),
            "Pipeline": {
                "type": "object",
                "properties": {
                    "data": {
                        "type": "object",
                        "properties": {
                            "year": {"type": "integer"},
                            "total": {"type": "integer"},
                            **{
                                stage: {"type": "array", "items": _ref("CountryShare")}
                                for stage in ("undergraduate", "doctorate", "current")
                            },
                        },
                    }
                },
            },
            "CountryShare": {
                "type": "object",
                "properties": {
                    "country": {"type": ["string", "null"]},
                    "count": {"type": "integer"},
                    "share": {"type": "number"},
                },
            },
            "StayRates": {
                "type": "object",
                "properties": {
                    "data": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "country": {"type": "string"},
                                "years_after": {"type": "integer"},
                                "graduates": {"type": "integer"},
                                "stayed": {"type": "integer"},
                                "rate": {"type": ["number", "null"]},
                            },
                        },
                    }
                },
            },
            "BaselineRates": {
                "type": "object",
                "properties": {
                    "data": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "series": {"type": "string"},
                                "country_code": {"type": "string"},
                                "year": {"type": "integer"},
                                "population": {"type": ["integer", "null"]},
                                "in_migrations": {"type": ["integer", "null"]},
                                "out_migrations": {"type": ["integer", "null"]},
                                "in_rate": {"type": ["number", "null"]},
                                "out_rate": {"type": ["number", "null"]},
                                "net_rate": {"type": ["number", "null"]},
                                "license": {"type": "string"},
                                "attribution": {"type": "string"},
                            },
                        },
                    }
                },
            },
            "HiringSignals": {
                "type": "object",
                "properties": {
                    "level": {"type": "string"},
                    "period": {"type": "string"},
                    "data": {"type": "array", "items": _ref("HiringSignalRow")},
                },
            },
            "SplitResearcher": {
                "type": "object",
                "additionalProperties": False,
                "required": ["documents"],
                "properties": {
                    "documents": {
                        "type": "array",
                        "minItems": 1,
                        "items": {"type": "string"},
                        "description": "URLs of the documents whose sightings make the other "
                        "person.",
                    }
                },
            },
            "CurationNote": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"note": {"type": "string", "maxLength": 2000}},
            },
            "StartRun": {
                "type": "object",
                "additionalProperties": False,
                "required": ["plugin"],
                "properties": {
                    "plugin": {"type": "string", "description": "The ingester's name."},
                    "instance": {
                        "type": "string",
                        "description": "The instance (state, lock); default: the plugin name.",
                    },
                    "config": {"type": "object", "description": "The ingester's config."},
                },
            },
            "QueuedRun": {
                "type": "object",
                "properties": {
                    "job_id": {"type": "integer"},
                    "plugin": {"type": "string"},
                    "instance": {"type": "string"},
                    "status": {"const": "queued"},
                    "workers": {
                        "type": "integer",
                        "description": "Queue workers listening (a heartbeat in the last 30 s).",
                    },
                    "warning": {
                        "type": "string",
                        "description": "Present when no worker is listening: the run waits.",
                    },
                },
            },
        }
    )
    return schemas


def _aggregate(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "level": {"type": "string"},
            "period": {"type": "string"},
            "data": {"type": "array", "items": {"type": "object", "properties": item}},
        },
    }


def _problem(status: int) -> dict[str, Any]:
    return {
        "description": STATUS_TEXT[status],
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }


def _operation(ep: Endpoint) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {
            "name": p.name,
            "in": "path",
            "required": True,
            "description": p.description,
            "schema": p.schema(),
        }
        for p in ep.path_params
    ]
    for p in ep.params:
        param: dict[str, Any] = {
            "name": p.name,
            "in": "query",
            "required": False,
            "description": p.description + (" Repeat or comma-separate." if p.many else ""),
            "schema": p.schema(),
        }
        if p.many:
            param["explode"] = True
        parameters.append(param)
    if ep.csv:
        parameters.append(
            {
                "name": "format",
                "in": "query",
                "required": False,
                "description": "csv streams every matching row (or send Accept: text/csv).",
                "schema": {"type": "string", "enum": ["json", "csv"]},
            }
        )
    if ep.paged:
        schema: dict[str, Any] = {
            "type": "object",
            "required": ["data", "next_cursor"],
            "properties": {
                "data": {"type": "array", "items": _ref(ep.response)},
                "next_cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
        }
    elif ep.response in (
        "Flows",
        "NetFlows",
        "HiringSignals",
        "Populations",
        "BaselineRates",
        "Pipeline",
        "StayRates",
    ):
        schema = _ref(ep.response)
    else:
        schema = {"type": "object", "required": ["data"], "properties": {"data": _ref(ep.response)}}
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if ep.csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    headers: dict[str, Any] = {}
    if ep.method == "GET":
        headers["ETag"] = {
            "description": "Weak validator of the body.",
            "schema": {"type": "string"},
        }
    if ep.paged:
        headers["Link"] = {
            "description": 'The next page: `<url>; rel="next"` while there is more.',
            "schema": {"type": "string"},
        }
    ok: dict[str, Any] = {"description": STATUS_TEXT[ep.status], "content": content}
    if headers:
        ok["headers"] = headers
    responses: dict[str, Any] = {str(ep.status): ok}
    if ep.method == "GET":
        responses["304"] = {"description": STATUS_TEXT[304]}
    statuses = {400, 406, 429, 500, 503, *ep.extra_statuses}
    if ep.scope:
        statuses |= {401, 403}
    for status in sorted(statuses):
        responses[str(status)] = _problem(status)
    op: dict[str, Any] = {
        "operationId": ep.operation_id,
        "summary": ep.summary,
        "tags": [ep.tag] if ep.tag else [],
        "parameters": parameters,
        "responses": responses,
    }
    if ep.description:
        op["description"] = ep.description
    if ep.body:
        op["requestBody"] = {
            "required": ep.body == "StartRun",
            "content": {"application/json": {"schema": _ref(ep.body)}},
        }
    if ep.scope:
        op["security"] = [{"bearer": [ep.scope]}]
        op["description"] = op.get("description", "") + f" Scope: `{ep.scope}`."
    return op


@cache
def build_openapi() -> dict[str, Any]:
    from service.api.rest import ENDPOINTS

    paths: dict[str, Any] = {}
    for ep in ENDPOINTS:
        paths.setdefault(PREFIX + ep.path, {})[ep.method.lower()] = _operation(ep)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Talentflow REST API",
            "version": __version__,
            "description": "Where AI researchers work and when they move, with the evidence "
            "for every move. Lists are cursor-paged (`limit` ≤ 100, `cursor`, `Link` headers) "
            "and export as streaming CSV (`?format=csv`). Errors are RFC 9457 problem details.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API key from `talentflow keys create`.",
                }
            },
        },
    }


def render_openapi() -> str:
    return json.dumps(build_openapi(), indent=2, ensure_ascii=False) + "\n"


async def openapi_endpoint(request: Request) -> Response:
    from service.api.rest.responses import json_response

    return json_response(request, build_openapi())
