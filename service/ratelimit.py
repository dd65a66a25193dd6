"""Token buckets, the one rate-limiting primitive of the service.

The API refuses a client over its budget (``service.api.rate_limit``); the plugins' HTTP
client waits for a host's next token (``service.ingest.http.RateLimiter``). Both draw from
:class:`TokenBuckets`.
"""

from __future__ import annotations

from dataclasses import dataclass

EPSILON = 1e-9


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    """A bucket per key: ``rate`` tokens a second, at most ``capacity`` held (a new key starts
    full). At most ``max_keys`` buckets are kept; past that they all start afresh."""

    def __init__(self, rate: float, capacity: float, *, max_keys: int = 10_000) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be positive and capacity at least 1")
        self.rate = rate
        self.capacity = float(capacity)
        self.max_keys = max_keys
        self.buckets: dict[str, _Bucket] = {}

    def take(self, key: str, now: float) -> float:
        """Take a token for ``key`` at time ``now`` (seconds, monotonic): 0 when one was
        taken, otherwise the seconds until one is there (and nothing is taken)."""
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.max_keys:
                self.buckets.clear()
            bucket = self.buckets[key] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1 - EPSILON:  # a wait that just ended may leave 0.999…
            bucket.tokens = max(0.0, bucket.tokens - 1)
            return 0.0
        return (1 - bucket.tokens) / self.rate
