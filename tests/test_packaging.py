"""The wheel, as a `pip install talentflow` user and the Docker image get it.

The sources the Dockerfile's build stage copies are copied to a temporary folder, built into a
wheel there, and the wheel is installed into a new virtualenv with only its declared dependencies
(no dev extras, nothing from this interpreter's site-packages), without the embedded PostgreSQL
as in the image. That install must migrate and seed a fresh database: a dependency that only the
dev extras bring in (greenlet, once), or migrations left out of the wheel, fail here.
"""

from __future__ import annotations

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
