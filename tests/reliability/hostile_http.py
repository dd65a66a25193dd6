"""A local HTTP server that misbehaves on purpose: endless bodies, gzip bombs, slow drips,
redirects to where an ingester must not go. Every request it receives is recorded."""

from __future__ import annotations

import contextlib
import threading
import time
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CHUNK = 64 * 1024


def gzip_bomb(decoded_bytes: int) -> bytes:
    """A gzip body of ``decoded_bytes`` zero bytes (about a thousandth of that compressed)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    parts = []
    left = decoded_bytes
    while left > 0:
        step = min(left, len(zeros))
        parts.append(packer.compress(zeros[:step]))
        left -= step
    parts.append(packer.flush())
    return b"".join(parts)


class HostileServer:
    """``add(path, handler)``; ``url``; ``paths`` lists the paths requested, in order."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.paths: list[str] = []
        self.stopping = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def do_GET(self) -> None:
                owner.paths.append(self.path)
                route = owner.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    route(self)  # a client that gives up early, as it should, is no error

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def add(self, path: str, handler: Callable[[BaseHTTPRequestHandler], None]) -> None:
        self.routes[path] = handler

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.server.server_address[1]}"

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    # -- behaviours ---------------------------------------------------------------------------
    def endless(self, declared: int | None = None) -> Callable[[BaseHTTPRequestHandler], None]:
        """Zeros until the client hangs up (or ``declared`` bytes, announced up front)."""

        def handle(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/octet-stream")
            if declared is not None:
                h.send_header("Content-Length", str(declared))
            h.end_headers()
            block = bytes(CHUNK)
            sent = 0
            while not self.stopping.is_set() and (declared is None or sent < declared):
                h.wfile.write(block)
                sent += len(block)

        return handle

    def body(
        self, payload: bytes, headers: dict[str, str] | None = None
    ) -> Callable[[BaseHTTPRequestHandler], None]:
        def handle(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            for name, value in (headers or {}).items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)

        return handle

    def drip(self, every_s: float) -> Callable[[BaseHTTPRequestHandler], None]:
        """A 200 whose body comes one byte every ``every_s`` seconds, for ever."""

        def handle(h: BaseHTTPRequestHandler) -> None:
            h.send_response(200)
            h.send_header("Content-Type", "application/json")
            h.end_headers()
            h.wfile.flush()
            while not self.stopping.is_set():
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(every_s)

        return handle

    def redirect(
        self, location: str, status: int = 302
    ) -> Callable[[BaseHTTPRequestHandler], None]:
        def handle(h: BaseHTTPRequestHandler) -> None:
            h.send_response(status)
            h.send_header("Location", location)
            h.send_header("Content-Length", "0")
            h.end_headers()

        return handle
