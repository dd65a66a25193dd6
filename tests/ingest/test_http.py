"""ctx.http against a real local server: retries, Retry-After, 304s, rate limit, bad bodies."""

from __future__ import annotations

import email.utils
import logging
import time

import pytest

from service.ingest import FatalIngestError, RetriableIngestError
from service.ingest.http import (
    HttpClient,
    RateLimiter,
    ValidatorCache,
    Validators,
    cache_key,
    parse_retry_after,
    redact_url,
)
from service.ingest.netguard import parse_networks
from service.ingest.testing import RecordedResponse, RecordedServer


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def client(server: RecordedServer, clock: FakeClock | None = None, **kw: object) -> HttpClient:
    clock = clock or FakeClock()
    options: dict[str, object] = {
        "ingester": "demo",
        "contact_email": "ops@example.org",
        "retries": 3,
        "rate_per_host": 1000.0,
        "sleep": clock.sleep,
        "clock": clock,
        # the recorded server is on loopback, which a client refuses unless allowed
        "allowed_networks": parse_networks(["127.0.0.0/8"]),
    }
    options.update(kw)
    return HttpClient(**options)  # type: ignore[arg-type]


async def test_user_agent_and_json(recorded_server: RecordedServer) -> None:
    recorded_server.add("/a", json={"ok": True})
    async with client(recorded_server) as http:
        response = await http.get(recorded_server.url + "/a")
    assert response.status_code == 200 and response.json() == {"ok": True}
    agent = recorded_server.requests[0].headers["user-agent"]
    assert agent.startswith("talentflow/") and "mailto:ops@example.org" in agent


async def test_429_with_retry_after_seconds_then_success(recorded_server: RecordedServer) -> None:
    recorded_server.add_sequence(
        "/r",
        [
            RecordedResponse(status=429, headers={"Retry-After": "7"}),
            RecordedResponse(json=[1, 2]),
        ],
    )
    clock = FakeClock()
    async with client(recorded_server, clock) as http:
        response = await http.get(recorded_server.url + "/r")
    assert response.json() == [1, 2]
    assert clock.sleeps == [7.0]
    assert len(recorded_server.requests) == 2


async def test_retry_after_is_capped_and_accepts_http_dates(
    recorded_server: RecordedServer,
) -> None:
    later = email.utils.formatdate(time.time() + 3600, usegmt=True)
    recorded_server.add_sequence(
        "/d", [RecordedResponse(status=503, headers={"Retry-After": later}), RecordedResponse()]
    )
    clock = FakeClock()
    async with client(recorded_server, clock, retry_after_cap_s=60.0) as http:
        await http.get(recorded_server.url + "/d")
    assert clock.sleeps == [60.0]
    assert 3500 < (parse_retry_after(later) or 0) <= 3600
    assert parse_retry_after("garbage") is None


async def test_500_then_success_backs_off_exponentially(recorded_server: RecordedServer) -> None:
    recorded_server.add_sequence(
        "/f",
        [RecordedResponse(status=500), RecordedResponse(status=502), RecordedResponse(body="ok")],
    )
    clock = FakeClock()
    async with client(recorded_server, clock, backoff_base_s=1.0) as http:
        response = await http.get(recorded_server.url + "/f")
    assert response.text == "ok"
    first, second = clock.sleeps
    assert 0.5 <= first <= 1.0 and 1.0 <= second <= 2.0


async def test_exhausted_retries_raise_retriable(recorded_server: RecordedServer) -> None:
    recorded_server.add("/down", status=500)
    async with client(recorded_server, retries=2) as http:
        with pytest.raises(RetriableIngestError, match=r"'demo'.*3 attempt.*status 500"):
            await http.get(recorded_server.url + "/down")
    assert len(recorded_server.requests) == 3


async def test_401_is_fatal_with_a_config_hint(recorded_server: RecordedServer) -> None:
    recorded_server.add("/secret", status=401)
    async with client(recorded_server) as http:
        with pytest.raises(FatalIngestError, match="check the credentials"):
            await http.get(recorded_server.url + "/secret")
    assert len(recorded_server.requests) == 1


async def test_conditional_get_sends_committed_validators(recorded_server: RecordedServer) -> None:
    recorded_server.add(
        "/c", json={"v": 1}, etag='"abc"', last_modified="Mon, 01 Jan 2024 00:00:00 GMT"
    )
    cache = ValidatorCache()
    async with client(recorded_server, validators=cache) as http:
        first = await http.get(recorded_server.url + "/c")
        assert not first.not_modified
        key = cache_key(recorded_server.url + "/c")
        # learnt but pending: not used until committed
        assert key in cache.pending and cache.lookup(key) is None
        cache.mark_committed(cache.take_pending())
        second = await http.get(recorded_server.url + "/c")
    assert second.not_modified and second.status_code == 304
    assert recorded_server.requests[1].headers["if-none-match"] == '"abc"'
    with pytest.raises(FatalIngestError, match="not modified"):
        second.json()


async def test_garbage_and_truncated_json_are_clear_errors(recorded_server: RecordedServer) -> None:
    recorded_server.add("/garbage", body="<html>oops</html>")
    recorded_server.add("/cut", RecordedResponse(json={"items": list(range(100))}, truncate_to=20))
    async with client(recorded_server, retries=1) as http:
        response = await http.get(recorded_server.url + "/garbage")
        with pytest.raises(RetriableIngestError, match=r"invalid JSON.*<html>"):
            response.json()
        with pytest.raises(RetriableIngestError, match=r"RemoteProtocolError|incomplete|attempt"):
            await http.get(recorded_server.url + "/cut")


async def test_rate_limit_spaces_requests_per_host() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(4):
        await limiter.acquire("a.example")
        times.append(clock.now)
    await limiter.acquire("b.example")  # another host is not slowed down
    assert times == [0.0, 0.5, 1.0, 1.5]
    assert clock.now == 1.5


async def test_rate_limit_applies_to_real_requests(recorded_server: RecordedServer) -> None:
    recorded_server.add("/x", body="ok")
    clock = FakeClock()
    async with client(recorded_server, clock, rate_per_host=4.0) as http:
        for _ in range(3):
            await http.get(recorded_server.url + "/x")
    assert clock.sleeps == [0.25, 0.25]


async def test_secrets_are_never_logged_nor_cached(
    recorded_server: RecordedServer, caplog: pytest.LogCaptureFixture
) -> None:
    recorded_server.add_sequence(
        "/k", [RecordedResponse(status=500), RecordedResponse(json={}, etag='"e"')]
    )
    cache = ValidatorCache()
    caplog.set_level(logging.DEBUG)
    async with client(recorded_server, validators=cache) as http:
        await http.get(
            recorded_server.url + "/k",
            params={"api_key": "s3cr3t", "q": "x"},
            headers={"Authorization": "Bearer s3cr3t"},
        )
    assert "s3cr3t" not in caplog.text
    assert all("s3cr3t" not in key for key in cache.pending)
    assert redact_url("http://h/p?api_key=s&b=1") == "http://h/p?api_key=%2A%2A%2A&b=1"
    assert cache.pending[next(iter(cache.pending))] == Validators('"e"', None)


async def test_redirect_to_sends_any_host_to_the_recorded_server(
    recorded_server: RecordedServer,
) -> None:
    recorded_server.add("/works", query={"page": "2"}, json={"page": 2})
    async with client(recorded_server, redirect_to=recorded_server.url) as http:
        response = await http.get("https://api.example.org/works", params={"page": 2})
    assert response.json() == {"page": 2}
