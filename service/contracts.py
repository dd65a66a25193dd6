"""Export the contract files in ``schema/`` from code. Tests fail when the files drift.

``talentflow schema export`` calls :func:`export_all`; each contract is rendered by the module
that owns it, so the exported text is exactly what each drift test compares.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def _renderers() -> dict[str, Callable[[], str]]:
    from service.api.graphql.schema import schema_sdl
    from service.api.rest.openapi import render_openapi
    from service.ingest.observations import observation_schema_text

    return {
        "schema.graphql": schema_sdl,
        "observation.schema.json": observation_schema_text,
        "openapi.json": render_openapi,
    }


def export_all(folder: Path) -> list[Path]:
    """Write every contract file into ``folder``; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name, render in _renderers().items():
        path = folder / name
        path.write_text(render(), encoding="utf-8")
        written.append(path)
    return written


def drifted(folder: Path) -> list[str]:
    """Names of the contract files in ``folder`` that differ from what the code renders."""
    stale = []
    for name, render in _renderers().items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != render():
            stale.append(name)
    return stale
