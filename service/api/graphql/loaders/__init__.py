"""Per-request DataLoaders, created with the request's context (never shared between requests).

Each loader issues one statement per batch of keys and returns results in key order; the
paged loaders batch nested connections (one ``LATERAL`` statement for all parents).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strawberry.dataloader import DataLoader

from service.api.graphql.loaders import (
    flow_series_by_institution_id,
    job_postings_by_institution_id,
    moves_by_institution_id,
    researchers_by_institution_id,
)
from service.api.graphql.loaders.base import ByParent, by_parent, many_by_key, one_by_key
from service.db.queries import (
    affiliations,
    candidate_matches,
    evidence,
    ingest_runs,
    institutions,
    job_postings,
    moves,
    researchers,
)
from service.db.queries.affiliations import AffiliationRow
from service.db.queries.candidate_matches import CandidateMatchRow
from service.db.queries.evidence import DocumentRow, EvidenceRow
from service.db.queries.executor import Executor
from service.db.queries.flows import SeriesPoint
from service.db.queries.ingest_runs import IngestRunRow
from service.db.queries.institutions import ExternalIdRow, InstitutionAliasRow, InstitutionRow
from service.db.queries.job_postings import JobPostingRow
from service.db.queries.moves import MoveRow
from service.db.queries.pagination import Page
from service.db.queries.researchers import (
    ResearcherAliasRow,
    ResearcherExternalIdRow,
    ResearcherRow,
)

MovesReq = moves_by_institution_id.MovesRequest
CurrentReq = researchers_by_institution_id.CurrentResearchersRequest
PostingsReq = job_postings_by_institution_id.PostingsRequest
SeriesReq = flow_series_by_institution_id.SeriesRequest


class Loaders:
    """The request's loaders, each built on first use (a request touches a few of ~30)."""

    researcher_by_id: DataLoader[int, ResearcherRow | None]
    researcher_id_by_orcid: DataLoader[str, int | None]
    researcher_id_by_openalex: DataLoader[str, int | None]
    researcher_aliases: DataLoader[int, list[ResearcherAliasRow]]
    researcher_external_ids: DataLoader[int, list[ResearcherExternalIdRow]]
    institution_by_id: DataLoader[int, InstitutionRow | None]
    institution_id_by_slug: DataLoader[str, int | None]
    institution_id_by_ror: DataLoader[str, int | None]
    institution_aliases: DataLoader[int, list[InstitutionAliasRow]]
    institution_external_ids: DataLoader[int, list[ExternalIdRow]]
    institution_children: DataLoader[int, list[InstitutionRow]]
    move_by_id: DataLoader[int, MoveRow | None]
    moves_by_researcher_id: DataLoader[int, list[MoveRow]]
    evidence_by_id: DataLoader[int, EvidenceRow | None]
    evidence_by_move_id: DataLoader[int, list[EvidenceRow]]
    evidence_by_affiliation_id: DataLoader[int, list[EvidenceRow]]
    document_by_id: DataLoader[int, DocumentRow | None]
    affiliation_by_id: DataLoader[int, AffiliationRow | None]
    affiliations_by_researcher_id: DataLoader[int, list[AffiliationRow]]
    job_posting_by_id: DataLoader[int, JobPostingRow | None]
    ingest_run_by_id: DataLoader[int, IngestRunRow | None]
    candidate_match_by_id: DataLoader[int, CandidateMatchRow | None]
    candidate_matches_by_researcher_id: DataLoader[int, list[CandidateMatchRow]]
    institution_moves: DataLoader[ByParent[MovesReq], Page[MoveRow]]
    institution_moves_count: DataLoader[ByParent[MovesReq], int]
    current_researchers: DataLoader[ByParent[CurrentReq], Page[ResearcherRow]]
    current_researchers_count: DataLoader[ByParent[CurrentReq], int]
    institution_postings: DataLoader[ByParent[PostingsReq], Page[JobPostingRow]]
    institution_postings_count: DataLoader[ByParent[PostingsReq], int]
    institution_flow_series: DataLoader[ByParent[SeriesReq], list[SeriesPoint]]

    def __init__(self, factories: dict[str, Callable[[], DataLoader[Any, Any]]]) -> None:
        self._factories = factories

    def __getattr__(self, name: str) -> DataLoader[Any, Any]:
        # Called only for a loader not built yet; the built one is then kept on the instance.
        try:
            factory = self._factories[name]
        except KeyError:
            raise AttributeError(name) from None
        loader = factory()
        setattr(self, name, loader)
        return loader

    @classmethod
    def create(cls, ex: Executor) -> Loaders:
        async def by_orcid(ex: Executor, values: list[str]) -> dict[str, int]:
            return await researchers.researcher_ids_by_external(ex, "orcid", values)

        async def by_openalex(ex: Executor, values: list[str]) -> dict[str, int]:
            return await researchers.researcher_ids_by_external(ex, "openalex", values)

        async def by_ror(ex: Executor, values: list[str]) -> dict[str, int]:
            return await institutions.institution_ids_by_external(ex, "ror", values)

        return cls(
            {
                "researcher_by_id": lambda: one_by_key(ex, researchers.researchers_by_ids),
                "researcher_id_by_orcid": lambda: one_by_key(ex, by_orcid),
                "researcher_id_by_openalex": lambda: one_by_key(ex, by_openalex),
                "researcher_aliases": lambda: many_by_key(
                    ex, researchers.aliases_by_researcher_ids
                ),
                "researcher_external_ids": lambda: many_by_key(
                    ex, researchers.external_ids_by_researcher_ids
                ),
                "institution_by_id": lambda: one_by_key(ex, institutions.institutions_by_ids),
                "institution_id_by_slug": lambda: one_by_key(
                    ex, institutions.institution_ids_by_slugs
                ),
                "institution_id_by_ror": lambda: one_by_key(ex, by_ror),
                "institution_aliases": lambda: many_by_key(
                    ex, institutions.aliases_by_institution_ids
                ),
                "institution_external_ids": lambda: many_by_key(
                    ex, institutions.external_ids_by_institution_ids
                ),
                "institution_children": lambda: many_by_key(
                    ex, institutions.children_by_parent_ids
                ),
                "move_by_id": lambda: one_by_key(ex, moves.moves_by_ids),
                "moves_by_researcher_id": lambda: many_by_key(ex, moves.moves_by_researcher_ids),
                "evidence_by_id": lambda: one_by_key(ex, evidence.evidence_by_ids),
                "evidence_by_move_id": lambda: many_by_key(ex, evidence.evidence_by_move_ids),
                "evidence_by_affiliation_id": lambda: many_by_key(
                    ex, evidence.evidence_by_affiliation_ids
                ),
                "document_by_id": lambda: one_by_key(ex, evidence.documents_by_ids),
                "affiliation_by_id": lambda: one_by_key(ex, affiliations.affiliations_by_ids),
                "affiliations_by_researcher_id": lambda: many_by_key(
                    ex, affiliations.affiliations_by_researcher_ids
                ),
                "job_posting_by_id": lambda: one_by_key(ex, job_postings.job_postings_by_ids),
                "ingest_run_by_id": lambda: one_by_key(ex, ingest_runs.ingest_runs_by_ids),
                "candidate_match_by_id": lambda: one_by_key(
                    ex, candidate_matches.candidate_matches_by_ids
                ),
                "candidate_matches_by_researcher_id": lambda: many_by_key(
                    ex, candidate_matches.candidate_matches_by_researcher_ids
                ),
                "institution_moves": lambda: by_parent(ex, moves_by_institution_id.fetch_pages),
                "institution_moves_count": lambda: by_parent(
                    ex, moves_by_institution_id.fetch_counts
                ),
                "current_researchers": lambda: by_parent(
                    ex, researchers_by_institution_id.fetch_pages
                ),
                "current_researchers_count": lambda: by_parent(
                    ex, researchers_by_institution_id.fetch_counts
                ),
                "institution_postings": lambda: by_parent(
                    ex, job_postings_by_institution_id.fetch_pages
                ),
                "institution_postings_count": lambda: by_parent(
                    ex, job_postings_by_institution_id.fetch_counts
                ),
                "institution_flow_series": lambda: by_parent(
                    ex, flow_series_by_institution_id.fetch_series
                ),
            }
        )
