"""``talentflow worker`` and ``talentflow schedule``.

The worker runs queued and scheduled ingestion until SIGTERM/SIGINT. On the first signal it
stops taking jobs, and each running ingest run stops at its next batch boundary: the batch being
written commits with its checkpoint, the run is recorded as ``cancelled`` (``interrupted: …``)
and its job is queued again at once, so the next worker resumes from that checkpoint. A batch
that does not commit within ``TALENTFLOW_WORKER_SHUTDOWN_TIMEOUT_S`` is cut: its transaction
rolls back, and the next run of the instance marks the abandoned ``running`` row as failed and
resumes from the last committed checkpoint. A second signal ends the process at once.

With ``TALENTFLOW_WORKER_METRICS_PORT`` set, the worker serves its own Prometheus metrics (the
``talentflow_ingest_*_total`` counters of the runs it finished) on that port.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service import aio
from service.config import Settings, get_settings
from service.errors import ConfigError

logger = logging.getLogger(__name__)
console = Console()

METRICS_PORT_ENV = "TALENTFLOW_WORKER_METRICS_PORT"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def metrics_port() -> int | None:
    """The port from ``TALENTFLOW_WORKER_METRICS_PORT``; None when unset or empty."""
    raw = os.environ.get(METRICS_PORT_ENV, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ConfigError(f"{METRICS_PORT_ENV}: {raw!r} is not a port number (1-65535)")
    return int(raw)


def start_metrics_server(port: int, host: str = "0.0.0.0") -> None:
    """Serve this process's metrics registry at ``http://host:port/metrics`` (a daemon thread)."""
    from prometheus_client import start_http_server

    from service.metrics import REGISTRY

    start_http_server(port, addr=host, registry=REGISTRY)
    logger.info("worker: metrics on port %d", port)


async def run_worker(
    settings: Settings,
    url: str,
    *,
    wait: bool = True,
    concurrency: int | None = None,
    install_signal_handlers: bool = True,
) -> None:
    """Run the worker on ``url`` until stopped (or, with ``wait=False``, until the queue is
    empty). The periodic deferrer runs inside it, so every worker shares the one schedule."""
    from service.db import migrations
    from service.db.pool import create_pool_from_settings
    from service.worker.queue import QUEUE, build_app
    from service.worker.schedule import load_schedule

    entries = load_schedule(settings.schedule_file)
    pool = await create_pool_from_settings(settings, url)
    try:
        async with pool.acquire() as conn:
            await migrations.check_at_head(conn)
        app = build_app(url, entries, rescore_cron=settings.rescore_candidates_cron or None)
        queues = sorted({QUEUE, *(e.queue for e in entries)})
        logger.info(
            "worker: %d scheduled instance(s) on queues %s", len(entries), ", ".join(queues)
        )
        stopping = asyncio.Event()
        async with app.open_async():
            work = asyncio.create_task(
                app.run_worker_async(
                    queues=queues,
                    concurrency=concurrency or settings.worker_concurrency,
                    wait=wait,
                    install_signal_handlers=False,
                    shutdown_graceful_timeout=settings.worker_shutdown_timeout_s,
                    additional_context={"pool": pool, "settings": settings, "stopping": stopping},
                ),
                name="talentflow worker",
            )
            loop = asyncio.get_running_loop()

            def stop() -> None:
                # Cancelling procrastinate's worker is its graceful stop: no new jobs, running
                # ones get the shutdown timeout; ``stopping`` ends runs at a batch boundary.
                logger.info("worker: stop requested; finishing the batches in progress")
                stopping.set()
                for sig in STOP_SIGNALS:
                    loop.remove_signal_handler(sig)  # a second signal ends the process
                work.cancel()

            if install_signal_handlers:
                for sig in STOP_SIGNALS:
                    loop.add_signal_handler(sig, stop)
            try:
                await work
            except asyncio.CancelledError:
                if not stopping.is_set():
                    raise
                logger.info("worker: stopped")
            finally:
                if install_signal_handlers and not stopping.is_set():
                    for sig in STOP_SIGNALS:
                        loop.remove_signal_handler(sig)
    finally:
        await pool.close()


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(
        concurrency: Annotated[
            int | None, typer.Option(help="Jobs run at once (default: the setting).")
        ] = None,
    ) -> None:
        """Run scheduled and queued ingestion (stops gracefully on SIGTERM)."""
        from service.db.pool import describe_database, resolve_database_url

        settings = get_settings()
        url = resolve_database_url(settings)
        port = metrics_port()
        console.print(f"worker on {describe_database(url)}", highlight=False)
        if port is not None:
            start_metrics_server(port)
        aio.run(run_worker(settings, url, concurrency=concurrency))

    @app.command("schedule")
    def schedule(
        count: Annotated[int, typer.Option(help="Fire times shown per instance.")] = 3,
    ) -> None:
        """Show what runs when: the next fire times of each scheduled instance (UTC)."""
        from service.worker.schedule import load_schedule

        settings = get_settings()
        entries = load_schedule(settings.schedule_file)
        if not entries:
            console.print("nothing scheduled: set TALENTFLOW_SCHEDULE_FILE to a schedule TOML file")
            return
        now = datetime.now(UTC)
        table = Table("instance", "plugin", "cron (UTC)", *(f"next {i + 1}" for i in range(count)))
        for entry in entries:
            times = [t.strftime("%Y-%m-%d %H:%M") for t in entry.next_times(count, now)]
            table.add_row(entry.instance, entry.plugin, entry.cron, *times)
        console.print(table)
