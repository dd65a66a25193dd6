"""The request middleware: request id, access log, metrics, body-size limit, last-resort errors.

Pure ASGI (no buffering), so streaming responses stream. For each HTTP request it

- takes ``X-Request-ID`` from the client when it is a sane token (else makes one), exposes it
  to every log record of the request (``request_id``) and returns it in the response;
- refuses a body over ``max_body_bytes`` with 413, by ``Content-Length`` or while reading;
- reads the GraphQL operation name from ``POST /graphql`` bodies for metrics;
- writes one access-log line (method, path, query parameters with values masked except an
  allow-list, a GraphQL query as its hash, status, duration, request id) and never the headers,
  so API keys and cookies stay out of logs;
- turns an unexpected exception into a bare 500 problem, logged with its traceback.
"""

from __future__ import annotations

import base64
import contextvars
import hashlib
import logging
import re
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import metrics
from service.api.body import read_body, replaying
from service.api.rest.problems import PROBLEM_TYPE, TYPE_BASE

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("service.api.access")

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "talentflow_request_id", default=None
)
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
GRAPHQL_PATH = "/graphql"
# Parameters whose values are logged: names of things, never free text or anything a key could
# hide in. Every other value is logged as ``***`` (a key passed as ``?k=`` or ``?bearer=`` too),
# a GraphQL ``query`` as its hash.
LOGGED_PARAMS = frozenset(
    {
        "limit",
        "cursor",
        "order",
        "format",
        "period",
        "level",
        "since",
        "until",
        "kind",
        "status",
        "country",
        "include_descendants",
        "operationName",
    }
)
MAX_LOGGED_VALUE = 64


def query_hash(query: str) -> str:
    """A short stable name for a query text, for logs (the text itself is never logged)."""
    return "sha256:" + hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def redact_query(query: str) -> str:
    """The query string with every value masked but those of :data:`LOGGED_PARAMS`."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    out: list[tuple[str, str]] = []
    for name, value in pairs:
        if name == "query":
            out.append((name, query_hash(value)))
        elif name in LOGGED_PARAMS:
            out.append((name, value[:MAX_LOGGED_VALUE]))
        else:
            out.append((name[:MAX_LOGGED_VALUE], "***"))
    return urlencode(out)


_factory_installed = False


def install_log_context() -> None:
    """Give every log record made during a request its ``request_id`` (once per process)."""
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        request_id = REQUEST_ID.get()
        if request_id is not None and not hasattr(record, "request_id"):
            record.request_id = request_id
        return record

    logging.setLogRecordFactory(factory)
    # Our access log replaces uvicorn's, which would print raw query strings.
    logging.getLogger("uvicorn.access").addFilter(lambda record: False)
    _factory_installed = True


class BodyTooLarge(Exception):
    pass


def _problem(status: int, code: str, title: str, detail: str, path: str) -> bytes:
    return orjson.dumps(
        {
            "type": TYPE_BASE + code.lower().replace("_", "-"),
            "title": title,
            "status": status,
            "detail": detail,
            "instance": path,
            "code": code,
        }
    )


GRAPHIQL_PAGE = Path(__file__).resolve().parents[1] / "web" / "graphiql" / "index.html"


def _inline_script_hashes(page: Path) -> str:
    """CSP sources for the inline scripts of a page we serve (GraphiQL's start-up script)."""
    try:
        html = page.read_text(encoding="utf-8")
    except OSError:
        return ""
    scripts = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    )


def security_headers() -> list[tuple[bytes, bytes]]:
    """Sent with every response: no sniffing, no framing, no referrer, and a CSP that allows
    only this origin's scripts (plus GraphiQL's own start-up script, by hash) and
    connections."""
    csp = (
        "default-src 'self'; "
        f"script-src 'self' {_inline_script_hashes(GRAPHIQL_PAGE)}; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; "
        "connect-src 'self' ws: wss:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
    return [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
    ]


class RequestMiddleware:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.security_headers = security_headers()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get("x-request-id", "")
        request_id = given if REQUEST_ID_PATTERN.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        start = time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        status = 500
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message.setdefault("headers", [])
                present = {name.lower() for name, _ in message["headers"]}
                message["headers"] = [
                    *message["headers"],
                    (b"x-request-id", request_id.encode()),
                    *(h for h in self.security_headers if h[0] not in present),
                ]
            await send(message)

        async def send_problem(status_code: int, code: str, title: str, detail: str) -> None:
            body = _problem(status_code, code, title, detail, path)
            await send_wrapper(
                {
                    "type": "http.response.start",
                    "status": status_code,
                    "headers": [
                        (b"content-type", PROBLEM_TYPE.encode()),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})

        try:
            length = headers.get("content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body_bytes:
                await send_problem(
                    413,
                    "PAYLOAD_TOO_LARGE",
                    "Content Too Large",
                    f"the request body is over {self.max_body_bytes} bytes",
                )
                return
            receive = self._limited(receive)
            if path == GRAPHQL_PATH and method == "POST":
                receive = await self._graphql_operation(receive)
            elif path == GRAPHQL_PATH and method == "GET":
                query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
                if "query" in query:
                    metrics.observe_graphql(query.get("operationName") or _operation_name(query))
            await self.app(scope, receive, send_wrapper)
        except BodyTooLarge:
            if started:
                raise
            await send_problem(
                413,
                "PAYLOAD_TOO_LARGE",
                "Content Too Large",
                f"the request body is over {self.max_body_bytes} bytes",
            )
        except Exception:
            logger.exception("unhandled error on %s %s", method, path)
            if started:
                raise
            await send_problem(500, "INTERNAL", "Internal Server Error", "internal error")
        finally:
            elapsed = time.perf_counter() - start
            route = _route_template(scope, root_path)
            metrics.observe_request(method, route, status, elapsed)
            access_logger.info(
                "%s %s %s %.1fms",
                method,
                path,
                status,
                elapsed * 1000,
                extra={
                    "method": method,
                    "path": path,
                    "query": redact_query(scope.get("query_string", b"").decode("latin-1")),
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "client": scope["client"][0] if scope.get("client") else None,
                },
            )
            REQUEST_ID.reset(token)

    def _limited(self, receive: Receive) -> Receive:
        limit = self.max_body_bytes
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        return limited

    async def _graphql_operation(self, receive: Receive) -> Receive:
        """Read the whole (size-limited) body, note the operation name, replay the body."""
        buffered = await read_body(receive)  # ``receive`` raises BodyTooLarge past the limit
        assert buffered is not None
        messages, body = buffered
        name: object = None
        try:
            data = orjson.loads(body) if body else None
            if isinstance(data, dict):
                name = data.get("operationName") or _operation_name(data)
        except orjson.JSONDecodeError:
            name = "invalid"
        metrics.observe_graphql(name)
        return replaying(messages, receive)


def _operation_name(request: dict[str, Any]) -> str | None:
    """The name of the document's first operation (``query TopMovers { … }``), if any."""
    query = request.get("query")
    if not isinstance(query, str):
        return None
    match = re.match(r"\s*(?:query|mutation|subscription)\s+(\w+)", query)
    return match.group(1) if match else None


def _route_template(scope: Scope, root_path: str) -> str:
    """The matched route's path template (bounded cardinality), or ``unmatched``."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return "unmatched"
    mount = scope.get("root_path", "")
    prefix = mount[len(root_path) :] if mount.startswith(root_path) else ""
    return prefix + template
