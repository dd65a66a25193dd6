"""The HTTP client an ingester gets as ``ctx.http``.

Timeouts; retries with exponential backoff and jitter on 429, 5xx and connection errors,
honouring ``Retry-After`` (seconds or an HTTP date, capped); a per-host token-bucket rate limit;
conditional GET with ETag / Last-Modified validators kept in the ``http_cache`` table; a polite
``User-Agent``. Secrets (``Authorization`` headers, key-like query parameters) are never logged
nor stored.

Every response is read as a stream and bounded: at most ``max_response_bytes`` on the wire and
as many once decompressed (gzip and deflate are decoded here, in steps, so a small compressed
body cannot grow past the limit in memory), within ``deadline_s`` for the whole exchange
(connecting, redirects and the last byte of the body), so a source that drips one byte at a
time is cut off too. Settings give the defaults (``TALENTFLOW_HTTP_MAX_RESPONSE_BYTES``,
``TALENTFLOW_HTTP_DEADLINE_S``); an ingester overrides them with the ``http_max_response_bytes``
and ``http_deadline_s`` class attributes, or at run time with ``ctx.http.set_limits``.

Only ``http``/``https`` URLs are fetched, and only from public addresses, checked on every
connection and every redirect (``service.ingest.netguard``).

Validators are loaded when a run starts. New validators learnt from a response are *pending*
until the pipeline commits the next checkpoint: they are written in that same transaction, so a
crash never leaves a validator for data that was not committed.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import orjson
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
)

from service import __version__
from service.ingest.errors import FatalIngestError, RetriableIngestError
from service.ingest.netguard import (
    AddressPolicy,
    BlockedRequestError,
    IPNetwork,
    guarded_mounts,
    guarded_transport,
)
from service.ratelimit import TokenBuckets

logger = logging.getLogger(__name__)

SECRET_PARAMS = frozenset(
    {"api_key", "apikey", "key", "token", "access_token", "secret", "client_secret", "password"}
)
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


class _Retriable(Exception):
    """An attempt that failed in a way worth retrying: what went wrong, and how long the source
    asked to be left alone (``Retry-After``), if it said."""

    def __init__(self, problem: str, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after


def _problem_of(state: RetryCallState) -> str:
    failure = state.outcome.exception() if state.outcome is not None else None
    return failure.problem if isinstance(failure, _Retriable) else repr(failure)


DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
DEFAULT_DEADLINE_S = 120.0
ACCEPT_ENCODING = "gzip, deflate"  # decoded here, step by step, within the size limit

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


def redact_url(url: str) -> str:
    """``url`` with the values of secret query parameters replaced by ``***``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [
        (k, "***" if k.lower() in SECRET_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(query)))


def cache_key(url: str) -> str:
    """The ``http_cache`` key of a URL: secrets redacted, query parameters sorted."""
    parts = urlsplit(redact_url(url))
    query = sorted(parse_qsl(parts.query, keep_blank_values=True))
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return (url.scheme, url.host, url.port)


class ResponseTooLargeError(FatalIngestError):
    """A response body over the size limit (on the wire or decompressed)."""

    code = "INGEST_RESPONSE_TOO_LARGE"


class DeadlineExceededError(RetriableIngestError):
    """An exchange that did not finish within its total deadline."""

    code = "INGEST_DEADLINE_EXCEEDED"


class _BoundedBody:
    """Collects a body from raw chunks, decoding gzip/deflate, refusing more than ``limit``
    bytes either on the wire or decoded."""

    def __init__(self, encoding: str, limit: int, describe: Callable[[str], str]) -> None:
        self.limit = limit
        self.describe = describe
        self.chunks: list[bytes] = []
        self.size = 0
        self.wire = 0
        coding = encoding.strip().lower()
        self.raw_deflate = False
        self.decoder: Any = None
        if coding in ("gzip", "x-gzip"):
            self.decoder = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self.decoder = zlib.decompressobj()
        elif coding not in ("", "identity"):
            raise FatalIngestError(describe(f"came with Content-Encoding {encoding!r}, not asked"))

    def _too_large(self, what: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            self.describe(
                f"sent more than {self.limit} bytes{what}; the limit is "
                "TALENTFLOW_HTTP_MAX_RESPONSE_BYTES (or the ingester's http_max_response_bytes)"
            ),
            limit=self.limit,
        )

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise self._too_large(" once decompressed" if self.decoder is not None else "")
        if data:
            self.chunks.append(data)

    def feed(self, chunk: bytes) -> None:
        self.wire += len(chunk)
        if self.wire > self.limit:
            raise self._too_large("")
        if self.decoder is None:
            self._keep(chunk)
            return
        pending = chunk
        while pending:
            room = self.limit - self.size + 1  # one byte more than allowed tells "too large"
            try:
                data = self.decoder.decompress(pending, room)
            except zlib.error:
                if self.decoder is not None and not self.raw_deflate and self.size == 0:
                    # "deflate" is meant to be zlib-wrapped; some servers send it raw
                    self.raw_deflate = True
                    self.decoder = zlib.decompressobj(wbits=-zlib.MAX_WBITS)
                    continue
                raise RetriableIngestError(
                    self.describe("sent a corrupt compressed body")
                ) from None
            self._keep(data)
            pending = self.decoder.unconsumed_tail

    def finish(self) -> bytes:
        if self.decoder is not None:
            self._keep(self.decoder.flush())
        return b"".join(self.chunks)


@dataclass(frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None


class _RedactUrls(logging.Filter):
    """Redact secret query parameters in httpx's own request log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(str(arg)) if isinstance(arg, httpx.URL | str) else arg
                for arg in record.args
            )
        return True


_httpx_logger = logging.getLogger("httpx")
if not any(isinstance(f, _RedactUrls) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(_RedactUrls())


class RateLimiter:
    """A token bucket per host (:class:`~service.ratelimit.TokenBuckets`): ``rate`` requests
    per second, bursts of ``burst``; :meth:`acquire` waits for the host's next token."""

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 1,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._sleep = sleep
        self._buckets = TokenBuckets(rate, self.burst)
        self._locks: dict[str, asyncio.Lock] = {}

    def configure(self, rate: float, burst: int = 1) -> None:
        """Change the rate and burst; the buckets refill at the new rate from now on."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = max(1, burst)
        self._buckets.rate = rate
        self._buckets.capacity = float(self.burst)

    async def acquire(self, host: str) -> None:
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            while (wait := self._buckets.take(host, self._clock())) > 0:
                await self._sleep(wait)


@dataclass
class HttpResponse:
    """A fetched response (the whole body is read)."""

    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str
    not_modified: bool = False
    ingester: str = ""

    @property
    def text(self) -> str:
        charset = "utf-8"
        ctype = self.headers.get("content-type", "")
        if "charset=" in ctype:
            charset = ctype.split("charset=", 1)[1].split(";")[0].strip() or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; garbage or a truncated body is a RetriableIngestError saying so."""
        if self.not_modified:
            raise FatalIngestError(
                f"ingester {self.ingester!r}: GET {redact_url(self.url)} was not modified (304); "
                "check response.not_modified before reading the body"
            )
        try:
            return orjson.loads(self.content)
        except orjson.JSONDecodeError as exc:
            excerpt = self.content[:80].decode("utf-8", errors="replace")
            raise RetriableIngestError(
                f"ingester {self.ingester!r}: GET {redact_url(self.url)} returned invalid JSON "
                f"(status {self.status_code}, {len(self.content)} bytes, starts {excerpt!r}): {exc}",
                url=redact_url(self.url),
            ) from None

    def raise_for_status(self) -> None:
        """A FatalIngestError for any 4xx/5xx status that reached the plugin."""
        if self.status_code >= 400:
            raise FatalIngestError(
                f"ingester {self.ingester!r}: GET {redact_url(self.url)} returned "
                f"{self.status_code}",
                status=self.status_code,
            )


@dataclass
class ValidatorCache:
    """Committed validators (from ``http_cache``) and pending ones (not yet committed)."""

    committed: dict[str, Validators] = field(default_factory=dict)
    pending: dict[str, Validators] = field(default_factory=dict)

    def lookup(self, key: str) -> Validators | None:
        return self.committed.get(key)

    def learn(self, key: str, validators: Validators) -> None:
        known = validators.etag or validators.last_modified
        if known and self.committed.get(key) != validators:
            self.pending[key] = validators

    def take_pending(self) -> dict[str, Validators]:
        """Hand the pending validators to the committing transaction."""
        pending, self.pending = self.pending, {}
        return pending

    def mark_committed(self, written: Mapping[str, Validators]) -> None:
        self.committed.update(written)


class HttpClient:
    """What ``ctx.http`` is: GET with retries, rate limit and conditional requests."""

    def __init__(
        self,
        *,
        ingester: str = "",
        contact_email: str = "",
        timeout_s: float = 30.0,
        retries: int = 4,
        rate_per_host: float = 5.0,
        burst: int = 1,
        backoff_base_s: float = 0.5,
        backoff_cap_s: float = 30.0,
        retry_after_cap_s: float = 120.0,
        validators: ValidatorCache | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        redirect_to: str | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Clock = time.monotonic,
        rng: random.Random | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        deadline_s: float = DEFAULT_DEADLINE_S,
        allowed_networks: tuple[IPNetwork, ...] = (),
    ) -> None:
        self.ingester = ingester
        self.max_response_bytes = max_response_bytes
        self.deadline_s = deadline_s
        self.policy = AddressPolicy(tuple(allowed_networks))
        self.retries = retries
        self.backoff_base_s = backoff_base_s
        self.backoff_cap_s = backoff_cap_s
        self.retry_after_cap_s = retry_after_cap_s
        self.validators = validators or ValidatorCache()
        self.redirect_to = redirect_to.rstrip("/") if redirect_to else None
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.limiter = RateLimiter(rate_per_host, burst=burst, clock=clock, sleep=sleep)
        agent = f"talentflow/{__version__}"
        if contact_email:
            agent += f" (+mailto:{contact_email})"
        self.user_agent = agent
        # Our own connections resolve and check every address (a test's transport has none),
        # direct or through the proxies the environment names.
        mounts, self._proxies = guarded_mounts(self.policy) if transport is None else ({}, [])
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_s),
            headers={"User-Agent": agent, "Accept-Encoding": ACCEPT_ENCODING},
            transport=transport if transport is not None else guarded_transport(self.policy),
            mounts=mounts,
            follow_redirects=False,  # followed in _exchange, each hop checked
        )
        self.requests_made = 0

    @classmethod
    def from_settings(cls, settings: Any, *, ingester: str, **overrides: Any) -> HttpClient:
        options: dict[str, Any] = {
            "ingester": ingester,
            "contact_email": settings.contact_email,
            "timeout_s": settings.http_timeout_s,
            "retries": settings.http_retries,
            "rate_per_host": settings.http_rate_per_host,
            "max_response_bytes": settings.http_max_response_bytes,
            "deadline_s": settings.http_deadline_s,
            "allowed_networks": settings.allowed_networks(),
        }
        options.update(overrides)
        return cls(**options)

    def set_rate(self, rate_per_host: float, *, burst: int = 1) -> None:
        """Change the per-host rate limit (an ingester may call this for a stricter source)."""
        self.limiter.configure(rate_per_host, burst)

    def _via_proxy(self, url: str) -> bool:
        """Whether a request for ``url`` goes through a proxy (whose connection is checked,
        but not the target's address: that is resolved and checked before sending)."""
        if not self._proxies:
            return False
        chosen = self._client._transport_for_url(httpx.URL(url))
        return any(chosen is proxy for proxy in self._proxies)

    def set_limits(
        self, *, max_response_bytes: int | None = None, deadline_s: float | None = None
    ) -> None:
        """Change the response size limit or the total deadline of each request (an ingester
        whose source serves larger files, or answers slowly, may call this)."""
        if max_response_bytes is not None:
            if max_response_bytes < 1:
                raise ValueError("max_response_bytes must be positive")
            self.max_response_bytes = max_response_bytes
        if deadline_s is not None:
            if deadline_s <= 0:
                raise ValueError("deadline_s must be positive")
            self.deadline_s = deadline_s

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> HttpClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _backoff(self, attempt: int) -> float:
        delay: float = min(self.backoff_cap_s, self.backoff_base_s * (2**attempt))
        return delay * (0.5 + self._rng.random() / 2)

    def _target(self, url: str) -> str:
        if not self.redirect_to:
            return url
        parts = urlsplit(url)
        base = urlsplit(self.redirect_to)
        return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))

    def known_validators(self, url: str) -> Validators | None:
        """The committed ETag / Last-Modified of ``url`` that a conditional ``get(url)`` sends
        (None if there are none): what a 304 is relative to."""
        return self.validators.lookup(cache_key(url))

    async def get(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        conditional: bool = True,
    ) -> HttpResponse:
        """GET ``url``; a 304 comes back as ``not_modified=True`` with an empty body."""
        try:
            full = str(httpx.URL(url, params=dict(params) if params else None))
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise BlockedRequestError(
                f"ingester {self.ingester!r}: refused to fetch an invalid URL ({exc})"
            ) from None
        key = cache_key(full)
        shown = redact_url(full)
        send_headers = dict(headers or {})
        if conditional:
            known = self.validators.lookup(key)
            if known is not None:
                if known.etag:
                    send_headers["If-None-Match"] = known.etag
                if known.last_modified:
                    send_headers["If-Modified-Since"] = known.last_modified
        host = urlsplit(full).netloc
        # The retry policy is tenacity's: at most ``retries`` more attempts after the first,
        # waiting what the source asked for (``Retry-After``, capped) or an exponential backoff
        # with jitter, through the injected ``sleep`` (tests drive it with a fake clock).
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Retriable),
            sleep=self._sleep,
            before_sleep=lambda state: logger.info(
                "GET %s: %s; retrying in %.2fs",
                shown,
                _problem_of(state),
                state.upcoming_sleep,
            ),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(full, host, send_headers, shown, key, conditional)
        except _Retriable as exc:
            attempts = retrying.statistics.get("attempt_number", self.retries + 1)
            raise RetriableIngestError(
                f"ingester {self.ingester!r}: GET {shown} failed after {attempts} "
                f"attempt(s): {exc.problem}",
                url=shown,
            ) from None
        raise AssertionError(
            "unreachable: tenacity either returns or re-raises"
        )  # pragma: no cover

    def _wait(self, state: RetryCallState) -> float:
        """How long to wait before the next attempt: the source's ``Retry-After`` (capped)
        when it gave one, otherwise the backoff for this attempt."""
        failure = state.outcome.exception() if state.outcome is not None else None
        if isinstance(failure, _Retriable) and failure.retry_after is not None:
            return min(failure.retry_after, self.retry_after_cap_s)
        return self._backoff(state.attempt_number - 1)

    async def _attempt(
        self,
        full: str,
        host: str,
        send_headers: dict[str, str],
        shown: str,
        key: str,
        conditional: bool,
    ) -> HttpResponse:
        """One attempt: wait for the rate limit, exchange, and either answer or raise
        ``_Retriable`` (a transport error or a status worth retrying)."""
        await self.limiter.acquire(host)
        self.requests_made += 1
        try:
            response, content = await self._exchange(self._target(full), send_headers, shown)
        except httpx.TransportError as exc:
            problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise _Retriable(problem) from exc
        status = response.status_code
        logger.debug("GET %s -> %s (%d bytes)", shown, status, len(content))
        if status in (401, 403):
            raise FatalIngestError(
                f"ingester {self.ingester!r}: GET {shown} was refused ({status}); "
                "check the credentials (api key, token) in this ingester's config",
                status=status,
            )
        if status in RETRY_STATUSES:
            raise _Retriable(
                f"status {status}", parse_retry_after(response.headers.get("retry-after"))
            )
        not_modified = status == 304
        if conditional and not not_modified and status < 300:
            self.validators.learn(
                key,
                Validators(response.headers.get("etag"), response.headers.get("last-modified")),
            )
        return HttpResponse(status, response.headers, content, full, not_modified, self.ingester)

    async def _exchange(
        self, url: str, headers: dict[str, str], shown: str
    ) -> tuple[httpx.Response, bytes]:
        """One GET with its redirects, each hop checked, the body read within the limits, all
        within the deadline."""

        def describe(problem: str) -> str:
            return f"ingester {self.ingester!r}: GET {shown} {problem}"

        try:
            async with asyncio.timeout(self.deadline_s):
                current = url
                for _hop in range(MAX_REDIRECTS + 1):
                    self.policy.check_url(current)
                    if self._via_proxy(current):
                        await self.policy.check_resolved(current)
                    request = self._client.build_request("GET", current, headers=headers)
                    response = await self._client.send(request, stream=True)
                    try:
                        location = response.headers.get("location")
                        if response.status_code in REDIRECT_STATUSES and location:
                            try:
                                target = response.url.join(location)
                            except httpx.InvalidURL as exc:
                                raise BlockedRequestError(
                                    describe(f"was redirected to an invalid URL ({exc})")
                                ) from None
                            if _origin(target) != _origin(response.url):
                                headers = {
                                    k: v
                                    for k, v in headers.items()
                                    if k.lower() not in SECRET_HEADERS
                                }
                            current = str(target)
                            continue
                        declared = response.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > self.max_response_bytes:
                            raise ResponseTooLargeError(
                                describe(
                                    f"announced {declared} bytes, more than the limit of "
                                    f"{self.max_response_bytes} (TALENTFLOW_HTTP_MAX_RESPONSE_"
                                    "BYTES or the ingester's http_max_response_bytes)"
                                ),
                                limit=self.max_response_bytes,
                            )
                        body = _BoundedBody(
                            response.headers.get("content-encoding", ""),
                            self.max_response_bytes,
                            describe,
                        )
                        async for chunk in response.aiter_raw():
                            body.feed(chunk)
                        return response, body.finish()
                    finally:
                        await response.aclose()
                raise FatalIngestError(describe(f"was redirected more than {MAX_REDIRECTS} times"))
        except BlockedRequestError as exc:
            if exc.message.startswith("ingester "):
                raise
            raise BlockedRequestError(describe(exc.message), **exc.details) from None
        except TimeoutError:
            raise DeadlineExceededError(
                describe(
                    f"did not finish within its deadline of {self.deadline_s:g}s "
                    "(TALENTFLOW_HTTP_DEADLINE_S or the ingester's http_deadline_s)"
                ),
                url=shown,
            ) from None

    async def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET without validators and decode JSON (the common case of an API page)."""
        response = await self.get(url, params=params, conditional=False)
        response.raise_for_status()
        return response.json()

    async def paginate(
        self,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        next_params: Callable[[HttpResponse], Mapping[str, Any] | None],
        max_pages: int | None = None,
    ) -> AsyncIterator[HttpResponse]:
        """Yield pages; ``next_params(page)`` gives the next page's params, or None to stop."""
        current: Mapping[str, Any] | None = params
        pages = 0
        while current is not None:
            page = await self.get(url, params=current, conditional=False)
            page.raise_for_status()
            yield page
            pages += 1
            if max_pages is not None and pages >= max_pages:
                return
            current = next_params(page)
