"""Reading RSS 2.0, Atom and RDF feeds (already fetched) into plain entries."""

from __future__ import annotations

import calendar
import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from plugins.news.pages import html_to_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedEntry:
    """One feed item: its stable key, link, title, date and whatever text the feed carries."""

    key: str
    link: str | None
    title: str | None
    published_at: datetime | None
    text: str | None
    author: str | None


@dataclass(frozen=True)
class Feed:
    title: str | None
    language: str | None
    entries: list[FeedEntry]
    bozo: bool


def _datetime(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` values are UTC struct_times."""
    if parsed is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError):
        return None


def _entry_text(entry: Any) -> str | None:
    """The richest body the feed offers: ``content:encoded`` / Atom content, else the summary."""
    bodies: list[str] = [c.get("value", "") for c in entry.get("content") or []]
    summary = entry.get("summary")
    if summary:
        bodies.append(summary)
    for body in sorted(bodies, key=len, reverse=True):
        text = html_to_text(body)
        if text:
            return text
    return None


def parse_feed(content: bytes, *, url: str = "") -> Feed:
    """Parse feed bytes; a feed too broken to yield entries gives an empty ``entries`` list."""
    parsed = feedparser.parse(content, response_headers={"content-location": url} if url else None)
    if parsed.get("bozo") and not parsed.entries:
        logger.warning("feed %s could not be parsed: %s", url, parsed.get("bozo_exception"))
    meta = parsed.get("feed", {})
    entries: list[FeedEntry] = []
    for entry in parsed.entries:
        link = entry.get("link") or None
        key = entry.get("id") or link or entry.get("title")
        if not key:
            continue
        published = _datetime(entry.get("published_parsed")) or _datetime(
            entry.get("updated_parsed")
        )
        entries.append(
            FeedEntry(
                key=str(key),
                link=str(link) if link else None,
                title=entry.get("title") or None,
                published_at=published,
                text=_entry_text(entry),
                author=entry.get("author") or None,
            )
        )
    return Feed(
        title=meta.get("title") or None,
        language=meta.get("language") or None,
        entries=entries,
        bozo=bool(parsed.get("bozo")),
    )
