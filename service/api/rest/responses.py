"""JSON pages with ETags and ``Link`` headers, content negotiation, and CSV streaming.

A JSON body gets a weak ETag from a hash of its bytes; a request whose ``If-None-Match`` names
it gets a 304 with no body. A list page carries ``Link: <…>; rel="next"`` while there is more.
CSV is written as rows arrive, so an export of any size runs in constant memory; a text cell
that a spreadsheet would evaluate as a formula is written with a leading ``'`` (OWASP).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from service.api.rest.problems import Problem

JSON = "application/json"
CSV = "text/csv"
FLUSH_BYTES = 64 * 1024


def _default(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)


def etag_for(body: bytes) -> str:
    return 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _etag_matches(header: str, etag: str) -> bool:
    bare = etag.removeprefix("W/")
    for candidate in header.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == bare:
            return True
    return False


def json_response(
    request: Request, data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON response with a weak ETag; 304 when the client already has this body."""
    body = dumps(data)
    etag = etag_for(body)
    out_headers = {"ETag": etag, "Vary": "Accept", **(headers or {})}
    if status == 200 and request.method in ("GET", "HEAD"):
        inm = request.headers.get("if-none-match")
        if inm and _etag_matches(inm, etag):
            return Response(status_code=304, headers=out_headers)
    return Response(body, status_code=status, media_type=JSON, headers=out_headers)


def next_link(request: Request, cursor: str) -> str:
    """The next page's URL: from ``public_base_url`` when configured, else relative. Never
    from the request's ``Host``, which a client chooses (``Host: evil.example``)."""
    from service.api.state import get_state

    params = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    params.append(("cursor", cursor))
    relative = request.url.path + "?" + urlencode(params)
    base = get_state(request).settings.public_base_url
    return base.rstrip("/") + relative if base else relative


def page_response(request: Request, items: Sequence[Any], next_cursor: str | None) -> Response:
    headers: dict[str, str] = {}
    if next_cursor is not None:
        headers["Link"] = f'<{next_link(request, next_cursor)}>; rel="next"'
    return json_response(request, {"data": items, "next_cursor": next_cursor}, headers=headers)


# --- negotiation ----------------------------------------------------------------------------


def _accepts(header: str) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        q = 1.0
        for piece in pieces[1:]:
            if piece.startswith("q="):
                try:
                    q = float(piece[2:])
                except ValueError:
                    q = 0.0
        out.append((pieces[0].lower(), q))
    return out


def _quality(accepts: list[tuple[str, float]], media: str) -> float:
    kind = media.split("/")[0]
    best = -1.0
    specificity = -1
    for pattern, q in accepts:
        if pattern == media:
            rank = 2
        elif pattern == f"{kind}/*":
            rank = 1
        elif pattern == "*/*":
            rank = 0
        else:
            continue
        if rank > specificity:
            specificity, best = rank, q
    return best


def negotiate(request: Request, *, csv_allowed: bool) -> str:
    """``json`` or ``csv`` from ``?format=`` or ``Accept``; 406 when neither is acceptable."""
    fmt = request.query_params.get("format")
    if fmt is not None:
        fmt = fmt.strip().lower()
        if fmt == "json" or (fmt == "csv" and csv_allowed):
            return fmt
        allowed = "json or csv" if csv_allowed else "json"
        from service.api.rest.problems import FieldError, ValidationProblem

        raise ValidationProblem([FieldError("format", f"expected {allowed}, got {fmt!r}")])
    header = request.headers.get("accept")
    if not header:
        return "json"
    accepts = _accepts(header)
    json_q = max(_quality(accepts, JSON), _quality(accepts, "application/problem+json"))
    csv_q = _quality(accepts, CSV) if csv_allowed else -1.0
    if csv_q > 0 and csv_q > json_q:
        return "csv"
    if json_q > 0:
        return "json"
    offered = "application/json" + (", text/csv" if csv_allowed else "")
    raise Problem(406, "NOT_ACCEPTABLE", f"this resource is available as {offered}")


# --- CSV ------------------------------------------------------------------------------------


def _iso(value: date | datetime) -> str:
    return value.isoformat()


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _joined(value: list[Any] | tuple[Any, ...]) -> str:
    return ";".join(str(v) for v in value)


def _enum(value: Enum) -> Any:
    return value.value


_CONVERT: dict[type, Callable[[Any], Any]] = {
    bool: _bool,
    date: _iso,
    datetime: _iso,
    list: _joined,
    tuple: _joined,
}
_PLAIN = (str, int, float)

# What a spreadsheet may read as the start of a formula (OWASP, "CSV Injection"): = + - @, and
# a leading tab or carriage return, which some spreadsheets trim before looking again; the
# full-width forms are read as the same by some. A text cell starting with one is written with a
# single quote in front, which spreadsheets show as text and do not evaluate.
FORMULA_STARTS = tuple("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def formula_safe(value: Any) -> Any:
    """``value``, or for a text cell a spreadsheet would take as a formula, ``'`` + ``value``."""
    if type(value) is str and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_value(value: Any) -> Any:
    """A cell: empty for null, ISO dates, true/false, lists joined with ``;``."""
    if value is None:
        return ""
    kind = type(value)
    if kind in _PLAIN:
        return value
    convert = _CONVERT.get(kind)
    if convert is not None:
        return convert(value)
    if isinstance(value, Enum):
        return _enum(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_values(row: Any, columns: Sequence[str]) -> list[Any]:
    if isinstance(row, tuple | list):
        return [csv_value(v) for v in row]
    if isinstance(row, dict):
        return [csv_value(row.get(c)) for c in columns]
    return [csv_value(getattr(row, c)) for c in columns]


def dataclass_columns(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


async def csv_chunks(
    columns: Sequence[str], rows: AsyncIterator[Any], to_values: Callable[[Any], list[Any]]
) -> AsyncIterator[bytes]:
    """CSV bytes in chunks of about 64 KiB, written as the rows come."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    async for row in rows:
        # Every text cell of every export, whatever built the row.
        writer.writerow([formula_safe(v) for v in to_values(row)])
        if buffer.tell() >= FLUSH_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


async def _aiter(items: Iterable[Any]) -> AsyncIterator[Any]:
    for item in items:
        yield item


def csv_response(
    columns: Sequence[str],
    rows: AsyncIterator[Any] | Iterable[Any],
    *,
    filename: str,
    to_values: Callable[[Any], list[Any]] | None = None,
    on_close: Callable[[], Any] | None = None,
) -> StreamingResponse:
    source = rows if isinstance(rows, AsyncIterator) else _aiter(rows)
    convert = to_values or (lambda row: row_values(row, columns))

    async def body() -> AsyncIterator[bytes]:
        try:
            async for chunk in csv_chunks(columns, source, convert):
                yield chunk
        finally:
            if on_close is not None:
                result = on_close()
                if hasattr(result, "__await__"):
                    await result

    return StreamingResponse(
        body(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )
