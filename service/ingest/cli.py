"""Ingestion commands, added to the ``talentflow`` app by ``register(app)``:

``talentflow plugins list``, ``talentflow ingest NAME [--config FILE] [--instance NAME]
[--dry-run] [--limit N]`` and ``talentflow runs [--limit N]``.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Awaitable, Callable
from datetime import UTC
from pathlib import Path
from typing import Annotated, Any, TypeVar

import asyncpg
import typer
import yaml
from pydantic import BaseModel
from rich import box
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


CONFIG_FORMATS = {".json": "JSON", ".toml": "TOML", ".yaml": "YAML", ".yml": "YAML"}


def load_config_file(path: Path) -> dict[str, Any]:
    """An ingester config from a JSON, TOML or YAML file, chosen by its extension."""
    kind = CONFIG_FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(CONFIG_FORMATS)
        raise ConfigError(
            f"config file {path}: unknown extension {path.suffix or '(none)'!r}; use one of {known}"
        )
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        if kind == "TOML":
            data = tomllib.loads(text)
        elif kind == "YAML":
            data = yaml.safe_load(text)
        else:
            data = json.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ConfigError(f"config file {path} is not valid {kind}: {exc}") from None
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
            Path | None,
            typer.Option("--config", "-c", help="Config file: .json, .toml, .yaml or .yml."),
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
                counts = result.labelled_counts()
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
        print_runs(rows)


def runs_table(rows: list[dict[str, Any]]) -> Table:
    """Recent runs in five columns that stay readable at 80 columns: one count per line in a
    single column, and values wrap rather than being cut to "plu…"."""
    table = Table(title="ingest runs", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("run", justify="right", no_wrap=True)
    table.add_column("ingester", overflow="fold", min_width=10)
    table.add_column("status")
    table.add_column("started (UTC)")
    table.add_column("counts")
    for r in rows:
        ingester = (
            r["plugin"] if r["instance"] == r["plugin"] else f"{r['plugin']}\n{r['instance']}"
        )
        status = r["status"] + ("\ndry run" if r["dry_run"] else "")
        started = r["started_at"].astimezone(UTC).strftime("%Y-%m-%d\n%H:%M:%S")
        would = "would be " if r["dry_run"] else ""
        counts = "\n".join(
            (
                f"{r['seen']} seen",
                f"{r['created']} {would}created",
                f"{r['updated']} {would}updated",
                f"{r['unchanged']} unchanged",
                f"{r['rejected']} rejected",
            )
        )
        table.add_row(str(r["id"]), ingester, status, started, counts)
    return table


def print_runs(rows: list[dict[str, Any]]) -> None:
    """The runs table, then each failed run's error in full on lines of its own."""
    console.print(runs_table(rows))
    for r in rows:
        if r["error"]:
            console.print(f"run {r['id']}: {r['error']}", highlight=False, soft_wrap=False)


def _print_result(result: RunResult) -> None:
    table = Table(
        title=f"run {result.run_id}: {result.ingester} ({result.instance})"
        + (" — dry run" if result.dry_run else "")
    )
    counts = result.labelled_counts()
    table.add_column("status")
    for column in counts:
        table.add_column(column)
    table.add_row(result.status, *(str(n) for n in counts.values()))
    console.print(table)
    if result.rejects:
        rejected = Table(title="rejected records")
        rejected.add_column("position")
        rejected.add_column("reason", overflow="fold")
        for reject in result.rejects:
            rejected.add_row(reject.position, reject.reason)
        console.print(rejected)
