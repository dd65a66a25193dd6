"""Export the contract files in ``schema/`` from code. A test fails when they drift."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def render_observation_schema() -> str:
    from service.ingest.observations import observation_json_schema

    return _dump(observation_json_schema())


def export_all(folder: Path) -> list[Path]:
    """Write every contract file that the code can render; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    renderers: dict[str, Any] = {"observation.schema.json": render_observation_schema}
    try:
        from service.api.graphql.schema import render_schema

        renderers["schema.graphql"] = render_schema
    except ImportError:
        pass
    try:
        from service.api.rest.openapi import render_openapi

        renderers["openapi.json"] = render_openapi
    except ImportError:
        pass
    for name, render in renderers.items():
        path = folder / name
        path.write_text(render(), encoding="utf-8")
        written.append(path)
    return written
