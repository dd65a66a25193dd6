"""The ``openalex`` ingester: followed authors' affiliation histories from the OpenAlex API.

A run is a *pass* of up to three steps, each resumable from the last committed checkpoint:

1. ``institutions``: each followed institution is read by id (``/institutions/I…`` or
   ``/institutions/ror:…``, free singleton requests): it and its children are emitted, and its
   OpenAlex id is kept for the author filter.
2. ``authors``: each explicit author is read by id (``/authors/A…`` or ``/authors/orcid:…``).
3. ``list``: ``/authors?filter=…`` with cursor paging; the cursor is checkpointed after every
   page, so a stopped run resumes at the next page.

Each author yields a profile document, the researcher and, for each affiliation, the
institution and an ``AffiliationSeen`` with its years. In works mode the authors' works are read
too, to date the start of each affiliation to the month of the first work there. When a pass
ends, the next run's ``since`` (``from_updated_date``) becomes the date this pass started.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ValidationError

from plugins.openalex.config import OpenAlexConfig
from plugins.openalex.parse import (
    FirstWork,
    author_record,
    count_works,
    counted_affiliations,
    first_work_observations,
    first_works,
    institution_family,
    short_id,
)
from talentflow import (
    Checkpoint,
    Cursor,
    DocumentSeen,
    FatalIngestError,
    HttpResponse,
    IngestContext,
    Ingester,
    Observation,
    RetriableIngestError,
    SkippableRecordError,
    __version__,
    parse_date,
)

AUTHOR_FIELDS = (
    "id,orcid,display_name,display_name_alternatives,works_count,cited_by_count,"
    "summary_stats,ids,affiliations,topics,updated_date"
)
WORK_FIELDS = "id,display_name,publication_date,publication_year,authorships"
WORKS_AUTHORS_PER_QUERY = 50

Item = Observation | Checkpoint | SkippableRecordError


def _today() -> date:
    return datetime.now(UTC).date()


class OpenAlexIngester(Ingester):
    name: ClassVar[str] = "openalex"
    version: ClassVar[str] = __version__
    Config: ClassVar[type[BaseModel]] = OpenAlexConfig
    cursor: ClassVar[Cursor[date]] = Cursor("since", date, sorted=False)
    description: ClassVar[str] = (
        "Researchers, institutions and affiliation years of followed OpenAlex authors."
    )

    @property
    def cfg(self) -> OpenAlexConfig:
        assert isinstance(self.config, OpenAlexConfig)
        return self.config

    # -- HTTP ---------------------------------------------------------------------------------
    def _params(self, extra: Mapping[str, Any]) -> dict[str, Any]:
        params = dict(extra)
        if self.cfg.mailto:
            params["mailto"] = self.cfg.mailto
        if self.cfg.api_key is not None:
            params["api_key"] = self.cfg.api_key.get_secret_value()
        return params

    async def _get(
        self, ctx: IngestContext, path: str, params: Mapping[str, Any], *, missing_ok: bool = False
    ) -> Any:
        """GET a JSON document; None for a 404 when ``missing_ok``."""
        url = self.cfg.base_url + path
        try:
            response = await ctx.http.get(url, params=self._params(params), conditional=False)
        except FatalIngestError as exc:
            status = exc.details.get("status")
            if status in (401, 403):
                raise FatalIngestError(
                    f"ingester 'openalex': the API refused GET {path} ({status}); set a valid "
                    "OpenAlex key in this ingester's `api_key` setting (free at "
                    "openalex.org/settings/api) or lower the request rate",
                    status=status,
                ) from None
            raise
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise FatalIngestError(
                f"ingester 'openalex': GET {path} returned {response.status_code}: "
                f"{_excerpt(response)}",
                status=response.status_code,
            )
        return response.json()

    async def _list_page(
        self, ctx: IngestContext, path: str, params: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One cursor page: its results and the next cursor (None at the end)."""
        body = await self._get(ctx, path, params)
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise RetriableIngestError(
                f"ingester 'openalex': GET {path} (cursor {params.get('cursor')!r}) returned a "
                "page without a results list; the run stops here and resumes from this page"
            )
        results = [r for r in body["results"] if isinstance(r, dict)]
        meta = body.get("meta") or {}
        next_cursor = meta.get("next_cursor") if isinstance(meta, dict) else None
        if not results or not isinstance(next_cursor, str) or not next_cursor:
            next_cursor = None
        return results, next_cursor

    # -- fetch --------------------------------------------------------------------------------
    async def fetch(self, ctx: IngestContext, state: dict[str, Any] | None) -> AsyncIterator[Item]:
        cfg = self.cfg
        ctx.http.set_rate(cfg.requests_per_second)
        state = dict(state or {})
        # The day the last complete pass started: the next pass asks for what changed since.
        # Known only once a pass ends, so part-way checkpoints keep the one this pass started
        # from (an unsorted cursor) and carry the pass's own progress beside it.
        last_pass = self.cursor.resume(state)
        run = state.get("pass")
        if not isinstance(run, dict):
            since = last_pass.value or cfg.since
            run = {
                "since": since.isoformat() if since else None,
                "started": _today().isoformat(),
                "step": "institutions",
                "index": 0,
                "cursor": "*",
                "institution_ids": [],
            }
        else:
            ctx.logger.info("resuming the pass started %s at step %s", run["started"], run["step"])
        since = parse_date(run.get("since"))

        def checkpoint(**changes: Any) -> Checkpoint:
            run.update(changes)
            return last_pass.checkpoint({"pass": dict(run)})

        if run["step"] == "institutions":
            for index in range(int(run["index"]), len(cfg.institutions)):
                ref = cfg.institutions[index]
                body = await self._get(ctx, f"/institutions/{ref}", {}, missing_ok=True)
                ids = list(run["institution_ids"])
                if body is None:
                    yield SkippableRecordError(
                        f"institution {ref} is not in OpenAlex (404)", position=ref, record=ref
                    )
                else:
                    for item in self._institution_items(body, ref):
                        yield item
                    oid = short_id(body.get("id")) if isinstance(body, dict) else None
                    if oid and oid not in ids:
                        ids.append(oid)
                yield checkpoint(index=index + 1, institution_ids=ids)
            if cfg.institutions and not run["institution_ids"]:
                raise FatalIngestError(
                    "ingester 'openalex': none of the configured institutions was found in "
                    "OpenAlex; refusing to list authors without an institution filter"
                )
            yield checkpoint(step="authors", index=0)

        if run["step"] == "authors":
            for index in range(int(run["index"]), len(cfg.authors)):
                ref = cfg.authors[index]
                body = await self._get(
                    ctx, f"/authors/{ref}", {"select": AUTHOR_FIELDS}, missing_ok=True
                )
                if body is None:
                    yield SkippableRecordError(
                        f"author {ref} is not in OpenAlex (404)", position=ref, record=ref
                    )
                elif isinstance(body, dict) and _updated_since(body, since):
                    async for item in self._authors_items(ctx, [body], position=ref):
                        yield item
                yield checkpoint(index=index + 1)
            yield checkpoint(step="list", cursor="*")

        if run["step"] == "list":
            filters = cfg.list_filters(list(run["institution_ids"]), since)
            cursor: str | None = str(run.get("cursor") or "*")
            page = 0
            while filters is not None and cursor is not None:
                params = {
                    "filter": filters,
                    "per_page": cfg.per_page,
                    "cursor": cursor,
                    "select": AUTHOR_FIELDS,
                }
                results, next_cursor = await self._list_page(ctx, "/authors", params)
                page += 1
                ctx.logger.info("authors page %d: %d results", page, len(results))
                async for item in self._authors_items(ctx, results, position=f"cursor {cursor}"):
                    yield item
                cursor = next_cursor
                if cursor is not None:
                    yield checkpoint(cursor=cursor)

        last_pass.advance(parse_date(run.get("started")) or _today())
        yield last_pass.final({"pass": None})

    # -- records ------------------------------------------------------------------------------
    def _institution_items(self, body: Any, ref: str) -> list[Item]:
        if not isinstance(body, dict):
            return [SkippableRecordError(f"institution {ref}: not an object", position=ref)]
        try:
            return list(institution_family(body))
        except (ValidationError, ValueError) as exc:
            return [
                SkippableRecordError(
                    f"institution {ref}: {_describe(exc)}", position=ref, record=body.get("id")
                )
            ]

    async def _authors_items(
        self, ctx: IngestContext, authors: Sequence[dict[str, Any]], *, position: str
    ) -> AsyncIterator[Item]:
        mapped: list[dict[str, Any]] = []
        for author in authors:
            try:
                record = author_record(author)
            except (ValidationError, ValueError) as exc:
                yield SkippableRecordError(
                    f"author {author.get('id')}: {_describe(exc)}",
                    position=position,
                    record=author.get("id"),
                )
                continue
            mapped.append(author)
            for observation in record.observations():
                yield observation
        if self.cfg.works_mode and mapped:
            async for item in self._works_items(ctx, mapped):
                yield item

    async def _works_items(
        self, ctx: IngestContext, authors: Sequence[dict[str, Any]]
    ) -> AsyncIterator[Item]:
        ids = [aid for aid in (short_id(a.get("id")) for a in authors) if aid]
        for start in range(0, len(ids), WORKS_AUTHORS_PER_QUERY):
            chunk = ids[start : start + WORKS_AUTHORS_PER_QUERY]
            filters = f"author.id:{'|'.join(chunk)}"
            if self.cfg.works_since_year is not None:
                filters += f",from_publication_date:{self.cfg.works_since_year}-01-01"
            found: dict[tuple[str, str], FirstWork] = {}
            counts: dict[tuple[str, str], dict[int, set[str]]] = {}
            cursor: str | None = "*"
            while cursor is not None:
                params = {
                    "filter": filters,
                    "per_page": self.cfg.per_page,
                    "cursor": cursor,
                    "select": WORK_FIELDS,
                }
                results, cursor = await self._list_page(ctx, "/works", params)
                first_works(results, set(chunk), found)
                count_works(results, set(chunk), counts)
            documents: set[str] = set()
            for key in sorted(found):
                try:
                    for observation in first_work_observations(found[key]):
                        if isinstance(observation, DocumentSeen):
                            if observation.url in documents:
                                continue
                            documents.add(observation.url)
                        yield observation
                except (ValidationError, ValueError) as exc:
                    yield SkippableRecordError(
                        f"work {found[key].work_id} for {key[0]} at {key[1]}: {_describe(exc)}",
                        position=found[key].work_id,
                    )
            # the works counted per affiliation-year, on the author's own affiliations
            for author in authors:
                if short_id(author.get("id")) not in chunk:
                    continue
                try:
                    for counted in counted_affiliations(author, counts):
                        yield counted
                except (ValidationError, ValueError) as exc:
                    yield SkippableRecordError(
                        f"works per year of {author.get('id')}: {_describe(exc)}",
                        position=str(author.get("id")),
                    )


def _updated_since(author: Mapping[str, Any], since: date | None) -> bool:
    if since is None:
        return True
    updated = parse_date(author.get("updated_date"))
    return updated is None or updated >= since


def _excerpt(response: HttpResponse) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:300] or "(empty body)"


def _describe(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(record)'}: {err['msg']}"
            for err in exc.errors()
        )
    return str(exc)
