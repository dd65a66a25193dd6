"""Commands run their coroutine on uvloop where it is installed, else on asyncio's loop."""

from __future__ import annotations

import asyncio
import sys

import pytest

from service import aio


async def _loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_a_command_runs_on_uvloop() -> None:
    pytest.importorskip("uvloop")
    assert aio.run(_loop_module()).startswith("uvloop")


def test_without_uvloop_a_command_runs_on_asyncio(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvloop", None)  # import uvloop now raises ImportError
    assert aio.run(_loop_module()).startswith("asyncio")
