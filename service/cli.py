"""The ``talentflow`` command line.

Every command reads settings from the environment (see ``service/config.py``). Expected failures
(bad settings, an unreachable database, a malformed seed file, an unknown scope) print one line
saying what and where, and exit non-zero; nothing is half-written.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import asyncpg
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperArgument, TyperGroup, TyperOption

from service import __version__, aio
from service.config import ENV_PREFIX, Settings, get_settings
from service.db import migrations
from service.db.pool import create_pool, describe_database, resolve_database_url
from service.domain.seed import SeedError
from service.errors import DatabaseUnavailable, TalentflowError

T = TypeVar("T")


def _tidy_param(param: Any) -> None:
    """Help that reads like a command line: flags take no value, so show none (not
    ``<bool>``), and name arguments as ``NAME`` / ``[NAME]`` (not ``{name}``)."""
    if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
        param.metavar = ""
    elif isinstance(param, TyperArgument):
        if param.metavar is None:
            param.metavar = (param.name or "value").upper()
        shown = param.metavar if param.required else f"[{param.metavar}]"
        if param.nargs != 1:
            shown += "..."
        # An instance attribute: typer's own class puts braces around required arguments.
        vars(param)["get_usage_pieces"] = lambda ctx: [shown]


def _tidy_help(command: Any) -> None:
    for param in command.params:
        _tidy_param(param)
    find_help = command.get_help_option

    def get_help_option(ctx: Any) -> Any:
        option = find_help(ctx)
        if option is not None:
            _tidy_param(option)
        return option

    vars(command)["get_help_option"] = get_help_option
    for sub in getattr(command, "commands", {}).values():
        _tidy_help(sub)


class TalentflowGroup(TyperGroup):
    """The root group: tidies the help of every command once typer has built the tree."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _tidy_help(self)

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)  # typer adds the completion options after __init__
        for param in params:
            _tidy_param(param)
        return params


app = typer.Typer(
    cls=TalentflowGroup,
    name="talentflow",
    help="Talentflow: where AI researchers work and when they move, with evidence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database: migrations and seed data.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for mutations and write endpoints.", no_args_is_help=True)
schema_app = typer.Typer(help="Contract files in schema/.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(schema_app, name="schema")

console = Console()
err_console = Console(stderr=True)

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO_DATA = Path(__file__).resolve().parent / "data" / "demo.jsonl"


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def settings() -> Settings:
    return get_settings()


def database_url() -> str:
    return resolve_database_url(settings())


async def with_connection(url: str, fn: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    pool = await create_pool(url, min_size=1, max_size=2)
    try:
        async with pool.acquire() as conn:
            return await fn(conn)
    finally:
        await pool.close()


def run(coro: Awaitable[T]) -> T:
    return aio.run(coro)  # type: ignore[arg-type]


def _show_version(value: bool) -> None:
    if value:
        console.print(f"talentflow {__version__}", highlight=False)
        raise typer.Exit(0)


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Show the version and exit.",
            callback=_show_version,
            is_eager=True,  # before the check for a missing command
        ),
    ] = False,
) -> None:
    from service.logging import configure_logging

    configure_logging(settings())


# --- db ---------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    url = database_url()
    run(_check_reachable(url))
    migrations.upgrade(url, revision)
    current = run(with_connection(url, migrations.current_revision))
    console.print(f"database {describe_database(url)} is at revision [bold]{current}[/]")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. -1 or base.")],
) -> None:
    """Revert migrations down to REVISION."""
    url = database_url()
    run(_check_reachable(url))
    migrations.downgrade(url, revision)
    current = run(with_connection(url, migrations.current_revision))
    console.print(f"database {describe_database(url)} is at revision [bold]{current or 'base'}[/]")


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration revision and this code's head."""
    url = database_url()
    current = run(with_connection(url, migrations.current_revision))
    head = migrations.head_revision()
    state = "up to date" if current == head else "needs `talentflow db upgrade`"
    console.print(f"current: {current or '(empty)'}  head: {head}  ({state})")


@db_app.command("seed")
def db_seed(
    file: Annotated[
        Path | None, typer.Option("--file", help="Seed file (default: the packaged list).")
    ] = None,
) -> None:
    """Load the curated institutions (idempotent: running it twice changes nothing)."""
    from service.db.stores.institutions import seed_institutions

    url = database_url()

    async def go(conn: asyncpg.Connection) -> Any:
        await migrations.check_at_head(conn)
        return await seed_institutions(conn, file)

    result = run(with_connection(url, go))
    console.print(
        f"seeded {result.institutions} institutions "
        f"({result.created} created, {result.updated} updated), "
        f"{result.aliases_added} aliases, {result.ids_added} external ids added"
    )


async def _check_reachable(url: str) -> None:
    await with_connection(url, lambda conn: conn.fetchval("SELECT 1"))


# --- status -----------------------------------------------------------------------------------


@app.command("status")
def status() -> None:
    """Which database, its migration revision against the head, and row counts."""
    from service.db.stores.institutions import count_rows

    url = database_url()

    async def go(conn: asyncpg.Connection) -> tuple[str | None, dict[str, int] | None]:
        current = await migrations.current_revision(conn)
        counts = await count_rows(conn) if current == migrations.head_revision() else None
        return current, counts

    current, counts = run(with_connection(url, go))
    head = migrations.head_revision()
    console.print(f"database: {describe_database(url)}")
    console.print(
        f"migration: {current or '(empty)'} (head {head})"
        + ("" if current == head else "  [yellow]run `talentflow db upgrade`[/]")
    )
    if counts:
        table = Table("table", "rows")
        for name, n in counts.items():
            table.add_row(name, f"{n:,}")
        console.print(table)


# --- keys -------------------------------------------------------------------------------------


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="Who or what the key is for.")],
    scope: Annotated[
        list[str],
        typer.Option("--scope", "-s", help="read, curate, ingest or admin; repeatable."),
    ],
) -> None:
    """Create an API key. The key is shown once; only its hash is stored."""
    from service.db.stores.api_keys import check_scopes, create_key

    scopes = check_scopes(scope)

    async def go(conn: asyncpg.Connection) -> Any:
        await migrations.check_at_head(conn)
        return await create_key(conn, name, scopes)

    key, secret = run(with_connection(database_url(), go))
    console.print(f"created key {key.id} ({key.name}) with scopes {', '.join(sorted(key.scopes))}")
    console.print("store it now, it is not shown again:")
    print(secret)


@keys_app.command("list")
def keys_list() -> None:
    """List API keys (never the keys themselves)."""
    from service.db.stores.api_keys import list_keys

    keys = run(with_connection(database_url(), list_keys))
    table = Table("id", "name", "prefix", "scopes", "created", "last used", "revoked")
    for k in keys:
        table.add_row(
            str(k.id),
            k.name,
            f"tf_{k.prefix}_…",
            ", ".join(sorted(k.scopes)),
            k.created_at.strftime("%Y-%m-%d %H:%M"),
            k.last_used_at.strftime("%Y-%m-%d %H:%M") if k.last_used_at else "",
            k.revoked_at.strftime("%Y-%m-%d %H:%M") if k.revoked_at else "",
        )
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key: Annotated[str, typer.Argument(help="Key id or prefix.")]) -> None:
    """Revoke an API key; requests using it are refused from now on."""
    from service.db.stores.api_keys import revoke_key

    async def go(conn: asyncpg.Connection) -> Any:
        return await revoke_key(conn, key)

    revoked = run(with_connection(database_url(), go))
    console.print(f"revoked key {revoked.id} ({revoked.name})")


# --- schema -----------------------------------------------------------------------------------


@schema_app.command("export")
def schema_export(
    out: Annotated[Path, typer.Option(help="Folder to write the contract files to.")] = REPO_ROOT
    / "schema",
) -> None:
    """Regenerate schema/schema.graphql, observation.schema.json and openapi.json from code."""
    from service.contracts import export_all

    for path in export_all(out):
        console.print(f"wrote {path}")


# --- serve and demo ---------------------------------------------------------------------------


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _serve(url: str, host: str, port: int, workers: int, check: bool = True) -> None:
    import uvicorn

    if check:

        async def go(conn: asyncpg.Connection) -> None:
            await migrations.check_at_head(conn)

        run(with_connection(url, go))
    # Child processes (workers > 1) and the app factory read the resolved URL from here.
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    # uvicorn handles SIGTERM itself (finishing in-flight requests), then re-raises it to the
    # handler that was there before; exiting 0 there tells supervisors the stop was clean.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        "service.api.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings().log_level.lower(),
        proxy_headers=True,
        timeout_graceful_shutdown=30,
        # The request middleware writes the access log (structured, with the request id);
        # uvicorn's own line would repeat it, and is formatted even when nothing prints it.
        access_log=False,
    )


def _setting_default(name: str) -> str:
    """What an option left out falls back to: the environment variable, else the default."""
    return f"${ENV_PREFIX}{name.upper()}, else {Settings.model_fields[name].default}"


HOST = typer.Option(help="Interface to bind.", show_default=_setting_default("host"))
PORT = typer.Option(help="Port to listen on.", show_default=_setting_default("port"))
WORKERS = typer.Option(help="Worker processes.", show_default=_setting_default("workers"))


@app.command("serve")
def serve(
    host: Annotated[str | None, HOST] = None,
    port: Annotated[int | None, PORT] = None,
    workers: Annotated[int | None, WORKERS] = None,
) -> None:
    """Serve the GraphQL and REST APIs, the explorer and health endpoints."""
    s = settings()
    url = database_url()
    err_console.print(f"database: {describe_database(url)}")
    _serve(url, host or s.host, port or s.port, workers or s.workers)


@app.command("demo")
def demo(
    host: Annotated[str | None, HOST] = None,
    port: Annotated[int | None, PORT] = None,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Load the demo data and exit.")
    ] = False,
) -> None:
    """Migrate, seed and load a small demo dataset, then serve it with an ingestion worker in
    the same process (embedded PostgreSQL when DATABASE_URL is unset)."""
    from service.db.stores.institutions import seed_institutions

    s = settings()
    url = database_url()
    err_console.print(f"database: {describe_database(url)}")
    migrations.upgrade(url)
    result = run(with_connection(url, lambda conn: seed_institutions(conn)))
    err_console.print(f"seeded {result.institutions} institutions")
    loaded = run(_load_demo(url))
    err_console.print(loaded)
    if no_serve:
        return
    h, p = host or s.host, port or s.port
    console.print(
        f"[bold green]Talentflow demo[/] at http://{h}:{p}/  "
        f"(GraphQL: http://{h}:{p}/graphql, REST: http://{h}:{p}/api/v1/moves)"
    )
    # No separate `talentflow worker` here: runs queued through the API run in this process.
    os.environ[f"{ENV_PREFIX}IN_PROCESS_WORKER"] = "true"
    _serve(url, h, p, 1, check=False)


async def _load_demo(url: str) -> str:
    from service.ingest.pipeline import run_ingester

    pool = await create_pool(url, min_size=1, max_size=4)
    try:
        result = await run_ingester(
            pool, "jsonl", {"path": str(DEMO_DATA)}, instance="demo", settings=settings()
        )
    finally:
        await pool.close()
    return f"demo data: {result.summary()}"


def _register_plugins() -> None:
    try:
        from service.ingest.cli import register
    except ImportError:  # pragma: no cover - during development of the ingest package
        return
    register(app)


_register_plugins()

from service.worker.cli import register as _register_worker  # noqa: E402

_register_worker(app)


def main() -> None:
    try:
        app()
    except SeedError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except DatabaseUnavailable as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except TalentflowError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except (OSError, asyncpg.PostgresError) as exc:
        err_console.print(f"[bold red]error:[/] database: {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)


if __name__ == "__main__":
    main()


__all__ = ["app", "json", "main"]
