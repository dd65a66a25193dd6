"""`talentflow ingest/plugins/runs` through typer's CliRunner on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.ingest.helpers import sample_lines, write_jsonl


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def output(result: object) -> str:
    return (getattr(result, "stdout", "") or "") + (getattr(result, "stderr", "") or "")


def test_ingest_jsonl_stores_good_lines_reports_bad_ones_and_reruns_clean(
    settings_env: str, tmp_path: Path, runner: CliRunner
) -> None:
    from service.cli import app

    lines = [*sample_lines(), "{not json", {"type": "researcher_seen", "name": ""}]
    path = write_jsonl(tmp_path / "obs.jsonl", lines)
    config = tmp_path / "jsonl.toml"
    config.write_text(f'path = "{path}"\n')

    first = runner.invoke(app, ["ingest", "jsonl", "--config", str(config)])
    text = output(first)
    assert first.exit_code == 0, text
    assert "succeeded" in text
    assert "line 9" in text and "malformed JSON" in text
    assert "line 10" in text and "name" in text
    assert " 10 " in text  # seen

    again = runner.invoke(app, ["ingest", "jsonl", "--config", str(config), "--instance", "second"])
    text = output(again)
    assert again.exit_code == 0, text
    row = next(line for line in text.splitlines() if "succeeded" in line)
    cells = [c.strip() for c in row.strip("│┃| ").split("│")]
    assert cells[:6] == ["succeeded", "10", "0", "0", "8", "2"], row

    runs = runner.invoke(app, ["runs", "--limit", "5"])
    assert runs.exit_code == 0 and "second" in output(runs)


def test_unknown_ingester_is_one_line_listing_known_ones(
    settings_env: str, runner: CliRunner
) -> None:
    from service.cli import app

    result = runner.invoke(app, ["ingest", "nope"])
    assert result.exit_code == 2
    assert "unknown ingester 'nope'; known ingesters:" in output(result)
    assert "jsonl" in output(result)


def test_invalid_config_names_plugin_and_field(
    settings_env: str, tmp_path: Path, runner: CliRunner
) -> None:
    from service.cli import app

    config = tmp_path / "c.json"
    config.write_text(json.dumps({"path": "x", "url": "http://x", "bogus": 1}))
    result = runner.invoke(app, ["ingest", "jsonl", "--config", str(config)])
    assert result.exit_code == 2
    text = output(result)
    assert "invalid config for ingester 'jsonl'" in text and "bogus" in text


def test_failed_run_exits_non_zero(settings_env: str, tmp_path: Path, runner: CliRunner) -> None:
    from service.cli import app

    config = tmp_path / "c.json"
    config.write_text(json.dumps({"path": str(tmp_path / "missing.jsonl")}))
    result = runner.invoke(app, ["ingest", "jsonl", "--config", str(config)])
    assert result.exit_code == 1
    assert "file not found" in output(result)


def test_plugins_list_shows_jsonl_with_its_config(settings_env: str, runner: CliRunner) -> None:
    from service.cli import app

    result = runner.invoke(app, ["plugins", "list"])
    assert result.exit_code == 0, output(result)
    text = output(result)
    assert "jsonl" in text and "talentflow" in text and "checkpoint_every" in text


def test_a_dry_run_says_what_it_would_create_and_runs_fit_80_columns(
    settings_env: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from service.cli import app

    path = write_jsonl(tmp_path / "obs.jsonl", sample_lines())
    config = tmp_path / "jsonl.yaml"
    config.write_text(f"path: {path}\n")
    runner = CliRunner()
    monkeypatch.setenv("COLUMNS", "200")
    dry = runner.invoke(app, ["ingest", "jsonl", "-c", str(config), "--dry-run"])
    text = output(dry)
    assert dry.exit_code == 0, text
    assert "would create" in text and "would update" in text
    assert " created " not in text and "│ created" not in text
    assert "dry run 1 of jsonl succeeded: seen 8, would create 8, would update 0" in text

    real = runner.invoke(
        app, ["ingest", "jsonl", "-c", str(config), "--instance", "a-long-instance"]
    )
    assert real.exit_code == 0, output(real)

    monkeypatch.setenv("COLUMNS", "80")
    runs = runner.invoke(app, ["runs"])
    text = output(runs)
    assert runs.exit_code == 0, text
    assert "…" not in text, text
    assert max(len(line) for line in text.splitlines()) <= 80, text
    for word in ("jsonl", "a-long-instance", "succeeded", "dry run", "8 would be created"):
        assert word in text, (word, text)
    assert "8 created" in text


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("c.yaml", "path: [unclosed\n", "is not valid YAML"),
        ("c.yml", "- a list\n", "must hold an object"),
        ("c.cfg", "path = x\n", "unknown extension '.cfg'; use one of .json, .toml, .yaml, .yml"),
        ("c.json", "path: x\n", "is not valid JSON"),
    ],
)
def test_config_files_are_read_by_extension(
    settings_env: str, tmp_path: Path, runner: CliRunner, name: str, body: str, message: str
) -> None:
    from service.cli import app

    config = tmp_path / name
    config.write_text(body)
    result = runner.invoke(app, ["ingest", "jsonl", "--config", str(config)])
    assert result.exit_code == 2
    assert message in output(result), output(result)
