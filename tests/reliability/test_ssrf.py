"""Server-side request forgery and local file reads: an ingester reaches only public http(s)
addresses (checked after DNS and on every redirect) unless the operator allows a network; a
local path given through the API must lie under the ingest directory; a run's error, readable
without a key, names no path."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from service.config import load_settings
from service.errors import ConfigError
from service.ingest.http import HttpClient
from service.ingest.manager import get_ingester, get_plugin_manager
from service.ingest.netguard import (
    AddressPolicy,
    BlockedRequestError,
    GuardedBackend,
    literal_address,
    parse_networks,
)
from service.ingest.pipeline import api_config, run_ingester, validate_config
from tests.ingest.helpers import write_jsonl
from tests.reliability.hostile_http import HostileServer


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    with HostileServer() as server:
        server.add("/secret", server.body(b'{"secret": true}'))
        yield server


def production_client(**kw: Any) -> HttpClient:
    """A client as an ingester gets it with no network allowed (production's default)."""
    options: dict[str, Any] = {"ingester": "demo", "retries": 0, "deadline_s": 5.0}
    options.update(kw)
    return HttpClient(**options)


def non_public_urls(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/secret",
        f"http://localhost:{port}/secret",  # a name: refused after resolving it
        f"http://LOCALHOST.:{port}/secret",
        f"http://[::1]:{port}/secret",
        f"http://[::ffff:127.0.0.1]:{port}/secret",
        f"http://[::ffff:7f00:1]:{port}/secret",
        f"http://0x7f000001:{port}/secret",
        f"http://2130706433:{port}/secret",
        f"http://0177.0.0.1:{port}/secret",
        f"http://127.1:{port}/secret",
        f"http://0:{port}/secret",
        f"https://127.0.0.1:{port}/secret",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://10.0.0.1/",
        "http://172.16.5.4/",
        "http://192.168.1.1/",
        "http://100.64.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::]/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
    ]


async def test_every_non_public_address_is_refused(hostile: HostileServer) -> None:
    port = int(hostile.url.rsplit(":", 1)[1])
    for url in non_public_urls(port):
        http = production_client()
        started = time.perf_counter()
        try:
            with pytest.raises(BlockedRequestError) as caught:
                await http.get(url, conditional=False)
        finally:
            await http.aclose()
        assert time.perf_counter() - started < 2, url  # refused, not attempted and timed out
        message = caught.value.message
        assert "refused" in message, message
        assert any(why in message for why in ("public address", "metadata", "invalid URL"))
    assert hostile.paths == []  # nothing reached the local server


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/_x", "ftp://x/"])
async def test_only_http_and_https_are_fetched(url: str) -> None:
    http = production_client()
    try:
        with pytest.raises(BlockedRequestError, match="only http and https"):
            await http.get(url, conditional=False)
    finally:
        await http.aclose()


async def test_the_guard_is_on_the_connection_itself() -> None:
    """Names are resolved and checked where the connection is opened, whatever they resolve to;
    this fails if httpx stops using the guarded backend."""
    http = production_client()
    try:
        pool = http._client._transport._pool  # type: ignore[attr-defined]
        assert isinstance(pool._network_backend, GuardedBackend)
    finally:
        await http.aclose()
    backend = GuardedBackend(httpx.AsyncHTTPTransport()._pool._network_backend, AddressPolicy())
    with pytest.raises(BlockedRequestError, match=r"localhost \(127\.0\.0\.1\)|::1"):
        await backend.connect_tcp("localhost", 80, timeout=2)


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.2:{port2}/secret",  # loopback, but not in the allowed network
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port2}/secret",
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/_x",
    ],
)
async def test_every_redirect_is_checked(target: str) -> None:
    # The first server is allowed (127.0.0.1/32); where it redirects is not.
    with HostileServer("127.0.0.1") as first, HostileServer("127.0.0.2") as second:
        second.add("/secret", second.body(b"{}"))
        port2 = int(second.url.rsplit(":", 1)[1])
        first.add("/start", first.redirect(target.format(port2=port2)))
        first.add("/hop", first.redirect("/start", 301))
        http = production_client(allowed_networks=parse_networks(["127.0.0.1/32"]))
        try:
            with pytest.raises(BlockedRequestError):
                await http.get(first.url + "/hop", conditional=False)
        finally:
            await http.aclose()
        assert first.paths == ["/hop", "/start"]
        assert second.paths == []


async def test_allowed_networks_come_from_the_operator(hostile: HostileServer) -> None:
    os.environ.pop("TALENTFLOW_INGEST_ALLOWED_NETWORKS_UNUSED", None)
    refusing = HttpClient.from_settings(
        load_settings(ingest_allowed_networks=[]), ingester="demo", retries=0
    )
    allowing = HttpClient.from_settings(
        load_settings(ingest_allowed_networks="127.0.0.0/8,::1/128"), ingester="demo"
    )
    try:
        with pytest.raises(BlockedRequestError):
            await refusing.get(hostile.url + "/secret", conditional=False)
        response = await allowing.get(hostile.url + "/secret", conditional=False)
        assert response.json() == {"secret": True}
    finally:
        await refusing.aclose()
        await allowing.aclose()
    with pytest.raises(ConfigError, match="TALENTFLOW_INGEST_ALLOWED_NETWORKS"):
        load_settings(ingest_allowed_networks="127.0.0.0/8,not-a-network")


def test_odd_spellings_are_read_as_the_address_they_mean() -> None:
    for spelling in ("0x7f000001", "2130706433", "0177.0.0.1", "127.1", "[::1]", "::ffff:7f00:1"):
        ip = literal_address(spelling)
        assert ip is not None and not AddressPolicy().permits(ip), spelling
    assert AddressPolicy().permits(literal_address("93.184.216.34"))  # type: ignore[arg-type]
    assert literal_address("example.org") is None


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        " file:///etc/passwd",
        "gopher://127.0.0.1:70/_x",
        "dict://127.0.0.1:11211/stat",
        "/etc/passwd",
        "javascript:alert(1)",
    ],
)
def test_jsonl_url_is_http_only(url: str) -> None:
    jsonl = get_ingester(get_plugin_manager(), "jsonl")
    with pytest.raises(ConfigError, match="only http and https"):
        validate_config(jsonl, {"url": url})


async def test_jsonl_url_run_refuses_a_private_source(
    pool: asyncpg.Pool, hostile: HostileServer
) -> None:
    settings = load_settings(ingest_allowed_networks=[], http_retries=0)
    result = await asyncio.wait_for(
        run_ingester(pool, "jsonl", {"url": hostile.url + "/secret"}, settings=settings), 20
    )
    assert result.status == "failed" and "not a public address" in (result.error or "")
    assert hostile.paths == []


# -- local files through the API ------------------------------------------------------------------


def test_api_paths_must_lie_under_the_ingest_directory(tmp_path: Path) -> None:
    jsonl = get_ingester(get_plugin_manager(), "jsonl")
    root = tmp_path / "ingest"
    root.mkdir()
    inside = write_jsonl(root / "ok.jsonl", [])
    (root / "link.jsonl").symlink_to("/etc/passwd")
    settings = load_settings(ingest_dir=str(root))
    assert api_config(jsonl, {"path": "ok.jsonl"}, settings)["path"] == str(inside)
    assert api_config(jsonl, {"path": str(inside)}, settings)["path"] == str(inside)
    for path in ("/etc/passwd", "../../../../etc/passwd", "link.jsonl", str(tmp_path), "."):
        with pytest.raises(ConfigError) as caught:
            api_config(jsonl, {"path": path}, settings)
        assert "under the server's ingest directory" in caught.value.message
        assert "passwd" not in caught.value.message and str(tmp_path) not in caught.value.message
    with pytest.raises(ConfigError, match="TALENTFLOW_INGEST_DIR"):
        api_config(jsonl, {"path": str(inside)}, load_settings())


START = """mutation($config: JSON) {
  startIngestRun(plugin: "jsonl", config: $config) {
    __typename
    ... on QueuedIngestRun { jobId status }
    ... on ValidationError { message }
  }
}"""


async def test_start_ingest_run_cannot_read_server_files(
    client: httpx.AsyncClient, pool: asyncpg.Pool, keys: dict[str, str]
) -> None:
    auth = {"Authorization": f"Bearer {keys['ingest']}"}
    for config in ({"path": "/etc/passwd"}, {"url": "file:///etc/passwd"}):
        r = await client.post(
            "/graphql", json={"query": START, "variables": {"config": config}}, headers=auth
        )
        result = r.json()["data"]["startIngestRun"]
        assert result["__typename"] == "ValidationError", result
        assert "/etc" not in result["message"]
        rest = await client.post(
            "/api/v1/ingest-runs", json={"plugin": "jsonl", "config": config}, headers=auth
        )
        assert rest.status_code in (400, 422), rest.text
        assert "/etc" not in rest.text
    assert await pool.fetchval("SELECT count(*) FROM ingest_run") == 0
    assert await pool.fetchval("SELECT count(*) FROM ingest_reject") == 0


async def test_run_errors_read_without_a_key_name_no_path(
    client: httpx.AsyncClient, pool: asyncpg.Pool, tmp_path: Path, keys: dict[str, str]
) -> None:
    missing = tmp_path / "private" / "customers.jsonl"
    result = await run_ingester(pool, "jsonl", {"path": str(missing)}, settings=load_settings())
    assert result.status == "failed"
    r = await client.post("/graphql", json={"query": "{ ingestRuns { nodes { status error } } }"})
    body = r.json()
    (node,) = body["data"]["ingestRuns"]["nodes"]
    assert node["status"] == "FAILED" and node["error"].endswith("file not found: <path>")
    rest = await client.get("/api/v1/ingest-runs")
    csv_export = await client.get("/api/v1/ingest-runs?format=csv")
    run_id = rest.json()["data"][0]["id"]
    one = await client.get(f"/api/v1/ingest-runs/{run_id}")
    for text in (r.text, rest.text, csv_export.text, one.text):
        assert str(tmp_path) not in text and "customers" not in text
    assert "file not found: <path>" in csv_export.text and "<path>" in one.text
    # Keys without the admin scope (and keys that do not verify) see the same public view.
    for token in (keys["read"], keys["ingest"], "tf_not_a_key"):
        auth = {"Authorization": f"Bearer {token}"}
        r = await client.post(
            "/graphql", json={"query": "{ ingestRuns { nodes { error } } }"}, headers=auth
        )
        rest = await client.get("/api/v1/ingest-runs", headers=auth)
        assert rest.status_code == 200
        for text in (r.text, rest.text):
            assert "customers" not in text and "<path>" in text
    # The operator's admin key reads the whole error, the path it must fix included.
    auth = {"Authorization": f"Bearer {keys['admin']}"}
    r = await client.post(
        "/graphql", json={"query": "{ ingestRuns { nodes { error } } }"}, headers=auth
    )
    (node,) = r.json()["data"]["ingestRuns"]["nodes"]
    assert node["error"].endswith(f"file not found: {missing}"), node
    for url in (
        "/api/v1/ingest-runs",
        f"/api/v1/ingest-runs/{run_id}",
        "/api/v1/ingest-runs?format=csv",
    ):
        text = (await client.get(url, headers=auth)).text
        assert str(missing) in text, (url, text)


def private_hostname() -> str:
    """A name of this machine that resolves only to non-public addresses (skip otherwise)."""
    import socket

    name = socket.gethostname()
    try:
        infos = socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)
    except OSError:
        pytest.skip("this machine's name does not resolve")
    addresses = {literal_address(str(info[4][0]).split("%")[0]) for info in infos}
    if not addresses or any(a is None or AddressPolicy().permits(a) for a in addresses):
        pytest.skip("this machine's name resolves to a public address")
    return name


async def test_a_name_resolving_to_a_private_address_is_refused_at_connect(
    hostile: HostileServer,
) -> None:
    name = private_hostname()  # not "localhost": only the resolution can tell
    port = int(hostile.url.rsplit(":", 1)[1])
    http = production_client()
    try:
        with pytest.raises(BlockedRequestError, match=f"{name} \\("):
            await http.get(f"http://{name}:{port}/secret", conditional=False)
    finally:
        await http.aclose()
    assert hostile.paths == []


async def test_through_a_proxy_the_target_name_is_resolved_and_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name = private_hostname()
    # The proxy (on 127.0.0.2) is allowed; the target behind it is not.
    with HostileServer("127.0.0.2") as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        http = production_client(allowed_networks=parse_networks(["127.0.0.2/32"]))
        try:
            with pytest.raises(BlockedRequestError, match="not a public address"):
                await http.get(f"http://{name}/secret", conditional=False)
        finally:
            await http.aclose()
        assert proxy.paths == []


def rss(items: list[tuple[str, str]]) -> bytes:
    from email.utils import format_datetime

    now = format_datetime(datetime.now(UTC))
    entries = "".join(
        f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{now}</pubDate><description>Alice Example has joined OpenAI from Google "
        f"DeepMind, the lab said.</description></item>"
        for title, link in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>https://wire.example/</link>{entries}</channel></rss>"
    ).encode()


async def test_links_inside_a_feed_to_private_addresses_are_not_fetched(
    pool: asyncpg.Pool,
) -> None:
    """The feed is on an allowed address; the articles it links to are not: none is fetched,
    so no private page's title or text becomes a readable document; a javascript: link is a
    reject; the run goes on."""
    with HostileServer("127.0.0.1") as feed, HostileServer("127.0.0.2") as private:
        private.add("/secret", private.body(b"<html><title>SECRET TITLE</title></html>"))
        secret = private.url + "/secret"
        feed.add(
            "/feed.xml",
            feed.body(
                rss(
                    [
                        ("Private link", secret),
                        ("Metadata link", "http://169.254.169.254/latest/meta-data/"),
                        ("Script link", "javascript:alert(1)"),
                    ]
                ),
                {"Content-Type": "application/rss+xml"},
            ),
        )
        settings = load_settings(ingest_allowed_networks="127.0.0.1/32", http_retries=0)
        result = await run_ingester(
            pool, "news", {"feeds": [{"url": feed.url + "/feed.xml"}]}, settings=settings
        )
        assert result.status == "succeeded", result.error
        assert private.paths == []  # never fetched
        assert feed.paths == ["/feed.xml"]
    titles = [r["title"] for r in await pool.fetch("SELECT title FROM document")]
    assert "SECRET TITLE" not in titles
    urls = [r["url"] for r in await pool.fetch("SELECT url FROM document")]
    assert not any(u.startswith("javascript") for u in urls)
    assert any("javascript" in (r.record or "") for r in result.rejects)
