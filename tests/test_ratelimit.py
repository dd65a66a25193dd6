"""The one token bucket both the API's limit and the plugins' HTTP client use."""

from __future__ import annotations

import pytest

from service.api import rate_limit
from service.ingest import http
from service.ratelimit import TokenBuckets


def test_a_bucket_refills_at_its_rate_up_to_its_capacity() -> None:
    buckets = TokenBuckets(2.0, 3)
    assert [buckets.take("a", 0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a", 0.0) == pytest.approx(0.5)
    assert buckets.take("b", 0.0) == 0.0  # another key has its own bucket
    assert buckets.take("a", 0.5) == 0.0
    assert buckets.take("a", 100.0) == 0.0 and buckets.buckets["a"].tokens == 2.0


def test_a_wait_that_just_ended_takes_the_token() -> None:
    buckets = TokenBuckets(3.0, 1)
    assert buckets.take("h", 1e6) == 0.0
    wait = buckets.take("h", 1e6)
    assert buckets.take("h", 1e6 + wait) == 0.0


def test_both_limiters_are_built_on_it() -> None:
    assert isinstance(http.RateLimiter(1.0)._buckets, TokenBuckets)
    assert rate_limit.TokenBuckets is TokenBuckets
    assert not hasattr(rate_limit, "RateLimiter")
