"""Values every ingester reads from a source: HTML bodies as text, and ISO 8601 dates.

Part of the plugin API (``service.ingest``), so first-party and third-party plugins read them
one way:

- ``html_to_text``: an HTML body (a job description, a feed entry) as plain text, parsed by
  lxml's HTML parser (lenient with the broken markup sources send). Block elements (paragraphs,
  headings, list blocks, table rows) are separated by a blank line, ``<br>`` by a line break,
  list items become ``- item`` lines; scripts, styles and comments are dropped, and so is any
  element carrying one of ``drop_classes`` (a board's own "About us" block), with everything
  inside it. Entity-escaped HTML (Greenhouse sends ``&lt;p&gt;``) is unescaped first. Runs of
  spaces collapse; the result is ``None`` when nothing is left.
- ``parse_datetime`` / ``parse_date``: an ISO 8601 timestamp or date (``2026-05-11``,
  ``2026-05-11T17:58:31-04:00``, ``...Z``) as an aware datetime (UTC when no offset is given)
  or a date; ``None`` for anything else, never an exception.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import lxml.html  # type: ignore[import-untyped]
from lxml.etree import ParserError  # type: ignore[import-untyped]

__all__ = ["html_to_text", "parse_date", "parse_datetime"]

BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "table",
        "tr",
        "blockquote",
        "pre",
        "hr",
        "figcaption",
    }
)
SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template"})

_SPACES_RE = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BREAKS_RE = re.compile(r"\n{3,}")
_REAL_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_ESCAPED_TAG_RE = re.compile(r"&lt;/?[a-zA-Z][^&]{0,200}?&gt;")


class _Text:
    """Text pieces of an element tree, in document order."""

    def __init__(self, drop_classes: frozenset[str]) -> None:
        self.parts: list[str] = []
        self.drop_classes = drop_classes
        self.in_item = False  # just after a list-item marker: swallow breaks and blank text

    def brk(self, text: str) -> None:
        if not self.in_item:
            self.parts.append(text)

    def data(self, text: str | None) -> None:
        if not text:
            return
        if self.in_item:
            if not text.strip():
                return  # whitespace between a list marker and the item's text
            self.in_item = False
        self.parts.append(text)

    def element(self, el: Any) -> None:
        if isinstance(el.tag, str):  # not a comment or a processing instruction
            tag = el.tag.lower()
            classes = set((el.get("class") or "").split()) if self.drop_classes else set()
            if tag not in SKIP_TAGS and not classes & self.drop_classes:
                self.inside(el, tag)
        self.data(el.tail)

    def inside(self, el: Any, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.brk("\n\n")
        elif tag == "br":
            self.brk("\n")
        elif tag == "li":
            self.parts.append("\n- ")
            self.in_item = True
        elif tag in ("td", "th"):
            self.parts.append(" ")
        self.data(el.text)
        for child in el:
            self.element(child)
        if tag in BLOCK_TAGS:
            self.brk("\n\n")
        elif tag == "li":
            self.in_item = False
            self.parts.append("\n")


def html_to_text(content: Any, *, drop_classes: Iterable[str] = ()) -> str | None:
    """Plain text of an HTML body (see the module docstring), or None when there is none."""
    if not isinstance(content, str):
        return None
    text = content
    # Escaped as a whole (``&lt;p&gt;``): unescape until real tags show.
    for _ in range(2):
        if _REAL_TAG_RE.search(text) or not _ESCAPED_TAG_RE.search(text):
            break
        text = html.unescape(text)
    if not text.strip():
        return None
    try:
        root = lxml.html.fragment_fromstring(text, create_parent="div")
    except (ParserError, ValueError):
        raw = html.unescape(re.sub(r"<[^>]*>", " ", text))
    else:
        walker = _Text(frozenset(drop_classes))
        walker.data(root.text)
        for child in root:
            walker.element(child)
        raw = "".join(walker.parts)
    lines = [_SPACES_RE.sub(" ", line).strip() for line in raw.split("\n")]
    out = _BREAKS_RE.sub("\n\n", "\n".join(lines)).strip()
    return out or None


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 timestamp or date as an aware datetime (UTC when no offset is given)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        day = parse_date(text)
        if day is None:
            return None
        parsed = datetime(day.year, day.month, day.day)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_date(value: Any) -> date | None:
    """The date an ISO 8601 date or timestamp starts with (``2026-05-11...``), or None."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
