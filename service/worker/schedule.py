"""The ingestion schedule: a TOML file of instances, each with its plugin, cron and config.

```toml
[[schedule]]
instance = "openalex-ai"
plugin = "openalex"
cron = "0 3 * * *"          # standard 5-field cron, UTC; a 6th field adds seconds
config = { topics = ["machine learning"] }
```

The path comes from ``TALENTFLOW_SCHEDULE_FILE``. A bad file is a ``ConfigError`` naming the
entry and what is wrong, before the worker starts.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import croniter  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from service.errors import ConfigError

INSTANCE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")


class ScheduleEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    instance: str = Field(description="A unique name: one run of an instance at a time.")
    plugin: str = Field(description="The ingester's name.")
    cron: str = Field(description="When to run, as cron (UTC).")
    config: dict[str, Any] = Field(default_factory=dict)
    queue: str = "ingest"

    @field_validator("instance")
    @classmethod
    def _check_instance(cls, value: str) -> str:
        if not INSTANCE.match(value):
            raise ValueError("lower-case letters, digits, '-', '_' and '.' only")
        return value

    @field_validator("cron")
    @classmethod
    def _check_cron(cls, value: str) -> str:
        if not croniter.croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a valid cron expression")
        return value

    def next_times(self, count: int = 3, after: datetime | None = None) -> list[datetime]:
        start = after or datetime.now(UTC)
        it = croniter.croniter(self.cron, start)
        return [it.get_next(datetime) for _ in range(count)]


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schedule: list[ScheduleEntry] = Field(default_factory=list)


def parse_schedule(text: str, source: str = "schedule") -> list[ScheduleEntry]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    try:
        entries = Schedule.model_validate(data).schedule
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"])
            problems.append(f"{loc}: {err['msg']}")
        raise ConfigError(f"{source}: " + "; ".join(problems)) from None
    seen: set[str] = set()
    for entry in entries:
        if entry.instance in seen:
            raise ConfigError(f"{source}: instance {entry.instance!r} is scheduled twice")
        seen.add(entry.instance)
    return entries


def load_schedule(path: Path | None) -> list[ScheduleEntry]:
    """The schedule at ``path``; no path means nothing scheduled (runs can still be queued)."""
    if path is None:
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"TALENTFLOW_SCHEDULE_FILE: cannot read {path}: {exc.strerror}", path=str(path)
        ) from None
    return parse_schedule(text, str(path))
