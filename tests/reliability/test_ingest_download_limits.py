"""Ingester downloads are bounded: a huge body, a gzip bomb or a slow drip is refused within the
size limit and the total deadline, with an error saying which limit and how to change it."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar

import asyncpg
import pytest

from service.config import load_settings
from service.ingest import Checkpoint, IngestContext, Ingester, IngesterConfig, hookimpl
from service.ingest.http import DeadlineExceededError, HttpClient, ResponseTooLargeError
from service.ingest.netguard import parse_networks
from service.ingest.pipeline import run_ingester
from tests.reliability.hostile_http import HostileServer, gzip_bomb

MiB = 1024 * 1024
LOOPBACK = parse_networks(["127.0.0.0/8"])


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        yield server


def client(**kw: Any) -> HttpClient:
    options: dict[str, Any] = {
        "ingester": "demo",
        "retries": 0,
        "max_response_bytes": MiB,
        "deadline_s": 10.0,
        "allowed_networks": LOOPBACK,
    }
    options.update(kw)
    return HttpClient(**options)


async def fetch_peak(http: HttpClient, url: str) -> tuple[BaseException | None, float, int]:
    """What ``GET url`` raised, how long it took and the peak of Python memory it used."""
    tracemalloc.start()
    start = time.perf_counter()
    error: BaseException | None = None
    try:
        await http.get(url, conditional=False)
    except Exception as exc:
        error = exc
    finally:
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        await http.aclose()
    return error, elapsed, peak


async def test_endless_body_is_cut_at_the_limit(hostile: HostileServer) -> None:
    hostile.add("/huge", hostile.endless())  # 500 MB and more, no Content-Length
    error, elapsed, peak = await fetch_peak(client(), hostile.url + "/huge")
    assert isinstance(error, ResponseTooLargeError), error
    assert f"more than {MiB} bytes" in error.message
    assert "TALENTFLOW_HTTP_MAX_RESPONSE_BYTES" in error.message
    assert elapsed < 5 and peak < 8 * MiB, (elapsed, peak)


async def test_announced_huge_body_is_refused_before_reading(hostile: HostileServer) -> None:
    hostile.add("/declared", hostile.endless(declared=500 * MiB))
    error, elapsed, peak = await fetch_peak(client(), hostile.url + "/declared")
    assert isinstance(error, ResponseTooLargeError), error
    assert "announced 524288000 bytes" in error.message
    assert elapsed < 5 and peak < 4 * MiB, (elapsed, peak)


@pytest.mark.parametrize("decoded", [200 * MiB, 20 * MiB])
async def test_gzip_bomb_is_cut_once_decompressed_past_the_limit(
    hostile: HostileServer, decoded: int
) -> None:
    bomb = gzip_bomb(decoded)
    assert len(bomb) < MiB  # small on the wire: only the decompressed size can catch it
    hostile.add("/bomb", hostile.body(bomb, {"Content-Encoding": "gzip"}))
    error, elapsed, peak = await fetch_peak(client(), hostile.url + "/bomb")
    assert isinstance(error, ResponseTooLargeError), error
    assert "once decompressed" in error.message
    assert elapsed < 5 and peak < 8 * MiB, (elapsed, peak)


async def test_deflate_bomb_is_cut_too(hostile: HostileServer) -> None:
    import zlib

    bomb = zlib.compress(bytes(50 * MiB), 9)
    hostile.add("/deflate", hostile.body(bomb, {"Content-Encoding": "deflate"}))
    error, _, peak = await fetch_peak(client(), hostile.url + "/deflate")
    assert isinstance(error, ResponseTooLargeError) and peak < 8 * MiB, (error, peak)


async def test_compressed_body_within_the_limit_is_read(hostile: HostileServer) -> None:
    payload = b'{"ok": true, "pad": "' + b"x" * 200_000 + b'"}'
    hostile.add("/ok", hostile.body(gzip.compress(payload), {"Content-Encoding": "gzip"}))
    http = client()
    try:
        response = await http.get(hostile.url + "/ok", conditional=False)
    finally:
        await http.aclose()
    assert response.content == payload and response.json()["ok"] is True
    assert hostile.paths == ["/ok"]


async def test_unasked_content_encoding_is_refused(hostile: HostileServer) -> None:
    hostile.add("/br", hostile.body(b"\x00" * 100, {"Content-Encoding": "br"}))
    error, _, _ = await fetch_peak(client(), hostile.url + "/br")
    assert error is not None and "Content-Encoding 'br'" in str(error)


async def test_slow_drip_is_cut_at_the_total_deadline(hostile: HostileServer) -> None:
    # one byte every 0.2 s never trips the 30 s read timeout; the total deadline does
    hostile.add("/drip", hostile.drip(0.2))
    error, elapsed, _ = await fetch_peak(
        client(deadline_s=1.5, timeout_s=30.0), hostile.url + "/drip"
    )
    assert isinstance(error, DeadlineExceededError), error
    assert "deadline of 1.5s" in error.message and "TALENTFLOW_HTTP_DEADLINE_S" in error.message
    assert 1.4 < elapsed < 4, elapsed
    assert hostile.paths == [
        "/drip"
    ]  # not retried: a drip would hold the run for retries × deadline


def test_limits_come_from_settings() -> None:
    settings = load_settings(http_max_response_bytes=2 * MiB, http_deadline_s=7)
    http = HttpClient.from_settings(settings, ingester="demo")
    assert (http.max_response_bytes, http.deadline_s) == (2 * MiB, 7)
    defaults = HttpClient.from_settings(load_settings(), ingester="demo")
    assert defaults.max_response_bytes == 64 * MiB and defaults.deadline_s == 120


# -- through a run, with a plugin's own override ------------------------------------------------


class BigConfig(IngesterConfig):
    url: str


class BigFiles(Ingester):
    """A source known to serve large files: its own limit, above the operator's default."""

    name = "big_files"
    Config = BigConfig
    http_max_response_bytes: ClassVar[int | None] = 4 * MiB
    http_deadline_s: ClassVar[float | None] = 5.0
    seen: ClassVar[list[tuple[int, float]]] = []

    async def fetch(self, ctx: IngestContext, state: dict[str, Any] | None) -> AsyncIterator[Any]:
        config = self.config
        assert isinstance(config, BigConfig)
        BigFiles.seen.append((ctx.http.max_response_bytes, ctx.http.deadline_s))
        await ctx.http.get(config.url, conditional=False)
        yield Checkpoint({"done": True})


class BigFilesPlugin:
    @hookimpl
    def register_ingesters(self) -> list[type[Ingester]]:
        return [BigFiles]


async def test_per_plugin_override_applies_in_a_run(
    pool: asyncpg.Pool, hostile: HostileServer, register_plugin: Callable[..., str]
) -> None:
    register_plugin(BigFilesPlugin(), name="big-files-plugin")
    hostile.add("/3mib", hostile.body(bytes(3 * MiB)))
    hostile.add("/huge", hostile.endless())
    settings = load_settings(http_max_response_bytes=MiB, http_retries=0)
    ok = await run_ingester(pool, "big_files", {"url": hostile.url + "/3mib"}, settings=settings)
    assert ok.status == "succeeded", ok.error  # 3 MiB: over the default, under the plugin's
    failed = await run_ingester(
        pool, "big_files", {"url": hostile.url + "/huge"}, settings=settings
    )
    assert failed.status == "failed"
    assert f"more than {4 * MiB} bytes" in (failed.error or "")
    assert BigFiles.seen[-1] == (4 * MiB, 5.0)


async def test_jsonl_url_over_the_limit_fails_its_run_clearly(
    pool: asyncpg.Pool, hostile: HostileServer
) -> None:
    hostile.add("/all.jsonl", hostile.endless())
    settings = load_settings(http_max_response_bytes=MiB, http_retries=0)
    started = time.perf_counter()
    result = await asyncio.wait_for(
        run_ingester(pool, "jsonl", {"url": hostile.url + "/all.jsonl"}, settings=settings), 30
    )
    assert time.perf_counter() - started < 10
    assert result.status == "failed"
    assert "ingester 'jsonl'" in (result.error or "") and "more than" in (result.error or "")
