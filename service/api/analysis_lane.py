"""The lane the analyses compute in: populations, net flows with their rates, the pipeline and
stay rates read every affiliation stint, which on the full-scale dataset (a million moves) takes
seconds, longer than ``read_budget_s`` allows a public read. Such a computation (a cache miss in
GraphQL, a REST GET) gets ``analysis_budget_s`` instead, and at most ``analysis_concurrency`` of
them run at once per process: the rest wait for a place (within the same budget) without
holding a connection, so the other reads keep the pool. The connection of an analysis has
its statement timeout raised to the same budget (``statement_timeout_sql``; the pool's reset
restores it). Answers are cached as flows are (``flow_cache``), so a dashboard pays this once
per new move, not per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from service.api.state import AppState
from service.errors import QueryTimeout

LANE_KEY = "analysis_lane"


def statement_timeout_sql(state: AppState) -> str:
    """The statement that gives an analysis's connection the analyses' budget."""
    return f"SET statement_timeout = {int(state.settings.analysis_budget_s * 1000)}"


def _lane(state: AppState) -> asyncio.Semaphore:
    lane = state.extras.get(LANE_KEY)
    if lane is None:
        lane = state.extras[LANE_KEY] = asyncio.Semaphore(state.settings.analysis_concurrency)
    assert isinstance(lane, asyncio.Semaphore)
    return lane


@asynccontextmanager
async def analysis_lane(state: AppState) -> AsyncIterator[float]:
    """A place in the lane, for ``analysis_budget_s`` (yielded) from now, waiting included;
    :class:`~service.errors.QueryTimeout` when the budget runs out."""
    budget = state.settings.analysis_budget_s
    try:
        async with asyncio.timeout(budget) as scope, _lane(state):
            yield budget
    except TimeoutError:
        if not scope.expired():
            raise
        raise QueryTimeout(
            f"the analysis used its time budget of {budget:g} s; narrow the filters or retry",
            budgetSeconds=budget,
        ) from None
