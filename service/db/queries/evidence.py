"""Reading evidence and the documents it cites."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from service.db.queries.executor import Executor
from service.db.queries.pagination import row_factory

EVIDENCE_COLUMNS = (
    "id, document_id, move_id, affiliation_id, quote, span_start, span_end, extractor, "
    "extractor_version, confidence, created_at"
)
DOCUMENT_COLUMNS = (
    "id, kind, url, title, publisher, published_at, fetched_at, language, source, created_at"
)


@dataclass(frozen=True, slots=True)
class EvidenceRow:
    id: int
    document_id: int
    move_id: int | None
    affiliation_id: int | None
    quote: str | None
    span_start: int | None
    span_end: int | None
    extractor: str
    extractor_version: str | None
    confidence: float
    created_at: datetime


@dataclass(frozen=True, slots=True)
class DocumentRow:
    id: int
    kind: str
    url: str
    title: str | None
    publisher: str | None
    published_at: datetime | None
    fetched_at: datetime
    language: str | None
    source: str
    created_at: datetime


_evidence = row_factory(EvidenceRow)
_document = row_factory(DocumentRow)


async def evidence_by_ids(ex: Executor, ids: Sequence[int]) -> dict[int, EvidenceRow]:
    rows = await ex.fetch(
        f"SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE id = ANY($1::bigint[])", ids
    )
    return {r["id"]: _evidence(r) for r in rows}


async def evidence_by_move_ids(ex: Executor, ids: Sequence[int]) -> dict[int, list[EvidenceRow]]:
    rows = await ex.fetch(
        f"SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE move_id = ANY($1::bigint[]) "
        "ORDER BY move_id, confidence DESC, id",
        ids,
    )
    out: dict[int, list[EvidenceRow]] = defaultdict(list)
    for r in rows:
        out[r["move_id"]].append(_evidence(r))
    return out


async def evidence_by_affiliation_ids(
    ex: Executor, ids: Sequence[int]
) -> dict[int, list[EvidenceRow]]:
    rows = await ex.fetch(
        f"SELECT {EVIDENCE_COLUMNS} FROM evidence WHERE affiliation_id = ANY($1::bigint[]) "
        "ORDER BY affiliation_id, confidence DESC, id",
        ids,
    )
    out: dict[int, list[EvidenceRow]] = defaultdict(list)
    for r in rows:
        out[r["affiliation_id"]].append(_evidence(r))
    return out


async def documents_by_ids(ex: Executor, ids: Sequence[int]) -> dict[int, DocumentRow]:
    rows = await ex.fetch(
        f"SELECT {DOCUMENT_COLUMNS} FROM document WHERE id = ANY($1::bigint[])", ids
    )
    return {r["id"]: _document(r) for r in rows}


async def evidence_with_documents_by_move_ids(
    ex: Executor, ids: Sequence[int]
) -> tuple[dict[int, list[EvidenceRow]], dict[int, DocumentRow]]:
    """Each move's evidence (strongest first) and the documents it cites, in one statement."""
    evidence_columns = ", ".join(f"e.{c}" for c in EVIDENCE_COLUMNS.split(", "))
    document_columns = ", ".join(f"d.{c} AS d_{c}" for c in DOCUMENT_COLUMNS.split(", "))
    rows = await ex.fetch(
        f"SELECT {evidence_columns}, {document_columns} FROM evidence e "
        "JOIN document d ON d.id = e.document_id WHERE e.move_id = ANY($1::bigint[]) "
        "ORDER BY e.move_id, e.confidence DESC, e.id",
        ids,
    )
    by_move: dict[int, list[EvidenceRow]] = defaultdict(list)
    documents: dict[int, DocumentRow] = {}
    for r in rows:
        by_move[r["move_id"]].append(_evidence(r))
        if r["d_id"] not in documents:
            documents[r["d_id"]] = DocumentRow(
                id=r["d_id"],
                kind=r["d_kind"],
                url=r["d_url"],
                title=r["d_title"],
                publisher=r["d_publisher"],
                published_at=r["d_published_at"],
                fetched_at=r["d_fetched_at"],
                language=r["d_language"],
                source=r["d_source"],
                created_at=r["d_created_at"],
            )
    return by_move, documents
