"""Which flow aggregates the rollups answer, and from which rollup.

The rollups (migration 0014) count moves per origin, destination, month and filter dimension,
in columns named as on ``move``: ``move_date`` is the month, ``confidence`` the lower bound of
the move's band (:data:`CONFIDENCE_BANDS`). The move filter's own conditions
(:func:`service.db.queries.moves.filter_conditions`) therefore read a rollup row exactly as they
read a move, provided every condition the filter sets is one a rollup row can answer:

- the fields in :data:`ROLLUP_FIELDS` (a field added to ``MoveFilter`` later is not among them,
  so a filter using it falls back to the scan until someone decides otherwise);
- dates on month boundaries (``dateFrom`` the first of a month, ``dateTo`` the last);
- a minimum confidence of 0 or one of the band bounds;
- institutions only from ``move_rollup_institution`` (``move_rollup_country`` has countries).

Anything else (a researcher, topics, h-index or citation thresholds, citation weights, a date
inside a month, another confidence) reads ``move`` as before. Both paths share one filter and
one aggregate, so they answer the same; ``tests/db/test_flow_rollups.py`` compares them after
random writes.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from enum import Enum

from service.db.queries.moves import MoveFilter

__all__ = [
    "CONFIDENCE_BANDS",
    "ROLLUP_FIELDS",
    "Rollup",
    "covers",
    "rollup_for",
]

CONFIDENCE_BANDS = (0.5, 0.7, 0.9)
"""Lower bounds of the confidence bands after 0 (``tf_confidence_band`` in migration 0014)."""

ROLLUP_FIELDS = frozenset(
    {
        "from_institution",
        "to_institution",
        "include_descendants",
        "from_country",
        "to_country",
        "date_from",
        "date_to",
        "kind",
        "status",
        "min_confidence",
        "cross_border_only",
        "provisional",
        "origin",
        "include_visits",
        "returnee",
        "include_dual_affiliations",
        "dual_affiliation",
        "first_job_after_doctorate",
    }
)
"""``MoveFilter`` fields whose conditions read only columns the rollups keep."""

_DEFAULTS = MoveFilter()


class Rollup(Enum):
    """A rollup table, by what its two sides are."""

    COUNTRY = "move_rollup_country"
    INSTITUTION = "move_rollup_institution"
    INSTITUTION_SIDE = "move_rollup_institution_side"
    """Moves into and out of one institution (migration 0016): the institution series."""


def _month_start(d: date) -> bool:
    return d.day == 1


def _month_end(d: date) -> bool:
    return d == date.max or (d + timedelta(days=1)).day == 1


def covers(flt: MoveFilter) -> bool:
    """Whether the rollups answer ``flt`` exactly (else the scan must)."""
    for f in dataclasses.fields(flt):
        if f.name not in ROLLUP_FIELDS and getattr(flt, f.name) != getattr(_DEFAULTS, f.name):
            return False
    if flt.date_from is not None and not _month_start(flt.date_from):
        return False
    if flt.date_to is not None and not _month_end(flt.date_to):
        return False
    c = flt.min_confidence
    return c is None or c <= 0 or c in CONFIDENCE_BANDS


def rollup_for(flt: MoveFilter, *, institutions: bool) -> Rollup | None:
    """The rollup that answers ``flt`` when the aggregate's sides are institutions (or, with
    ``institutions`` false, countries); None when only the scan does."""
    if not covers(flt):
        return None
    if flt.from_institution is not None or flt.to_institution is not None:
        # One institution's flows to the others: the move table's institution indexes find
        # them, while the institution rollup, keyed by pairs and months, holds about as many
        # rows as there are moves (716 ms against 9 ms at 1x, docs/benchmarks.md). One
        # institution's series reads its own rollup (flows.series_source).
        return None
    if institutions:
        return Rollup.INSTITUTION
    return Rollup.COUNTRY
