"""The news ingester without a database: feed and page parsing, seen entries, the hook."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from plugins.news.feeds import parse_feed
from plugins.news.hooks import alias_table, extract_moves, register_ingesters, to_report
from plugins.news.ingester import MAX_SEEN, NewsConfig, NewsIngester, _remember
from plugins.news.pages import html_to_text, parse_article
from service.ingest import DocumentSeen, MoveReported
from service.ingest.testing import (
    RecordedResponse,
    RecordedServer,
    get_ingester_test_class,
    run_ingester_offline,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "news"
FEED = "https://frontierwire.example/feed/"
ARTICLES = {
    "/2025/03/10/anthropic-hires-openai-evaluation-lead/": "anthropic-hires-openai-evaluation-lead.html",
    "/2025/03/12/marchetti-interview-evaluations/": "marchetti-interview-evaluations.html",
    "/2025/03/14/zhou-mingyuan-joins-bytedance/": "zhou-mingyuan-joins-bytedance.html",
    "/2025/03/18/meta-llama-engineer-mistral-talks/": "meta-llama-engineer-mistral-talks.html",
}
CONFIG = {"feeds": [{"url": FEED}], "lookback_days": None}


def serve_frontierwire(server: RecordedServer) -> None:
    server.add(
        "/feed/",
        file=FIXTURES / "frontierwire_feed.xml",
        etag='"fw-1"',
        headers={"Content-Type": "application/rss+xml; charset=utf-8"},
    )
    for path, name in ARTICLES.items():
        server.add(path, file=FIXTURES / name, headers={"Content-Type": "text/html; charset=utf-8"})


# --- recorded real payloads ---------------------------------------------------------------


def test_recorded_rss_parses(recorded: Path) -> None:
    feed = parse_feed((recorded / "rss2_cloudflare_blog.xml").read_bytes())
    assert feed.title == "The Cloudflare Blog"
    [entry] = feed.entries
    assert entry.key == "6166e7e065133e02a961145d"
    assert entry.link == (
        "https://blog.cloudflare.com/privacy-preserving-compromised-credential-checking/"
    )
    assert entry.published_at is not None and entry.published_at.tzinfo is not None
    assert entry.published_at.date().isoformat() == "2021-10-14"
    # content:encoded (the full post) wins over the one-line description.
    assert entry.text is not None and len(entry.text) > 2000
    assert "<" not in entry.text[:500]
    assert "compromised credential checking" in entry.text


def test_recorded_atom_parses(recorded: Path) -> None:
    feed = parse_feed((recorded / "atom_heise_developer.atom").read_bytes())
    assert feed.title == "heise developer neueste Meldungen"
    assert len(feed.entries) == 15
    first = feed.entries[0]
    assert first.key == "http://heise.de/-3088438"
    assert first.link is not None and "WildFly-10-frei-3088438" in first.link
    # <published> 17:22+01:00 is 16:22 UTC.
    assert first.published_at == datetime(2016, 2, 1, 16, 22, tzinfo=UTC)
    assert first.text is not None and first.text.startswith("Die nun verfügbare Version 10")
    assert len({e.key for e in feed.entries}) == 15


def test_recorded_article_page_parses(recorded: Path) -> None:
    html = (recorded / "article_github_blog_leader_spotlight.html").read_text(encoding="utf-8")
    article = parse_article(html, "https://github.blog/?p=46960")
    assert article.canonical_url == (
        "https://github.blog/2019-03-29-leader-spotlight-erin-spiceland/"
    )
    assert article.title == "Leader spotlight: Erin Spiceland"
    assert article.published_at == datetime(2019, 3, 29, 16, 0, 49, tzinfo=UTC)
    assert article.language == "en"
    assert article.site_name == "The GitHub Blog"
    assert article.text is not None
    assert "Erin Spiceland is a Software Engineer for SpaceX" in article.text
    # Navigation, comments and footers stay out of the main text.
    assert "Sign up for updates" not in article.text
    assert len(article.text) > 1500


# --- pieces -------------------------------------------------------------------------------


def test_html_fragment_keeps_paragraphs_apart() -> None:
    text = html_to_text("<p>Jane Doe has joined Anthropic</p><p>She starts <b>today</b>.</p>")
    assert text == "Jane Doe has joined Anthropic\nShe starts today."


def test_seen_list_is_bounded() -> None:
    items = _remember([str(i) for i in range(MAX_SEEN)], "new", "1")
    assert len(items) == MAX_SEEN and items[-1] == "new"
    assert "0" not in items and "1" in items  # the oldest is forgotten


def test_config_refuses_non_http_feeds() -> None:
    with pytest.raises(ValueError, match="http"):
        NewsConfig.model_validate({"feeds": [{"url": "file:///etc/passwd"}]})
    with pytest.raises(ValueError):
        NewsConfig.model_validate({"feeds": []})


def test_both_hooks_are_offered() -> None:
    assert register_ingesters() == [NewsIngester]


# --- the ingester ---------------------------------------------------------------------------


def test_ingester_emits_one_document_per_article(recorded_server: RecordedServer) -> None:
    serve_frontierwire(recorded_server)
    out = run_ingester_offline(NewsIngester, CONFIG, server=recorded_server)
    docs = [o for o in out.observations if isinstance(o, DocumentSeen)]
    assert len(docs) == 4 == len(out.observations)  # no moves from the ingester itself
    by_url = {d.url: d for d in docs}
    zh = by_url["https://frontierwire.example/2025/03/14/zhou-mingyuan-joins-bytedance/"]
    assert zh.language == "zh"
    assert zh.publisher == "Frontier Wire"
    assert zh.published_at == datetime(2025, 3, 14, 3, 0, tzinfo=UTC)
    assert zh.text is not None and "周明远已加入字节跳动" in zh.text
    assert "Privacy" not in zh.text  # the footer is not main text
    assert zh.content_hash is not None and zh.content_hash.startswith("sha256:")
    en = by_url["https://frontierwire.example/2025/03/10/anthropic-hires-openai-evaluation-lead/"]
    assert en.title == "Anthropic hires OpenAI evaluation lead Lena Marchetti"
    assert en.language == "en"
    assert out.requests[0].path == "/feed/"
    assert len(out.requests) == 5
    assert out.final_state is not None
    assert len(out.final_state["feeds"][FEED]["seen"]) == 4


def test_rerun_fetches_no_article_again(recorded_server: RecordedServer) -> None:
    serve_frontierwire(recorded_server)
    first = run_ingester_offline(NewsIngester, CONFIG, server=recorded_server)
    second = run_ingester_offline(NewsIngester, CONFIG, first.final_state, server=recorded_server)
    assert second.observations == []
    assert [r.path for r in second.requests] == ["/feed/"]


def test_same_article_through_two_feeds_is_emitted_once(recorded_server: RecordedServer) -> None:
    serve_frontierwire(recorded_server)
    page = "/2025/03/10/anthropic-hires-openai-evaluation-lead/"
    # A second feed links the same article with tracking parameters; the canonical URL is one.
    other = f"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
      <title>Aggregator</title><id>urn:agg</id><updated>2025-03-10T15:00:00Z</updated>
      <entry><id>urn:agg:1</id><title>Anthropic hires</title>
      <link rel="alternate" href="https://frontierwire.example{page}?utm_source=agg"/>
      <published>2025-03-10T15:00:00Z</published><updated>2025-03-10T15:00:00Z</updated>
      <summary>Anthropic has hired Lena Marchetti.</summary></entry></feed>"""
    recorded_server.add("/agg.atom", body=other)
    config = {
        "feeds": [{"url": FEED}, {"url": "https://aggregator.example/agg.atom"}],
        "lookback_days": None,
    }
    out = run_ingester_offline(NewsIngester, config, server=recorded_server)
    urls = [o.url for o in out.observations if isinstance(o, DocumentSeen)]
    assert len(urls) == 4 == len(set(urls))


def test_feed_text_stands_in_when_pages_are_not_fetched(recorded_server: RecordedServer) -> None:
    serve_frontierwire(recorded_server)
    out = run_ingester_offline(
        NewsIngester, {**CONFIG, "fetch_articles": False}, server=recorded_server
    )
    assert [r.path for r in out.requests] == ["/feed/"]
    docs = [o for o in out.observations if isinstance(o, DocumentSeen)]
    assert len(docs) == 4
    assert {d.text for d in docs} >= {"Marchetti led reasoning evaluations at OpenAI."}


def test_broken_article_page_falls_back_to_the_feed(recorded_server: RecordedServer) -> None:
    now = datetime.now(UTC)
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>
      <item><title>Fresh</title><link>https://wire.example/fresh</link><guid isPermaLink="false">fresh</guid>
      <pubDate>{format_datetime(now - timedelta(days=1))}</pubDate>
      <description>&lt;p&gt;Jane Roe has joined Anthropic from OpenAI.&lt;/p&gt;</description></item>
      <item><title>Old</title><link>https://wire.example/old</link><guid isPermaLink="false">old</guid>
      <pubDate>{format_datetime(now - timedelta(days=90))}</pubDate>
      <description>Old news.</description></item>
    </channel></rss>"""
    recorded_server.add("/rss", body=feed)
    recorded_server.add("/fresh", RecordedResponse(status=404, body="gone"))
    config = {"feeds": [{"url": "https://wire.example/rss", "publisher": "The Wire"}]}
    out = run_ingester_offline(NewsIngester, config, server=recorded_server)
    [doc] = out.observations
    assert isinstance(doc, DocumentSeen)
    assert doc.url == "https://wire.example/fresh"
    assert doc.text == "Jane Roe has joined Anthropic from OpenAI."
    assert doc.publisher == "The Wire"
    assert "/old" not in [r.path for r in out.requests]  # outside the 30-day window
    assert out.final_state is not None
    assert set(out.final_state["feeds"]["https://wire.example/rss"]["seen"]) == {"fresh", "old"}


def test_failing_feed_is_skipped_and_the_others_read(recorded_server: RecordedServer) -> None:
    serve_frontierwire(recorded_server)
    recorded_server.add("/down", RecordedResponse(status=410, body="gone"))
    config = {
        "feeds": [{"url": "https://down.example/down"}, {"url": FEED}],
        "lookback_days": None,
    }
    out = run_ingester_offline(NewsIngester, config, server=recorded_server)
    assert len(out.rejects) == 1 and "410" in str(out.rejects[0])
    assert len(out.observations) == 4


# --- the extract_moves hook -----------------------------------------------------------------


def _document(name: str, url: str, language: str, published: datetime) -> DocumentSeen:
    article = parse_article((FIXTURES / name).read_text(encoding="utf-8"), url)
    return DocumentSeen(
        url=url,
        kind="news_article",
        text=article.text,
        language=language,
        published_at=published,
    )


def test_hook_reports_moves_with_quotes_and_dates() -> None:
    doc = _document(
        "zhou-mingyuan-joins-bytedance.html",
        "https://frontierwire.example/z",
        "zh",
        datetime(2025, 3, 14, tzinfo=UTC),
    )
    [move] = extract_moves(doc) or []
    assert isinstance(move, MoveReported)
    assert move.person.name == "周明远"
    assert move.from_institution is not None and move.from_institution.slug == "alibaba"
    assert move.to_institution is not None and move.to_institution.slug == "bytedance"
    assert move.date is not None and (move.date.year, move.date.month) == (2025, 3)
    assert move.date.precision == "month"
    assert move.extractor == "news-rules"
    assert move.document_url == "https://frontierwire.example/z"
    assert doc.text is not None and move.span_start is not None and move.span_end is not None
    assert doc.text[move.span_start : move.span_end] == move.quote


def test_hook_gives_rumours_low_confidence() -> None:
    doc = _document(
        "meta-llama-engineer-mistral-talks.html",
        "https://frontierwire.example/m",
        "en",
        datetime(2025, 3, 18, tzinfo=UTC),
    )
    [move] = extract_moves(doc) or []
    assert move.person.name == "Tomasz Wojcik"
    assert move.confidence <= 0.5


def test_hook_ignores_documents_that_are_not_news() -> None:
    doc = DocumentSeen(url="https://x.example/p", kind="profile", text="Jane Doe joined OpenAI.")
    assert extract_moves(doc) is None


def test_unresolved_institutions_go_by_name() -> None:
    table = alias_table()
    assert table.slug_for("OpenAI") == "openai"
    doc = DocumentSeen(
        url="https://x.example/a",
        kind="news_article",
        text="Jane Doe has joined Quillfeather Research Institute from OpenAI.",
        published_at=datetime(2025, 6, 2, tzinfo=UTC),
    )
    reports = extract_moves(doc) or []
    assert reports, "expected a move"
    move = reports[0]
    assert move.from_institution is not None and move.from_institution.slug == "openai"
    assert move.to_institution is not None
    assert move.to_institution.slug is None
    assert move.to_institution.name == "Quillfeather Research Institute"
    assert to_report is not None


TestNewsIngesterConformance = get_ingester_test_class(
    NewsIngester, CONFIG, recordings=serve_frontierwire
)


async def test_feed_validator_is_trusted_only_when_the_feed_was_read_to_the_end() -> None:
    from plugins.news.ingester import _validator_trusted
    from service.config import load_settings
    from service.ingest import IngestContext, PluginSettings
    from service.ingest.http import HttpClient, ValidatorCache, Validators, cache_key

    cache = ValidatorCache({cache_key(FEED): Validators('"v2"', None)})
    ctx = IngestContext(
        http=HttpClient(validators=cache),
        config=NewsConfig.model_validate(CONFIG),
        logger=IngestContext.ingester_logger("news"),
        instance="news",
        settings=PluginSettings.for_ingester(load_settings(), "news", "tests"),
    )
    assert _validator_trusted(ctx, FEED, {"validator": ['"v2"', None]})
    # A validator committed mid-feed by an earlier, interrupted run: read the feed again.
    assert not _validator_trusted(ctx, FEED, {"validator": ['"v1"', None]})
    assert not _validator_trusted(ctx, FEED, {})
    assert _validator_trusted(ctx, "https://other.example/feed", {})
    await ctx.http.aclose()
