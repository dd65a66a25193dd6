"""Re-scoring open candidate matches as evidence arrives.

A candidate match is a question left for a curator; later sightings (a second stint, an id, a
native-script name) may answer it. :func:`rescore_open_candidates` compares the two sides
again with the one identity decision (:func:`service.domain.identity.resolve`, over the
stored sightings of each side): a pair now at merge level is merged (with its moves inferred
again), a pair now proved different (conflicting ids, different native names) is closed as
``different``, and every other keeps its updated score. The worker runs it periodically
(``talentflow.rescore_candidates``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import asyncpg

from service.config import Settings
from service.db.stores import sightings as sightings_store
from service.db.stores.curation import merge_for_identity
from service.domain.identity import (
    Context,
    Institutions,
    Sighting,
    compare,
    reference_frequencies,
    resolve,
)
from service.ingest.recompute import recompute_moves
from service.ingest.resolver import Resolver

logger = logging.getLogger(__name__)

ACTOR = "rescore"


@dataclass
class RescoreResult:
    seen: int = 0
    merged: int = 0
    closed: int = 0
    rescored: int = 0


async def rescore_open_candidates(
    conn: asyncpg.Connection, settings: Settings, *, limit: int = 1000
) -> RescoreResult:
    """Score the open candidate matches again (oldest first, up to ``limit``)."""
    matches = await conn.fetch(
        """
        SELECT m.id, coalesce(a.merged_into_id, a.id) AS a, coalesce(b.merged_into_id, b.id) AS b,
               m.score
        FROM candidate_match m
        JOIN researcher a ON a.id = m.researcher_id JOIN researcher b ON b.id = m.candidate_id
        WHERE m.status = 'open' ORDER BY m.id LIMIT $1
        """,
        limit,
    )
    out = RescoreResult(seen=len(matches))
    if not matches:
        return out
    index = await Resolver(conn, ACTOR).institution_index()
    people = {m["a"] for m in matches} | {m["b"] for m in matches}
    stored = await sightings_store.for_researchers(conn, sorted(people))
    by_researcher: dict[int, list[sightings_store.StoredSighting]] = {}
    for s in stored:
        by_researcher.setdefault(s.researcher_id, []).append(s)
    kinds = {
        t[0]: record.kind
        for s in stored
        for t in s.sighting.stints
        if (record := index.get(t[0])) is not None
    }
    ctx = Context(
        reference_frequencies(),
        Institutions(
            related=lambda x, y: x == y or (x in index and y in index and index.related(x, y)),
            kinds=kinds,
            names={
                t[0]: (record.name, *record.aliases)
                for s in stored
                for t in s.sighting.stints
                if (record := index.get(t[0])) is not None
            },
        ),
    )
    touched: set[int] = set()
    for m in matches:
        a, b = int(m["a"]), int(m["b"])
        if a == b:  # merged meanwhile
            await _close(conn, m["id"], "same")
            out.closed += 1
            continue
        side_a = [s.sighting for s in by_researcher.get(a, [])]
        side_b = [s.sighting for s in by_researcher.get(b, [])]
        if not side_a or not side_b:
            continue
        # b's sightings one by one against a: the best link decides (single linkage)
        best = None
        barred = False
        for sighting in side_b:
            decision = resolve(sighting, {a: side_a}, ctx)
            if decision.researcher == a:
                best = ("merge", decision.confidence, decision.reasons)
                break
            if decision.candidates:
                comparison = decision.candidates[0][1]
                if best is None or comparison.probability > best[1]:
                    best = ("candidate", comparison.probability, comparison.reasons)
            elif any(_cannot(sighting, other, ctx) for other in side_a):
                barred = True
        if best is not None and best[0] == "merge":
            target, source = min(a, b), max(a, b)
            await merge_for_identity(conn, source, target, best[2], actor=ACTOR)
            touched.add(target)
            out.merged += 1
        elif best is None and barred:
            await _close(conn, m["id"], "different")
            out.closed += 1
        elif best is not None and abs(best[1] - float(m["score"])) > 1e-4:
            await conn.execute(
                "UPDATE candidate_match SET score = $2, reasons = $3::jsonb WHERE id = $1",
                m["id"],
                best[1],
                list(best[2]),
            )
            out.rescored += 1
    if touched:
        await recompute_moves(conn, sorted(touched), settings, actor=ACTOR)
    logger.info(
        "rescored %d open candidate matches: %d merged, %d closed, %d new scores",
        out.seen,
        out.merged,
        out.closed,
        out.rescored,
    )
    return out


def _cannot(a: Sighting, b: Sighting, ctx: Context) -> bool:
    return compare(a, b, ctx).cannot_link


async def _close(conn: asyncpg.Connection, match_id: int, status: str) -> None:
    await conn.execute(
        "UPDATE candidate_match SET status = $2, resolved_at = now(), resolved_by = $3 "
        "WHERE id = $1 AND status = 'open'",
        match_id,
        status,
        f"identity:{ACTOR}",
    )
