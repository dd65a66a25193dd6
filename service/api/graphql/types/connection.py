# mypy: disable-error-code="untyped-decorator"
"""Relay connections: ``edges { cursor node }``, ``pageInfo``, ``totalCount`` (and ``nodes``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry

from service.db.queries.pagination import Page

NodeT = TypeVar("NodeT")
RowT = TypeVar("RowT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def _cursor(root: Edge[Any]) -> str:
    # Encoded when asked for: most pages are read without their cursors.
    return root.page.cursor(root.index)


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(resolver=_cursor)
    node: NodeT
    page: strawberry.Private[Page[Any]]
    index: strawberry.Private[int]


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    counter: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many items match, over all pages (one extra query).")
    async def total_count(self) -> int:
        return await self.counter()


def connection(
    page: Page[RowT],
    convert: Callable[[RowT], NodeT],
    counter: Callable[[], Awaitable[int]],
) -> Connection[NodeT]:
    return Connection(
        edges=[Edge(page=page, index=i, node=convert(row)) for i, row in enumerate(page.items)],
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.start_cursor,
            end_cursor=page.end_cursor,
        ),
        counter=counter,
    )
