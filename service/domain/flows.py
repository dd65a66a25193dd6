"""Flow aggregates: the levels, the periods and the small-number rule, with their semantics.

The SQL that computes flows lives in one place, the read query layer
(:mod:`service.db.queries.flows`), shared by GraphQL and REST; this module states what it
computes, so the domain's vocabulary stays free of I/O:

- ``Level.COUNTRY`` groups by ``from_country``/``to_country``; ``INSTITUTION`` by the move's
  institution ids (a site row is its own entity); ``PARENT`` by the top-level ancestor, joined
  *after* the moves are aggregated. At the PARENT level a move inside one organisation (Google
  Research → Google DeepMind, both Alphabet) is not a flow and is left out.
- An unknown end is a NULL origin or destination.
- ``Period`` truncates ``move_date``; a move known only to the year is counted at the start of
  its year at QUARTER or MONTH periods. Moves without a date have a NULL period (and are left
  out whenever a date bound is given). ``ALL`` gives one NULL period.
- Date bounds are inclusive; retracted and rumoured moves are left out unless asked for.
- Net flows leave out moves whose origin and destination are the same entity (a domestic move
  changes no country's balance).
- A cell counting fewer than ``SMALL_COUNT_THRESHOLD`` moves is flagged small: too few to read
  a trend from, and close to identifying individuals.
"""

from __future__ import annotations

from enum import Enum

MOVE_KINDS = frozenset(
    {
        "academia_to_industry",
        "industry_to_academia",
        "industry_to_industry",
        "academia_to_academia",
        "unknown",
    }
)
MOVE_STATUSES = frozenset({"reported", "corroborated", "confirmed", "retracted", "rumoured"})
SMALL_COUNT_THRESHOLD = 5


class Level(Enum):
    COUNTRY = "country"
    INSTITUTION = "institution"
    PARENT = "parent"


class Period(Enum):
    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"
    ALL = "all"


def mark_small(count: int, threshold: int = SMALL_COUNT_THRESHOLD) -> bool:
    """Whether a count is too small to show without a caution (fewer than ``threshold``)."""
    return count < threshold
