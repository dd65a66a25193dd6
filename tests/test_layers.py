"""The layers' import rules (``docs/architecture.md``), checked over every module's imports."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICE = ROOT / "service"

# A package below may not import the packages named against it.
# The GraphQL libraries belong to the API: SQL and the domain know nothing of them.
GRAPHQL = ("graphql", "strawberry")
FORBIDDEN = {
    "service.db": ("service.api", "service.ingest", "service.worker", *GRAPHQL),
    "service.domain": ("service.api", "service.ingest", "service.worker", "service.db", *GRAPHQL),
    "service.ingest": ("service.api", "service.worker", *GRAPHQL),
    "service.worker": ("service.api",),
    "service.metrics": ("service.api", "service.ingest", "service.worker", "service.db"),
    "service.ratelimit": ("service.api", "service.ingest", "service.worker", "service.db"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """Absolute module names imported by ``path`` (at any depth, lazy imports included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
    return found


def _inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(modules: dict[str, Path]) -> list[str]:
    out = []
    for name, path in sorted(modules.items()):
        for layer, banned in FORBIDDEN.items():
            if not _inside(name, layer):
                continue
            for line, imported in imports(path):
                if any(_inside(imported, b) for b in banned):
                    out.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return out


def test_lower_layers_do_not_import_upper_ones() -> None:
    modules = {module_name(p): p for p in SERVICE.rglob("*.py")}
    assert violations(modules) == []


def test_the_check_finds_an_upward_import(tmp_path: Path) -> None:
    bad = ROOT / "service" / "ingest" / "_probe_upward.py"
    try:
        bad.write_text("from service.api.metrics import REGISTRY\n", encoding="utf-8")
        found = violations({"service.ingest._probe_upward": bad})
    finally:
        bad.unlink()
    assert found == ["service/ingest/_probe_upward.py:1 imports service.api.metrics.REGISTRY"]


@pytest.mark.parametrize("folder", ["service", "plugins", "bench"])
def test_no_module_imports_a_private_name_of_another_module(folder: str) -> None:
    """A leading underscore means "this module's own": what another module needs gets a
    public name, so a maintainer can change a private helper in one place."""
    found = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        for line, imported in imports(path):
            name = imported.rsplit(".", 1)[-1]
            first = imported.split(".", 1)[0]
            if first in {"service", "plugins", "bench", "talentflow"} and (
                name.startswith("_") and name[:2] != "__"
            ):
                found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert found == []


# -- the plugin surface --------------------------------------------------------------------------
PLUGINS = ROOT / "plugins"
PLUGIN_API = SERVICE / "plugin_api" / "talentflow"


def public_names(module: str) -> set[str]:
    """The names ``module`` (``talentflow`` or ``talentflow.testing``) exports."""
    return set(importlib.import_module(module).__all__)


def plugin_violations(paths: list[Path]) -> list[str]:
    """Imports of a plugin module outside what a third-party plugin can import: nothing from
    ``service`` (the host), and from ``talentflow`` only the names it exports."""
    exported = {m: public_names(m) for m in ("talentflow", "talentflow.testing")}
    out = []
    for path in paths:
        for line, imported in imports(path):
            where = f"{path.relative_to(ROOT)}:{line} imports {imported}"
            if _inside(imported, "service"):
                out.append(where)
            elif _inside(imported, "talentflow"):
                module, _, name = imported.rpartition(".")
                if imported in exported:
                    continue  # ``import talentflow``
                if module not in exported or name not in exported[module]:
                    out.append(where)
    return out


def test_first_party_plugins_import_only_the_public_plugin_api() -> None:
    assert plugin_violations(sorted(PLUGINS.rglob("*.py"))) == []


def test_the_plugin_check_finds_a_host_import_and_a_private_name() -> None:
    bad = PLUGINS / "_probe_host_import.py"
    try:
        bad.write_text(
            "from talentflow import Ingester, hookimpl\n"
            "from service.ingest.observations import observation_adapter\n"
            "from talentflow import _private\n"
            "def later():\n    from service.domain.seed import load_seed\n",
            encoding="utf-8",
        )
        found = plugin_violations([bad])
    finally:
        bad.unlink()
    assert found == [
        "plugins/_probe_host_import.py:2 imports service.ingest.observations.observation_adapter",
        "plugins/_probe_host_import.py:3 imports talentflow._private",
        "plugins/_probe_host_import.py:5 imports service.domain.seed.load_seed",
    ]


def test_the_plugin_api_re_exports_the_hosts_public_names_only() -> None:
    """``talentflow`` is a name for ``service.ingest``'s ``__all__`` (and ``talentflow.testing``
    for ``service.ingest.testing``'s), not code: it imports nothing else of the host."""
    import service.ingest
    import service.ingest.testing

    allowed = {
        "service.__version__",
        "service.ingest.*",
        "service.ingest.__all__",
        "service.ingest.testing.*",
        "service.ingest.testing.__all__",
        "__future__.annotations",
    }
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in sorted(PLUGIN_API.rglob("*.py"))
        for line, imported in imports(path)
        if imported not in allowed
    ]
    assert found == []
    assert public_names("talentflow") == {"__version__", *service.ingest.__all__}
    assert public_names("talentflow.testing") == set(service.ingest.testing.__all__)


def test_the_plugin_api_is_what_plugins_import_at_run_time() -> None:
    import service.ingest
    import talentflow

    assert Path(talentflow.__file__).resolve().parent == PLUGIN_API
    for name in service.ingest.__all__:
        assert getattr(talentflow, name) is getattr(service.ingest, name), name


def test_plugins_parse_dates_through_the_plugin_api_only() -> None:
    """One ISO-date parser: plugins call ``talentflow.parse_date``/``parse_datetime``, which
    accept timestamps, trailing ``Z`` and junk alike, instead of their own ``fromisoformat``."""
    found = []
    for path in sorted(PLUGINS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"fromisoformat", "strptime"}:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {node.attr}")
    assert found == []
