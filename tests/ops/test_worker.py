"""The worker against the real PostgreSQL: a scheduled run happens, a concurrent run of the same
instance is refused and recorded, a failed run is recorded and retried with backoff."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from procrastinate.periodic import PeriodicDeferrer
from typer.testing import CliRunner

from service.config import load_settings
from service.errors import ConfigError, Conflict
from service.ingest.pipeline import LOCK_CLASS
from service.worker.cli import run_worker
from service.worker.queue import build_app, defer_ingest
from service.worker.schedule import load_schedule, parse_schedule

LINES = [
    {
        "type": "document_seen",
        "url": "https://demo.example/profile/1",
        "kind": "profile",
        "title": "A profile",
        "published_at": "2026-06-01T00:00:00Z",
    },
    {
        "type": "researcher_seen",
        "name": "Grace Hopper",
        "topics": ["compilers"],
        "document_url": "https://demo.example/profile/1",
    },
]


def write_schedule(tmp_path: Path, instance: str, config: dict[str, Any]) -> Path:
    path = tmp_path / "schedule.toml"
    path.write_text(
        "[[schedule]]\n"
        f'instance = "{instance}"\n'
        'plugin = "jsonl"\n'
        'cron = "* * * * *"\n'
        f"config = {{ path = {json.dumps(config['path'])} }}\n",
        encoding="utf-8",
    )
    return path


def observations(tmp_path: Path) -> Path:
    path = tmp_path / "observations.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in LINES), encoding="utf-8")
    return path


async def fire_due(url: str, schedule: Path) -> None:
    """Defer what the schedule has due now, as the periodic deferrer of a worker does; twice,
    as two workers would, to show a fire time is deferred once."""
    app = build_app(url, load_schedule(schedule))
    async with app.open_async():
        for _ in range(2):
            deferrer = PeriodicDeferrer(app.periodic_registry)
            await deferrer.defer_jobs(deferrer.get_previous_tasks(at=time.time()))


async def test_scheduled_run_happens(db_url: str, tmp_path: Path) -> None:
    schedule = write_schedule(tmp_path, "demo-minutely", {"path": str(observations(tmp_path))})
    settings = load_settings(database_url=db_url, data_dir=tmp_path, schedule_file=schedule)
    await fire_due(db_url, schedule)
    conn = await asyncpg.connect(db_url)
    try:
        jobs = await conn.fetch("SELECT task_name, status, args FROM procrastinate_jobs")
        assert len(jobs) == 1
        assert jobs[0]["task_name"] == "talentflow.scheduled_ingest"
        await run_worker(settings, db_url, wait=False, install_signal_handlers=False)
        run = await conn.fetchrow("SELECT * FROM ingest_run")
        assert run["instance"] == "demo-minutely" and run["plugin"] == "jsonl"
        assert run["status"] == "succeeded", run["error"]
        assert run["seen"] == 2
        assert await conn.fetchval("SELECT status FROM procrastinate_jobs") == "succeeded"
        assert (
            await conn.fetchval(
                "SELECT count(*) FROM researcher WHERE display_name = 'Grace Hopper'"
            )
            == 1
        )
    finally:
        await conn.close()


async def test_concurrent_run_of_one_instance_is_refused_and_recorded(
    db_url: str, tmp_path: Path
) -> None:
    settings = load_settings(database_url=db_url, data_dir=tmp_path)
    config = {"path": str(observations(tmp_path))}
    holder = await asyncpg.connect(db_url)
    try:
        # A run of the instance in progress elsewhere: its row and its advisory lock.
        running_id = await holder.fetchval(
            "INSERT INTO ingest_run (plugin, instance) VALUES ('jsonl', 'busy') RETURNING id"
        )
        await holder.execute("SELECT pg_advisory_lock($1, hashtext('busy'))", LOCK_CLASS)
        app = build_app(db_url)
        async with app.open_async():
            await defer_ingest(app, "jsonl", "busy", config)
            # A second request while the first is still queued is refused by the queue itself.
            with pytest.raises(Conflict):
                await defer_ingest(app, "jsonl", "busy", config)
        await run_worker(settings, db_url, wait=False, install_signal_handlers=False)
        refused = await holder.fetchrow(
            "SELECT * FROM ingest_run WHERE instance = 'busy' AND id <> $1", running_id
        )
        assert refused["status"] == "cancelled"
        assert refused["error"].startswith(f"refused: run {running_id} of instance 'busy'")
        assert await holder.fetchval("SELECT status FROM procrastinate_jobs") == "succeeded"
        # The run in progress is untouched.
        assert (
            await holder.fetchval("SELECT status FROM ingest_run WHERE id = $1", running_id)
            == "running"
        )
    finally:
        await holder.close()


async def test_failed_run_is_recorded_and_retried_with_backoff(db_url: str, tmp_path: Path) -> None:
    schedule = write_schedule(tmp_path, "broken", {"path": str(tmp_path / "missing.jsonl")})
    settings = load_settings(database_url=db_url, data_dir=tmp_path, schedule_file=schedule)
    await fire_due(db_url, schedule)
    await run_worker(settings, db_url, wait=False, install_signal_handlers=False)
    conn = await asyncpg.connect(db_url)
    try:
        run = await conn.fetchrow("SELECT status, error FROM ingest_run")
        assert run["status"] == "failed"
        # stored whole for the operator; the API shows it without the path to callers
        # without the admin scope (tests/reliability/test_ssrf.py)
        assert "file not found:" in run["error"] and "missing.jsonl" in run["error"]
        job = await conn.fetchrow(
            "SELECT status, attempts, scheduled_at > now() AS later FROM procrastinate_jobs"
        )
        assert job["status"] == "todo" and job["attempts"] == 1 and job["later"]
    finally:
        await conn.close()


def test_schedule_file_errors_are_clear() -> None:
    with pytest.raises(ConfigError, match="cron"):
        parse_schedule('[[schedule]]\ninstance = "a"\nplugin = "jsonl"\ncron = "every day"\n')
    with pytest.raises(ConfigError, match="scheduled twice"):
        parse_schedule(
            '[[schedule]]\ninstance = "a"\nplugin = "x"\ncron = "0 3 * * *"\n'
            '[[schedule]]\ninstance = "a"\nplugin = "y"\ncron = "0 4 * * *"\n'
        )
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_schedule("[[schedule]\n")


def test_schedule_command_shows_next_three_fire_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from service.cli import app
    from service.config import get_settings

    path = tmp_path / "schedule.toml"
    path.write_text(
        '[[schedule]]\ninstance = "openalex-ai"\nplugin = "openalex"\ncron = "0 3 * * *"\n'
        'config = { topics = ["machine learning"] }\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("TALENTFLOW_SCHEDULE_FILE", str(path))
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["schedule"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "openalex-ai" in result.output
    assert result.output.count("03:00") == 3
