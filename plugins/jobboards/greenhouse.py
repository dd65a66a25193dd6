"""The ``greenhouse`` ingester: open postings from Greenhouse job boards.

``GET {base}/v1/boards/{token}/jobs?content=true`` returns every open job of a board with its
content (entity-escaped HTML). Each job becomes a ``JobPostingSeen`` with source ``greenhouse``
and external id ``{token}:{id}`` (ids are unique per board, the token keeps them unique across
boards). Postings that disappear are closed (see ``plugins.jobboards.board``). The request is
conditional (ETag / Last-Modified) so an unchanged board costs a 304.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, Field, field_validator

from plugins.jobboards.board import BoardIngester
from plugins.jobboards.common import (
    BoardConfig,
    JobBoardsConfig,
    build_posting,
    html_to_text,
    parse_datetime,
    reject_duplicates,
    text_or_none,
)
from talentflow import (
    IngestContext,
    Ingester,
    JobPostingSeen,
    __version__,
    hookimpl,
)

DEFAULT_BASE_URL = "https://boards-api.greenhouse.io"
# Greenhouse boards wrap the company's standard intro and closing in these blocks.
BOILERPLATE_CLASSES = ("content-intro", "content-conclusion", "content-pay-transparency")
TOKEN_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"


class GreenhouseBoard(BoardConfig):
    token: str = Field(pattern=TOKEN_PATTERN, description="The board token, e.g. 'anthropic'.")


class GreenhouseConfig(JobBoardsConfig):
    boards: list[GreenhouseBoard] = Field(min_length=1)

    @field_validator("boards")
    @classmethod
    def _unique(cls, value: list[GreenhouseBoard]) -> list[GreenhouseBoard]:
        reject_duplicates([b.token for b in value], "board token(s)")
        return value


_PLACE_FIELD_RE = re.compile(
    r"country|location|region|国家|國家|地区|地區|工作地点|工作地點|勤務地|所在地|국가|근무지",
    re.IGNORECASE,
)


def _metadata_places(raw: dict[str, Any]) -> list[str | None]:
    """Place values of the board's custom fields ("Country": "Singapore"), in order; a
    "Location Type" field (on-site, remote) names no place and is skipped by the parser."""
    places: list[str | None] = []
    for item in raw.get("metadata") or []:
        if not isinstance(item, dict) or not _PLACE_FIELD_RE.search(str(item.get("name") or "")):
            continue
        value = item.get("value")
        values = value if isinstance(value, list) else [value]
        places.extend(text_or_none(v) for v in values if isinstance(v, str))
    return places


def _departments(raw: dict[str, Any]) -> tuple[str | None, str | None]:
    """(department, team): the top of the job's department chain and, if deeper, its leaf."""
    items = [d for d in raw.get("departments") or [] if isinstance(d, dict) and d.get("name")]
    if not items:
        return None, None
    ids = {d.get("id") for d in items}
    parents = {d.get("parent_id") for d in items}
    roots = [d for d in items if d.get("parent_id") not in ids] or items
    leaves = [d for d in items if d.get("id") not in parents] or items
    department = text_or_none(roots[0]["name"])
    team = text_or_none(leaves[-1]["name"])
    return department, (team if team != department else None)


class GreenhouseIngester(BoardIngester):
    name: ClassVar[str] = "greenhouse"
    version: ClassVar[str] = __version__
    Config: ClassVar[type[BaseModel]] = GreenhouseConfig
    description: ClassVar[str] = "Open postings from Greenhouse job boards."
    source: ClassVar[str] = "greenhouse"

    def boards(self) -> Sequence[tuple[str, GreenhouseBoard]]:
        config = self.config
        assert isinstance(config, GreenhouseConfig)
        return [(b.token, b) for b in config.boards]

    async def read_board(
        self, ctx: IngestContext, key: str, board: BoardConfig
    ) -> list[Any] | None:
        base = self.settings().base_url or DEFAULT_BASE_URL
        return await self.read_jobs_object(
            ctx, key, f"{base}/v1/boards/{key}/jobs", {"content": "true"}
        )

    def posting(
        self, key: str, board: BoardConfig, external_id: str, raw: dict[str, Any]
    ) -> JobPostingSeen | None:
        title = text_or_none(raw.get("title"))
        if not title:
            raise ValueError("no title")
        department, team = _departments(raw)
        location_obj = raw.get("location")
        location = (
            text_or_none(location_obj.get("name")) if isinstance(location_obj, dict) else None
        )
        offices = [o for o in raw.get("offices") or [] if isinstance(o, dict)]
        office_places = [
            text_or_none(o.get("location")) or text_or_none(o.get("name")) for o in offices
        ]
        return build_posting(
            source=self.source,
            external_id=external_id,
            board=board,
            title=title,
            department=department,
            team=team,
            location=location,
            remote=None,
            posted_at=parse_datetime(raw.get("first_published")),
            updated_at=parse_datetime(raw.get("updated_at")),
            url=text_or_none(raw.get("absolute_url")),
            description=html_to_text(raw.get("content")),
            classify_text=self.posting_text(raw),
            country_text=self.posting_text(raw, sections=False),
            fallback_countries=[*_metadata_places(raw), *office_places],
        )

    def own_text(self, raw: dict[str, Any]) -> str | None:
        return html_to_text(raw.get("content"), drop_classes=BOILERPLATE_CLASSES)


@hookimpl
def register_ingesters() -> list[type[Ingester]]:
    return [GreenhouseIngester]
