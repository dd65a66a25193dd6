"""docs/plugins/jsonl.md: its producers in other languages (a ``jq`` pipeline, a Node script)
run as written, and what they write validates against the published schema and is ingested
with no rejects, through the documented commands."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from plugins.jsonl import JsonlIngester
from service.ingest.observations import parse_observation
from service.ingest.testing import run_ingester_offline
from tests import checkout
from tests.ingest.test_observation_contract import problems

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "plugins" / "jsonl.md"
CLI = [sys.executable, "-m", "service.cli"]


def block(marker: str, lang: str) -> str:
    """The first ```lang block after ``<!-- jsonl:marker -->``."""
    text = DOC.read_text(encoding="utf-8")
    assert f"<!-- jsonl:{marker} -->" in text, f"docs/plugins/jsonl.md lost its {marker} block"
    after = text.split(f"<!-- jsonl:{marker} -->", 1)[1]
    match = re.search(rf"```{lang}\n(.*?)```", after, re.S)
    assert match, f"no ```{lang} block after the {marker} marker"
    return match.group(1)


def doc_config() -> str:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"```toml\n(# moves\.toml\n.*?)```", text, re.S)
    assert match, "docs/plugins/jsonl.md lost moves.toml"
    return match.group(1)


def doc_commands() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    lines = [
        line.strip()
        for body in re.findall(r"```bash\n(.*?)```", text, re.S)
        for line in body.splitlines()
        if line.strip().startswith("talentflow ")
    ]
    return [line.split()[1:] for line in lines]


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"`{tool}` is not installed on this machine; the {tool} producer is untested")
    return path


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "moves.json").write_text(block("input", "json"), encoding="utf-8")
    (tmp_path / "moves.toml").write_text(doc_config(), encoding="utf-8")
    return tmp_path


def run_jq(workdir: Path) -> list[dict[str, Any]]:
    need("jq")
    script = block("jq", "bash")
    subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=workdir, check=True, timeout=60)
    return check_lines(workdir / "moves.jsonl")


def run_node(workdir: Path) -> list[dict[str, Any]]:
    node = need("node")
    (workdir / "producer.mjs").write_text(block("node", "js"), encoding="utf-8")
    with (workdir / "moves.jsonl").open("wb") as out:
        subprocess.run(
            [node, "producer.mjs", "moves.json"], cwd=workdir, stdout=out, check=True, timeout=60
        )
    return check_lines(workdir / "moves.jsonl")


def check_lines(path: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    moves = json.loads(path.with_name("moves.json").read_text(encoding="utf-8"))
    assert len(lines) == 2 * len(moves)
    for item in lines:
        assert problems(item) == [], item
        parse_observation(item)
    out = run_ingester_offline(JsonlIngester, {"path": str(path)})
    assert out.rejects == [] and len(out.observations) == len(lines)
    return lines


def without_extractor(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in line.items() if k != "extractor"} for line in lines]


def test_the_jq_pipeline_writes_valid_observations(workdir: Path) -> None:
    lines = run_jq(workdir)
    move = lines[1]
    assert move["person"] == {"name": "Mei Lin", "ids": {"orcid": "0000-0002-1825-0097"}}
    assert move["span_end"] == len(move["quote"]) and move["confidence"] == 0.91
    assert "ids" not in lines[3]["person"]


def test_the_node_producer_writes_the_same_lines(workdir: Path, tmp_path_factory: Any) -> None:
    node_lines = run_node(workdir)
    if shutil.which("jq"):
        other = tmp_path_factory.mktemp("jq")
        (other / "moves.json").write_text(block("input", "json"), encoding="utf-8")
        assert without_extractor(run_jq(other)) == without_extractor(node_lines)


def test_the_documented_commands_ingest_the_producers_lines(
    workdir: Path, db_url: str, tmp_path: Path
) -> None:
    lines = run_node(workdir) if shutil.which("node") else run_jq(workdir)
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "TALENTFLOW_DATA_DIR": str(tmp_path / "data"),
        "PYTHONPATH": checkout.PYTHONPATH,
        "COLUMNS": "200",
    }
    seeded = subprocess.run(
        [*CLI, "db", "seed"], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
    )
    assert seeded.returncode == 0, seeded.stderr
    commands = doc_commands()
    assert ["ingest", "jsonl", "--config", "moves.toml", "--dry-run"] in commands
    for args in commands:
        r = subprocess.run(
            [*CLI, *args], cwd=workdir, env=env, capture_output=True, text=True, timeout=120
        )
        assert r.returncode == 0, (args, r.stdout, r.stderr)

    async def stored() -> list[tuple[str, str, str, float]]:
        conn = await asyncpg.connect(db_url)
        try:
            runs = await conn.fetch("SELECT status, seen, rejected FROM ingest_run ORDER BY id")
            assert [tuple(r) for r in runs] == [("succeeded", 4, 0)] * len(commands), runs
            rows = await conn.fetch(
                "SELECT r.display_name, f.slug AS f, t.slug AS t, m.confidence FROM move m "
                "JOIN researcher r ON r.id = m.researcher_id "
                "JOIN institution f ON f.id = m.from_institution_id "
                "JOIN institution t ON t.id = m.to_institution_id ORDER BY 1"
            )
            return [(r["display_name"], r["f"], r["t"], r["confidence"]) for r in rows]
        finally:
            await conn.close()

    import asyncio

    assert asyncio.run(stored()) == [
        ("Jonas Berg", "tsinghua-university", "google-deepmind", 0.8),
        ("Mei Lin", "openai", "tencent", 0.91),
    ]
    assert len(lines) == 4
