"""``Cursor``: a declared incremental cursor, the common shape of an ingester's state.

Most sources resume from one value: the date of the last pass, a page number, a byte offset, an
opaque page token. Declared once on the ingester class, a cursor reads that value back from the
last committed checkpoint and writes it into the next one, so every plugin keeps it the same way
(as dlt's ``incremental`` and the Singer SDK's bookmarks do)::

    class People(Ingester):
        cursor = Cursor("next_page", int, initial=1)

        async def fetch(self, ctx, state):
            run = self.cursor.resume(state)
            page = run.value
            ...
            run.advance(page + 1)
            yield run.checkpoint()

The state stays a plain JSON object, ``{key: value, **extra}``: a checkpoint written by hand
before a plugin moved onto a cursor resumes the same, as long as the key and the value's form
(an ISO date, an integer) are the ones it used.

- ``scope_key``: the stored value counts only for the same scope (a file, a URL); another scope
  starts from ``initial``.
- ``sorted=False``, for a source not sorted by the cursor (or a value known only at the end, such
  as "the day this pass started"): part-way checkpoints keep the value the run started from and
  only ``final()`` moves it on, so a run that stops part-way reads the rest again next time
  instead of skipping it (the Singer SDK's ``is_sorted``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from service.ingest.ingester import Checkpoint

logger = logging.getLogger(__name__)

V = TypeVar("V", int, str, date, datetime)


def _encode(value: int | str | date) -> int | str:
    return value.isoformat() if isinstance(value, date) else value


def _decode(kind: type[V], raw: Any) -> V:
    """``raw`` (as stored in JSON) as a ``kind``; ValueError when it is not one."""
    if isinstance(raw, bool):
        raise ValueError(f"{raw!r} is not a {kind.__name__}")
    value: Any
    if kind is int:
        if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().lstrip("-").isdigit()):
            value = int(raw)
        else:
            raise ValueError(f"{raw!r} is not an integer")
    elif kind is str:
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not a string")
        value = raw
    elif kind is datetime:
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not an ISO timestamp")
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    elif kind is date:
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not an ISO date")
        value = date.fromisoformat(raw[:10])
    else:  # pragma: no cover - the TypeVar allows no other kind
        raise TypeError(f"a cursor cannot hold a {kind!r}")
    return value  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Cursor(Generic[V]):
    """One value of an ingester's state: where the next run starts.

    ``key`` names it in the state, ``type`` is ``int``, ``str``, ``date`` or ``datetime`` (dates
    are stored as ISO text), ``initial`` is where a first run starts.
    """

    key: str
    type: type[V]
    initial: V | None = None
    scope_key: str | None = None
    sorted: bool = True

    def resume(
        self,
        state: Mapping[str, Any] | None,
        *,
        scope: str | None = None,
        initial: V | None = None,
    ) -> CursorRun[V]:
        """This run's cursor, from the last committed ``state`` (None on a first run).

        ``initial`` overrides the declared one for this run (a config's ``since``). A stored
        value that is not of the cursor's type is logged and ignored: the run starts from
        ``initial`` and reads again what it may have read, rather than failing or skipping.
        """
        start = self.initial if initial is None else initial
        stored = dict(state or {})
        if self.scope_key is not None and stored.get(self.scope_key) != scope:
            return CursorRun(self, scope, start, start, start, resumed=False, state={})
        raw = stored.get(self.key)
        if raw is None:
            return CursorRun(self, scope, start, start, start, resumed=False, state=stored)
        try:
            value = _decode(self.type, raw)
        except ValueError as exc:
            logger.warning("ignoring the stored cursor %r: %s", self.key, exc)
            return CursorRun(self, scope, start, start, start, resumed=False, state=stored)
        return CursorRun(self, scope, start, value, value, resumed=True, state=stored)


@dataclass
class CursorRun(Generic[V]):
    """A cursor during one run: ``start`` (where it resumed), ``value`` (where it is now),
    ``resumed`` (whether a stored value was used) and ``state`` (the stored state, for the
    plugin's other keys)."""

    cursor: Cursor[V]
    scope: str | None
    initial: V | None
    start: V | None
    value: V | None
    resumed: bool
    state: dict[str, Any] = field(default_factory=dict)

    def advance(self, value: V | None) -> None:
        """Move to ``value``. A sorted cursor takes it as the new position (an offset may go
        back to 0 when its file was replaced); an unsorted one keeps the highest value seen."""
        if value is None:
            return
        if self.cursor.sorted or self.value is None:
            self.value = value
        else:
            self.value = max(self.value, value)

    def reset(self) -> None:
        """Start again from the beginning (the declared or given ``initial``)."""
        self.value = self.initial

    def checkpoint(self, extra: Mapping[str, Any] | None = None) -> Checkpoint:
        """A part-way checkpoint: the current value for a sorted cursor, the value the run
        started from for an unsorted one; ``extra`` adds the plugin's other keys."""
        held = self.value if self.cursor.sorted else self.start
        return self._checkpoint(held, extra)

    def final(self, extra: Mapping[str, Any] | None = None) -> Checkpoint:
        """The checkpoint at the end of a complete run: the current value, sorted or not."""
        return self._checkpoint(self.value, extra)

    def _checkpoint(self, value: V | None, extra: Mapping[str, Any] | None) -> Checkpoint:
        state = dict(extra or {})
        state[self.cursor.key] = None if value is None else _encode(value)
        if self.cursor.scope_key is not None:
            state[self.cursor.scope_key] = self.scope
        return Checkpoint(state)
