"""What the ``on_move_recorded`` hook is told about a committed move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RecordedMove:
    """A move as committed to the database (ids are database ids)."""

    id: int
    researcher_id: int
    from_institution_id: int | None
    to_institution_id: int | None
    from_country: str | None
    to_country: str | None
    move_date: date | None
    date_precision: str | None
    kind: str
    status: str
    confidence: float
    origin: str
    provisional: bool
    run_id: int | None = None
