"""The ``ashby`` ingester: open postings from Ashby job boards.

``GET {base}/posting-api/job-board/{board}?includeCompensation=false`` returns the board's
postings in ``jobs[]``. Unlisted postings (``isListed: false``) are left out, so a posting that
becomes unlisted is closed like one that disappears. Each listed posting becomes a
``JobPostingSeen`` with source ``ashby`` and external id ``{board}:{id}``. The request is
conditional (ETag / Last-Modified) where the server supports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, Field, field_validator

from plugins.jobboards.board import BoardIngester
from plugins.jobboards.common import (
    BoardConfig,
    JobBoardsConfig,
    build_posting,
    html_to_text,
    join_locations,
    parse_datetime,
    plain_text,
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

DEFAULT_BASE_URL = "https://api.ashbyhq.com"
BOARD_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.%-]{0,99}$"


class AshbyBoard(BoardConfig):
    board: str = Field(pattern=BOARD_PATTERN, description="The job board name, e.g. 'openai'.")


class AshbyConfig(JobBoardsConfig):
    boards: list[AshbyBoard] = Field(min_length=1)

    @field_validator("boards")
    @classmethod
    def _unique(cls, value: list[AshbyBoard]) -> list[AshbyBoard]:
        reject_duplicates([b.board for b in value], "board(s)")
        return value


def _address_country(item: Any) -> str | None:
    if not isinstance(item, dict):
        return None
    address = item.get("address")
    postal = address.get("postalAddress") if isinstance(address, dict) else None
    return text_or_none(postal.get("addressCountry")) if isinstance(postal, dict) else None


class AshbyIngester(BoardIngester):
    name: ClassVar[str] = "ashby"
    version: ClassVar[str] = __version__
    Config: ClassVar[type[BaseModel]] = AshbyConfig
    description: ClassVar[str] = "Open postings from Ashby job boards."
    source: ClassVar[str] = "ashby"

    def boards(self) -> Sequence[tuple[str, AshbyBoard]]:
        config = self.config
        assert isinstance(config, AshbyConfig)
        return [(b.board, b) for b in config.boards]

    async def read_board(
        self, ctx: IngestContext, key: str, board: BoardConfig
    ) -> list[Any] | None:
        base = self.settings().base_url or DEFAULT_BASE_URL
        return await self.read_jobs_object(
            ctx, key, f"{base}/posting-api/job-board/{key}", {"includeCompensation": "false"}
        )

    def posting(
        self, key: str, board: BoardConfig, external_id: str, raw: dict[str, Any]
    ) -> JobPostingSeen | None:
        if raw.get("isListed") is False:
            return None
        title = text_or_none(raw.get("title"))
        if not title:
            raise ValueError("no title")
        secondary = [s for s in raw.get("secondaryLocations") or [] if isinstance(s, dict)]
        location = join_locations([raw.get("location"), *(s.get("location") for s in secondary)])
        workplace = (text_or_none(raw.get("workplaceType")) or "").lower()
        description = self.own_text(raw)
        return build_posting(
            source=self.source,
            external_id=external_id,
            board=board,
            title=title,
            department=text_or_none(raw.get("department")),
            team=text_or_none(raw.get("team")),
            location=location,
            remote=raw.get("isRemote") is True or workplace == "remote",
            posted_at=parse_datetime(raw.get("publishedAt")),
            updated_at=None,
            url=text_or_none(raw.get("jobUrl")),
            description=description,
            classify_text=self.posting_text(raw),
            country_text=self.posting_text(raw, sections=False),
            fallback_countries=[
                _address_country(raw),
                *(_address_country(s) for s in secondary),
            ],
        )

    def own_text(self, raw: dict[str, Any]) -> str | None:
        # Ashby marks no company blocks: its "About us" is found by repetition.
        return plain_text(raw.get("descriptionPlain")) or html_to_text(raw.get("descriptionHtml"))


@hookimpl
def register_ingesters() -> list[type[Ingester]]:
    return [AshbyIngester]
