"""Test helpers for plugin authors; also a pytest plugin (entry point ``pytest11: talentflow``).

- ``RecordedServer``: serves recorded responses (inline bodies or files, by path and query) from
  127.0.0.1 on a free port, records the requests it got, answers conditional requests with 304
  and plays scripted sequences such as 429-then-200.
- ``run_ingester_offline()``: runs an ingester's ``fetch`` without a database, with every HTTP
  request sent to a ``RecordedServer``; returns the observations, checkpoints, final state and
  the requests made.
- ``StateBuilder``: builds the ``state`` a run starts from.
- fixtures ``recorded_server`` and ``register_plugin``.
- ``get_ingester_test_class()``: a conformance suite for an ingester.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from pydantic import BaseModel, ValidationError

from service.config import Settings, load_settings
from service.ingest.context import IngestContext, PluginSettings
from service.ingest.errors import SkippableRecordError
from service.ingest.http import HttpClient, ValidatorCache
from service.ingest.ingester import Checkpoint, Ingester
from service.ingest.observations import OBSERVATION_TYPES, observation_adapter

logger = logging.getLogger(__name__)

__all__ = [
    "IngestOutput",
    "RecordedRequest",
    "RecordedResponse",
    "RecordedServer",
    "StateBuilder",
    "arun_ingester_offline",
    "get_ingester_test_class",
    "recorded_server",
    "register_plugin",
    "run_ingester_offline",
]


@dataclass(frozen=True)
class RecordedResponse:
    """One canned response. ``body`` (str/bytes), ``json`` or ``file``; optional validators."""

    status: int = 200
    body: str | bytes | None = None
    json: Any = None
    file: Path | None = None
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    truncate_to: int | None = None
    """Announce the full length but send only this many bytes (a truncated body)."""

    def payload(self) -> bytes:
        if self.file is not None:
            return Path(self.file).read_bytes()
        if self.json is not None:
            return json.dumps(self.json).encode()
        if isinstance(self.body, str):
            return self.body.encode()
        return self.body or b""


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class _Route:
    path: str
    query: dict[str, str] | None
    responses: list[RecordedResponse]
    served: int = 0

    def next(self) -> RecordedResponse:
        # A sequence plays in order; its last response repeats.
        response = self.responses[min(self.served, len(self.responses) - 1)]
        self.served += 1
        return response


class RecordedServer:
    """An HTTP server on 127.0.0.1 that answers from recorded responses.

    Routes match on the path and, if given, on a subset of query parameters (the most specific
    route wins). Unknown requests get a 404 whose body names the request, so a missing recording
    is easy to spot.
    """

    def __init__(self) -> None:
        self._routes: list[_Route] = []
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- recording ----------------------------------------------------------------------------
    def add(
        self,
        path: str,
        response: RecordedResponse | None = None,
        *,
        query: dict[str, str] | None = None,
        **response_fields: Any,
    ) -> RecordedServer:
        """Serve one response (``add("/x", json={...})`` or ``add("/x", RecordedResponse(...))``)."""
        return self.add_sequence(
            path, [response or RecordedResponse(**response_fields)], query=query
        )

    def add_sequence(
        self,
        path: str,
        responses: Sequence[RecordedResponse],
        *,
        query: dict[str, str] | None = None,
    ) -> RecordedServer:
        """Serve ``responses`` in order to successive requests (the last one repeats)."""
        if not responses:
            raise ValueError("a sequence needs at least one response")
        with self._lock:
            self._routes.append(_Route(path, query, list(responses)))
        return self

    def load(self, path: Path) -> RecordedServer:
        """Load recordings from a JSON file: a list of ``{path, query?, status?, headers?, body? |
        json? | file? (relative to the JSON file), etag?, last_modified?}`` or of
        ``{path, query?, sequence: [...]}``."""
        entries = json.loads(Path(path).read_text())
        base = Path(path).parent
        for entry in entries:
            items = entry.get("sequence") or [entry]
            responses = [
                RecordedResponse(
                    status=item.get("status", 200),
                    body=item.get("body"),
                    json=item.get("json"),
                    file=(base / item["file"]) if item.get("file") else None,
                    headers=item.get("headers", {}),
                    etag=item.get("etag"),
                    last_modified=item.get("last_modified"),
                )
                for item in items
            ]
            self.add_sequence(entry["path"], responses, query=entry.get("query"))
        return self

    # -- serving ------------------------------------------------------------------------------
    def _match(self, path: str, query: dict[str, str]) -> _Route | None:
        best: _Route | None = None
        best_score = -1
        for route in self._routes:
            if route.path != path:
                continue
            wanted = route.query or {}
            if all(query.get(k) == v for k, v in wanted.items()) and len(wanted) > best_score:
                best, best_score = route, len(wanted)
        return best

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            self.requests.append(RecordedRequest(handler.command, parts.path, query, headers))
            route = self._match(parts.path, query)
            response = route.next() if route else None
        if response is None:
            body = f"no recording for {handler.command} {handler.path}".encode()
            self._send(handler, 404, {"Content-Type": "text/plain"}, body)
            return
        out_headers = dict(response.headers)
        if response.etag:
            out_headers["ETag"] = response.etag
        if response.last_modified:
            out_headers["Last-Modified"] = response.last_modified
        if response.status == 200 and (
            (response.etag and headers.get("if-none-match") == response.etag)
            or (
                response.last_modified
                and headers.get("if-modified-since") == response.last_modified
            )
        ):
            self._send(handler, 304, out_headers, b"")
            return
        if response.json is not None:
            out_headers.setdefault("Content-Type", "application/json")
        payload = response.payload()
        if response.truncate_to is not None:
            out_headers["Content-Length"] = str(len(payload))
            self._send(handler, response.status, out_headers, payload[: response.truncate_to], True)
            return
        self._send(handler, response.status, out_headers, payload)

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler,
        status: int,
        headers: dict[str, str],
        body: bytes,
        raw_length: bool = False,
    ) -> None:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        if not raw_length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if body and status != 304:
            handler.wfile.write(body)
        if raw_length:
            handler.close_connection = True

    def start(self) -> RecordedServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # requests are kept in ``server.requests``; the log may hold secrets

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> RecordedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the recorded server is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://127.0.0.1:{self.port}"


# -- running an ingester without a database ---------------------------------------------------
@dataclass
class IngestOutput:
    observations: list[BaseModel]
    checkpoints: list[Checkpoint]
    final_state: dict[str, Any] | None
    requests: list[RecordedRequest]
    rejects: list[SkippableRecordError] = field(default_factory=list)
    other: list[Any] = field(default_factory=list)
    """Anything yielded that is neither an observation, a checkpoint nor a rejection."""


class StateBuilder:
    """Build the state a run starts from: ``StateBuilder().with_("cursor", "abc").build()``."""

    def __init__(self, initial: dict[str, Any] | None = None) -> None:
        self._state: dict[str, Any] = dict(initial or {})

    def with_(self, key: str, value: Any) -> StateBuilder:
        self._state[key] = value
        return self

    def update(self, values: dict[str, Any]) -> StateBuilder:
        self._state.update(values)
        return self

    def build(self) -> dict[str, Any]:
        built: dict[str, Any] = json.loads(json.dumps(self._state))
        return built


def _test_settings() -> Settings:
    return load_settings(contact_email="tests@example.org", http_retries=2, http_timeout_s=10)


def _static_ids(ids: dict[str, list[str]]) -> Callable[[str], Awaitable[list[str]]]:
    """``ctx.known_ids`` for offline runs: the ids a test says the database holds."""

    async def lookup(scheme: str) -> list[str]:
        return sorted(ids.get(scheme, []))

    return lookup


async def arun_ingester_offline(
    ingester_cls: type[Ingester],
    config: dict[str, Any] | BaseModel,
    state: dict[str, Any] | None = None,
    *,
    server: RecordedServer | None = None,
    limit: int | None = None,
    settings: Settings | None = None,
    instance: str | None = None,
    known_ids: dict[str, list[str]] | None = None,
) -> IngestOutput:
    """Async form of ``run_ingester_offline``."""
    settings = settings or _test_settings()
    cfg = config if isinstance(config, BaseModel) else ingester_cls.Config.model_validate(config)

    async def no_sleep(_: float) -> None:
        await asyncio.sleep(0)

    allowed = settings.allowed_networks()
    if server:  # the recorded server this replay sends every request to (on loopback)
        allowed += (ipaddress.ip_network(urlsplit(server.url).hostname or "127.0.0.1"),)
    http = HttpClient.from_settings(
        settings,
        ingester=ingester_cls.name,
        redirect_to=server.url if server else None,
        validators=ValidatorCache(),
        sleep=no_sleep,
        rate_per_host=1000.0,
        allowed_networks=allowed,
        **ingester_cls.http_limits(),
    )
    ctx = IngestContext(
        http=http,
        config=cfg,
        logger=IngestContext.ingester_logger(ingester_cls.name),
        instance=instance or ingester_cls.name,
        settings=PluginSettings.for_ingester(settings, ingester_cls.name, http.user_agent),
        limit=limit,
        id_lookup=_static_ids(known_ids or {}),
    )
    out = IngestOutput([], [], state, [])
    before = len(server.requests) if server else 0
    try:
        agen = ingester_cls(cfg).fetch(ctx, state)
        seen = 0
        async for item in agen:
            if isinstance(item, Checkpoint):
                out.checkpoints.append(item)
                out.final_state = item.state
            elif isinstance(item, OBSERVATION_TYPES):
                out.observations.append(item)
                seen += 1
            elif isinstance(item, SkippableRecordError):
                out.rejects.append(item)
                seen += 1
            else:
                out.other.append(item)
            if limit is not None and seen >= limit:
                break
        aclose = getattr(agen, "aclose", None)
        if aclose is not None:
            await aclose()
    finally:
        await http.aclose()
    if server:
        out.requests = server.requests[before:]
    return out


def run_ingester_offline(
    ingester_cls: type[Ingester],
    config: dict[str, Any] | BaseModel,
    state: dict[str, Any] | None = None,
    *,
    server: RecordedServer | None = None,
    limit: int | None = None,
    settings: Settings | None = None,
    instance: str | None = None,
    known_ids: dict[str, list[str]] | None = None,
) -> IngestOutput:
    """Run ``fetch`` to the end (or ``limit`` observations) against ``server``; no database.

    Every request goes to the recorded server whatever host the ingester asked for (the path and
    query are kept). Works from sync and async tests alike (it runs its own event loop in a
    worker thread).
    """
    result: list[IngestOutput] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            result.append(
                asyncio.run(
                    arun_ingester_offline(
                        ingester_cls,
                        config,
                        state,
                        server=server,
                        limit=limit,
                        settings=settings,
                        instance=instance,
                        known_ids=known_ids,
                    )
                )
            )
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


# -- pytest fixtures ---------------------------------------------------------------------------
@pytest.fixture
def recorded_server() -> Iterator[RecordedServer]:
    """A started ``RecordedServer``; add recordings, point the ingester at ``.url``."""
    with RecordedServer() as server:
        yield server


@pytest.fixture
def register_plugin() -> Iterator[Callable[..., str]]:
    """``register_plugin(obj, name=None)`` registers a plugin for this test only."""
    from service.ingest.manager import get_plugin_manager

    pm = get_plugin_manager()
    names: list[str] = []

    def register(plugin: object, name: str | None = None) -> str:
        registered = pm.register(plugin, name=name)
        if registered is None:
            raise ValueError(f"plugin {name or plugin!r} is blocked or already registered")
        names.append(registered)
        return registered

    yield register
    for name in names:
        pm.unregister(name=name)


# -- conformance suite -------------------------------------------------------------------------
def get_ingester_test_class(
    ingester_cls: type[Ingester],
    config: dict[str, Any],
    *,
    recordings: Path | Callable[[RecordedServer], None] | None = None,
    invalid_configs: Sequence[dict[str, Any]] = (),
    state: dict[str, Any] | None = None,
) -> type:
    """A test class checking that ``ingester_cls`` behaves; use as
    ``TestMyIngester = get_ingester_test_class(MyIngester, {...}, recordings=...)``.

    ``recordings`` is a recordings JSON file for ``RecordedServer.load`` or a function that adds
    routes to a server. ``invalid_configs`` are configs that must be refused with an error
    naming the wrong field.
    """

    def run(run_state: dict[str, Any] | None) -> IngestOutput:
        with RecordedServer() as server:
            if isinstance(recordings, Path):
                server.load(recordings)
            elif recordings is not None:
                recordings(server)
            return run_ingester_offline(ingester_cls, config, run_state, server=server)

    class IngesterConformance:
        __test__ = True

        def test_name_and_config_are_sane(self) -> None:
            assert ingester_cls.name, "an ingester needs a name"
            assert ingester_cls.name.replace("_", "").replace("-", "").isalnum()
            assert issubclass(ingester_cls.Config, BaseModel)
            ingester_cls.Config.model_validate(config)
            assert ingester_cls.Config.model_json_schema()

        def test_config_errors_are_clear(self) -> None:
            for bad in [{"surely_not_a_field": 1}, *invalid_configs]:
                with pytest.raises(ValidationError) as info:
                    ingester_cls.Config.model_validate({**config, **bad})
                fields = {str(err["loc"][0]) for err in info.value.errors() if err["loc"]}
                assert fields, f"config error for {bad} names no field"

        def test_yields_only_observations_and_checkpoints(self) -> None:
            out = run(state)
            assert out.other == [], f"unexpected items: {out.other[:3]}"
            assert out.observations or out.checkpoints, "the ingester yielded nothing"

        def test_every_observation_validates(self) -> None:
            for observation in run(state).observations:
                observation_adapter.validate_python(observation.model_dump())
                json.dumps(observation.model_dump(mode="json"))

        def test_checkpoints_are_json(self) -> None:
            for checkpoint in run(state).checkpoints:
                assert json.loads(json.dumps(checkpoint.state)) == checkpoint.state

        def test_rerun_from_final_state_adds_nothing_new(self) -> None:
            first = run(state)
            second = run(first.final_state)
            before = {o.model_dump_json() for o in first.observations}
            new = [o for o in second.observations if o.model_dump_json() not in before]
            assert new == [], f"a rerun from the final state yielded new records: {new[:3]}"

    IngesterConformance.__name__ = f"Test{ingester_cls.__name__}Conformance"
    IngesterConformance.__qualname__ = IngesterConformance.__name__
    return IngesterConformance
