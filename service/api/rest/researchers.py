"""``/api/v1/researchers``: search and list researchers; one researcher with history and moves."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.api.graphql import flow_cache
from service.api.rest.endpoint import PREFIX, Call, Endpoint, connection
from service.api.rest.export import export_list
from service.api.rest.filters import institution_ref
from service.api.rest.moves import path_id
from service.api.rest.params import PAGING_PARAMS, Param, json_body, paging
from service.api.rest.problems import FieldError, ValidationProblem
from service.api.rest.responses import dataclass_columns, json_response, page_response
from service.api.state import get_state
from service.db.queries import researchers as q
from service.db.queries.affiliations import affiliations_by_researcher_ids
from service.db.queries.institutions import has_trigram
from service.db.queries.moves import moves_by_researcher_ids
from service.db.queries.pagination import ListQuery, Ordering, row_factory
from service.db.stores import curation
from service.errors import NotFound
from service.ingest.recompute import recompute_moves

ORDERS = tuple(o.value for o in q.ResearcherOrder)
LIST_PARAMS = (
    Param(
        "search",
        "str",
        "Name search: accents, case and name order do not matter; Chinese "
        "characters match their pinyin.",
    ),
    Param(
        "current_institution",
        "ref",
        "Currently affiliated with this institution (an id or "
        "a slug), including its sub-units by default.",
    ),
    Param(
        "include_descendants",
        "bool",
        "Whether current_institution also matches its sub-units.",
        default=True,
    ),
    Param(
        "country",
        "country",
        "Currently affiliated with an institution in these countries.",
        many=True,
    ),
    Param("topic", "str", "Works on any of these topics.", many=True),
    Param("has_moved_since", "date", "Has a move on or after this date."),
    Param(
        "order", "enum", "Sort order; default RELEVANCE with a search, else NAME.", choices=ORDERS
    ),
)
COLUMNS = dataclass_columns(q.ResearcherRow)
_researcher = row_factory(q.ResearcherRow)


async def _filter(conn: asyncpg.Connection, args: dict[str, Any]) -> q.ResearcherFilter:
    return q.ResearcherFilter(
        search=args["search"],
        current_institution=await institution_ref(
            conn, args["current_institution"], "current_institution"
        ),
        include_descendants=args["include_descendants"],
        country=args["country"],
        topic=args["topic"],
        has_moved_since=args["has_moved_since"],
    )


def _order(args: dict[str, Any]) -> q.ResearcherOrder | None:
    return q.ResearcherOrder(args["order"]) if args["order"] else None


async def list_researchers(request: Request, call: Call) -> Response:
    if call.format == "csv":

        async def build(conn: asyncpg.Connection) -> tuple[ListQuery, Ordering]:
            flt = await _filter(conn, call.args)
            query = q.build_query(flt)
            order = _order(call.args)
            if order is q.ResearcherOrder.RELEVANCE or order is None:
                order = q.ResearcherOrder.NAME
            return query, q.ordering(order)

        return await export_list(request, build, COLUMNS, "researchers")
    page_args = paging(request)
    async with connection(request) as conn:
        flt = await _filter(conn, call.args)
        trigram = await has_trigram(conn) if flt.search else False
        page = await q.list_researchers(conn, flt, _order(call.args), page_args, trigram=trigram)
    return page_response(request, page.items, page.end_cursor if page.has_next else None)


async def _detail(conn: asyncpg.Connection, researcher_id: int) -> tuple[dict[str, Any], int]:
    found = (await q.researchers_by_ids(conn, [researcher_id])).get(researcher_id)
    if found is None:
        raise NotFound(f"no researcher with id {researcher_id}")
    rid = found.id
    aliases = (await q.aliases_by_researcher_ids(conn, [rid])).get(rid, [])
    external = (await q.external_ids_by_researcher_ids(conn, [rid])).get(rid, [])
    history = (await affiliations_by_researcher_ids(conn, [rid])).get(rid, [])
    moves = (await moves_by_researcher_ids(conn, [rid])).get(rid, [])
    data: dict[str, Any] = orjson.loads(orjson.dumps(found))
    data["aliases"] = [a.alias for a in aliases]
    data["external_ids"] = {e.scheme: e.value for e in external}
    data["affiliations"] = [
        {**orjson.loads(orjson.dumps(a)), "current": a.current} for a in history
    ]
    data["moves"] = moves
    return data, rid


async def get_researcher(request: Request, call: Call) -> Response:
    researcher_id = path_id(request)
    async with connection(request) as conn:
        data, rid = await _detail(conn, researcher_id)
    headers = {}
    if rid != researcher_id:
        # A merged id answers with the researcher it was merged into.
        headers["Content-Location"] = f"{PREFIX}/researchers/{rid}"
    return json_response(request, {"data": data}, headers=headers)


def _documents(body: dict[str, Any]) -> list[str]:
    docs = body.get("documents")
    if not isinstance(docs, list) or not docs or not all(isinstance(d, str) for d in docs):
        raise ValidationProblem(
            [FieldError("documents", "expected a non-empty list of document URLs", "body")]
        )
    unknown = sorted(set(body) - {"documents"})
    if unknown:
        raise ValidationProblem([FieldError(n, "unknown field", "body") for n in unknown])
    return docs


async def split_researcher(request: Request, call: Call) -> Response:
    researcher_id = path_id(request)
    documents = _documents(await json_body(request))
    assert call.key is not None
    who = f"api_key:{call.key.id}:{call.key.name}"
    state = get_state(request)
    async with connection(request) as conn:
        async with conn.transaction():  # moves follow identity in the same transaction
            kept, new = await curation.split_researcher(conn, researcher_id, documents, actor=who)
            await recompute_moves(conn, [kept, new], state.settings, actor=who)
        flow_cache.invalidate(state)  # moves changed hands
        data, _ = await _detail(conn, new)
    return json_response(request, {"data": data}, status=201)


endpoints = [
    Endpoint(
        "/researchers",
        list_researchers,
        "List researchers",
        "ResearcherRow",
        tag="researchers",
        description="Researchers matching every filter given (merged records left out). "
        "`?format=csv` streams them all.",
        params=(*LIST_PARAMS, *PAGING_PARAMS),
        paged=True,
        csv=True,
    ),
    Endpoint(
        "/researchers/{id}",
        get_researcher,
        "Get a researcher with aliases, affiliations and moves",
        "ResearcherDetail",
        tag="researchers",
        description="A merged researcher's id answers with the researcher it was merged into "
        "(its URL in `Content-Location`).",
        path_params=(Param("id", "int", "The researcher's id.", minimum=1),),
        extra_statuses=(404,),
    ),
    Endpoint(
        "/researchers/{id}/split",
        split_researcher,
        "Split a wrong merge",
        "ResearcherDetail",
        method="POST",
        tag="curation",
        description="The sightings from the documents named go to a new researcher, with their "
        "names, ids, stints and evidence; the moves of both are inferred again. Needs the "
        "`curate` scope; audited. Answers with the new researcher.",
        path_params=(Param("id", "int", "The researcher's id.", minimum=1),),
        scope="curate",
        body="SplitResearcher",
        extra_statuses=(404, 409, 413, 415),
    ),
]
