"""``/api/v1/ingest-runs``: what ingestion did (list, one run) and starting a run.

``POST`` queues a run for the worker (it does not run in the API process unless
``TALENTFLOW_IN_PROCESS_WORKER`` is set) and answers 202 with the job id and how many workers
are listening, with a warning when none is; the run appears in the list when a worker picks it
up. Needs the ``ingest`` scope.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from service.api.ingest_queue import queue_run
from service.api.rest.endpoint import Call, Endpoint, connection, is_admin
from service.api.rest.export import export_list
from service.api.rest.moves import path_id
from service.api.rest.params import PAGING_PARAMS, Param, json_body, paging
from service.api.rest.problems import FieldError, ValidationProblem
from service.api.rest.responses import dataclass_columns, json_response, page_response
from service.api.state import get_state
from service.db.queries import ingest_runs as q
from service.db.queries.pagination import ListQuery, Ordering, row_factory
from service.errors import ConfigError, NotFound
from service.ingest.errors import run_error_for

STATUSES = ("running", "succeeded", "failed", "cancelled")
LIST_PARAMS = (
    Param("plugin", "str", "Runs of this ingester."),
    Param("status", "enum", "Statuses.", many=True, choices=STATUSES),
)
COLUMNS = dataclass_columns(q.IngestRunRow)
_run = row_factory(q.IngestRunRow)


def _filter(args: dict[str, Any]) -> q.IngestRunFilter:
    return q.IngestRunFilter(plugin=args["plugin"], status=args["status"])


def _shown(run: q.IngestRunRow, admin: bool) -> q.IngestRunRow:
    error = run_error_for(run.error, admin=admin)
    return run if error == run.error else replace(run, error=error)


async def list_ingest_runs(request: Request, call: Call) -> Response:
    flt = _filter(call.args)
    admin = await is_admin(request)
    if call.format == "csv":

        async def build(_: Any) -> tuple[ListQuery, Ordering]:
            return q.build_query(flt), q.ORDERING

        error_at = COLUMNS.index("error")

        def shown(values: list[Any]) -> list[Any]:
            values[error_at] = run_error_for(values[error_at], admin=admin)
            return values

        return await export_list(request, build, COLUMNS, "ingest-runs", transform=shown)
    page_args = paging(request)
    async with connection(request) as conn:
        page = await q.list_ingest_runs(conn, flt, page_args)
    items = [_shown(run, admin) for run in page.items]
    return page_response(request, items, page.end_cursor if page.has_next else None)


async def get_ingest_run(request: Request, call: Call) -> Response:
    run_id = path_id(request)
    async with connection(request) as conn:
        run = (await q.ingest_runs_by_ids(conn, [run_id])).get(run_id)
    if run is None:
        raise NotFound(f"no ingest run with id {run_id}")
    return json_response(request, {"data": _shown(run, await is_admin(request))})


def _start_request(body: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
    errors: list[FieldError] = []
    plugin = body.get("plugin")
    if not isinstance(plugin, str) or not plugin.strip():
        errors.append(FieldError("plugin", "required: the ingester's name", "body"))
    instance = body.get("instance", plugin)
    if not isinstance(instance, str) or not instance.strip():
        errors.append(FieldError("instance", "expected a non-empty string", "body"))
    config = body.get("config", {})
    if not isinstance(config, dict):
        errors.append(FieldError("config", "expected an object", "body"))
    unknown = sorted(set(body) - {"plugin", "instance", "config"})
    errors.extend(FieldError(n, "unknown field", "body") for n in unknown)
    if errors:
        raise ValidationProblem(errors)
    assert isinstance(plugin, str) and isinstance(instance, str) and isinstance(config, dict)
    return plugin.strip(), instance.strip(), config


async def start_ingest_run(request: Request, call: Call) -> Response:
    from service.ingest.manager import UnknownIngesterError

    plugin, instance, config = _start_request(await json_body(request))
    try:
        queued = await queue_run(get_state(request), plugin, instance, config)
    except UnknownIngesterError as exc:
        raise ValidationProblem([FieldError("plugin", exc.message, "body")]) from None
    except ConfigError as exc:
        raise ValidationProblem([FieldError("config", exc.message, "body")]) from None
    data: dict[str, Any] = {
        "job_id": queued.job_id,
        "plugin": plugin,
        "instance": instance,
        "status": "queued",
        "workers": queued.workers,
    }
    if queued.warning is not None:
        data["warning"] = queued.warning
    body = {"data": data}
    return Response(
        orjson.dumps(body),
        status_code=202,
        media_type="application/json",
        headers={"Location": f"/api/v1/ingest-runs?plugin={plugin}"},
    )


endpoints = [
    Endpoint(
        "/ingest-runs",
        list_ingest_runs,
        "List ingestion runs",
        "IngestRunRow",
        tag="ingestion",
        description="Newest first. `?format=csv` streams them all.",
        params=(*LIST_PARAMS, *PAGING_PARAMS),
        paged=True,
        csv=True,
        primary=True,  # a client polls the run it just queued
    ),
    Endpoint(
        "/ingest-runs",
        start_ingest_run,
        "Queue an ingestion run",
        "QueuedRun",
        method="POST",
        tag="ingestion",
        description="Queues a run of an ingester instance for the worker. 409 when a run of "
        "the instance is already queued. `workers` counts the workers listening (a heartbeat in "
        "the last 30 s); with none, `warning` says the run will wait. Needs the `ingest` scope.",
        scope="ingest",
        body="StartRun",
        status=202,
        extra_statuses=(409, 413, 415),
    ),
    Endpoint(
        "/ingest-runs/{id}",
        get_ingest_run,
        "Get an ingestion run",
        "IngestRunRow",
        tag="ingestion",
        path_params=(Param("id", "int", "The run's id.", minimum=1),),
        extra_statuses=(404,),
        primary=True,
    ),
]
