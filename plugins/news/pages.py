"""Reading an article page: its main text (trafilatura) and its metadata (canonical URL, date)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import lxml.html  # type: ignore[import-untyped]
import trafilatura
from lxml.etree import ParserError  # type: ignore[import-untyped]

from talentflow import html_to_text as shared_html_to_text
from talentflow import parse_datetime

logger = logging.getLogger(__name__)

_HAN = re.compile(r"[\u4e00-\u9fff]")
_TIME_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "date",
    "dc.date",
    "dc.date.issued",
)


@dataclass(frozen=True)
class Article:
    """What an article page says about itself."""

    text: str | None
    title: str | None
    canonical_url: str | None
    published_at: datetime | None
    language: str | None
    site_name: str | None


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's body), one line per block element."""
    return re.sub(r"\n+", "\n", shared_html_to_text(fragment) or "")


def _meta(root: lxml.html.HtmlElement, names: tuple[str, ...]) -> str | None:
    for name in names:
        for attr in ("property", "name", "itemprop"):
            found = root.xpath(f"//meta[@{attr}=$n]/@content", n=name)
            if found and str(found[0]).strip():
                return str(found[0]).strip()
    return None


def _http_url(value: str | None, base: str) -> str | None:
    if not value:
        return None
    absolute = urljoin(base, value.strip())
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return absolute.split("#", 1)[0]


def guess_language(text: str | None) -> str | None:
    """``zh`` when a good share of the text is Han characters; otherwise unknown."""
    if not text:
        return None
    han = len(_HAN.findall(text[:2000]))
    return "zh" if han >= 20 and han > len(text[:2000]) * 0.2 else None


def parse_article(html: str, url: str) -> Article:
    """Main text and metadata of an article page fetched from ``url``."""
    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    metadata = trafilatura.extract_metadata(html, default_url=url)
    canonical: str | None = None
    published: datetime | None = None
    language: str | None = None
    title: str | None = None
    site: str | None = None
    try:
        root = lxml.html.document_fromstring(html)
    except (ParserError, ValueError):
        root = None
    if root is not None:
        links = root.xpath("//link[@rel='canonical']/@href")
        canonical = _http_url(str(links[0]), url) if links else None
        canonical = canonical or _http_url(_meta(root, ("og:url",)), url)
        published = parse_datetime(_meta(root, _TIME_META))
        langs = root.xpath("/html/@lang")
        language = str(langs[0]).strip() or None if langs else None
        title = _meta(root, ("og:title",))
        site = _meta(root, ("og:site_name",))
    if metadata is not None:
        title = title or metadata.title or None
        site = site or metadata.sitename or None
        published = published or parse_datetime(metadata.date)
        canonical = canonical or _http_url(metadata.url, url)
    if language:
        language = language.split("-")[0].split("_")[0].lower()
    return Article(
        text=text.strip() if text else None,
        title=title,
        canonical_url=canonical,
        published_at=published,
        language=language or guess_language(text),
        site_name=site,
    )
