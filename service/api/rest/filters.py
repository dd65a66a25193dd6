"""Query parameters that map onto the query layer's filter dataclasses.

Parameter names are the filter fields' names (``from_country``, ``min_confidence``), with the
same meaning as the GraphQL filter inputs: retracted and rumoured moves are left out unless ``status`` asks
for them; institution filters take an id or a slug and include descendants by default.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from service.api.rest.params import Param
from service.api.rest.problems import FieldError, ValidationProblem
from service.db.queries.institutions import institution_ids_by_slugs
from service.db.queries.moves import MoveFilter

MOVE_KINDS = (
    "academia_to_industry",
    "industry_to_academia",
    "industry_to_industry",
    "academia_to_academia",
    "unknown",
)
MOVE_STATUSES = ("reported", "corroborated", "confirmed", "retracted", "rumoured")
MOVE_ORIGINS = ("reported", "inferred", "manual")
INSTITUTION_KINDS = ("company", "lab", "university", "government", "nonprofit", "other")

MOVE_PARAMS: tuple[Param, ...] = (
    Param(
        "researcher",
        "int",
        "Moves of this researcher (merged ids follow their redirect).",
        minimum=1,
    ),
    Param("from_institution", "ref", "Origin institution: an id or a slug."),
    Param("to_institution", "ref", "Destination institution: an id or a slug."),
    Param(
        "include_descendants",
        "bool",
        "Whether from/to institution also match their sub-units (Alphabet matches Google "
        "DeepMind).",
        default=True,
    ),
    Param("from_country", "country", "Origin countries (ISO 3166-1 alpha-2).", many=True),
    Param("to_country", "country", "Destination countries (ISO 3166-1 alpha-2).", many=True),
    Param("date_from", "date", "Moves on or after this date (2025, 2025-03 or 2025-03-14)."),
    Param("date_to", "date", "Moves on or before this date."),
    Param("kind", "enum", "Kinds of move.", many=True, choices=MOVE_KINDS),
    Param(
        "status",
        "enum",
        "Statuses; default: every status but retracted and rumoured.",
        many=True,
        choices=MOVE_STATUSES,
    ),
    Param("min_confidence", "float", "Minimum confidence.", minimum=0, maximum=1),
    Param("topic", "str", "The researcher works on any of these topics.", many=True),
    Param("cross_border_only", "bool", "Only moves between two countries.", default=False),
    Param("provisional", "bool", "true: only provisional moves; false: none of them."),
    Param("origin", "enum", "How the move is known.", many=True, choices=MOVE_ORIGINS),
    Param(
        "include_visits",
        "bool",
        "Also visits (short stints away from a home institution), left out by default.",
        default=False,
    ),
    Param(
        "returnee",
        "bool",
        "true: only returns to a country worked or studied in before; false: none.",
    ),
    Param("min_h_index", "int", "The researcher's h-index is at least this.", minimum=0),
    Param("min_citations", "int", "The researcher is cited at least this often.", minimum=0),
    Param(
        "include_dual_affiliations",
        "bool",
        "Also dual affiliations (a stint abroad while staying active at home), left out by "
        "default.",
        default=False,
    ),
    Param(
        "dual_affiliation",
        "bool",
        "true: only dual affiliations (whatever include_dual_affiliations says); false: none.",
    ),
    Param(
        "top_cited_percent",
        "float",
        "Only researchers in the top N % by citations within topic (within everyone if no topic).",
        minimum=0,
        maximum=100,
    ),
    Param(
        "first_job_after_doctorate",
        "bool",
        "true: only first jobs after a doctorate (out of its university); false: none.",
    ),
)


async def institution_ref(
    conn: asyncpg.Connection, value: int | str | None, name: str
) -> int | None:
    """The institution id for an id or slug parameter; 400 naming ``name`` when unknown."""
    if value is None:
        return None
    if isinstance(value, int):
        exists = await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM institution WHERE id = $1)", value
        )
        if not exists:
            raise ValidationProblem([FieldError(name, f"no institution with id {value}")])
        return value
    ids = await institution_ids_by_slugs(conn, [value])
    if value not in ids:
        raise ValidationProblem([FieldError(name, f"no institution with slug {value!r}")])
    return ids[value]


async def move_filter(conn: asyncpg.Connection, args: dict[str, Any]) -> MoveFilter:
    if args["date_from"] and args["date_to"] and args["date_from"] > args["date_to"]:
        raise ValidationProblem([FieldError("date_from", "is after date_to")])
    if args.get("top_cited_percent") == 0:
        raise ValidationProblem([FieldError("top_cited_percent", "must be above 0")])
    return MoveFilter(
        researcher=args["researcher"],
        from_institution=await institution_ref(conn, args["from_institution"], "from_institution"),
        to_institution=await institution_ref(conn, args["to_institution"], "to_institution"),
        include_descendants=args["include_descendants"],
        from_country=args["from_country"],
        to_country=args["to_country"],
        date_from=args["date_from"],
        date_to=args["date_to"],
        kind=args["kind"],
        status=args["status"],
        min_confidence=args["min_confidence"],
        topic=args["topic"],
        cross_border_only=args["cross_border_only"],
        provisional=args["provisional"],
        origin=args["origin"],
        include_visits=args["include_visits"],
        returnee=args.get("returnee"),
        min_h_index=args.get("min_h_index"),
        min_citations=args.get("min_citations"),
        include_dual_affiliations=args.get("include_dual_affiliations", False),
        dual_affiliation=args.get("dual_affiliation"),
        first_job_after_doctorate=args.get("first_job_after_doctorate"),
        top_cited_percent=args.get("top_cited_percent"),
    )
