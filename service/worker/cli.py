"""``talentflow worker`` and ``talentflow schedule``.

The worker runs queued and scheduled ingestion until SIGTERM/SIGINT. On the first signal it
stops taking jobs and lets the running ones finish (up to ``TALENTFLOW_WORKER_SHUTDOWN_TIMEOUT_S``);
the pipeline commits per batch, so a job cut off after that keeps every committed batch and its
checkpoint, and the next run resumes from there (its abandoned ``running`` row is marked failed).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from service.config import Settings, get_settings

logger = logging.getLogger(__name__)
console = Console()


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
        app = build_app(url, entries)
        queues = sorted({QUEUE, *(e.queue for e in entries)})
        logger.info(
            "worker: %d scheduled instance(s) on queues %s", len(entries), ", ".join(queues)
        )
        async with app.open_async():
            await app.run_worker_async(
                queues=queues,
                concurrency=concurrency or settings.worker_concurrency,
                wait=wait,
                install_signal_handlers=install_signal_handlers,
                shutdown_graceful_timeout=settings.worker_shutdown_timeout_s,
                additional_context={"pool": pool, "settings": settings},
            )
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
        console.print(f"worker on {describe_database(url)}", highlight=False)
        asyncio.run(run_worker(settings, url, concurrency=concurrency))

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
