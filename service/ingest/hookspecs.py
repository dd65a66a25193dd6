"""Every hookspec of the ``talentflow`` plugin system, and the two markers.

Hooks register *things*; they don't do the work. Pluggy cannot await, so async work lives in
``Ingester.fetch``. Arguments may be added to a hookspec but never renamed or removed, because a
hookimpl can take any subset of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from service.ingest.ingester import Ingester
    from service.ingest.notifications import RecordedMove
    from service.ingest.observations import AffiliationSeen, DocumentSeen, MoveReported

NAME = "talentflow"

hookspec = pluggy.HookspecMarker(NAME)
hookimpl = pluggy.HookimplMarker(NAME)


@hookspec
def register_ingesters() -> list[type[Ingester]]:  # type: ignore[empty-body]
    """Return the ingester classes this plugin provides.

    Fires once each time the plugin manager builds the ingester registry (``talentflow plugins
    list``, ``talentflow ingest``). Each class needs a unique ``name``; two plugins offering the
    same name is an error naming both.
    """


@hookspec
def extract_moves(document: DocumentSeen) -> list[MoveReported | AffiliationSeen] | None:
    """Return the moves a third-party extractor (rules or a model) finds in ``document``.

    An extractor may also return ``AffiliationSeen`` stints for employment the document tells
    only in passing ("who joined Google from Baidu in 2016"): such a clause is not a move the
    document reports, but it says where the person worked; give it ``document_url``.

    Fires during a run for every ``DocumentSeen`` that carries ``text``, before the batch holding
    it is written. Return ``None`` or an empty list when there is nothing to report. The returned
    reports go through the same validation, resolution and merging as a plugin's own
    ``MoveReported``; their evidence names this plugin as the extractor unless ``extractor`` is
    set. Must be fast and must not do I/O that can block for long.
    """


@hookspec
def institution_aliases() -> list[tuple[str, str]] | None:
    """Return ``(alias, institution slug)`` pairs to add to the alias table.

    Fires at the start of every (non dry) ingest run, before resolution, so observations naming
    an institution by one of these aliases resolve to it. Pairs whose slug is unknown are logged
    and skipped; adding an alias twice changes nothing.
    """


@hookspec
def on_move_recorded(move: RecordedMove) -> None:
    """Be told about a move that was just created.

    Fires after the transaction that created ``move`` has committed (never for a dry run, never
    for a move that only gained evidence). The return value is ignored and an exception is logged,
    not raised: a notification never fails a run.
    """
