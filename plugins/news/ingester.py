"""The ``news`` ingester: tech-press feeds in, one ``DocumentSeen`` per new article out.

Each configured feed (RSS 2.0, Atom or RDF) is fetched with a conditional GET, so an unchanged
feed costs a 304 and nothing else. Every entry not seen before and inside the lookback window
is fetched as a page, and trafilatura takes its main text; when the page cannot be had (or
``fetch_articles`` is off) the feed's own content or summary stands in. The article is emitted
once, under its canonical URL, whatever feed it came through.

This ingester reports no moves itself: the ``extract_moves`` hook in ``plugins.news.hooks``
reads the text of every news article (from this ingester or any other), like any third-party
extractor would.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from plugins.news.feeds import FeedEntry, parse_feed
from plugins.news.pages import Article, guess_language, parse_article
from talentflow import (
    Checkpoint,
    DocumentSeen,
    FatalIngestError,
    IngestContext,
    Ingester,
    IngesterConfig,
    Observation,
    RetriableIngestError,
    SkippableRecordError,
)

logger = logging.getLogger(__name__)

MAX_SEEN = 5000
"""Entry keys remembered per feed (and article URLs overall); older ones are forgotten."""


class FeedConfig(BaseModel):
    """One feed: its URL and, optionally, who publishes it and in which language."""

    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, description="RSS 2.0, Atom or RDF feed URL (http or https).")
    publisher: str | None = Field(default=None, description="Defaults to the feed's own title.")
    language: str | None = Field(
        default=None, description="ISO 639-1 code (en, zh); else the page's or feed's own."
    )

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"feed url {value!r} must start with http:// or https://")
        return value


class NewsConfig(IngesterConfig):
    feeds: list[FeedConfig] = Field(min_length=1)
    fetch_articles: bool = Field(
        default=True, description="Fetch each article page; off: use the feed's content only."
    )
    lookback_days: int | None = Field(
        default=30,
        ge=1,
        description="Skip entries published longer ago than this; null keeps every entry.",
    )


def content_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _remember(items: list[str], *new: str | None) -> list[str]:
    """Append ``new`` (once each) and keep the last ``MAX_SEEN``."""
    for item in new:
        if item and item not in items:
            items.append(item)
    return items[-MAX_SEEN:]


def _validator_trusted(ctx: IngestContext, url: str, feed_state: dict[str, Any]) -> bool:
    """Whether a 304 for ``url`` would mean "nothing new" for this ingester.

    The framework commits a feed's ETag / Last-Modified with the next batch it writes, which may
    come before this feed was read to the end. The state therefore keeps the validator the feed
    had when it *was* read to the end; when the committed one differs, the feed is read again in
    full (entries already seen are skipped as usual).
    """
    known = ctx.http.known_validators(url)
    if known is None:
        return True
    return bool(feed_state.get("validator") == [known.etag, known.last_modified])


class NewsIngester(Ingester):
    """Articles from tech-news feeds, as documents whose text the move extractors read."""

    name: ClassVar[str] = "news"
    version: ClassVar[str] = "1"
    Config: ClassVar[type[BaseModel]] = NewsConfig
    description: ClassVar[str] = "Tech-news RSS/Atom/RDF feeds; articles for move extraction."

    async def fetch(
        self, ctx: IngestContext, state: dict[str, Any] | None
    ) -> AsyncIterator[Observation | Checkpoint | SkippableRecordError]:
        config = self.config
        assert isinstance(config, NewsConfig)
        state = dict(state or {})
        feeds_state: dict[str, dict[str, Any]] = dict(state.get("feeds") or {})
        articles: list[str] = list(state.get("articles") or [])
        known_articles = set(articles)
        since = (
            datetime.now(UTC) - timedelta(days=config.lookback_days)
            if config.lookback_days is not None
            else None
        )
        for feed_cfg in config.feeds:
            feed_state = dict(feeds_state.get(feed_cfg.url) or {})
            seen: list[str] = list(feed_state.get("seen") or [])
            seen_set = set(seen)
            try:
                response = await ctx.http.get(
                    feed_cfg.url, conditional=_validator_trusted(ctx, feed_cfg.url, feed_state)
                )
            except RetriableIngestError as exc:
                yield SkippableRecordError(f"feed {feed_cfg.url}: {exc}", position=feed_cfg.url)
                continue
            if response.not_modified:
                ctx.logger.info("feed %s not modified", feed_cfg.url)
                continue
            if response.status_code >= 400:
                yield SkippableRecordError(
                    f"feed {feed_cfg.url} returned {response.status_code}", position=feed_cfg.url
                )
                continue
            feed = parse_feed(response.content, url=feed_cfg.url)
            publisher = feed_cfg.publisher or feed.title
            new = 0
            for entry in feed.entries:
                if entry.key in seen_set or (entry.link and entry.link in known_articles):
                    continue
                seen = _remember(seen, entry.key)
                seen_set.add(entry.key)
                if since is not None and entry.published_at and entry.published_at < since:
                    continue
                try:
                    document = await self._document(ctx, config, feed_cfg, entry, publisher)
                except ValidationError as exc:  # e.g. a javascript: link: one entry rejected
                    yield SkippableRecordError(
                        f"feed {feed_cfg.url} entry {entry.key}: "
                        + "; ".join(
                            f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
                        ),
                        position=f"{feed_cfg.url}#{entry.key}",
                        record=entry.link,
                    )
                    continue
                if document is None:
                    continue
                articles = _remember(articles, entry.link, document.url)
                if document.url in known_articles:
                    continue  # the same article through another feed or another link
                known_articles.update(x for x in (entry.link, document.url) if x)
                new += 1
                yield document
            ctx.logger.info(
                "feed %s: %d entries, %d new articles", feed_cfg.url, len(feed.entries), new
            )
            feeds_state[feed_cfg.url] = {
                "seen": seen,
                "validator": [response.headers.get("etag"), response.headers.get("last-modified")],
            }
            # Only after the whole feed: its validators commit with this checkpoint, and a
            # re-run that got a 304 must not have skipped entries of a half-read feed.
            yield Checkpoint({"feeds": feeds_state, "articles": articles})

    async def _document(
        self,
        ctx: IngestContext,
        config: NewsConfig,
        feed_cfg: FeedConfig,
        entry: FeedEntry,
        publisher: str | None,
    ) -> DocumentSeen | None:
        article: Article | None = None
        if config.fetch_articles and entry.link:
            article = await self._fetch_article(ctx, entry.link)
        text = (article.text if article else None) or entry.text
        url = (article.canonical_url if article else None) or entry.link
        if not url:
            ctx.logger.info("entry %s has no link; skipped", entry.key)
            return None
        if not text:
            ctx.logger.info("article %s has no text; skipped", url)
            return None
        language = (
            feed_cfg.language or (article.language if article else None) or guess_language(text)
        )
        return DocumentSeen(
            url=url,
            kind="news_article",
            title=(article.title if article else None) or entry.title,
            publisher=publisher or (article.site_name if article else None),
            published_at=entry.published_at or (article.published_at if article else None),
            language=language,
            content_hash=content_hash(text),
            text=text,
        )

    async def _fetch_article(self, ctx: IngestContext, url: str) -> Article | None:
        try:
            response = await ctx.http.get(url, conditional=False)
        except (RetriableIngestError, FatalIngestError) as exc:
            ctx.logger.warning(
                "article %s could not be fetched (%s); using the feed text", url, exc
            )
            return None
        if response.status_code >= 400 or not response.content:
            ctx.logger.warning(
                "article %s returned %s; using the feed text", url, response.status_code
            )
            return None
        return parse_article(response.text, url)
