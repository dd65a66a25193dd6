"""Curator writes behind the GraphQL mutations; every change leaves an ``audit_log`` row.

Merging keeps a redirect: the source researcher gets ``merged_into_id`` and its moves and
affiliations are re-pointed to the target (an affiliation the target already has from the same
source is left on the merged record). The ids re-pointed are kept in the audit row, so an
unmerge puts exactly those back. Both researcher rows are locked ``FOR UPDATE`` in id order, so
two curators merging the same pair at once serialise: one wins, the other gets a ``Conflict``.

Confirming and retracting moves are shared with the REST API (:mod:`move_decisions`); the
audit rows are written by :mod:`audit_log`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import asyncpg

from service.db.stores.audit_log import audit
from service.db.stores.institutions import institution_search_text
from service.db.stores.move_decisions import confirm_move, retract_move
from service.domain.names import fold, normalize_institution, researcher_search_text
from service.errors import Conflict, NotFound, UserError

logger = logging.getLogger(__name__)

__all__ = [
    "InstitutionUpsert",
    "ManualMove",
    "add_institution_alias",
    "confirm_move",
    "merge_for_identity",
    "merge_researchers",
    "record_move",
    "resolve_candidate_match",
    "retract_move",
    "split_researcher",
    "unmerge_researcher",
    "upsert_institution",
]


# ------------------------------------------------------------------------------------------
# Moves


@dataclass(frozen=True)
class ManualMove:
    researcher_id: int
    from_institution_id: int | None
    to_institution_id: int | None
    move_date: date | None
    date_precision: str | None
    kind: str
    evidence_url: str
    quote: str | None = None
    title: str | None = None
    confidence: float = 1.0
    is_returnee: bool = False


async def _root(conn: asyncpg.Connection, researcher_id: int) -> int:
    row = await conn.fetchrow(
        """
        WITH RECURSIVE up(id, next, depth) AS (
            SELECT id, merged_into_id, 0 FROM researcher WHERE id = $1
            UNION ALL SELECT r.id, r.merged_into_id, up.depth + 1
            FROM up JOIN researcher r ON r.id = up.next WHERE up.depth < 64)
        SELECT id FROM up WHERE next IS NULL
        """,
        researcher_id,
    )
    if row is None:
        raise NotFound(f"no researcher with id {researcher_id}", field="researcher")
    root: int = row["id"]
    return root


async def record_move(conn: asyncpg.Connection, move: ManualMove, *, actor: str) -> int:
    """Insert a move a curator saw, with its document (kind ``manual``) and evidence."""
    if move.from_institution_id is None and move.to_institution_id is None:
        raise UserError("a move needs fromInstitution, toInstitution or both", field="to")
    if move.from_institution_id == move.to_institution_id:
        raise UserError("fromInstitution and toInstitution are the same", field="to")
    if (move.move_date is None) != (move.date_precision is None):
        raise UserError("give date and datePrecision together", field="datePrecision")
    if not 0 <= move.confidence <= 1:
        raise UserError("confidence must be between 0 and 1", field="confidence")
    url = move.evidence_url.strip()
    if not url.startswith(("http://", "https://")):
        raise UserError("evidenceUrl must be an http(s) URL", field="evidenceUrl")
    async with conn.transaction():
        researcher_id = await _root(conn, move.researcher_id)
        ids = [i for i in (move.from_institution_id, move.to_institution_id) if i is not None]
        rows = await conn.fetch(
            "SELECT id, country_code FROM institution WHERE id = ANY($1::bigint[])", ids
        )
        countries = {r["id"]: r["country_code"] for r in rows}
        for pk in ids:
            if pk not in countries:
                raise NotFound(f"no institution with id {pk}")
        document_id = await conn.fetchval(
            """
            INSERT INTO document (kind, url, title, source) VALUES ('manual', $1, $2, 'curator')
            ON CONFLICT (url) DO UPDATE SET title = coalesce(document.title, EXCLUDED.title)
            RETURNING id
            """,
            url,
            move.title,
        )
        move_id: int = await conn.fetchval(
            """
            INSERT INTO move (researcher_id, from_institution_id, to_institution_id,
                              from_country, to_country, move_date, date_precision, kind,
                              is_returnee, status, confidence, origin)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'confirmed', $10, 'manual')
            RETURNING id
            """,
            researcher_id,
            move.from_institution_id,
            move.to_institution_id,
            countries.get(move.from_institution_id) if move.from_institution_id else None,
            countries.get(move.to_institution_id) if move.to_institution_id else None,
            move.move_date,
            move.date_precision,
            move.kind,
            move.is_returnee,
            move.confidence,
        )
        await conn.execute(
            """
            INSERT INTO evidence (document_id, move_id, quote, extractor, extractor_version,
                                  confidence)
            VALUES ($1, $2, $3, 'curator', $4, $5)
            """,
            document_id,
            move_id,
            move.quote,
            actor,
            move.confidence,
        )
        await audit(conn, actor, "move.record", "move", move_id, {"url": url})
    return move_id


# ------------------------------------------------------------------------------------------
# Researchers


async def _lock_researchers(conn: asyncpg.Connection, ids: list[int]) -> dict[int, int | None]:
    """Lock researcher rows in id order (a fixed order, so concurrent merges cannot deadlock);
    return each id's ``merged_into_id``."""
    rows = await conn.fetch(
        "SELECT id, merged_into_id FROM researcher WHERE id = ANY($1::bigint[]) "
        "ORDER BY id FOR UPDATE",
        sorted(set(ids)),
    )
    found: dict[int, int | None] = {r["id"]: r["merged_into_id"] for r in rows}
    for pk in ids:
        if pk not in found:
            raise NotFound(f"no researcher with id {pk}")
    return found


async def _merge(
    conn: asyncpg.Connection,
    source: int,
    target: int,
    actor: str,
    reasons: Sequence[str] = (),
) -> int:
    target = await _root(conn, target)
    if source == target:
        raise Conflict("these records are already the same researcher")
    merged = await _lock_researchers(conn, [source, target])
    if merged[source] is not None:
        raise Conflict(
            f"researcher {source} is already merged into {merged[source]}; unmerge it first"
        )
    if merged[target] is not None:
        raise Conflict(f"researcher {target} was merged meanwhile; try again")
    moves = await conn.fetch(
        "UPDATE move SET researcher_id = $2 WHERE researcher_id = $1 RETURNING id", source, target
    )
    affiliations = await conn.fetch(
        """
        UPDATE affiliation a SET researcher_id = $2
        WHERE a.researcher_id = $1 AND NOT EXISTS (
            SELECT 1 FROM affiliation b WHERE b.researcher_id = $2
            AND b.institution_id = a.institution_id AND b.source = a.source
            AND b.source_key = a.source_key)
        RETURNING a.id
        """,
        source,
        target,
    )
    sightings = await conn.fetch(
        "UPDATE researcher_sighting SET researcher_id = $2 WHERE researcher_id = $1 RETURNING id",
        source,
        target,
    )
    await conn.execute("UPDATE researcher SET merged_into_id = $2 WHERE id = $1", source, target)
    await audit(
        conn,
        actor,
        "researcher.merge",
        "researcher",
        source,
        {
            "target": target,
            "moves": [r["id"] for r in moves],
            "affiliations": [r["id"] for r in affiliations],
            "sightings": [r["id"] for r in sightings],
            **({"reasons": list(reasons)} if reasons else {}),
        },
    )
    return target


async def merge_for_identity(
    conn: asyncpg.Connection, source: int, target: int, reasons: Sequence[str], *, actor: str
) -> int:
    """Merge two researchers a new sighting proved one person (inside the caller's
    transaction), with the same redirect and audit row as a curator's merge."""
    target = await _merge(conn, source, target, f"identity:{actor}", reasons)
    await conn.execute(
        """
        UPDATE candidate_match SET status = 'same', resolved_at = now(), resolved_by = $3
        WHERE status = 'open' AND researcher_id = least($1::bigint, $2::bigint)
          AND candidate_id = greatest($1::bigint, $2::bigint)
        """,
        source,
        target,
        f"identity:{actor}",
    )
    return target


async def merge_researchers(
    conn: asyncpg.Connection, source: int, target: int, *, actor: str
) -> int:
    """Merge ``source`` into ``target`` (or the researcher ``target`` redirects to)."""
    async with conn.transaction():
        target = await _merge(conn, source, target, actor)
        await conn.execute(
            """
            UPDATE candidate_match SET status = 'same', resolved_at = now(), resolved_by = $3
            WHERE status = 'open' AND researcher_id = least($1::bigint, $2::bigint)
              AND candidate_id = greatest($1::bigint, $2::bigint)
            """,
            source,
            target,
            actor,
        )
    return target


async def unmerge_researcher(conn: asyncpg.Connection, source: int, *, actor: str) -> int:
    """Undo the last merge of ``source``: its redirect goes, its moves and affiliations return."""
    async with conn.transaction():
        merged = await _lock_researchers(conn, [source])
        target = merged[source]
        if target is None:
            raise Conflict(f"researcher {source} is not merged")
        await _lock_researchers(conn, [source, target])
        details = await conn.fetchval(
            "SELECT details FROM audit_log WHERE action = 'researcher.merge' "
            "AND entity = 'researcher' AND entity_id = $1 ORDER BY id DESC LIMIT 1",
            source,
        )
        details = details or {}
        moves = [int(i) for i in details.get("moves", [])]
        affiliations = [int(i) for i in details.get("affiliations", [])]
        sightings = [int(i) for i in details.get("sightings", [])]
        await conn.execute(
            "UPDATE researcher_sighting SET researcher_id = $1 WHERE id = ANY($2::bigint[])",
            source,
            sightings,
        )
        await conn.execute(
            "UPDATE move SET researcher_id = $1 WHERE id = ANY($2::bigint[])", source, moves
        )
        await conn.execute(
            "UPDATE affiliation SET researcher_id = $1 WHERE id = ANY($2::bigint[])",
            source,
            affiliations,
        )
        await conn.execute("UPDATE researcher SET merged_into_id = NULL WHERE id = $1", source)
        await audit(
            conn,
            actor,
            "researcher.unmerge",
            "researcher",
            source,
            {"target": target, "moves": moves, "affiliations": affiliations},
        )
    return source


async def split_researcher(
    conn: asyncpg.Connection, researcher_id: int, document_urls: Sequence[str], *, actor: str
) -> tuple[int, int]:
    """Give the sightings from these documents back to a person of their own: a new researcher
    takes them with their names, ids, stints and evidence; returns (kept, new) researcher ids.

    A stint backed only by moved documents moves whole; one backed by both is copied for the
    new researcher with the moved documents' evidence and years. A reported move whose every
    evidence row is from a moved document moves too; inferred moves are for the caller to
    infer again for both. The audit row keeps everything that moved."""
    urls = sorted({u.strip() for u in document_urls if u and u.strip()})
    if not urls:
        raise UserError("name at least one document whose sighting to split off", field="documents")
    async with conn.transaction():
        root = await _root(conn, researcher_id)
        await _lock_researchers(conn, [root])
        family = [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM researcher WHERE id = $1 OR merged_into_id = $1", root
            )
        ]
        rows = await conn.fetch(
            """
            SELECT s.id, s.document_id, s.names, s.native_name, s.ids, s.stints, d.url
            FROM researcher_sighting s JOIN document d ON d.id = s.document_id
            WHERE s.researcher_id = ANY($1::bigint[])
            """,
            family,
        )
        moving = [r for r in rows if r["url"] in urls]
        staying = [r for r in rows if r["url"] not in urls]
        missing = sorted(set(urls) - {r["url"] for r in moving})
        if missing:
            raise NotFound(
                f"researcher {root} has no sighting from {', '.join(missing)}", field="documents"
            )
        if not staying:
            raise UserError(
                "every sighting of this researcher would move: nothing is left to split from",
                field="documents",
            )
        docs = sorted({int(r["document_id"]) for r in moving})
        names = list(dict.fromkeys(n for r in moving for n in r["names"]))
        native = next((r["native_name"] for r in moving if r["native_name"]), None)
        new_id: int = await conn.fetchval(
            """
            INSERT INTO researcher (display_name, native_name, search_text)
            VALUES ($1, $2, $3) RETURNING id
            """,
            names[0][:500],
            native,
            researcher_search_text([*names, *([native] if native else [])]),
        )
        await conn.execute(
            "UPDATE researcher_sighting SET researcher_id = $2, confidence = 1, reasons = '[]' "
            "WHERE id = ANY($1::bigint[])",
            [r["id"] for r in moving],
            new_id,
        )
        # stints: whole when only moved documents back them, else a copy with their evidence
        moved_affiliations: list[int] = []
        copied_affiliations: list[int] = []
        for aff in await conn.fetch(
            """
            SELECT a.id, a.institution_id, a.source, a.source_key, a.role, a.department,
                   a.start_date, a.start_precision, a.end_date, a.end_precision, a.years,
                   ARRAY(SELECT DISTINCT e.document_id FROM evidence e
                         WHERE e.affiliation_id = a.id) AS documents
            FROM affiliation a WHERE a.researcher_id = ANY($1::bigint[])
            """,
            family,
        ):
            backing = set(aff["documents"] or ())
            if not backing & set(docs):
                continue
            if backing <= set(docs):
                await conn.execute(
                    "UPDATE affiliation SET researcher_id = $2 WHERE id = $1", aff["id"], new_id
                )
                moved_affiliations.append(aff["id"])
                continue
            spans = [
                (t[1], t[2])
                for r in moving
                for t in (r["stints"] or ())
                if int(t[0]) == aff["institution_id"]
            ]
            years = [
                y
                for y in aff["years"] or ()
                if any((lo is None or y >= lo) and (hi is None or y <= hi) for lo, hi in spans)
            ]
            copy_id: int = await conn.fetchval(
                """
                INSERT INTO affiliation (researcher_id, institution_id, role, department,
                    start_date, start_precision, end_date, end_precision, years, source,
                    source_key)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id
                """,
                new_id,
                aff["institution_id"],
                aff["role"],
                aff["department"],
                aff["start_date"],
                aff["start_precision"],
                aff["end_date"],
                aff["end_precision"],
                years or list(aff["years"] or ()),
                aff["source"],
                aff["source_key"],
            )
            await conn.execute(
                "UPDATE evidence SET affiliation_id = $3 WHERE affiliation_id = $1 "
                "AND document_id = ANY($2::bigint[])",
                aff["id"],
                docs,
                copy_id,
            )
            copied_affiliations.append(copy_id)
        moved_moves = [
            r["id"]
            for r in await conn.fetch(
                """
                UPDATE move m SET researcher_id = $2
                WHERE m.researcher_id = ANY($1::bigint[]) AND m.origin <> 'inferred'
                  AND EXISTS (SELECT 1 FROM evidence e WHERE e.move_id = m.id)
                  AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.move_id = m.id
                                  AND NOT e.document_id = ANY($3::bigint[]))
                RETURNING m.id
                """,
                family,
                new_id,
                docs,
            )
        ]
        # names and ids: those of the moved sightings that no staying sighting has
        kept_names = {fold(n) for r in staying for n in (*r["names"], r["native_name"] or "")}
        moved_names = [n for r in moving for n in (*r["names"], r["native_name"] or "") if n]
        for name in dict.fromkeys(moved_names):
            await conn.execute(
                "INSERT INTO researcher_alias (researcher_id, alias, normalized, source) "
                "VALUES ($1, $2, $3, 'split') ON CONFLICT DO NOTHING",
                new_id,
                name[:500],
                fold(name),
            )
        gone = sorted({fold(n) for n in moved_names} - kept_names)
        await conn.execute(
            "DELETE FROM researcher_alias WHERE researcher_id = ANY($1::bigint[]) "
            "AND normalized = ANY($2::text[])",
            family,
            gone,
        )
        remaining = await conn.fetch(
            "SELECT alias FROM researcher_alias WHERE researcher_id = $1", root
        )
        await conn.execute(
            "UPDATE researcher SET search_text = $2 WHERE id = $1",
            root,
            researcher_search_text([r["alias"] for r in remaining]),
        )
        kept_ids = {(k, v) for r in staying for k, v in (r["ids"] or {}).items()}
        moved_ids = sorted({(k, v) for r in moving for k, v in (r["ids"] or {}).items()} - kept_ids)
        for scheme, value in moved_ids:
            await conn.execute(
                "UPDATE researcher_external_id SET researcher_id = $3 "
                "WHERE scheme = $1 AND value = $2 AND researcher_id = ANY($4::bigint[])",
                scheme,
                value,
                new_id,
                family,
            )
        # The curator said these are two people: no later sighting merges them again.
        await conn.execute(
            """
            INSERT INTO candidate_match (researcher_id, candidate_id, score, reasons, status,
                                         resolved_at, resolved_by)
            VALUES ($1, $2, 0, '["split by a curator"]', 'different', now(), $3)
            ON CONFLICT (researcher_id, candidate_id) DO UPDATE
            SET status = 'different', resolved_at = now(), resolved_by = $3
            """,
            min(root, new_id),
            max(root, new_id),
            actor,
        )
        await audit(
            conn,
            actor,
            "researcher.split",
            "researcher",
            root,
            {
                "new": new_id,
                "documents": urls,
                "sightings": [r["id"] for r in moving],
                "affiliations": moved_affiliations,
                "copied_affiliations": copied_affiliations,
                "moves": moved_moves,
                "ids": [list(p) for p in moved_ids],
                "aliases": gone,
            },
        )
    return root, new_id


async def resolve_candidate_match(
    conn: asyncpg.Connection, match_id: int, same: bool, *, actor: str
) -> int:
    """Record a curator's verdict; ``same`` also merges the candidate into the researcher."""
    async with conn.transaction():
        row = await conn.fetchrow(
            "SELECT researcher_id, candidate_id, status FROM candidate_match WHERE id = $1 "
            "FOR UPDATE",
            match_id,
        )
        if row is None:
            raise NotFound(f"no candidate match with id {match_id}")
        if row["status"] != "open":
            raise Conflict(f"candidate match {match_id} was already resolved as {row['status']}")
        if same:
            await _merge(conn, row["candidate_id"], row["researcher_id"], actor)
        await conn.execute(
            "UPDATE candidate_match SET status = $2, resolved_at = now(), resolved_by = $3 "
            "WHERE id = $1",
            match_id,
            "same" if same else "different",
            actor,
        )
        await audit(
            conn, actor, "candidate_match.resolve", "candidate_match", match_id, {"same": same}
        )
    return match_id


# ------------------------------------------------------------------------------------------
# Institutions


async def _refresh_search_text(conn: asyncpg.Connection, institution_id: int) -> None:
    row = await conn.fetchrow(
        "SELECT name, native_name, coalesce(array_agg(a.alias) FILTER (WHERE a.id IS NOT NULL), "
        "'{}') AS aliases FROM institution i LEFT JOIN institution_alias a "
        "ON a.institution_id = i.id WHERE i.id = $1 GROUP BY i.id",
        institution_id,
    )
    assert row is not None
    names = [row["name"], *(row["aliases"] or []), row["native_name"] or ""]
    await conn.execute(
        "UPDATE institution SET search_text = $2 WHERE id = $1",
        institution_id,
        institution_search_text(names),
    )


async def add_institution_alias(
    conn: asyncpg.Connection, institution_id: int, alias: str, lang: str | None, *, actor: str
) -> int:
    alias = alias.strip()
    normalized = normalize_institution(alias) or fold(alias)
    if not alias or not normalized:
        raise UserError("the alias is empty", field="alias")
    async with conn.transaction():
        exists = await conn.fetchval(
            "SELECT 1 FROM institution WHERE id = $1 FOR UPDATE", institution_id
        )
        if exists is None:
            raise NotFound(f"no institution with id {institution_id}", field="institution")
        await conn.execute(
            "INSERT INTO institution_alias (institution_id, alias, normalized, lang, source) "
            "VALUES ($1, $2, $3, $4, 'curator') ON CONFLICT (institution_id, normalized) "
            "DO NOTHING",
            institution_id,
            alias,
            normalized,
            lang,
        )
        await _refresh_search_text(conn, institution_id)
        await audit(
            conn, actor, "institution.alias", "institution", institution_id, {"alias": alias}
        )
    return institution_id


@dataclass(frozen=True)
class InstitutionUpsert:
    slug: str
    name: str
    kind: str = "other"
    country_code: str | None = None
    city: str | None = None
    parent_id: int | None = None
    native_name: str | None = None
    website: str | None = None
    is_site: bool = False
    ror: str | None = None


async def upsert_institution(
    conn: asyncpg.Connection, data: InstitutionUpsert, *, actor: str
) -> int:
    """Create the institution with this slug, or update it; a curated row is ``reviewed``."""
    try:
        async with conn.transaction():
            existing = await conn.fetchval(
                "SELECT id FROM institution WHERE slug = $1 FOR UPDATE", data.slug
            )
            if data.parent_id is not None and existing is not None:
                cycle = await conn.fetchval(
                    """
                    WITH RECURSIVE up(id, parent_id) AS (
                        SELECT id, parent_id FROM institution WHERE id = $1
                        UNION SELECT i.id, i.parent_id FROM institution i
                        JOIN up ON i.id = up.parent_id)
                    SELECT 1 FROM up WHERE id = $2
                    """,
                    data.parent_id,
                    existing,
                )
                if cycle:
                    raise UserError(
                        "parent would make the institution its own ancestor", field="parent"
                    )
            pk: int = await conn.fetchval(
                """
                INSERT INTO institution (slug, name, native_name, kind, country_code, city,
                                         parent_id, is_site, website, reviewed)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true)
                ON CONFLICT (slug) DO UPDATE SET
                    name = EXCLUDED.name, native_name = EXCLUDED.native_name,
                    kind = EXCLUDED.kind, country_code = EXCLUDED.country_code,
                    city = EXCLUDED.city, parent_id = EXCLUDED.parent_id,
                    is_site = EXCLUDED.is_site, website = EXCLUDED.website, reviewed = true
                RETURNING id
                """,
                data.slug,
                data.name,
                data.native_name,
                data.kind,
                data.country_code,
                data.city,
                data.parent_id,
                data.is_site,
                data.website,
            )
            await conn.execute(
                "INSERT INTO institution_alias (institution_id, alias, normalized, source) "
                "VALUES ($1, $2, $3, 'curator') ON CONFLICT (institution_id, normalized) "
                "DO NOTHING",
                pk,
                data.name,
                normalize_institution(data.name) or fold(data.name),
            )
            if data.ror:
                await conn.execute(
                    "INSERT INTO institution_external_id (scheme, value, institution_id) "
                    "VALUES ('ror', $1, $2) ON CONFLICT (institution_id, scheme) "
                    "DO UPDATE SET value = EXCLUDED.value",
                    data.ror,
                    pk,
                )
            await _refresh_search_text(conn, pk)
            await audit(
                conn,
                actor,
                "institution.create" if existing is None else "institution.update",
                "institution",
                pk,
                {"slug": data.slug},
            )
    except asyncpg.CheckViolationError as exc:
        raise UserError(f"invalid institution: {_constraint(exc)}") from None
    except asyncpg.UniqueViolationError:
        raise Conflict("that ROR id belongs to another institution", field="ror") from None
    except asyncpg.ForeignKeyViolationError:
        raise NotFound("the parent institution does not exist", field="parent") from None
    return pk


def _constraint(exc: asyncpg.CheckViolationError) -> str:
    name = getattr(exc, "constraint_name", None) or "a check"
    return f"the value breaks {name}"
