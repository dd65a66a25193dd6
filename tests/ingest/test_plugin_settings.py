"""``ctx.settings``: a plugin sees its contact, its User-Agent and its own options, and nothing
else of the operator's settings (the database URL least of all)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from service.config import load_settings
from talentflow import Checkpoint, IngestContext, Ingester, PluginSettings
from talentflow.testing import run_ingester_offline

SEEN: list[PluginSettings] = []


class Probe(Ingester):
    name = "probe_settings"

    async def fetch(self, ctx: IngestContext, state: dict[str, Any] | None) -> AsyncIterator[Any]:
        SEEN.append(ctx.settings)
        yield Checkpoint({})


def test_a_plugin_gets_its_contact_user_agent_and_own_options_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TALENTFLOW_PLUGIN_PROBE_SETTINGS__API_KEY", "s3cret")
    monkeypatch.setenv("TALENTFLOW_PLUGIN_OTHER__API_KEY", "not-yours")
    settings = load_settings(contact_email="ops@example.org", database_url="postgresql://u:pw@db/x")
    SEEN.clear()
    run_ingester_offline(Probe, {}, settings=settings)
    (seen,) = SEEN
    assert isinstance(seen, PluginSettings)
    assert seen.contact_email == "ops@example.org"
    assert "mailto:ops@example.org" in seen.user_agent
    assert dict(seen.options) == {"api_key": "s3cret"}
    assert "s3cret" not in repr(seen)
    assert not hasattr(seen, "database_url")
    assert "pw@db" not in repr(seen)
    with pytest.raises(TypeError):
        seen.options["api_key"] = "changed"  # type: ignore[index]


def test_options_are_read_for_the_named_ingester() -> None:
    settings = load_settings(contact_email="")
    environ = {
        "TALENTFLOW_PLUGIN_GREENHOUSE__TOKEN": "t",
        "TALENTFLOW_PLUGIN_GREENHOUSE_EXTRA__TOKEN": "other",
        "TALENTFLOW_PLUGIN_GREENHOUSE__": "no key",
        "TALENTFLOW_CONTACT_EMAIL": "ignored here",
    }
    got = PluginSettings.for_ingester(settings, "greenhouse", "ua", environ=environ)
    assert dict(got.options) == {"token": "t"}
    assert got.user_agent == "ua"


def test_plugin_institution_aliases_skip_a_failing_hook(
    register_plugin: Callable[..., str],
) -> None:
    from talentflow import hookimpl, known_institutions, plugin_institution_aliases

    class Good:
        @hookimpl
        def institution_aliases(self) -> list[tuple[str, str]]:
            return [("Example Lab Zurich", "example-lab")]

    class Broken:
        @hookimpl
        def institution_aliases(self) -> list[tuple[str, str]]:
            raise RuntimeError("broken")

    register_plugin(Good(), name="good_aliases")
    register_plugin(Broken(), name="broken_aliases")
    assert ("Example Lab Zurich", "example-lab") in plugin_institution_aliases()
    seed = known_institutions()
    assert seed and all(inst.slug and inst.country for inst in seed)
    slugs = {inst.slug for inst in seed}
    assert all(inst.parent in slugs for inst in seed if inst.parent)
