"""Prometheus metrics: ``GET /metrics``.

Process metrics (updated as requests run):

- ``talentflow_http_requests_total{method, route, status}`` and
  ``talentflow_http_request_duration_seconds{method, route}``: ``route`` is the route template
  (``/api/v1/moves/{id}``), never the raw path, so cardinality stays bounded;
- ``talentflow_graphql_operations_total{operation}``: GraphQL operation names, at most
  ``MAX_OPERATIONS`` distinct names (the rest count as ``other``);
- ``talentflow_graphql_fast_path_total{outcome}``: GraphQL requests the compiled plans served,
  handed back to the normal path after trying (``fallback``), or did not plan (``unsupported``);
- ``talentflow_ingest_runs_finished_total{plugin, outcome}`` and
  ``talentflow_ingest_observations_processed_total{plugin, outcome}``: counted by the pipeline at
  the end of each run (``record_ingest_run`` and ``record_observations``) in whatever process ran
  it; the worker serves them on ``TALENTFLOW_WORKER_METRICS_PORT`` when that is set.

Database-derived gauges, read at scrape time, the same from any process:
``talentflow_db_pool_size``, ``talentflow_db_pool_in_use``, ``talentflow_ingest_runs{plugin,
status}`` and ``talentflow_ingest_observations{plugin, outcome}`` (sums over ``ingest_run``).
With read replicas: ``talentflow_db_reads_total{server}`` (reads served by the primary or each
replica), ``talentflow_db_replica_healthy{server}``, ``talentflow_db_replica_lag_ms{server}``
and ``talentflow_db_replica_failovers_total``.

Several uvicorn workers: each process has its own counters. Set ``PROMETHEUS_MULTIPROC_DIR`` to
an empty, writable folder (before start) to aggregate them, or run one process per container.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import threading
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.api.state import AppState, get_state

logger = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
MAX_OPERATIONS = 100
OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
SCRAPE_TIMEOUT_S = 2.0

HTTP_REQUESTS = Counter(
    "talentflow_http_requests_total",
    "HTTP requests by method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "talentflow_http_request_duration_seconds",
    "HTTP request latency by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=REGISTRY,
)
GRAPHQL_OPERATIONS = Counter(
    "talentflow_graphql_operations_total",
    "GraphQL requests by operation name (bounded; extra names count as 'other').",
    ["operation"],
    registry=REGISTRY,
)
GRAPHQL_FAST_PATH = Counter(
    "talentflow_graphql_fast_path",
    "GraphQL requests by what the fast path did: served them, handed them back to the "
    "normal path after trying (fallback), or did not plan them (unsupported).",
    ["outcome"],
    registry=REGISTRY,
)
INGEST_RUNS = Counter(
    "talentflow_ingest_runs_finished_total",
    "Ingest runs finished in this process, by plugin and outcome.",
    ["plugin", "outcome"],
    registry=REGISTRY,
)
INGEST_OBSERVATIONS = Counter(
    "talentflow_ingest_observations_processed_total",
    "Observations processed in this process, by plugin and outcome.",
    ["plugin", "outcome"],
    registry=REGISTRY,
)

_operations: set[str] = set()
_operations_lock = threading.Lock()


def operation_label(name: object) -> str:
    """A bounded label for a GraphQL operation name."""
    if not isinstance(name, str) or not OPERATION_NAME.match(name):
        return "anonymous" if not name else "invalid"
    with _operations_lock:
        if name in _operations:
            return name
        if len(_operations) >= MAX_OPERATIONS:
            return "other"
        _operations.add(name)
        return name


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(seconds)


def observe_graphql(operation: object) -> None:
    GRAPHQL_OPERATIONS.labels(operation_label(operation)).inc()


def record_ingest_run(plugin: str, outcome: str) -> None:
    """Count a finished run (outcome: succeeded, failed, cancelled, refused)."""
    INGEST_RUNS.labels(plugin, outcome).inc()


def record_observations(plugin: str, outcome: str, count: int = 1) -> None:
    """Count processed observations (outcome: created, updated, unchanged, rejected)."""
    if count > 0:
        INGEST_OBSERVATIONS.labels(plugin, outcome).inc(count)


# --- scrape-time gauges ---------------------------------------------------------------------


class _Snapshot(Collector):
    def __init__(self, metrics: list[Metric]) -> None:
        self.metrics = metrics

    def collect(self) -> Iterable[Metric]:
        return self.metrics


OUTCOMES = ("seen", "created", "updated", "unchanged", "rejected")


def replica_metrics(state: AppState) -> list[Metric]:
    """Which server served reads (``server`` is ``primary`` or a replica's redacted URL), and
    each replica's health and lag as its last check found them."""
    reads = state.reads
    if reads is None:
        return []
    served = CounterMetricFamily(
        "talentflow_db_reads",
        "Read-only GraphQL statements and REST read connections, by the server that served "
        "them (this process, since it started).",
        labels=["server"],
    )
    served.add_metric(["primary"], reads.primary_served)
    healthy = GaugeMetricFamily(
        "talentflow_db_replica_healthy",
        "1 while the replica passes its health and lag check.",
        labels=["server"],
    )
    lag = GaugeMetricFamily(
        "talentflow_db_replica_lag_ms", "Replay lag at the last check.", labels=["server"]
    )
    for replica in reads.replicas:
        served.add_metric([replica.name], replica.served)
        healthy.add_metric([replica.name], 1 if replica.healthy else 0)
        if replica.lag_ms is not None:
            lag.add_metric([replica.name], replica.lag_ms)
    failovers = CounterMetricFamily(
        "talentflow_db_replica_failovers",
        "Times a replica failed under a read, which then ran on the primary.",
    )
    failovers.add_metric([], reads.failovers)
    return [served, healthy, lag, failovers]


async def database_metrics(state: AppState) -> list[Metric]:
    pool = state.pool
    size = GaugeMetricFamily("talentflow_db_pool_size", "Connections open in the pool.")
    size.add_metric([], pool.get_size())
    in_use = GaugeMetricFamily("talentflow_db_pool_in_use", "Pool connections in use.")
    in_use.add_metric([], pool.get_size() - pool.get_idle_size())
    up = GaugeMetricFamily("talentflow_db_up", "1 when the database answered this scrape.")
    metrics: list[Metric] = [size, in_use, up, *replica_metrics(state)]
    runs = GaugeMetricFamily(
        "talentflow_ingest_runs", "Runs recorded in ingest_run.", labels=["plugin", "status"]
    )
    observations = GaugeMetricFamily(
        "talentflow_ingest_observations",
        "Observations counted over all recorded runs.",
        labels=["plugin", "outcome"],
    )
    try:
        async with asyncio.timeout(SCRAPE_TIMEOUT_S), pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT plugin, status, count(*) AS n, sum(seen) AS seen, "
                "sum(created) AS created, sum(updated) AS updated, "
                "sum(unchanged) AS unchanged, sum(rejected) AS rejected "
                "FROM ingest_run GROUP BY plugin, status ORDER BY plugin, status"
            )
    except Exception as exc:  # the scrape must answer even when the database does not
        logger.warning("metrics: database unavailable: %s", type(exc).__name__)
        up.add_metric([], 0)
        return metrics
    up.add_metric([], 1)
    totals: dict[tuple[str, str], int] = {}
    for r in rows:
        runs.add_metric([r["plugin"], r["status"]], r["n"])
        for outcome in OUTCOMES:
            key = (r["plugin"], outcome)
            totals[key] = totals.get(key, 0) + int(r[outcome] or 0)
    for (plugin, outcome), n in sorted(totals.items()):
        observations.add_metric([plugin, outcome], n)
    return [*metrics, runs, observations]


async def metrics_endpoint(request: Request) -> Response:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process = CollectorRegistry()
        MultiProcessCollector(process)  # type: ignore[no-untyped-call]
    else:
        process = REGISTRY
    scraped = CollectorRegistry(auto_describe=True)
    scraped.register(_Snapshot(await database_metrics(get_state(request))))
    body = generate_latest(process) + generate_latest(scraped)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


routes = [Route("/metrics", metrics_endpoint, methods=["GET"])]
