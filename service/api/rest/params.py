"""Query parameters declared once: parsed and validated from requests, and documented in OpenAPI.

A :class:`Param` names a parameter, its kind and its limits. ``parse(request, params)`` reads
them all, collects every problem (not just the first) and raises one ``ValidationProblem`` whose
``errors[]`` names each bad parameter. Lists accept repeated parameters or commas
(``?to_country=CN,US`` and ``?to_country=CN&to_country=US`` mean the same). Unknown parameters
are refused, so a typo is not silently ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import orjson
from starlette.requests import Request

from service.api.graphql.guards import nul_variable
from service.api.rest.problems import FieldError, Problem, ValidationProblem
from service.db.queries.pagination import PageArgs

Kind = Literal["int", "float", "bool", "date", "str", "enum", "country", "ref"]

COUNTRY = re.compile(r"^[A-Za-z]{2}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
TRUE = {"true", "1", "yes"}
FALSE = {"false", "0", "no"}

# Accepted everywhere: paging and output format.
GLOBAL = {"limit", "cursor", "format"}


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: Kind
    description: str
    many: bool = False
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    default: Any = None

    def schema(self) -> dict[str, Any]:
        """The JSON Schema of one value (OpenAPI ``schema``)."""
        base: dict[str, Any]
        if self.kind == "int":
            base = {"type": "integer"}
        elif self.kind == "float":
            base = {"type": "number"}
        elif self.kind == "bool":
            base = {"type": "boolean"}
        elif self.kind == "date":
            base = {"type": "string", "format": "date"}
        elif self.kind == "enum":
            base = {"type": "string", "enum": list(self.choices)}
        elif self.kind == "country":
            base = {"type": "string", "pattern": "^[A-Za-z]{2}$"}
        elif self.kind == "ref":
            base = {
                "type": "string",
                "description": "a numeric id or a slug",
                "pattern": r"^(\d{1,18}|[a-z0-9][a-z0-9-]{0,99})$",
            }
        else:
            base = {"type": "string", "minLength": 1}
        if self.minimum is not None:
            base["minimum"] = self.minimum
        if self.maximum is not None:
            base["maximum"] = self.maximum
        if self.default is not None:
            base["default"] = self.default
        if self.many:
            # An empty item ("a,,b", a trailing comma) is skipped, not refused.
            base.pop("minLength", None)
            return {"type": "array", "items": base}
        return base


def _one(param: Param, raw: str) -> Any:
    """Convert one raw value, or raise ValueError with a message for the client."""
    if "\x00" in raw:
        raise ValueError("contains a NUL byte (%00), which no value may hold")
    value = raw.strip()
    if param.kind == "int":
        if not re.fullmatch(r"-?\d{1,18}", value):
            raise ValueError(f"expected an integer, got {raw!r}")
        number: float = int(value)
    elif param.kind == "float":
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"expected a number, got {raw!r}") from None
        if number != number:  # NaN
            raise ValueError("expected a number, got NaN")
    elif param.kind == "bool":
        if value.lower() in TRUE:
            return True
        if value.lower() in FALSE:
            return False
        raise ValueError(f"expected true or false, got {raw!r}")
    elif param.kind == "date":
        return parse_date(value)
    elif param.kind == "enum":
        upper = value.upper() if param.choices and param.choices[0].isupper() else value.lower()
        if upper not in param.choices:
            raise ValueError(f"{raw!r} is not one of: {', '.join(param.choices)}")
        return upper
    elif param.kind == "country":
        if not COUNTRY.match(value):
            raise ValueError(f"expected an ISO 3166-1 alpha-2 country code, got {raw!r}")
        return value.upper()
    elif param.kind == "ref":
        if re.fullmatch(r"\d{1,18}", value):
            return int(value)
        if not SLUG.match(value):
            raise ValueError(f"expected an id or a slug, got {raw!r}")
        return value
    else:
        if not value:
            raise ValueError("must not be empty")
        if len(value) > 500:
            raise ValueError("at most 500 characters")
        return value
    if param.minimum is not None and number < param.minimum:
        raise ValueError(f"must be at least {param.minimum:g}")
    if param.maximum is not None and number > param.maximum:
        raise ValueError(f"must be at most {param.maximum:g}")
    return number


def parse_date(value: str) -> date:
    """A day (``2025-03-14``), a month (``2025-03``) or a year (``2025``), as its first day."""
    try:
        if re.fullmatch(r"\d{4}", value):
            return date(int(value), 1, 1)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return date(int(value[:4]), int(value[5:]), 1)
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"expected a date like 2025, 2025-03 or 2025-03-14, got {value!r}"
        ) from None


def parse(request: Request, params: Sequence[Param]) -> dict[str, Any]:
    """Every declared parameter's value (``None``/``()`` when absent); 400 on any problem."""
    known = {p.name: p for p in params}
    errors: list[FieldError] = []
    out: dict[str, Any] = {}
    query = request.query_params
    for name in query:
        if name not in known and name not in GLOBAL:
            errors.append(FieldError(name, "unknown parameter"))
    for p in params:
        raws = query.getlist(p.name)
        if p.many:
            values: list[Any] = []
            for raw in raws:
                for part in raw.split(","):
                    if not part.strip():
                        continue
                    try:
                        values.append(_one(p, part))
                    except ValueError as exc:
                        errors.append(FieldError(p.name, str(exc)))
            out[p.name] = tuple(dict.fromkeys(values))
            continue
        if len(raws) > 1:
            errors.append(FieldError(p.name, "given more than once"))
            continue
        if not raws:
            out[p.name] = p.default
            continue
        try:
            out[p.name] = _one(p, raws[0])
        except ValueError as exc:
            errors.append(FieldError(p.name, str(exc)))
    if errors:
        raise ValidationProblem(errors)
    return out


def paging(request: Request) -> PageArgs:
    """``limit`` (1..page_size_max, default page_size_default) and ``cursor``."""
    from service.api.state import get_state

    settings = get_state(request).settings
    raw = request.query_params.get("limit")
    limit = settings.page_size_default
    if raw is not None:
        if not re.fullmatch(r"\d{1,9}", raw.strip()):
            raise ValidationProblem([FieldError("limit", f"expected an integer, got {raw!r}")])
        limit = int(raw)
        if not 1 <= limit <= settings.page_size_max:
            raise ValidationProblem(
                [FieldError("limit", f"must be between 1 and {settings.page_size_max}")]
            )
    cursor = request.query_params.get("cursor") or None
    return PageArgs(first=min(limit, settings.page_size_max), after=cursor)


PAGING_PARAMS: tuple[Param, ...] = (
    Param("limit", "int", "Items per page.", minimum=1, maximum=100, default=20),
    Param("cursor", "str", "The `next_cursor` of the previous page (also in the Link header)."),
)


async def json_body(request: Request) -> dict[str, Any]:
    """A write's JSON object body (empty: ``{}``); 415 for another media type, 400 for JSON
    that is not an object or carries a NUL byte."""
    raw = await request.body()
    if not raw.strip():
        return {}
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise Problem(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ValidationProblem([FieldError("body", "not valid JSON", "body")]) from None
    if not isinstance(body, dict):
        raise ValidationProblem([FieldError("body", "expected a JSON object", "body")])
    where = nul_variable(body)
    if where is not None:
        where = "body" + where[1:]
        raise ValidationProblem([FieldError(where, "contains a NUL byte (\\u0000)", "body")])
    return body
