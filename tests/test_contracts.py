"""All contract files in schema/ are what the code renders (regenerate: talentflow schema export)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from service.contracts import drifted, export_all

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schema"


def test_committed_contracts_match_the_code() -> None:
    stale = drifted(SCHEMA_DIR)
    assert not stale, f"schema/ is out of date for {stale}: run `talentflow schema export`"


def test_export_writes_every_contract(tmp_path: Path) -> None:
    paths = export_all(tmp_path)
    assert {p.name for p in paths} == {"schema.graphql", "observation.schema.json", "openapi.json"}
    assert drifted(tmp_path) == []


def test_cli_schema_export(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "service.cli", "schema", "export", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert drifted(tmp_path) == []
