"""Log lines go to the stderr of the moment: a CLI command run under ``CliRunner`` (which swaps
stderr for a buffer and closes it afterwards) leaves no handler bound to that closed buffer."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        yield
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)


def test_logging_after_a_cli_command_reaches_the_current_stderr(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    restore_root_logger: None,
) -> None:
    from service.cli import app
    from service.config import get_settings

    monkeypatch.setenv("TALENTFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TALENTFLOW_SCHEDULE_FILE", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["schedule"])  # configures logging under the runner
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    capsys.readouterr()
    logging.getLogger("service.test").warning("after the command")
    err = capsys.readouterr().err
    assert "after the command" in err
    assert "Logging error" not in err
