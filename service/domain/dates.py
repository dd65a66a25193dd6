"""Partial dates: a year, a year and month, or a full day, with their precision.

Publication metadata knows the year, ORCID often the month, a news article the day. The
database stores a partial date as the first day of its period plus the precision
(``affiliation.start_date`` / ``start_precision``, ``move.move_date`` / ``date_precision``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

Precision = Literal["year", "quarter", "month", "day"]
PRECISIONS: tuple[Precision, ...] = ("year", "quarter", "month", "day")

_PATTERN = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")
_QUARTER = re.compile(r"^\s*(\d{4})-?Q([1-4])\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class PartialDate:
    """A date known to a year, a month or a day (``month``/``day`` are None when unknown).

    A quarter is kept as the month that starts it and ``quarter=True``. Partial dates are
    ordered by the start of their period, a coarser date before a finer one on the same start
    ("2019" < "2019-01" < "2019-01-01" < "2019-02"); the generated dataclass ordering cannot
    compare ``None`` with a month, hence the explicit comparison methods.
    """

    year: int
    month: int | None = None
    day: int | None = None
    quarter: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year out of range: {self.year}")
        if self.month is None and self.day is not None:
            raise ValueError("a day needs a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")
        if self.quarter and (self.month is None or self.month not in (1, 4, 7, 10) or self.day):
            raise ValueError("a quarter starts in month 1, 4, 7 or 10 and has no day")
        if self.day is not None:
            assert self.month is not None
            date(self.year, self.month, self.day)  # raises ValueError for 31 February

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "quarter" if self.quarter else "month"
        return "year"

    def sort_key(self) -> tuple[int, int, int, int]:
        rank = {"year": 0, "quarter": 1, "month": 2, "day": 3}[self.precision]
        return (self.year, self.month or 1, self.day or 1, rank)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() < other.sort_key()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() <= other.sort_key()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() > other.sort_key()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, PartialDate):
            return NotImplemented
        return self.sort_key() >= other.sort_key()

    def to_date(self) -> date:
        """The first day of the period."""
        return date(self.year, self.month or 1, self.day or 1)

    def months(self) -> int:
        """Months since year 0 of the period's first month (for distances)."""
        return self.year * 12 + (self.month or 1) - 1

    def __str__(self) -> str:
        if self.day is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.quarter and self.month is not None:
            return f"{self.year:04d}-Q{(self.month - 1) // 3 + 1}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @classmethod
    def parse(cls, text: str) -> PartialDate:
        """Parse "2019", "2019-07", "2019-07-03" (and "2019-Q3")."""
        quarter = _QUARTER.match(text)
        if quarter:
            return cls(int(quarter.group(1)), (int(quarter.group(2)) - 1) * 3 + 1, quarter=True)
        match = _PATTERN.match(text)
        if not match:
            raise ValueError(f"not a partial date: {text!r}")
        year, month, day = match.groups()
        return cls(int(year), int(month) if month else None, int(day) if day else None)

    @classmethod
    def from_date(cls, value: date, precision: Precision | str) -> PartialDate:
        """Truncate ``value`` to ``precision`` (the inverse of ``to_date`` + ``precision``)."""
        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision: {precision!r}")
        prec = precision
        if prec == "year":
            return cls(value.year)
        if prec == "quarter":
            return cls(value.year, (value.month - 1) // 3 * 3 + 1, quarter=True)
        if prec == "month":
            return cls(value.year, value.month)
        return cls(value.year, value.month, value.day)


def from_date(value: date, precision: Precision | str) -> PartialDate:
    """Module-level alias of :meth:`PartialDate.from_date`."""
    return PartialDate.from_date(value, precision)


def months_between(a: PartialDate, b: PartialDate) -> int:
    """Absolute distance in months between the starts of two periods."""
    return abs(a.months() - b.months())
