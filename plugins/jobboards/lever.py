"""The ``lever`` ingester: open postings from Lever job sites.

``GET {base}/v0/postings/{site}?mode=json&skip=N&limit=M`` pages through a site's published
postings until a page comes back shorter than ``limit``. Sites hosted in Lever's EU region are
served from ``api.eu.lever.co`` (``region: eu``). Each posting becomes a ``JobPostingSeen`` with
source ``lever`` and external id ``{site}:{id}``; ``createdAt`` (ms) is the posting time. Lever
carries no update time, so closing is by diffing ids (see ``plugins.jobboards.board``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, Field, field_validator

from plugins.jobboards.board import BoardIngester
from plugins.jobboards.common import (
    BoardConfig,
    JobBoardsConfig,
    build_posting,
    html_to_text,
    join_locations,
    parse_epoch_ms,
    plain_text,
    reject_duplicates,
    text_or_none,
)
from talentflow import (
    FatalIngestError,
    IngestContext,
    Ingester,
    JobPostingSeen,
    __version__,
    hookimpl,
)

BASE_URLS = {"global": "https://api.lever.co", "eu": "https://api.eu.lever.co"}
SITE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
MAX_PAGES = 200


class LeverBoard(BoardConfig):
    site: str = Field(pattern=SITE_PATTERN, description="The Lever site name, e.g. 'mistral'.")
    region: Literal["global", "eu"] = Field(
        default="global", description="'eu' for sites hosted on api.eu.lever.co."
    )


class LeverConfig(JobBoardsConfig):
    boards: list[LeverBoard] = Field(min_length=1)
    page_size: int = Field(default=100, ge=1, le=1000, description="Postings per request.")

    @field_validator("boards")
    @classmethod
    def _unique(cls, value: list[LeverBoard]) -> list[LeverBoard]:
        reject_duplicates([b.site for b in value], "site(s)")
        return value


def lever_base_url(config: LeverConfig, board: LeverBoard) -> str:
    """The API base for ``board``: the configured override, else its region's host."""
    return config.base_url or BASE_URLS[board.region]


def _description(raw: dict[str, Any], *, own: bool = False) -> str | None:
    """The posting's text: description, its lists (requirements...) and the closing text.

    ``own``: without what Lever marks as the company's — the opening (``description`` is
    the opening followed by ``descriptionBody``) and the closing (``additional``)."""
    parts: list[str] = []
    main = plain_text(raw.get("descriptionPlain")) or html_to_text(raw.get("description"))
    if own:
        body = plain_text(raw.get("descriptionBodyPlain")) or html_to_text(
            raw.get("descriptionBody")
        )
        opening = plain_text(raw.get("openingPlain")) or html_to_text(raw.get("opening"))
        if body:
            main = body
        elif main and opening and main.startswith(opening):
            main = main[len(opening) :].strip() or None
    if main:
        parts.append(main)
    for item in raw.get("lists") or []:
        if not isinstance(item, dict):
            continue
        heading = text_or_none(item.get("text"))
        body = html_to_text(item.get("content")) if isinstance(item.get("content"), str) else None
        block = "\n".join(p for p in (heading, body) if p)
        if block:
            parts.append(block)
    closing = plain_text(raw.get("additionalPlain")) or html_to_text(raw.get("additional"))
    if closing and not own:
        parts.append(closing)
    return "\n\n".join(parts) or None


class LeverIngester(BoardIngester):
    name: ClassVar[str] = "lever"
    version: ClassVar[str] = __version__
    Config: ClassVar[type[BaseModel]] = LeverConfig
    description: ClassVar[str] = "Open postings from Lever job sites (global and EU)."
    source: ClassVar[str] = "lever"

    def boards(self) -> Sequence[tuple[str, LeverBoard]]:
        config = self.config
        assert isinstance(config, LeverConfig)
        return [(b.site, b) for b in config.boards]

    async def read_board(
        self, ctx: IngestContext, key: str, board: BoardConfig
    ) -> list[Any] | None:
        config = self.config
        assert isinstance(config, LeverConfig) and isinstance(board, LeverBoard)
        base = lever_base_url(config, board)
        url = f"{base}/v0/postings/{key}"
        postings: list[Any] = []
        seen_first: set[str] = set()
        for page_no in range(MAX_PAGES):
            params = {"mode": "json", "skip": page_no * config.page_size, "limit": config.page_size}
            # Pages shift as postings come and go, so they are not cached (no conditional GET).
            response = await ctx.http.get(url, params=params, conditional=False)
            response.raise_for_status()
            page = response.json()
            if not isinstance(page, list):
                raise FatalIngestError(
                    f"lever site {key!r}: expected a JSON array of postings", url=response.url
                )
            first = page[0].get("id") if page and isinstance(page[0], dict) else None
            if isinstance(first, str) and first in seen_first:
                ctx.logger.warning("lever site %s ignores skip; stopping at page %d", key, page_no)
                break
            if isinstance(first, str):
                seen_first.add(first)
            postings.extend(page)
            if len(page) < config.page_size:
                break
        else:
            ctx.logger.warning("lever site %s: stopped after %d pages", key, MAX_PAGES)
        return postings

    def posting(
        self, key: str, board: BoardConfig, external_id: str, raw: dict[str, Any]
    ) -> JobPostingSeen | None:
        title = text_or_none(raw.get("text"))
        if not title:
            raise ValueError("no title ('text')")
        categories = raw.get("categories")
        cats: dict[str, Any] = categories if isinstance(categories, dict) else {}
        all_locations = cats.get("allLocations")
        places = (
            [p for p in all_locations if isinstance(p, str)]
            if isinstance(all_locations, list)
            else []
        )
        location = join_locations([cats.get("location"), *places])
        workplace = text_or_none(raw.get("workplaceType"))
        return build_posting(
            source=self.source,
            external_id=external_id,
            board=board,
            title=title,
            department=text_or_none(cats.get("department")),
            team=text_or_none(cats.get("team")),
            location=location,
            remote=(workplace or "").lower() == "remote",
            posted_at=parse_epoch_ms(raw.get("createdAt")),
            updated_at=None,
            url=text_or_none(raw.get("hostedUrl")),
            description=_description(raw),
            classify_text=self.posting_text(raw),
            country_text=self.posting_text(raw, sections=False),
            fallback_countries=[text_or_none(raw.get("country"))],
        )

    def own_text(self, raw: dict[str, Any]) -> str | None:
        return _description(raw, own=True)


@hookimpl
def register_ingesters() -> list[type[Ingester]]:
    return [LeverIngester]
