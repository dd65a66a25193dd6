"""The typed application state shared by every request (created in the lifespan)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg
from starlette.requests import HTTPConnection

from service.config import Settings
from service.db.replicas import ReadRouter


@dataclass
class AppState:
    settings: Settings
    database_url: str
    pool: asyncpg.Pool  # the primary: writes, LISTEN, and reads that must see their writes
    reads: ReadRouter | None = None  # set when TALENTFLOW_DATABASE_READ_URLS names replicas
    extras: dict[str, Any] = field(default_factory=dict)


def get_state(conn: HTTPConnection) -> AppState:
    state: AppState = conn.app.state.talentflow
    return state
