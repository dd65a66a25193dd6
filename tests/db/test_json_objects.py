"""The JSON objects PostgreSQL writes for a selection (``service.db.queries.json_objects``) hold
what the row queries of the same moves read (``moves_by_ids``, ``researchers_by_ids``,
``institutions_by_ids``), written as the API writes them: relay ids, enum names, ISO
timestamps, floats that read back as the same double.

The selections here are plain dataclasses, not GraphQL plans: the module needs nothing of
GraphQL but the two protocols it declares."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import asyncpg
import orjson

from service.db.queries import institutions as iq
from service.db.queries import json_objects
from service.db.queries import moves as mq
from service.db.queries import researchers as rq
from tests.api.graphql.seed import seed

STATUS_NAMES = {"reported": "REPORTED", "confirmed": "CONFIRMED", "inferred": "INFERRED"}
KIND_NAMES = {"lab_to_lab": "LAB_TO_LAB", "academia_to_industry": "ACADEMIA_TO_INDUSTRY"}
PRECISION_NAMES = {"day": "DAY", "month": "MONTH", "quarter": "QUARTER", "year": "YEAR"}


@dataclass
class Step:
    key: str
    field_name: str
    shape: json_objects.Shape = "leaf"
    has_args: bool = False
    scalar_name: str | None = "String"
    enum_outputs: Mapping[str, str] | None = None
    sub: Selection | None = None


@dataclass
class Selection:
    type_name: str
    steps: list[Step] = field(default_factory=list)


def enum(key: str, names: Mapping[str, str]) -> Step:
    return Step(key, key, scalar_name=None, enum_outputs=names)


def relay(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def institution(key: str) -> Step:
    return Step(
        key,
        key,
        shape="object",
        sub=Selection("Institution", [Step("id", "id", scalar_name="ID"), Step("slug", "slug")]),
    )


MOVE_SELECTION = Selection(
    "Move",
    [
        Step("__typename", "__typename", shape="typename"),
        Step("id", "id", scalar_name="ID"),
        Step("confidence", "confidence", scalar_name="Float"),
        Step("crossBorder", "crossBorder", scalar_name="Boolean"),
        Step("createdAt", "createdAt", scalar_name="DateTime"),
        Step("where", "origin"),
        institution("from"),
        institution("to"),
        Step(
            "researcher",
            "researcher",
            shape="object",
            sub=Selection(
                "Researcher",
                [Step("id", "id", scalar_name="ID"), Step("name", "name")],
            ),
        ),
        Step(
            "date",
            "date",
            shape="object",
            sub=Selection(
                "PartialDate",
                [Step("date", "date"), enum("precision", PRECISION_NAMES), Step("text", "text")],
            ),
        ),
    ],
)


def partial_date(day: date | None, precision: str | None) -> dict[str, str] | None:
    if day is None or precision is None:
        return None
    text = {
        "year": f"{day.year}",
        "quarter": f"{day.year}-Q{(day.month - 1) // 3 + 1}",
        "month": f"{day.year}-{day.month:02d}",
    }.get(precision, day.isoformat())
    return {"date": day.isoformat(), "precision": PRECISION_NAMES[precision], "text": text}


async def test_move_objects_equal_the_rows_the_queries_read(pool: asyncpg.Pool) -> None:
    sql = json_objects.statement(MOVE_SELECTION)
    assert sql is not None
    async with pool.acquire() as conn:
        await seed(conn)
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM move ORDER BY id")]
        assert len(ids) >= 5
        written = {
            ids[r["ord"] - 1]: (r["ok"], orjson.loads(r["obj"])) for r in await conn.fetch(sql, ids)
        }
        moves = await mq.moves_by_ids(conn, ids)
        people = await rq.researchers_by_ids(conn, [m.researcher_id for m in moves.values()])
        places = await iq.institutions_by_ids(
            conn,
            [
                pk
                for m in moves.values()
                for pk in (m.from_institution_id, m.to_institution_id)
                if pk is not None
            ],
        )
    for pk, move in moves.items():
        ok, obj = written[pk]
        assert ok, pk
        researcher = people[move.researcher_id]

        def place(inst_id: int | None) -> dict[str, str] | None:
            if inst_id is None:
                return None
            return {"id": relay("Institution", inst_id), "slug": places[inst_id].slug}

        assert obj == {
            "__typename": "Move",
            "id": relay("Move", pk),
            "confidence": move.confidence,
            "crossBorder": move.cross_border,
            "createdAt": move.created_at.isoformat(),
            "where": move.origin,
            "from": place(move.from_institution_id),
            "to": place(move.to_institution_id),
            "researcher": {
                "id": relay("Researcher", researcher.id),
                "name": researcher.display_name,
            },
            "date": partial_date(move.move_date, move.date_precision),
        }, pk


def test_a_field_it_does_not_write_leaves_the_selection_to_python() -> None:
    unknown = Selection("Move", [Step("id", "id", scalar_name="ID"), Step("x", "notAColumn")])
    assert json_objects.statement(unknown) is None
    enum_unknown = Selection(
        "Move",
        [
            Step("status", "status", scalar_name=None, enum_outputs={}),
            institution("to"),
        ],
    )
    assert json_objects.statement(enum_unknown) is None
    with_status = Selection("Move", [enum("status", STATUS_NAMES), institution("to")])
    assert json_objects.statement(with_status) is not None
