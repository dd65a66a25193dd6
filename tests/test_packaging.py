"""The wheel, as a `pip install talentflow` user and the Docker image get it.

The sources the Dockerfile's build stage copies are copied to a temporary folder, built into a
wheel there, and the wheel is installed into a new virtualenv with only its declared dependencies
(no dev extras, nothing from this interpreter's site-packages), without the embedded PostgreSQL
as in the image. That install must migrate and seed a fresh database: a dependency that only the
dev extras bring in (greenlet, once), or migrations left out of the wheel, fail here.

The wheel also installs the plugin API as ``talentflow``: the last test installs it with the docs'
example plugin beside an unrelated distribution that ships ``service`` too.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from service.db import migrations

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "plugins.md"

pytestmark = pytest.mark.slow


def builder_sources() -> list[str]:
    """What the Dockerfile's build stage copies from the context (``COPY src... dest``)."""
    text = (ROOT / "Dockerfile").read_text("utf-8")
    builder = text.split("\nFROM ", 2)[1]
    sources: list[str] = []
    for line in re.findall(r"^COPY\s+(?!--)(.+)$", builder, re.M):
        sources.extend(line.split()[:-1])
    return sources


def sh(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def test_the_build_stage_copies_the_migrations() -> None:
    assert {"pyproject.toml", "setup.py", "service", "plugins", "alembic"} <= set(builder_sources())


def test_the_wheel_installs_alone_and_migrates_and_seeds_a_fresh_database(
    empty_db_url: str, tmp_path: Path
) -> None:
    context = tmp_path / "src"
    context.mkdir()
    for name in builder_sources():
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, context / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, context / name)

    wheels = tmp_path / "wheels"
    sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", wheels, ".", cwd=context)
    (wheel,) = wheels.glob("talentflow-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    versions = {p.name for p in (ROOT / "alembic" / "versions").glob("*.py")}
    assert {f"service/migrations/versions/{v}" for v in versions} <= shipped
    assert "service/migrations/env.py" in shipped
    # Every data file the code reads at run time (seed, name tables, gazetteers) ships.
    data = {
        p.relative_to(ROOT).as_posix()
        for pattern in ("service/data/*", "plugins/*/data/*")
        for p in ROOT.glob(pattern)
        if p.is_file()
    }
    assert "plugins/jobboards/data/cities.txt" in data
    assert data <= shipped, sorted(data - shipped)

    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    # Nothing from this checkout or this interpreter may leak into the clean install.
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    sh(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path, env=env)
    # As in the image: the embedded PostgreSQL is not needed when DATABASE_URL is set.
    sh(bin_dir / "python", "-m", "pip", "uninstall", "--yes", "pgserver", cwd=tmp_path, env=env)

    env["DATABASE_URL"] = empty_db_url
    env["TALENTFLOW_DATA_DIR"] = str(tmp_path / "data")
    run = tmp_path / "run"  # not the checkout: only the installed package is importable
    run.mkdir()
    found = sh(
        bin_dir / "python",
        "-c",
        "from service.db.migrations import script_location; print(script_location())",
        cwd=run,
        env=env,
    )
    assert Path(found.strip()).is_relative_to(venv), found

    upgraded = " ".join(sh(bin_dir / "talentflow", "db", "upgrade", cwd=run, env=env).split())
    assert f"is at revision {migrations.head_revision()}" in upgraded
    seeded = " ".join(sh(bin_dir / "talentflow", "db", "seed", cwd=run, env=env).split())
    assert re.search(r"seeded \d+ institutions \([1-9]\d* created", seeded), seeded
    assert "talentflow 0.1.0" in sh(bin_dir / "talentflow", "--version", cwd=run, env=env)


# -- the plugin API's distinctive name ------------------------------------------------------
def docs_block(marker: str, language: str) -> str:
    after = DOCS.read_text("utf-8").split(f"<!-- example:{marker} -->", 1)[1]
    match = re.search(rf"```{language}\n(.*?)```", after, re.S)
    assert match, f"docs/plugins.md lost its example {marker}"
    return match.group(1)


def wheel(source: Path) -> Path:
    """Build ``source`` into a wheel beside it, as ``pip wheel`` does for a publisher."""
    out = source.parent / f"{source.name}-wheel"
    sh(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", out, ".", cwd=source)
    (built,) = out.glob("*.whl")
    return built


def test_talentflow_and_a_plugin_work_beside_an_unrelated_service(tmp_path: Path) -> None:
    """Talentflow and a plugin, installed from real wheels beside an unrelated distribution that
    also ships a top-level ``service``.

    What this proves:

    - the wheel installs the plugin API under the distinctive name ``talentflow`` (not
      ``service.plugin_api``), and an out-of-tree plugin written against it (the docs' example)
      imports nothing named ``service``: a plugin author's code no longer depends on the
      generic name;
    - with an unrelated ``service`` module in the same site-packages, installed after Talentflow,
      Talentflow discovers and lists the plugin and runs it (``talentflow.testing``), all from the
      new environment.

    What it does not prove, because it is not so: that the unrelated distribution still works. The
    host's own import package is still ``service`` (the fixed layout), so the two share one
    top-level name: a ``service`` *module* is shadowed by Talentflow's package (asserted below, so
    the day it changes this test says so), and a ``service`` *package* from another distribution
    would overwrite Talentflow's files in site-packages. Only the plugin side of the collision is
    fixed; docs/architecture.md says why.
    """
    # Talentflow, from what the Dockerfile's build stage copies.
    talentflow_src = tmp_path / "talentflow"
    talentflow_src.mkdir()
    for name in builder_sources():
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source, talentflow_src / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, talentflow_src / name)
    talentflow_whl = wheel(talentflow_src)
    shipped = set(zipfile.ZipFile(talentflow_whl).namelist())
    assert {"talentflow/__init__.py", "talentflow/testing.py", "talentflow/py.typed"} <= shipped
    assert not any(n.startswith("service/plugin_api/") for n in shipped)

    # The docs' example plugin, as its author would publish it.
    example_src = tmp_path / "talentflow-example"
    (example_src / "talentflow_example").mkdir(parents=True)
    (example_src / "pyproject.toml").write_text(docs_block("pyproject", "toml"), "utf-8")
    module = docs_block("module", "python")
    (example_src / "talentflow_example" / "__init__.py").write_text(module, "utf-8")
    imported = {
        alias.name if isinstance(node, ast.Import) else node.module or ""
        for node in ast.walk(ast.parse(module))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert "talentflow" in imported
    assert not any(name == "service" or name.startswith("service.") for name in imported)
    example_whl = wheel(example_src)

    # An unrelated distribution whose top-level module is also called service.
    other_src = tmp_path / "acme-service"
    other_src.mkdir()
    (other_src / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "acme-service"\nversion = "1.0"\n\n'
        '[tool.setuptools]\npy-modules = ["service"]\n',
        "utf-8",
    )
    (other_src / "service.py").write_text('WHO = "acme"\n', "utf-8")
    other_whl = wheel(other_src)

    # One new environment; Talentflow's dependencies come from this interpreter's site-packages,
    # Talentflow, the plugin and the unrelated distribution from their wheels (the unrelated one
    # last, so nothing of it is overwritten by ours).
    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", "--system-site-packages", venv, cwd=tmp_path)
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env.pop("TALENTFLOW_DISABLE_PLUGIN_AUTOLOAD", None)
    env.pop("TALENTFLOW_BLOCK_PLUGINS", None)
    env["COLUMNS"] = "250"  # the plugins table, unabridged
    python = bin_dir / "python"
    for built in (talentflow_whl, example_whl, other_whl):
        sh(
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-index",
            "--no-deps",
            built,
            cwd=tmp_path,
            env=env,
        )

    run = tmp_path / "run"  # not the checkout: only what is installed is importable
    run.mkdir()
    probe = """
import json, sys, talentflow, talentflow_example, service
from talentflow.testing import RecordedServer, run_ingester_offline

with RecordedServer() as server:
    server.add("/people", query={"page": "1"}, json={"people": [
        {"id": 1, "name": "Ada Example", "orcid": "0000-0002-1825-0097", "years": [2020]},
    ]})
    out = run_ingester_offline(
        talentflow_example.ExamplePeople,
        {"base_url": "https://lab.example", "lab": "Example Lab"},
        server=server,
    )
print(json.dumps({
    "talentflow": talentflow.__file__,
    "example": talentflow_example.__file__,
    "service": service.__file__,
    "acme": getattr(service, "WHO", None),
    "types": [o.type for o in out.observations],
    "state": out.final_state,
}))
"""
    found = json.loads(sh(python, "-c", probe, cwd=run, env=env).strip().splitlines()[-1])
    for key in ("talentflow", "example", "service"):
        assert Path(found[key]).is_relative_to(venv), found
    assert found["types"] == ["researcher_seen", "affiliation_seen"]
    assert found["state"] == {"next_page": 1}
    # The remaining collision, on the host's side: the unrelated module is shadowed.
    assert found["acme"] is None
    assert next(venv.rglob("site-packages/service.py")).read_text("utf-8") == 'WHO = "acme"\n'

    listed = " ".join(sh(bin_dir / "talentflow", "plugins", "list", cwd=run, env=env).split())
    assert "example_people" in listed and "talentflow-example" in listed
