"""In-process caches bounded by bytes, not by entries.

A cache of 65,536 entries is small when each is a name and huge when each is a 900 KB string a
client chose. Every cache keyed or filled by request input is a :class:`SizedLRU`: cachetools'
``LRUCache`` with a ``getsizeof`` that estimates the bytes an entry holds (its key, its value
and what the value pins), so the process's memory has a ceiling whatever the input. An entry
larger than the whole budget is simply not kept.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
MISSING: Any = object()

# A parsed GraphQL document with its token list and locations costs tens of bytes per
# character of query text (measured: ~40 for dashboard queries); plans and validation
# results are charged the same way.
DOCUMENT_BYTES_PER_CHAR = 64


def text_bytes(text: str) -> int:
    return sys.getsizeof(text)


def document_bytes(query: str) -> int:
    """What a parsed document of ``query`` may hold."""
    return 1024 + DOCUMENT_BYTES_PER_CHAR * len(query)


class SizedLRU(Generic[K, V]):
    """A thread-safe LRU whose entries' estimated sizes sum to at most ``max_bytes``."""

    def __init__(self, max_bytes: int, sizeof: Callable[[K, V], int]) -> None:
        self.max_bytes = max_bytes
        self._sizeof = sizeof
        self._entries: LRUCache[K, tuple[int, V]] = LRUCache(
            maxsize=max_bytes, getsizeof=lambda entry: entry[0]
        )
        self._lock = Lock()

    def get(self, key: K, default: Any = MISSING) -> Any:
        """The value for ``key`` (now the most recent), or ``default``."""
        with self._lock:
            entry = self._entries.get(key)
        return default if entry is None else entry[1]

    def put(self, key: K, value: V) -> None:
        size = self._sizeof(key, value)
        if size > self.max_bytes:
            return  # larger than the whole cache: computed again when asked again
        with self._lock:
            self._entries[key] = (size, value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    @property
    def bytes(self) -> int:
        """The estimated bytes held now."""
        return int(self._entries.currsize)

    def __len__(self) -> int:
        return len(self._entries)


def memoise_text(
    max_bytes: int, max_chars: int
) -> Callable[[Callable[[str], V]], Callable[[str], V]]:
    """Memoise a function of one string in a :class:`SizedLRU`; inputs longer than
    ``max_chars`` are computed every time and never kept."""

    def decorate(function: Callable[[str], V]) -> Callable[[str], V]:
        cache: SizedLRU[str, V] = SizedLRU(
            max_bytes, lambda key, value: text_bytes(key) + sys.getsizeof(value)
        )

        def cached(text: str) -> V:
            if len(text) > max_chars:
                return function(text)
            found = cache.get(text, MISSING)
            if found is not MISSING:
                return found  # type: ignore[no-any-return]
            value = function(text)
            cache.put(text, value)
            return value

        cached.__doc__ = function.__doc__
        cached.__name__ = function.__name__
        cached.__wrapped__ = function  # type: ignore[attr-defined]
        cached.cache = cache  # type: ignore[attr-defined]
        return cached

    return decorate


def pinned_document_bytes(nodes: tuple[Any, ...]) -> int:
    """What AST nodes keep alive: through their locations, the whole document they came from
    (its text and its token list)."""
    bodies = {id(body): body for node in nodes if (body := _body(node)) is not None}
    return 256 + sum(document_bytes(body) for body in bodies.values())


def _body(node: Any) -> str | None:
    loc = getattr(node, "loc", None)
    source = getattr(loc, "source", None)
    body = getattr(source, "body", None)
    return body if isinstance(body, str) else None
