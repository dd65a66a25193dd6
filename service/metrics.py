"""Prometheus counters for the whole service: the API, the ingest pipeline and the worker
count into one registry, served on ``GET /metrics`` (``service.api.metrics``) and, in the
worker, on ``TALENTFLOW_WORKER_METRICS_PORT``.

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
"""

from __future__ import annotations

import re
import threading

from prometheus_client import CollectorRegistry, Counter, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)
MAX_OPERATIONS = 100
OPERATION_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")

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
