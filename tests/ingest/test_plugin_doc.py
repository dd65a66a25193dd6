"""docs/plugins.md, copied verbatim: its pyproject, module, example.toml and tests make a real
plugin distribution; the doc's own tests pass against the recorded-HTTP harness, and the doc's
commands run it into a database."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import asyncpg
import pytest

from service.ingest.testing import RecordedServer
from tests import checkout

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "plugins.md"
CLI = [sys.executable, "-m", "service.cli"]


def block(marker: str, lang: str) -> str:
    """The first ```lang block after ``<!-- example:marker -->`` in docs/plugins.md."""
    text = DOC.read_text(encoding="utf-8")
    assert f"<!-- example:{marker} -->" in text, f"docs/plugins.md lost its {marker} block"
    after = text.split(f"<!-- example:{marker} -->", 1)[1]
    match = re.search(rf"```{lang}\n(.*?)```", after, re.S)
    assert match, f"no ```{lang} block after the {marker} marker"
    return match.group(1)


def install(site: Path) -> str:
    """Lay the doc's distribution out as an installed one (its module and a dist-info with
    the entry points its pyproject declares); the distribution's name."""
    project = tomllib.loads(block("pyproject", "toml"))["project"]
    module = site / "talentflow_example"
    module.mkdir(parents=True)
    (module / "__init__.py").write_text(block("module", "python"), encoding="utf-8")
    info = site / f"{project['name'].replace('-', '_')}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n",
        encoding="utf-8",
    )
    groups = project["entry-points"]
    (info / "entry_points.txt").write_text(
        "".join(
            f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in points.items())
            for group, points in groups.items()
        ),
        encoding="utf-8",
    )
    return str(project["name"])


def people(server: RecordedServer) -> None:
    server.add(
        "/people",
        query={"page": "1"},
        json={
            "people": [
                {"id": 1, "name": "Ada Example", "orcid": "0000-0002-1825-0097", "years": [2016]},
                {"id": 2, "name": ""},
            ],
            "next": True,
        },
    )
    server.add(
        "/people",
        query={"page": "2"},
        json={"people": [{"id": 3, "name": "Bo Example", "years": [2020]}], "next": False},
    )


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path, dict[str, str]]:
    site, project = tmp_path / "site", tmp_path / "talentflow-example"
    install(site)
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_example.py").write_text(block("tests", "python"), encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), checkout.PYTHONPATH]),
        "COLUMNS": "200",
    }
    return site, project, env


def test_the_docs_tests_pass_on_the_docs_plugin(layout: tuple[Path, Path, dict[str, str]]) -> None:
    _, project, env = layout
    r = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_example.py"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    # the conformance suite's six tests and the doc's own
    assert re.search(r"\b7 passed\b", r.stdout), r.stdout[-2000:]


def test_the_docs_commands_run_the_plugin(
    layout: tuple[Path, Path, dict[str, str]], db_url: str, tmp_path: Path
) -> None:
    _, project, env = layout
    env = {**env, "DATABASE_URL": db_url, "TALENTFLOW_DATA_DIR": str(tmp_path / "data")}
    commands = [
        line.split("#", 1)[0].split()
        for line in block("commands", "bash").splitlines()
        if line.startswith("talentflow ")
    ]
    assert ["talentflow", "plugins", "list"] in commands and len(commands) >= 4
    config = block("config", "toml")
    with RecordedServer() as server:
        people(server)
        assert "https://lab.example" in config
        (project / "example.toml").write_text(
            config.replace("https://lab.example", server.url), encoding="utf-8"
        )
        outputs = []
        for command in commands:
            r = subprocess.run(
                [*CLI, *command[1:]],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert r.returncode == 0, (command, r.stdout, r.stderr)
            outputs.append(r.stdout)
        # the re-run reads only the last page again, which is there
        pages = [req.query.get("page") for req in server.requests if req.path == "/people"]
        assert set(pages) == {"1", "2"}, pages
    listed = outputs[commands.index(["talentflow", "plugins", "list"])]
    assert "talentflow-example" in listed and "example_people" in listed

    async def stored() -> tuple[set[str], list[tuple[str, int, int]]]:
        conn = await asyncpg.connect(db_url)
        try:
            names = {r[0] for r in await conn.fetch("SELECT display_name FROM researcher")}
            runs = await conn.fetch("SELECT status, seen, rejected FROM ingest_run ORDER BY id")
            return names, [tuple(r) for r in runs]
        finally:
            await conn.close()

    names, runs = asyncio.run(stored())
    assert names == {"Ada Example", "Bo Example"}
    assert runs and all(status == "succeeded" for status, _, _ in runs), runs


def test_every_name_of_the_plugin_api_is_documented() -> None:
    import talentflow
    import talentflow.testing

    text = (ROOT / "docs" / "plugins.md").read_text("utf-8")
    missing = [
        name
        for name in [*talentflow.__all__, *talentflow.testing.__all__]
        if f"`{name}" not in text
    ]
    assert missing == []
