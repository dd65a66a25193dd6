"""The docs' `talentflow-example` plugin as an out-of-tree distribution: discovered, listed,
configured and run end to end into the database."""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.config import load_settings
from service.db.pool import create_pool
from service.ingest.manager import get_plugin_manager, ingester_registry, reset_plugin_manager
from service.ingest.pipeline import run_ingester
from service.ingest.testing import RecordedServer, run_ingester_offline

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def example_source() -> str:
    text = DOCS.read_text()
    after = text.split("<!-- example:module -->", 1)[1]
    match = re.search(r"```python\n(.*?)```", after, re.S)
    assert match, "docs/plugins.md lost its example module"
    return match.group(1)


@pytest.fixture
def example_distribution(tmp_path: Path) -> Iterator[Path]:
    site = tmp_path / "site"
    package = site / "talentflow_example"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(example_source())
    info = site / "talentflow_example-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: talentflow-example\nVersion: 0.1.0\n"
    )
    (info / "entry_points.txt").write_text("[talentflow]\nexample = talentflow_example\n")
    sys.path.insert(0, str(site))
    importlib.invalidate_caches()
    reset_plugin_manager()
    try:
        yield site
    finally:
        sys.path.remove(str(site))
        sys.modules.pop("talentflow_example", None)
        reset_plugin_manager()


def people(server: RecordedServer) -> None:
    server.add(
        "/people",
        query={"page": "1"},
        json={
            "people": [
                {
                    "id": 1,
                    "name": "Ada Example",
                    "orcid": "0000-0002-1825-0097",
                    "years": [2016, 2017, 2018],
                },
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


def test_discovered_listed_and_run_end_to_end(
    example_distribution: Path, settings_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pm = get_plugin_manager()
    assert "example_people" in ingester_registry(pm)

    from service.cli import app

    monkeypatch.setenv("COLUMNS", "200")
    listed = CliRunner().invoke(app, ["plugins", "list"])
    assert listed.exit_code == 0
    assert "talentflow-example" in listed.stdout and "example_people" in listed.stdout
    assert "base_url" in listed.stdout

    with RecordedServer() as server:
        people(server)
        config = {"base_url": server.url, "lab": "Example Lab", "api_key": "k-secret"}
        offline = run_ingester_offline(
            ingester_registry(pm)["example_people"], config, server=server
        )
        assert offline.final_state == {"next_page": 2}  # the last page, read again
        assert len(offline.observations) == 4 and len(offline.rejects) == 1

        import asyncio

        async def go() -> tuple[object, object]:
            pool = await create_pool(settings_env, min_size=1, max_size=4)
            try:
                settings = load_settings()
                first = await run_ingester(pool, "example_people", config, settings=settings)
                again = await run_ingester(
                    pool, "example_people", config, settings=settings, instance="again"
                )
                async with pool.acquire() as conn:
                    names = {
                        r["display_name"] for r in await conn.fetch("SELECT * FROM researcher")
                    }
                    affs = await conn.fetchval("SELECT count(*) FROM affiliation")
                    assert names == {"Ada Example", "Bo Example"} and affs == 2
                return first, again
            finally:
                await pool.close()

        first, again = asyncio.run(go())
    assert first.ok and (first.seen, first.created, first.rejected) == (5, 4, 1)  # type: ignore[attr-defined]
    assert first.rejects[0].position == "page 1 #1"  # type: ignore[attr-defined]
    assert again.ok and (again.created, again.updated) == (0, 0)  # type: ignore[attr-defined]
