"""Prometheus metrics: ``GET /metrics``.

Process metrics: the counters of ``service.metrics`` (HTTP, GraphQL, ingestion).

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
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.api.state import AppState, get_state
from service.metrics import REGISTRY

logger = logging.getLogger(__name__)

SCRAPE_TIMEOUT_S = 2.0


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
