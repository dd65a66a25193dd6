"""``/api/v1/moves``: filtered, paged, exportable; one move with its evidence; curation."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.api.graphql import flow_cache
from service.api.rest.endpoint import Call, Endpoint, connection
from service.api.rest.export import export_list
from service.api.rest.filters import MOVE_PARAMS, move_filter
from service.api.rest.params import PAGING_PARAMS, Param, json_body, paging
from service.api.rest.problems import FieldError, ValidationProblem
from service.api.rest.responses import dataclass_columns, json_response, page_response
from service.api.state import get_state
from service.db.queries import moves as q
from service.db.queries.evidence import documents_by_ids, evidence_by_move_ids
from service.db.queries.pagination import ListQuery, Ordering, row_factory
from service.db.stores import move_decisions
from service.errors import NotFound

ORDERS = tuple(o.value for o in q.MoveOrder)
LIST_PARAMS = (
    *MOVE_PARAMS,
    Param("order", "enum", "Sort order.", choices=ORDERS, default="DATE_DESC"),
)
ID_PARAM = Param("id", "int", "The move's id.", minimum=1)
COLUMNS = dataclass_columns(q.MoveRow)
_move = row_factory(q.MoveRow)


def path_id(request: Request, name: str = "id") -> int:
    raw = str(request.path_params[name])
    if not raw.isdigit() or len(raw) > 18 or int(raw) < 1:
        raise ValidationProblem(
            [FieldError(name, f"expected a positive integer, got {raw!r}", "path")]
        )
    return int(raw)


async def list_moves(request: Request, call: Call) -> Response:
    order = q.MoveOrder(call.args["order"])
    if call.format == "csv":

        async def build(conn: asyncpg.Connection) -> tuple[ListQuery, Ordering]:
            flt = await move_filter(conn, call.args)
            return q.build_query(flt), q.ordering(order)

        return await export_list(request, build, COLUMNS, "moves")
    page_args = paging(request)
    async with connection(request) as conn:
        flt = await move_filter(conn, call.args)
        page = await q.list_moves(conn, flt, order, page_args)
    return page_response(request, page.items, page.end_cursor if page.has_next else None)


async def move_detail(conn: asyncpg.Connection, move_id: int) -> dict[str, Any] | None:
    found = await q.moves_by_ids(conn, [move_id])
    move = found.get(move_id)
    if move is None:
        return None
    evidence = (await evidence_by_move_ids(conn, [move_id])).get(move_id, [])
    documents = await documents_by_ids(conn, sorted({e.document_id for e in evidence}))
    data: dict[str, Any] = orjson.loads(orjson.dumps(move))
    data["evidence"] = [
        {**orjson.loads(orjson.dumps(e)), "document": documents.get(e.document_id)}
        for e in evidence
    ]
    return data


async def get_move(request: Request, call: Call) -> Response:
    move_id = path_id(request)
    async with connection(request) as conn:
        data = await move_detail(conn, move_id)
    if data is None:
        raise NotFound(f"no move with id {move_id}")
    return json_response(request, {"data": data})


def _note(body: dict[str, Any]) -> str | None:
    note = body.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > 2000):
        raise ValidationProblem(
            [FieldError("note", "expected a string of at most 2000 characters", "body")]
        )
    unknown = sorted(set(body) - {"note"})
    if unknown:
        raise ValidationProblem([FieldError(n, "unknown field", "body") for n in unknown])
    return note


async def confirm_move(request: Request, call: Call) -> Response:
    move_id = path_id(request)
    note = _note(await json_body(request))
    assert call.key is not None
    async with connection(request) as conn:
        await move_decisions.confirm_move(
            conn, move_id, actor=f"api_key:{call.key.id}:{call.key.name}", note=note
        )
        flow_cache.invalidate(get_state(request))  # a status change moves the flows
        data = await move_detail(conn, move_id)
    return json_response(request, {"data": data})


async def retract_move(request: Request, call: Call) -> Response:
    move_id = path_id(request)
    note = _note(await json_body(request))
    assert call.key is not None
    async with connection(request) as conn:
        await move_decisions.retract_move(
            conn, move_id, actor=f"api_key:{call.key.id}:{call.key.name}", note=note
        )
        flow_cache.invalidate(get_state(request))  # a status change moves the flows
        data = await move_detail(conn, move_id)
    return json_response(request, {"data": data})


endpoints = [
    Endpoint(
        "/moves",
        list_moves,
        "List moves",
        "MoveRow",
        tag="moves",
        description="Moves matching every filter given, newest first by default. "
        "`?format=csv` (or `Accept: text/csv`) streams all matching moves, ignoring `limit`.",
        params=(*LIST_PARAMS, *PAGING_PARAMS),
        paged=True,
        csv=True,
    ),
    Endpoint(
        "/moves/{id}",
        get_move,
        "Get a move with its evidence",
        "MoveDetail",
        tag="moves",
        path_params=(ID_PARAM,),
        extra_statuses=(404,),
    ),
    Endpoint(
        "/moves/{id}/confirm",
        confirm_move,
        "Confirm a move",
        "MoveDetail",
        method="POST",
        tag="curation",
        description="Mark a move as confirmed by a curator. Needs the `curate` scope.",
        path_params=(ID_PARAM,),
        scope="curate",
        body="CurationNote",
        extra_statuses=(404, 409, 413, 415),
    ),
    Endpoint(
        "/moves/{id}/retract",
        retract_move,
        "Retract a move",
        "MoveDetail",
        method="POST",
        tag="curation",
        description="Retract a move (it leaves lists and flows). Needs the `curate` scope.",
        path_params=(ID_PARAM,),
        scope="curate",
        body="CurationNote",
        extra_statuses=(404, 413, 415),
    ),
]
