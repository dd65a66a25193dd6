"""``/api/v1/institutions``: list and search institutions; one by id or slug."""

from __future__ import annotations

from typing import Any

import asyncpg
import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.api.rest.endpoint import Call, Endpoint, connection
from service.api.rest.export import export_list
from service.api.rest.filters import INSTITUTION_KINDS, institution_ref
from service.api.rest.params import PAGING_PARAMS, SLUG, Param, paging
from service.api.rest.responses import dataclass_columns, json_response, page_response
from service.db.queries import institutions as q
from service.db.queries.pagination import ListQuery, Ordering, row_factory
from service.errors import NotFound

ORDERS = tuple(o.value for o in q.InstitutionOrder)
LIST_PARAMS = (
    Param("kind", "enum", "Kinds of institution.", many=True, choices=INSTITUTION_KINDS),
    Param("country", "country", "Countries (ISO 3166-1 alpha-2).", many=True),
    Param("parent", "ref", "Children of this institution (an id or a slug)."),
    Param(
        "include_descendants", "bool", "With parent: also the children's children.", default=False
    ),
    Param("search", "str", "Name search over names and aliases (native scripts included)."),
    Param(
        "order", "enum", "Sort order; default RELEVANCE with a search, else NAME.", choices=ORDERS
    ),
)
COLUMNS = dataclass_columns(q.InstitutionRow)
_institution = row_factory(q.InstitutionRow)


async def _filter(conn: asyncpg.Connection, args: dict[str, Any]) -> q.InstitutionFilter:
    return q.InstitutionFilter(
        kind=args["kind"],
        country=args["country"],
        parent=await institution_ref(conn, args["parent"], "parent"),
        include_descendants=args["include_descendants"],
        search=args["search"],
    )


def _order(args: dict[str, Any]) -> q.InstitutionOrder | None:
    return q.InstitutionOrder(args["order"]) if args["order"] else None


async def list_institutions(request: Request, call: Call) -> Response:
    if call.format == "csv":

        async def build(conn: asyncpg.Connection) -> tuple[ListQuery, Ordering]:
            flt = await _filter(conn, call.args)
            order = _order(call.args)
            if order is q.InstitutionOrder.RELEVANCE or order is None:
                order = q.InstitutionOrder.NAME
            return q.build_query(flt), q.ordering(order)

        return await export_list(request, build, COLUMNS, "institutions")
    page_args = paging(request)
    async with connection(request) as conn:
        flt = await _filter(conn, call.args)
        trigram = await q.has_trigram(conn) if flt.search else False
        page = await q.list_institutions(conn, flt, _order(call.args), page_args, trigram=trigram)
    return page_response(request, page.items, page.end_cursor if page.has_next else None)


async def get_institution(request: Request, call: Call) -> Response:
    ref = str(request.path_params["id"])
    async with connection(request) as conn:
        if ref.isdigit() and len(ref) <= 18:
            iid: int | None = int(ref)
        elif SLUG.match(ref):
            iid = (await q.institution_ids_by_slugs(conn, [ref])).get(ref)
        else:
            iid = None
        found = (await q.institutions_by_ids(conn, [iid])).get(iid) if iid else None
        if found is None or iid is None:
            raise NotFound(f"no institution with id or slug {ref!r}")
        aliases = (await q.aliases_by_institution_ids(conn, [iid])).get(iid, [])
        external = (await q.external_ids_by_institution_ids(conn, [iid])).get(iid, [])
        children = (await q.children_by_parent_ids(conn, [iid])).get(iid, [])
    data: dict[str, Any] = orjson.loads(orjson.dumps(found))
    data["aliases"] = [{"alias": a.alias, "lang": a.lang} for a in aliases]
    data["external_ids"] = {e.scheme: e.value for e in external}
    data["children"] = [{"id": c.id, "slug": c.slug, "name": c.name} for c in children]
    return json_response(request, {"data": data})


endpoints = [
    Endpoint(
        "/institutions",
        list_institutions,
        "List institutions",
        "InstitutionRow",
        tag="institutions",
        description="Institutions matching every filter given. `?format=csv` streams them all.",
        params=(*LIST_PARAMS, *PAGING_PARAMS),
        paged=True,
        csv=True,
    ),
    Endpoint(
        "/institutions/{id}",
        get_institution,
        "Get an institution by id or slug",
        "InstitutionDetail",
        tag="institutions",
        path_params=(Param("id", "ref", "The institution's id or slug."),),
        extra_statuses=(404,),
    ),
]
