"""Ingestion commands, added to the ``talentflow`` app by ``register(app)``:

``talentflow plugins list``, ``talentflow ingest NAME [--config FILE] [--instance NAME]
[--dry-run] [--limit N]`` and ``talentflow runs [--limit N]``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import asyncpg
import typer
from pydantic import BaseModel
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from service import aio
from service.config import get_settings
from service.db.pool import create_pool_from_settings
from service.db.stores import ingest_runs
from service.errors import ConfigError, TalentflowError
from service.ingest.errors import RunLocked
from service.ingest.manager import (
    UnknownIngesterError,
    get_plugin_manager,
    ingester_registry,
    plugin_distributions,
)
from service.ingest.pipeline import RunResult, run_ingester

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _with_pool(work: Callable[[asyncpg.Pool], Awaitable[T]]) -> T:
    async def main() -> T:
        pool = await create_pool_from_settings(get_settings())
        try:
            return await work(pool)
        finally:
            await pool.close()

    return aio.run(main())


def load_config_file(path: Path) -> dict[str, Any]:
    """An ingester config from a JSON or TOML file."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"config file {path} is not valid {path.suffix[1:] or 'JSON'}: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold an object/table of settings")
    return data


def config_fields(model: type[BaseModel]) -> str:
    parts = []
    for name, info in model.model_fields.items():
        kind = getattr(info.annotation, "__name__", None) or str(info.annotation)
        kind = kind.replace("typing.", "").replace("Optional", "")
        default = (
            "required"
            if info.is_required()
            else f"= {info.get_default(call_default_factory=True)!r}"
        )
        parts.append(f"{name}: {kind} {default}")
    return "\n".join(parts) or "-"


def register(app: typer.Typer) -> None:
    """Add the ingestion commands to ``app``."""
    plugins_app = typer.Typer(help="Installed ingestion plugins.", no_args_is_help=True)
    app.add_typer(plugins_app, name="plugins")

    @plugins_app.command("list")
    def plugins_list() -> None:
        """List installed plugins, their ingesters and the config each ingester takes."""
        pm = get_plugin_manager()
        registry = ingester_registry(pm)
        table = Table(title="talentflow plugins")
        for column in ("plugin", "version", "distribution", "ingester", "config"):
            table.add_column(column)
        for info in plugin_distributions(pm):
            for name in info.ingesters or ("-",):
                cls = registry.get(name)
                table.add_row(
                    info.name,
                    info.version or "-",
                    info.distribution or "-",
                    name,
                    config_fields(cls.Config) if cls else "-",
                )
        console.print(table)

    @app.command("ingest")
    def ingest(
        name: Annotated[str, typer.Argument(help="The ingester to run (see `plugins list`).")],
        config: Annotated[
            Path | None, typer.Option("--config", "-c", help="Config file (JSON or TOML).")
        ] = None,
        instance: Annotated[
            str | None, typer.Option(help="Instance name (its own state); default: NAME.")
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Validate and resolve; write nothing.")
        ] = False,
        limit: Annotated[int | None, typer.Option(min=1, help="Stop after N observations.")] = None,
    ) -> None:
        """Run an ingester: fetch, validate, resolve and store with evidence, exactly once."""
        pm = get_plugin_manager()
        known = ingester_registry(pm)
        if name not in known:
            _fail(str(UnknownIngesterError(name, list(known))), 2)
        try:
            options = load_config_file(config) if config else {}
        except ConfigError as exc:
            _fail(exc.message, 2)
        settings = get_settings()

        with Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        ) as progress:
            task = progress.add_task(f"ingest {name}", counts="starting")

            def update(result: RunResult) -> None:
                counts = result.counts()
                progress.update(task, counts=", ".join(f"{k} {v}" for k, v in counts.items()))

            try:
                result = _with_pool(
                    lambda pool: run_ingester(
                        pool,
                        name,
                        options,
                        instance=instance,
                        dry_run=dry_run,
                        limit=limit,
                        settings=settings,
                        pm=pm,
                        progress=update,
                    )
                )
            except RunLocked as exc:
                _fail(exc.message, 1)
            except ConfigError as exc:
                _fail(exc.message, 2)
            except TalentflowError as exc:
                _fail(exc.message, 1)
        _print_result(result)
        if not result.ok:
            _fail(result.error or f"run {result.run_id} {result.status}", 1)

    @app.command("runs")
    def runs(
        limit: Annotated[int, typer.Option(min=1, max=1000, help="How many runs.")] = 20,
    ) -> None:
        """Recent ingest runs: status, counts and errors."""

        async def fetch(pool: asyncpg.Pool) -> list[dict[str, Any]]:
            async with pool.acquire() as conn:
                return await ingest_runs.recent(conn, limit)

        rows = _with_pool(fetch)
        table = Table(title="ingest runs")
        for column in (
            "run",
            "plugin",
            "instance",
            "status",
            "started",
            "seen",
            "created",
            "updated",
            "unchanged",
            "rejected",
            "error",
        ):
            table.add_column(column)
        for r in rows:
            status = r["status"] + (" (dry run)" if r["dry_run"] else "")
            table.add_row(
                str(r["id"]),
                r["plugin"],
                r["instance"],
                status,
                r["started_at"].isoformat(timespec="seconds"),
                str(r["seen"]),
                str(r["created"]),
                str(r["updated"]),
                str(r["unchanged"]),
                str(r["rejected"]),
                r["error"] or "",
            )
        console.print(table)


def _print_result(result: RunResult) -> None:
    table = Table(
        title=f"run {result.run_id}: {result.ingester} ({result.instance})"
        + (" — dry run" if result.dry_run else "")
    )
    for column in ("status", "seen", "created", "updated", "unchanged", "rejected"):
        table.add_column(column)
    counts = result.counts()
    table.add_row(
        result.status,
        *(str(counts[k]) for k in ("seen", "created", "updated", "unchanged", "rejected")),
    )
    console.print(table)
    if result.rejects:
        rejected = Table(title="rejected records")
        rejected.add_column("position")
        rejected.add_column("reason", overflow="fold")
        for reject in result.rejects:
            rejected.add_row(reject.position, reject.reason)
        console.print(rejected)
