"""What the host knows that a plugin may read: the curated institutions and their aliases.

A plugin that resolves institution names itself (a rule-based extractor, a job board's country
hint) reads them here, through the public API, instead of opening the host's data files or
building the host's plugin manager.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from service.domain.seed import load_seed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnownInstitution:
    """One institution of Talentflow's curated seed list."""

    slug: str
    name: str
    kind: str
    country: str
    parent: str | None
    aliases: tuple[str, ...]
    native_names: tuple[str, ...]

    def names(self) -> tuple[str, ...]:
        """The name, aliases and native names, in that order."""
        return (self.name, *self.aliases, *self.native_names)


@lru_cache(maxsize=1)
def known_institutions() -> tuple[KnownInstitution, ...]:
    """The curated seed list (read once), parents before their children."""
    return tuple(
        KnownInstitution(
            slug=row.slug,
            name=row.name,
            kind=str(row.kind),
            country=row.country,
            parent=row.parent,
            aliases=tuple(row.aliases),
            native_names=tuple(row.native_names),
        )
        for row in load_seed()
    )


def plugin_institution_aliases() -> list[tuple[str, str]]:
    """Every ``(alias, slug)`` pair the installed plugins' ``institution_aliases()`` hooks
    return. A failing hook (or plugin manager) is logged and leaves the others' pairs: a broken
    alias plugin does not stop the plugin asking."""
    from service.ingest.manager import call_hookimpl, get_plugin_manager

    pairs: list[tuple[str, str]] = []
    try:
        impls = get_plugin_manager().hook.institution_aliases.get_hookimpls()
    except Exception:
        logger.exception("the plugins could not be loaded; no plugin institution aliases")
        return pairs
    for impl in impls:
        try:
            result = call_hookimpl(impl)
        except Exception:
            logger.exception("institution_aliases of plugin %r failed", impl.plugin_name)
            continue
        for alias, slug in result or []:
            pairs.append((str(alias), str(slug)))
    return pairs
