"""The committed observation JSON Schema matches the models."""

from __future__ import annotations

from pathlib import Path

from service.ingest.observations import export_observation_schema, observation_schema_text

SCHEMA = Path(__file__).resolve().parents[2] / "schema" / "observation.schema.json"


def test_observation_schema_has_not_drifted(tmp_path: Path) -> None:
    fresh = export_observation_schema(tmp_path / "observation.schema.json").read_text()
    assert fresh == observation_schema_text()
    assert SCHEMA.read_text() == fresh, (
        "schema/observation.schema.json is out of date; regenerate it with "
        '`talentflow schema export` or `python -c "from service.ingest.observations import '
        "export_observation_schema as e; e('schema/observation.schema.json')\"`"
    )


def test_schema_discriminates_on_type() -> None:
    import json

    schema = json.loads(SCHEMA.read_text())
    assert schema["discriminator"]["propertyName"] == "type"
    assert "move_reported" in schema["discriminator"]["mapping"]
