"""Every ``talentflow`` command written in the docs is one the CLI takes.

Each command found in README.md and docs/ (in code blocks, in their comments and in inline code)
is parsed by the real CLI: the command path must exist, every option must be known and take
its value, and the required arguments must be there, as ``--help`` would tell a reader. The
commands that only read or write a database (keys, status, runs, db, plugins list) also run,
against a fresh database; docs/graphql.md's key then confirms a move with the doc's mutation.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import typer.main

from service.cli import DEMO_DATA, app
from service.config import load_settings
from service.db.stores.institutions import seed_institutions
from service.ingest.pipeline import run_ingester
from tests import checkout

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").rglob("*.md")])
CLI = [sys.executable, "-m", "service.cli"]
ROOT_COMMAND: Any = typer.main.get_command(app)
# click's UsageError, wherever this typer takes click from (newer typers bundle a copy)
UsageError: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError"
)
# Metasyntax of a usage line rather than a command to type: `db upgrade [REV]`, `a / b`.
METASYNTAX = re.compile(r"[\[\]|…]|\.\.\.|\s/\s")
# Commands safe to run on a test database as written (no server, no network, nothing long).
RUNNABLE = {("keys",), ("status",), ("runs",), ("plugins", "list"), ("db", "current")}


def doc_commands() -> list[tuple[str, str]]:
    """(where, command) for every ``talentflow`` command the docs write out; ``where`` ends
    in ``(prose)`` for a command named in running text."""
    top = "|".join(sorted(ROOT_COMMAND.commands))
    found: list[tuple[str, str]] = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        spans = [" ".join(s.split()) for s in re.findall(r"(?<!`)`([^`]+)`(?!`)", text)]
        lines = [
            line
            for body in re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
            for line in body.splitlines()
        ]
        for chunk, place in [
            *((x, f"{where} (prose)") for x in spans),
            *((x, where) for x in lines),
        ]:
            chunk = re.sub(r"<[^>]*>", "X", chunk)  # a placeholder: <previous head revision>
            for match in re.finditer(rf"(?:^|[\s(`])(talentflow (?:{top})\b[^#&;|>`)]*)", chunk):
                command = match.group(1).strip().rstrip(",.")
                if not METASYNTAX.search(command):
                    found.append((place, command))
    return sorted(set(found))


def parse(argv: list[str], *, reference: bool = False) -> Any:
    """Resolve and parse ``argv`` as the CLI would, without running it; the leaf command.

    With ``reference``, a bare command path (``talentflow ingest``, as prose names a command)
    need only exist.
    """
    command = ROOT_COMMAND
    path = ["talentflow"]
    args = list(argv)
    while hasattr(command, "commands"):  # a group
        assert args, f"`{' '.join(path)}` needs a subcommand"
        name = args.pop(0)
        sub = command.get_command(typer.Context(command), name)
        assert sub is not None, f"`{' '.join(path)}` has no command {name!r}"
        command, path = sub, [*path, name]
    if reference and not args and len(path) == len(argv) + 1:
        return command
    command.make_context(" ".join(path), args)  # raises UsageError on a bad option
    return command


def test_the_docs_write_commands() -> None:
    commands = {c for _, c in doc_commands()}
    assert "talentflow keys create alice -s curate" in commands
    assert "talentflow plugins list" in commands and len(commands) >= 20


@pytest.mark.parametrize(("where", "command"), doc_commands(), ids=lambda v: str(v)[:60])
def test_each_doc_command_parses(where: str, command: str) -> None:
    try:
        parse(shlex.split(command)[1:], reference=where.endswith("(prose)"))
    except UsageError as exc:
        pytest.fail(f"{where}: `{command}`: {exc}")


def test_the_parser_check_can_fail() -> None:
    for wrong in (
        "talentflow keys create --name alice --scope curate",
        "talentflow keys create",
        "talentflow db migrate",
        "talentflow serve --port eighty",
    ):
        with pytest.raises((UsageError, AssertionError)):
            parse(shlex.split(wrong)[1:])


def run_cli(command: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *shlex.split(command)[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_the_database_commands_run_and_the_docs_key_curates(
    client: httpx.AsyncClient, pool: asyncpg.Pool, db_url: str, tmp_path: Path
) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
    loaded = await run_ingester(
        pool, "jsonl", {"path": str(DEMO_DATA)}, instance="demo", settings=load_settings()
    )
    assert loaded.ok
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "TALENTFLOW_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": checkout.PYTHONPATH,
        "COLUMNS": "200",
    }
    ran = []
    keys: dict[str, str] = {}
    # keys are created before they are listed or revoked, as a reader would
    runnable = sorted(
        {
            c
            for _, c in doc_commands()
            if tuple(shlex.split(c)[1:3]) in RUNNABLE or tuple(shlex.split(c)[1:2]) in RUNNABLE
        },
        key=lambda c: ("revoke" in c, "create" not in c, c),
    )
    for command in runnable:
        r = run_cli(command, env, tmp_path)
        assert r.returncode == 0, (command, r.stdout, r.stderr)
        ran.append(command)
        if " keys create " in f"{command} ":
            name = shlex.split(command)[3]
            keys[name] = r.stdout.split()[-1]
    assert "talentflow keys create alice -s curate" in ran and "talentflow status" in ran
    assert keys["alice"].startswith("tf_")

    doc = (ROOT / "docs" / "graphql.md").read_text(encoding="utf-8")
    mutation = re.search(r"```text\n(mutation \{ confirmMove.*?)```", doc, re.S)
    assert mutation, "docs/graphql.md lost its confirmMove example"
    r = await client.post(
        "/graphql",
        json={"query": mutation.group(1)},
        headers={"Authorization": f"Bearer {keys['alice']}"},
    )
    assert r.json()["data"]["confirmMove"] == {"__typename": "Move", "status": "CONFIRMED"}, r.text
    refused = await client.post("/graphql", json={"query": mutation.group(1)})
    assert refused.json()["data"]["confirmMove"]["code"] == "UNAUTHENTICATED"
