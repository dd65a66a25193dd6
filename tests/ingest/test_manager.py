"""The plugin manager: hookspecs documented, entry points, blocking, registry errors."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterator

import pytest

from service.errors import ConfigError
from service.ingest import Ingester, hookimpl, hookspecs
from service.ingest.manager import (
    UnknownIngesterError,
    build_plugin_manager,
    get_ingester,
    get_plugin_manager,
    ingester_registry,
    plugin_distributions,
    reset_plugin_manager,
)


@pytest.fixture(autouse=True)
def fresh_manager() -> Iterator[None]:
    reset_plugin_manager()
    yield
    reset_plugin_manager()


def hookspec_functions() -> list[Callable[..., object]]:
    return [
        fn
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(fn, "talentflow_spec")
    ]


def test_every_hookspec_is_documented() -> None:
    specs = hookspec_functions()
    assert {f.__name__ for f in specs} >= {
        "register_ingesters",
        "extract_moves",
        "institution_aliases",
        "on_move_recorded",
    }
    for fn in specs:
        doc = inspect.getdoc(fn) or ""
        assert len(doc) > 40, f"hookspec {fn.__name__} has no docstring"
        assert "fires" in doc.lower(), f"hookspec {fn.__name__} does not say when it fires"
        assert "return" in doc.lower(), f"hookspec {fn.__name__} does not say what it returns"


def test_manager_is_built_lazily_and_shared() -> None:
    from service.ingest import manager

    assert manager._manager is None
    pm = get_plugin_manager()
    assert get_plugin_manager() is pm


def test_first_party_jsonl_is_found_through_its_entry_point() -> None:
    pm = get_plugin_manager()
    assert "jsonl" in ingester_registry(pm)
    info = {p.name: p for p in plugin_distributions(pm)}
    assert info["jsonl"].distribution == "talentflow"
    assert info["jsonl"].ingesters == ("jsonl",)


def test_autoload_can_be_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTFLOW_DISABLE_PLUGIN_AUTOLOAD", "1")
    assert "jsonl" not in ingester_registry(build_plugin_manager())


def test_plugins_can_be_blocked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTFLOW_BLOCK_PLUGINS", " jsonl ,other")
    pm = build_plugin_manager()
    assert pm.is_blocked("jsonl") and pm.is_blocked("other")
    assert "jsonl" not in ingester_registry(pm)


class One(Ingester):
    name = "same"


class Two(Ingester):
    name = "same"


def test_duplicate_ingester_names_are_an_error_naming_both(
    register_plugin: Callable[..., str],
) -> None:
    class A:
        @hookimpl
        def register_ingesters(self) -> list[type[Ingester]]:
            return [One]

    class B:
        @hookimpl
        def register_ingesters(self) -> list[type[Ingester]]:
            return [Two]

    register_plugin(A(), name="plugin-a")
    register_plugin(B(), name="plugin-b")
    with pytest.raises(ConfigError, match=r"'same'.*plugin-a.*plugin-b|'same'.*plugin-b.*plugin-a"):
        ingester_registry(get_plugin_manager())


def test_register_plugin_fixture_unregisters(register_plugin: Callable[..., str]) -> None:
    class A:
        @hookimpl
        def register_ingesters(self) -> list[type[Ingester]]:
            return [One]

    name = register_plugin(A(), name="temp")
    assert get_plugin_manager().get_plugin(name) is not None


def test_previous_test_plugin_is_gone() -> None:
    assert get_plugin_manager().get_plugin("temp") is None


def test_unknown_ingester_lists_the_known_ones() -> None:
    with pytest.raises(
        UnknownIngesterError, match=r"unknown ingester 'nope'; known ingesters: .*jsonl"
    ):
        get_ingester(get_plugin_manager(), "nope")


def test_misspelled_hookimpl_fails_loudly() -> None:
    class Typo:
        @hookimpl
        def register_ingester(self) -> list[type[Ingester]]:
            return []

    pm = build_plugin_manager()
    pm.register(Typo(), name="typo")
    with pytest.raises(Exception, match="register_ingester"):
        pm.check_pending()


def test_trace_logs_hook_calls(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TALENTFLOW_TRACE_PLUGINS", "1")
    caplog.set_level(logging.INFO, logger="service.ingest.manager")
    pm = build_plugin_manager()
    pm.hook.institution_aliases()
    assert "hook institution_aliases" in caplog.text
