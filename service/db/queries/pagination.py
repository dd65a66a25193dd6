"""Keyset pagination in SQL with opaque, stable cursors.

An :class:`Ordering` is a list of sort expressions that ends with a unique column (the id), all
in one direction, so ``(k1, k2) > ($a, $b)`` is a single row comparison PostgreSQL can answer
from an index. A cursor is the sort-key values of a row (plus the ordering's name, so a cursor
from one ordering is refused by another), encoded as URL-safe base64 of JSON.

``fetch_page`` pages one list; ``fetch_pages`` pages the same list for many parents at once (one
``LATERAL`` query), which is how nested connections avoid N+1.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from operator import itemgetter
from typing import Any, Generic, TypeVar

import asyncpg
import orjson

from service.db.queries.executor import Executor, Params
from service.errors import LimitExceeded, UserError

R = TypeVar("R")
T = TypeVar("T")


class InvalidCursor(UserError):
    code = "INVALID_CURSOR"


@dataclass(frozen=True, slots=True)
class PageArgs:
    """Relay arguments: ``first``/``after`` pages forward, ``last``/``before`` backward."""

    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def checked(self, default: int, maximum: int) -> PageArgs:
        """Validate sizes against the limits; fill in ``first`` when neither size is given."""
        if self.first is not None and self.last is not None:
            raise UserError("pass either `first` or `last`, not both", field="first")
        for name in ("first", "last"):
            value = getattr(self, name)
            if value is None:
                continue
            if value < 0:
                raise UserError(f"`{name}` must not be negative", field=name)
            if value > maximum:
                raise LimitExceeded(
                    f"`{name}` is {value}; at most {maximum} items per page",
                    field=name,
                    maximum=maximum,
                )
        if self.first is None and self.last is None:
            return PageArgs(default, self.after, None, self.before)
        return self

    @property
    def size(self) -> int:
        return self.last if self.last is not None else (self.first or 0)

    @property
    def backward(self) -> bool:
        return self.last is not None


@dataclass(frozen=True, slots=True)
class Ordering:
    """Sort expressions (SQL, PostgreSQL type), the last one unique; all in one direction."""

    name: str
    keys: tuple[tuple[str, str], ...]
    descending: bool = False


@dataclass(slots=True)
class Page(Generic[R]):
    """One page of items, with the sort key values each cursor is made from.

    Cursors are encoded when asked for: most pages are read without them (a search, the
    ``nodes`` of a connection), and a page of 50 cost 0.2 ms to encode them all.
    """

    items: list[R]
    ordering: Ordering
    keys: list[tuple[Any, ...]]
    has_next: bool
    has_previous: bool
    # A tiered page (``fetch_tiered_page``): each item's own tier's ordering.
    orderings: list[Ordering] | None = None

    def cursor(self, index: int) -> str:
        ordering = self.orderings[index] if self.orderings is not None else self.ordering
        return encode_cursor(ordering, self.keys[index])

    @property
    def start_cursor(self) -> str | None:
        return self.cursor(0) if self.keys else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursor(len(self.keys) - 1) if self.keys else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def encode_cursor(ordering: Ordering, values: Sequence[Any]) -> str:
    raw = orjson.dumps([ordering.name, *(_jsonable(v) for v in values)])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _ranged(bits: int) -> Callable[[Any], int]:
    """An int that PostgreSQL's integer type of ``bits`` holds (else ValueError)."""
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def decode(value: Any) -> int:
        number = int(value)
        if not low <= number <= high:
            raise ValueError("out of range")
        return number

    return decode


def _text(value: Any) -> str:
    text = str(value)
    if "\x00" in text:
        raise ValueError("NUL byte")
    return text


_DECODERS: dict[str, Callable[[Any], Any]] = {
    "date": date.fromisoformat,
    "timestamptz": datetime.fromisoformat,
    "bigint": _ranged(64),
    "integer": _ranged(32),
    "real": float,
    "float8": float,
    "text": _text,
    "boolean": bool,
}


def _cursor_data(cursor: str) -> Any:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise InvalidCursor(f"not a valid cursor: {cursor!r}") from None


def decode_cursor(ordering: Ordering, cursor: str) -> list[Any]:
    data = _cursor_data(cursor)
    if not isinstance(data, list) or len(data) != len(ordering.keys) + 1:
        raise InvalidCursor(f"not a valid cursor: {cursor!r}")
    if data[0] != ordering.name:
        raise InvalidCursor(
            f"this cursor belongs to ordering {data[0]!r}, not {ordering.name!r}; "
            "pass the same orderBy you paged with"
        )
    values: list[Any] = []
    try:
        for (_, pgtype), value in zip(ordering.keys, data[1:], strict=True):
            values.append(None if value is None else _DECODERS[pgtype](value))
    except (TypeError, ValueError, OverflowError):
        raise InvalidCursor(f"not a valid cursor: {cursor[:100]!r}") from None
    return values


@dataclass(slots=True)
class ListQuery:
    """One list to page: ``SELECT {columns} FROM {source} WHERE {where}``."""

    columns: str
    source: str
    where: list[str] = field(default_factory=list)
    params: Params = field(default_factory=Params)

    def where_sql(self, extra: Sequence[str] = ()) -> str:
        clauses = [*self.where, *extra]
        return " AND ".join(f"({c})" for c in clauses) if clauses else "true"


def _keyset(ordering: Ordering, page: PageArgs, params: Params) -> tuple[list[str], str, bool]:
    """The keyset conditions, the ORDER BY clause, and whether rows come back reversed."""
    exprs = [e for e, _ in ordering.keys]
    row = "(" + ", ".join(exprs) + ")"
    conditions: list[str] = []
    for cursor, after in ((page.after, True), (page.before, False)):
        if cursor is None:
            continue
        values = decode_cursor(ordering, cursor)
        placeholders = ", ".join(
            params.add(v, pgtype) for v, (_, pgtype) in zip(values, ordering.keys, strict=True)
        )
        greater = after != ordering.descending
        conditions.append(f"{row} {'>' if greater else '<'} ({placeholders})")
    reverse = page.backward
    descending = ordering.descending != reverse
    direction = " DESC" if descending else ""
    order = ", ".join(f"{e}{direction}" for e in exprs)
    return conditions, order, reverse


def _key_columns(ordering: Ordering) -> str:
    return ", ".join(f"{e} AS _k{i}" for i, (e, _) in enumerate(ordering.keys))


def _page_from_rows(
    rows: Sequence[asyncpg.Record],
    ordering: Ordering,
    page: PageArgs,
    factory: Callable[[asyncpg.Record], R],
) -> Page[R]:
    n = page.size
    more = len(rows) > n
    rows = list(rows[:n])
    if page.backward:
        rows.reverse()
    nkeys = len(ordering.keys)
    key = itemgetter(*(f"_k{i}" for i in range(nkeys)))
    keys = [key(r) for r in rows] if nkeys > 1 else [(key(r),) for r in rows]
    items = [factory(r) for r in rows]
    if page.backward:
        return Page(items, ordering, keys, has_next=page.before is not None, has_previous=more)
    return Page(items, ordering, keys, has_next=more, has_previous=page.after is not None)


async def fetch_page(
    ex: Executor,
    query: ListQuery,
    ordering: Ordering,
    page: PageArgs,
    factory: Callable[[asyncpg.Record], R],
) -> Page[R]:
    params = Params(query.params.values)
    conditions, order, _ = _keyset(ordering, page, params)
    limit = params.add(page.size + 1, "int")
    sql = (
        f"SELECT {query.columns}, {_key_columns(ordering)} FROM {query.source} "
        f"WHERE {query.where_sql(conditions)} ORDER BY {order} LIMIT {limit}"
    )
    rows = await ex.fetch(sql, *params.values)
    return _page_from_rows(rows, ordering, page, factory)


async def fetch_tiered_page(
    ex: Executor,
    tiers: Sequence[tuple[ListQuery, Ordering]],
    page: PageArgs,
    factory: Callable[[asyncpg.Record], R],
) -> Page[R]:
    """Page a list made of disjoint lists one after the other, each in its own ordering (a
    search's exact and prefix matches by name key, then the rest by similarity).

    Each tier is paged by :func:`fetch_page`; a later tier is read only when the earlier ones
    did not fill the page (with a page of 0 rows when they filled it exactly, to know whether
    more follow). A cursor names its tier's ordering, so the tiers' names must differ; the
    page's first tier is the after-cursor's, its last the before-cursor's.
    """
    names = [o.name for _, o in tiers]

    def tier_of(cursor: str) -> int:
        data = _cursor_data(cursor)
        name = data[0] if isinstance(data, list) and data else None
        if name not in names:
            raise InvalidCursor(
                f"this cursor belongs to ordering {name!r}, not one of {names!r}; "
                "pass the same orderBy and search you paged with"
            )
        return names.index(name)

    first = tier_of(page.after) if page.after is not None else 0
    last = tier_of(page.before) if page.before is not None else len(tiers) - 1
    order = range(first, last + 1)
    need = page.size
    items: list[R] = []
    keys: list[tuple[Any, ...]] = []
    orderings: list[Ordering] = []
    more = False
    for i in reversed(order) if page.backward else order:
        query, ordering = tiers[i]
        after = page.after if i == first else None
        before = page.before if i == last else None
        args = (
            PageArgs(last=need, after=after, before=before)
            if page.backward
            else PageArgs(first=need, after=after, before=before)
        )
        got = await fetch_page(ex, query, ordering, args, factory)
        tier_orderings = [ordering] * len(got.items)
        if page.backward:
            items[:0], keys[:0], orderings[:0] = got.items, got.keys, tier_orderings
        else:
            items += got.items
            keys += got.keys
            orderings += tier_orderings
        need -= len(got.items)
        if got.has_previous if page.backward else got.has_next:
            more = True
            break
    ordering = tiers[first][1]
    if page.backward:
        return Page(items, ordering, keys, page.before is not None, more, orderings)
    return Page(items, ordering, keys, more, page.after is not None, orderings)


async def fetch_pages(
    ex: Executor,
    query: ListQuery,
    ordering: Ordering,
    page: PageArgs,
    factory: Callable[[asyncpg.Record], R],
    *,
    partition: str,
    keys: Sequence[int],
    fenced: bool = False,
) -> dict[int, Page[R]]:
    """Page the same list for many parents in one statement.

    ``partition`` is a condition on ``_parent.key`` (for example ``m.to_institution_id =
    _parent.key``); each parent gets its own page, in one ``LATERAL`` query.

    ``fenced``: the partition selects few rows of a large table through its own index, so it
    is applied first, in a subquery the planner cannot flatten (``OFFSET 0``), and the page is
    sorted from those rows. Without the fence PostgreSQL may walk the list's order index
    over the whole table and filter (for moves into an institution with its sub-units: 20 s
    for 100 institutions on 300,000 moves; fenced, half a second).
    """
    params = Params(query.params.values)
    conditions, order, _ = _keyset(ordering, page, params)
    keys_param = params.add(list(keys), "bigint[]")
    limit = params.add(page.size + 1, "int")
    if fenced:
        alias = query.source.split()[-1]
        source = f"(SELECT * FROM {query.source} WHERE {partition} OFFSET 0) {alias}"
        where = query.where_sql(conditions)
    else:
        source, where = query.source, query.where_sql([*conditions, partition])
    sql = (
        f"SELECT _parent.key AS _parent_key, _page.* FROM unnest({keys_param}) AS _parent(key) "
        f"CROSS JOIN LATERAL (SELECT {query.columns}, {_key_columns(ordering)} "
        f"FROM {source} WHERE {where} "
        f"ORDER BY {order} LIMIT {limit}) AS _page"
    )
    rows = await ex.fetch(sql, *params.values)
    grouped: dict[int, list[asyncpg.Record]] = {k: [] for k in keys}
    for r in rows:
        grouped[r["_parent_key"]].append(r)
    return {k: _page_from_rows(grouped[k], ordering, page, factory) for k in keys}


async def count(ex: Executor, query: ListQuery) -> int:
    sql = f"SELECT count(*) FROM {query.source} WHERE {query.where_sql()}"
    value: int = await ex.fetchval(sql, *query.params.values)
    return value


async def count_by(
    ex: Executor, query: ListQuery, *, partition: str, keys: Sequence[int]
) -> dict[int, int]:
    params = Params(query.params.values)
    keys_param = params.add(list(keys), "bigint[]")
    sql = (
        f"SELECT _parent.key, (SELECT count(*) FROM {query.source} "
        f"WHERE {query.where_sql([partition])}) FROM unnest({keys_param}) AS _parent(key)"
    )
    rows = await ex.fetch(sql, *params.values)
    return {r[0]: r[1] for r in rows}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(cls: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(cls))
    return names


def from_record(cls: type[T], record: asyncpg.Record) -> T:
    """Build a row dataclass from the record's columns of the same names."""
    return cls(**{name: record[name] for name in _field_names(cls)})


def row_factory(cls: type[T]) -> Callable[[asyncpg.Record], T]:
    """``from_record`` for one class, made once: the columns are read by name in the
    dataclass's field order and passed positionally (lists build thousands of rows)."""
    names = _field_names(cls)
    make: Callable[..., T] = cls
    if len(names) == 1:
        (only,) = names

        def build_one(record: asyncpg.Record) -> T:
            return make(record[only])

        return build_one
    columns = itemgetter(*names)

    def build(record: asyncpg.Record) -> T:
        return make(*columns(record))

    return build
