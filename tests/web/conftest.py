"""Browser-test fixtures: a seeded database, a real ``talentflow serve`` and headless Chromium.

Playwright drives the distribution's Chromium through its executable path (nothing is
downloaded); CI installs it with ``.ci/browser``. Without it the browser tests skip.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from service.db.urls import with_database
from tests.conftest import clone_database, drop_database
from tests.web import dataset

CHROMIUM = Path(os.environ.get("TALENTFLOW_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

T = TypeVar("T")


def run_async(fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on a fresh loop in another thread (Playwright's sync API keeps a loop
    of its own running in this one)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(fn())).result()  # type: ignore[arg-type]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    db_url: str
    people: dict[str, int]
    process: subprocess.Popen[bytes]


def start_server(db_url: str, tmp_path: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "TALENTFLOW_DATA_DIR": str(tmp_path / "data"),
        "TALENTFLOW_LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "server.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"talentflow serve exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return url, proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(f"talentflow serve did not become ready: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is absent: run .ci/browser to install Chromium for the browser tests"
        )
    return CHROMIUM


@contextmanager
def serving(db_url: str, tmp_path: Path) -> Iterator[Server]:
    people = run_async(lambda: dataset.seed(db_url))
    url, proc = start_server(db_url, tmp_path)
    try:
        yield Server(url, db_url, people, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def server(chromium_path: Path, db_url: str, tmp_path: Path) -> Iterator[Server]:
    """``talentflow serve`` on a free port over this test's own seeded database (for tests
    that write)."""
    with serving(db_url, tmp_path) as s:
        yield s


@pytest.fixture(scope="module")
def shared_server(
    chromium_path: Path,
    server_url: str,
    template_db: str,
    server_version: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """One seeded database and server for the tests of a module that only read."""
    name = clone_database(server_url, template_db, server_version)
    try:
        with serving(with_database(server_url, name), tmp_path_factory.mktemp("serve")) as s:
            yield s
    finally:
        drop_database(server_url, name)


@contextmanager
def chromium(path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def browser(chromium_path: Path) -> Iterator[Any]:
    """Chromium for one test. Playwright's sync API keeps an event loop running in this thread
    while it is open, so it must start after the database fixtures and stop before they end:
    list the server fixture before this one."""
    with chromium(chromium_path) as b:
        yield b


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.set_default_timeout(10_000)
    try:
        yield pg
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
