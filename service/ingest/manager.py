"""The plugin manager: built on demand by ``get_plugin_manager()``, never at import time.

1. ``add_hookspecs``; 2. register the built-ins in ``DEFAULT_PLUGINS``; 3. load the
``talentflow`` entry points unless ``TALENTFLOW_DISABLE_PLUGIN_AUTOLOAD`` is set; 4. block every
plugin named in ``TALENTFLOW_BLOCK_PLUGINS`` (comma-separated); 5. ``check_pending()`` so a
misspelled hookimpl fails loudly. ``TALENTFLOW_TRACE_PLUGINS`` logs every hook call.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any, cast

import pluggy
from pluggy import HookImpl, Result

from service.errors import ConfigError
from service.ingest import hookspecs
from service.ingest.hookspecs import NAME
from service.ingest.ingester import Ingester

logger = logging.getLogger(__name__)

DEFAULT_PLUGINS: tuple[str, ...] = ()
"""Modules registered on every manager (first-party plugins come through entry points)."""

ENV_DISABLE_AUTOLOAD = "TALENTFLOW_DISABLE_PLUGIN_AUTOLOAD"
ENV_BLOCK = "TALENTFLOW_BLOCK_PLUGINS"
ENV_TRACE = "TALENTFLOW_TRACE_PLUGINS"

_manager: pluggy.PluginManager | None = None


class DuplicateIngesterError(ConfigError):
    code = "DUPLICATE_INGESTER"


class UnknownIngesterError(ConfigError):
    code = "UNKNOWN_INGESTER"

    def __init__(self, name: str, known: list[str]) -> None:
        listed = ", ".join(sorted(known)) or "(none installed)"
        super().__init__(f"unknown ingester {name!r}; known ingesters: {listed}", name=name)
        self.name = name
        self.known = sorted(known)


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def build_plugin_manager() -> pluggy.PluginManager:
    """A new, fully loaded manager (most callers want the shared ``get_plugin_manager()``)."""
    pm = pluggy.PluginManager(NAME)
    pm.add_hookspecs(hookspecs)
    for module_name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(module_name), name=module_name)
    for blocked in os.environ.get(ENV_BLOCK, "").split(","):
        if blocked.strip():
            pm.set_blocked(blocked.strip())
    if not _env_true(ENV_DISABLE_AUTOLOAD):
        pm.load_setuptools_entrypoints(NAME)
    pm.check_pending()
    if _env_true(ENV_TRACE):
        _trace(pm)
    return pm


def _trace(pm: pluggy.PluginManager) -> None:
    def before(hook_name: str, impls: Sequence[HookImpl], kwargs: Mapping[str, Any]) -> None:
        logger.info(
            "hook %s -> %s", hook_name, ", ".join(impl.plugin_name for impl in impls) or "-"
        )

    def after(
        outcome: Result[Any], hook_name: str, impls: Sequence[HookImpl], kwargs: Mapping[str, Any]
    ) -> None:
        exc = outcome.exception
        if exc is not None:
            logger.info("hook %s raised %s", hook_name, type(exc).__name__)
        else:
            logger.info("hook %s returned %d result(s)", hook_name, len(outcome.get_result() or []))

    pm.add_hookcall_monitoring(before, after)


def get_plugin_manager() -> pluggy.PluginManager:
    """The shared manager, built on first use (tests reset it with ``reset_plugin_manager()``)."""
    global _manager
    if _manager is None:
        _manager = build_plugin_manager()
    return _manager


def reset_plugin_manager() -> None:
    """Forget the shared manager; the next ``get_plugin_manager()`` builds a new one."""
    global _manager
    _manager = None


def call_hookimpl(impl: HookImpl, **kwargs: Any) -> Any:
    """Call one hookimpl directly (to know which plugin gave which result)."""
    function = cast(Callable[..., Any], impl.function)
    return function(**{k: v for k, v in kwargs.items() if k in impl.argnames})


def ingester_registry(pm: pluggy.PluginManager) -> dict[str, type[Ingester]]:
    """Every registered ingester class by name; two classes with one name is an error."""
    registry: dict[str, type[Ingester]] = {}
    owners: dict[str, str] = {}
    for impl in pm.hook.register_ingesters.get_hookimpls():
        classes: list[object] = list(call_hookimpl(impl) or [])
        for cls in classes:
            if not (isinstance(cls, type) and issubclass(cls, Ingester)):
                raise ConfigError(
                    f"plugin {impl.plugin_name!r} registered {cls!r}, which is not an Ingester"
                )
            if not cls.name:
                raise ConfigError(
                    f"plugin {impl.plugin_name!r}: ingester {cls.__name__} has no name"
                )
            if cls.name in registry and registry[cls.name] is not cls:
                raise DuplicateIngesterError(
                    f"two plugins register an ingester named {cls.name!r}: "
                    f"{owners[cls.name]!r} and {impl.plugin_name!r}; block one with "
                    f"{ENV_BLOCK}",
                    name=cls.name,
                )
            registry[cls.name] = cls
            owners[cls.name] = impl.plugin_name
    return dict(sorted(registry.items()))


def get_ingester(pm: pluggy.PluginManager, name: str) -> type[Ingester]:
    registry = ingester_registry(pm)
    try:
        return registry[name]
    except KeyError:
        raise UnknownIngesterError(name, list(registry)) from None


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str | None
    distribution: str | None
    ingesters: tuple[str, ...]


def plugin_distributions(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Each registered plugin with its distribution (if installed from one) and its ingesters."""
    dists: dict[int, tuple[str, str]] = {}
    for plugin, dist in pm.list_plugin_distinfo():
        dists[id(plugin)] = (dist.metadata["name"], dist.version)
    found: dict[str, list[str]] = {}
    for impl in pm.hook.register_ingesters.get_hookimpls():
        provided: list[type[Ingester]] = list(call_hookimpl(impl) or [])
        found.setdefault(impl.plugin_name, []).extend(cls.name for cls in provided)
    out = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            continue
        dist_name, version = dists.get(id(plugin), (None, None))
        if version is None:
            version = getattr(plugin, "__version__", None)
        out.append(PluginInfo(name, version, dist_name, tuple(sorted(found.get(name, [])))))
    return sorted(out, key=lambda p: p.name)


def distribution_version(dist_name: str) -> str | None:
    try:
        return metadata.version(dist_name)
    except metadata.PackageNotFoundError:
        return None
