"""``BoardIngester``: the run loop the Greenhouse, Lever and Ashby ingesters share.

For each configured board, in order: read the whole board, yield a ``JobPostingSeen`` for every
listed posting, a ``JobPostingClosed`` for every posting open last run and missing now (closed at
this run's start), then a ``Checkpoint`` carrying the board's open ids. A board that cannot be
read is rejected (with its reason) and keeps its previous state, so nothing closes because of an
outage; when every board fails the run fails. A board that answers 304 Not Modified is unchanged
and yields nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any, ClassVar

from pydantic import ValidationError

from plugins.jobboards.common import (
    BoardConfig,
    BoardDiff,
    JobBoardsConfig,
    next_state,
    repeated_lines,
    strip_company_sections,
    strip_lines,
    utcnow,
)
from talentflow import (
    Checkpoint,
    FatalIngestError,
    IngestContext,
    Ingester,
    IngestError,
    JobPostingSeen,
    Observation,
    SkippableRecordError,
)


class BoardIngester(Ingester):
    """Subclasses set ``source`` and implement ``boards``, ``read_board``, ``raw_id`` and
    ``posting``."""

    source: ClassVar[str] = ""

    def now(self) -> datetime:
        """The time this run starts (closings are stamped with it); tests may replace it."""
        return utcnow()

    def settings(self) -> JobBoardsConfig:
        config = self.config
        assert isinstance(config, JobBoardsConfig)
        return config

    def boards(self) -> Sequence[tuple[str, BoardConfig]]:
        """``(key, board)`` pairs; the key prefixes external ids and names the board's state."""
        raise NotImplementedError

    async def read_board(
        self, ctx: IngestContext, key: str, board: BoardConfig
    ) -> list[Any] | None:
        """The board's raw postings, or None when the server says it has not changed."""
        raise NotImplementedError

    async def read_jobs_object(
        self, ctx: IngestContext, key: str, url: str, params: dict[str, str]
    ) -> list[Any] | None:
        """GET a board answering ``{"jobs": [...]}`` (Greenhouse, Ashby) with conditional GET:
        its jobs, or None when the server says the board has not changed."""
        response = await ctx.http.get(url, params=params, conditional=True)
        if response.not_modified:
            return None
        response.raise_for_status()
        data = response.json()
        if not isinstance(data, dict) or not isinstance(data.get("jobs"), list):
            raise FatalIngestError(
                f"{self.source} board {key!r}: expected an object with a 'jobs' list",
                url=response.url,
            )
        jobs: list[Any] = data["jobs"]
        return jobs

    def raw_id(self, raw: dict[str, Any]) -> str | None:
        value = raw.get("id")
        if value is None or isinstance(value, bool) or str(value).strip() == "":
            return None
        return str(value).strip()

    def posting(
        self, key: str, board: BoardConfig, external_id: str, raw: dict[str, Any]
    ) -> JobPostingSeen | None:
        """The observation for one raw posting; None to leave it out (an unlisted posting)."""
        raise NotImplementedError

    def own_text(self, raw: dict[str, Any]) -> str | None:
        """The posting's text without the blocks the board marks as company boilerplate
        (Greenhouse's intro and conclusion, Lever's opening and closing); the whole text
        where the board marks none. None (the default) when the ingester has no text."""
        return None

    boilerplate: frozenset[str] = frozenset()
    """Lines the postings of the board being read share (set by ``fetch`` for each board)."""

    def posting_text(self, raw: dict[str, Any], *, sections: bool = True) -> str:
        """``own_text`` without the lines shared across the board and (``sections``) the
        company's headed sections ("About us"): what the classifier reads. The country search
        reads it with ``sections=False``: a headed section may run on into the role's own
        text where no heading follows, and a place there must not be lost."""
        own = self.own_text(raw)
        if sections:
            own = strip_company_sections(own, self.boilerplate)
        return strip_lines(own, self.boilerplate) or ""

    def learn_boilerplate(self, raws: list[Any]) -> None:
        """Find the lines the board's postings share (see ``repeated_lines``)."""
        texts: list[str | None] = []
        for raw in raws:
            if not isinstance(raw, dict):
                continue
            try:
                texts.append(self.own_text(raw))
            except (ValueError, TypeError, KeyError, AttributeError):
                continue  # the posting itself is rejected later, with its reason
        self.boilerplate = repeated_lines(texts)

    async def fetch(
        self, ctx: IngestContext, state: dict[str, Any] | None
    ) -> AsyncIterator[Observation | Checkpoint | SkippableRecordError]:
        ctx.http.set_rate(self.settings().requests_per_second)
        started = self.now()
        boards = self.boards()
        current: dict[str, Any] = dict(state or {})
        failures: list[IngestError] = []
        for key, board in boards:
            diff = BoardDiff.from_state(self.source, key, state)
            try:
                raws = await self.read_board(ctx, key, board)
            except IngestError as exc:
                ctx.logger.warning("board %s could not be read: %s", key, exc)
                failures.append(exc)
                yield SkippableRecordError(
                    f"board {key!r} could not be read; its postings stay as they were: {exc}",
                    position=f"board:{key}",
                )
                continue
            if raws is None:
                ctx.logger.info("board %s not modified since the last run", key)
                yield Checkpoint(next_state(current, key, diff.keep()))
                continue
            self.learn_boilerplate(raws)
            for index, raw in enumerate(raws):
                position = f"board:{key}:{index}"
                if not isinstance(raw, dict):
                    yield SkippableRecordError("a posting is not an object", position=position)
                    continue
                rid = self.raw_id(raw)
                if rid is None:
                    yield SkippableRecordError(
                        "a posting has no id", position=position, record=_excerpt(raw)
                    )
                    continue
                external_id = f"{key}:{rid}"
                if external_id in diff.seen:
                    continue  # the same posting twice (overlapping pages)
                diff.saw(external_id)
                try:
                    observation = self.posting(key, board, external_id, raw)
                except (ValidationError, ValueError, TypeError, KeyError) as exc:
                    # Still on the board, so it stays open; only this version is rejected.
                    yield SkippableRecordError(
                        f"posting {external_id}: {exc}", position=position, record=_excerpt(raw)
                    )
                    continue
                if observation is None:
                    diff.seen.discard(external_id)
                    continue
                yield observation
            closed = diff.closed(started)
            if closed and not diff.first_run:
                ctx.logger.info("board %s: %d posting(s) closed", key, len(closed))
            for item in closed:
                yield item
            current = next_state(current, key, diff.entry())
            yield Checkpoint(current)
        if boards and len(failures) == len(boards):
            raise failures[-1]


def _excerpt(raw: dict[str, Any]) -> dict[str, Any]:
    """The identifying fields of a raw posting, for a rejection record."""
    keep = ("id", "title", "text", "absolute_url", "hostedUrl", "jobUrl")
    return {k: raw[k] for k in keep if k in raw}
