"""Generated differential test: random valid documents built from the schema, answered over
HTTP (the fast path, or strawberry when the fast path hands over) and by plain strawberry and
graphql-core execution without the shared shortcuts (``fast_fields``, ``preshaped``), must
give the same response after normalisation.

The documents mix root fields, arguments (literal, variable, null or left out), aliases,
named and inline fragments, abstract types and nested connections, over the seeded database.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.api.graphql import fast_path
from service.api.graphql.context import build_context
from service.api.graphql.schema import build_schema
from service.config import load_settings
from tests.api.graphql.seed import Seeded, gid

EXAMPLES = 3000  # ~1 minute on two cores
MAX_DEPTH = 4
SKIP_ROOT = {"node"}  # reached through ``nodes`` with the same ids
STRINGS = ["yao", "openai", "OpenAI", "0000-0002-1825-0097", "alphabet", "google-deepmind", "x"]


@dataclass
class Ids:
    ids: list[str]
    slugs: list[str]


@dataclass
class Doc:
    """A document being built: its variable definitions and values, its named fragments."""

    draw: Any
    schema: GraphQLSchema
    known: Ids
    variables: dict[str, Any] = field(default_factory=dict)
    definitions: list[str] = field(default_factory=list)
    fragments: list[str] = field(default_factory=list)

    def value(self, type_: GraphQLInputType, name: str) -> Any:
        """A Python value for an argument of ``type_`` (None where null is allowed)."""
        d = self.draw
        nullable = not isinstance(type_, GraphQLNonNull)
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if nullable and d(st.integers(0, 9)) == 0:
            return None
        if isinstance(inner, GraphQLList):
            return [self.value(inner.of_type, name) for _ in range(d(st.integers(0, 2)))]
        if isinstance(inner, GraphQLEnumType):
            return d(st.sampled_from(sorted(inner.values)))
        if isinstance(inner, GraphQLInputObjectType):
            out: dict[str, Any] = {}
            for key, f in inner.fields.items():
                required = isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined
                if required or d(st.integers(0, 3)) == 0:
                    out[key] = self.value(f.type, key)
            return out
        assert isinstance(inner, GraphQLScalarType)
        if inner.name == "Int":
            if name in {"first", "last"}:
                return d(st.integers(0, 4))
            return d(st.sampled_from([0, 1, 2, 2015, 2020, 2024, 2025]))
        if inner.name == "Float":
            return d(st.sampled_from([0.0, 0.5, 0.9, 1.0]))
        if inner.name == "Boolean":
            return d(st.booleans())
        if inner.name == "ID" or "id" in name.lower():
            return d(st.sampled_from(self.known.ids))
        if inner.name == "String":
            if name == "slug":
                return d(st.sampled_from(self.known.slugs))
            return d(st.sampled_from(STRINGS))
        raise Unfit(inner.name)

    def literal(self, value: Any, type_: GraphQLInputType) -> str:
        inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if value is None:
            return "null"
        if isinstance(inner, GraphQLList):
            return "[" + ", ".join(self.literal(v, inner.of_type) for v in value) + "]"
        if isinstance(inner, GraphQLEnumType):
            return str(value)
        if isinstance(inner, GraphQLInputObjectType):
            parts = (f"{k}: {self.literal(v, inner.fields[k].type)}" for k, v in value.items())
            return "{" + ", ".join(parts) + "}"
        return orjson.dumps(value).decode()

    def arguments(self, args: dict[str, GraphQLArgument]) -> list[str]:
        """Arguments for a field (raises :class:`Unfit` before declaring any variable)."""
        d = self.draw
        out: list[str] = []
        declared: list[tuple[str, Any, str]] = []
        for name, arg in args.items():
            required = isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
            rare = name in {"after", "before"} or (name == "last" and "first" in args)
            if not required and d(st.integers(0, 9 if rare else 2)) != 1:
                continue  # left out: its default applies
            value = self.value(arg.type, name)
            if d(st.integers(0, 3)) == 0:  # as a variable
                var = f"v{len(self.variables) + len(declared)}"
                declared.append((var, value, str(arg.type)))
                out.append(f"{name}: ${var}")
            else:
                out.append(f"{name}: {self.literal(value, arg.type)}")
        for var, value, type_name in declared:
            self.variables[var] = value
            self.definitions.append(f"${var}: {type_name}")
        return out

    def selection(self, type_: Any, depth: int) -> str:
        """A selection set of ``type_`` (an object, interface or union type)."""
        d = self.draw
        parts: list[str] = []
        if isinstance(type_, GraphQLUnionType | GraphQLInterfaceType):
            parts.append("__typename")
            possible = self.schema.get_possible_types(type_)
            for concrete in d(st.lists(st.sampled_from(possible), max_size=2, unique=True)):
                parts.append(f"... on {concrete.name} {self.selection(concrete, depth)}")
            if isinstance(type_, GraphQLInterfaceType):
                parts.extend(self.fields(type_, depth, keys={"__typename"}))
            return "{ " + " ".join(parts) + " }"
        parts.extend(self.fields(type_, depth, keys=set()))
        if not parts:
            parts.append("__typename")
        if d(st.integers(0, 5)) == 0:  # the same selection through a named fragment
            name = f"F{len(self.fragments)}"
            self.fragments.append(f"fragment {name} on {type_.name} {{ {' '.join(parts)} }}")
            return f"{{ ...{name} }}"
        if d(st.integers(0, 5)) == 0:
            return f"{{ ... on {type_.name} {{ {' '.join(parts)} }} }}"
        return "{ " + " ".join(parts) + " }"

    def fields(self, type_: Any, depth: int, keys: set[str]) -> list[str]:
        d = self.draw
        names = sorted(type_.fields)
        if depth == 0:
            names = [n for n in names if n not in SKIP_ROOT]
        if depth >= MAX_DEPTH:
            names = [n for n in names if is_leaf_type(get_named_type(type_.fields[n].type))]
        chosen = d(st.lists(st.sampled_from(names), max_size=4 if depth else 2, unique=True))
        out: list[str] = []
        for name in chosen:
            f = type_.fields[name]
            try:
                args = self.arguments(f.args)
            except Unfit:
                continue
            key = name
            if d(st.integers(0, 4)) == 0:
                key = f"a{len(keys)}"
            if key in keys:
                continue
            keys.add(key)
            head = (f"{key}: {name}" if key != name else name) + (
                f"({', '.join(args)})" if args else ""
            )
            named = get_named_type(f.type)
            if is_leaf_type(named):
                out.append(head)
            else:
                out.append(f"{head} {self.selection(named, depth + 1)}")
        if "__typename" not in keys and d(st.booleans()):
            out.append("__typename")
        return out

    def document(self) -> str:
        root = self.selection(self.schema.query_type, 0)
        definitions = f"({', '.join(self.definitions)})" if self.definitions else ""
        return " ".join([f"query Q{definitions} {root}", *self.fragments])


class Unfit(Exception):
    """An argument of a type the generator does not fill (the field is left out)."""


@st.composite
def documents(draw: Any, schema: GraphQLSchema, known: Ids) -> tuple[str, dict[str, Any]]:
    doc = Doc(draw, schema, known)
    return doc.document(), doc.variables


def _normalised(body: dict[str, Any]) -> dict[str, Any]:
    errors = sorted(
        (
            str(e.get("path")),
            e.get("message"),
            (e.get("extensions") or {}).get("code"),
        )
        for e in body.get("errors") or ()
    )
    return {"data": body.get("data"), "errors": errors}


def _served() -> float:
    for metric in fast_path.FAST_PATH.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total") and sample.labels["outcome"] == "served":
                return sample.value
    return 0.0


async def test_generated_documents_answer_like_plain_execution(
    client: httpx.AsyncClient, app: Any, seeded: Seeded
) -> None:
    settings_ = load_settings()
    reference = build_schema(settings_, shortcuts=False)
    graphql_schema = reference._schema
    state = app.state.talentflow
    known = Ids(
        ids=[
            *(gid("Researcher", pk) for pk in list(seeded.researchers.values())[:4]),
            *(gid("Institution", pk) for pk in list(seeded.institutions.values())[:4]),
            *(gid("Move", pk) for pk in list(seeded.moves.values())[:4]),
            "TW92ZTo5OTk5OTk5",  # Move:9999999, not there
            "bad",
        ],
        slugs=["openai", "alphabet", "google-deepmind", "nowhere"],
    )
    loop = asyncio.get_running_loop()
    counts = {"cases": 0, "served": 0}

    async def compare(query: str, variables: dict[str, Any]) -> None:
        served = _served()
        r = await client.post("/graphql", json={"query": query, "variables": variables})
        got = r.json()
        counts["cases"] += 1
        counts["served"] += int(_served() > served)
        context = build_context(state)
        try:
            result = await reference.execute(
                query, variable_values=variables, context_value=context
            )
        finally:
            await context.db.release()
        expected = orjson.loads(
            orjson.dumps(
                {
                    "data": result.data,
                    "errors": [e.formatted for e in result.errors or ()],
                }
            )
        )
        assert _normalised(got) == _normalised(expected), (query, variables, got, expected)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(case=documents(graphql_schema, known))
    def run(case: tuple[str, dict[str, Any]]) -> None:
        future = asyncio.run_coroutine_threadsafe(compare(*case), loop)
        future.result()

    await asyncio.to_thread(run)
    assert counts["cases"] >= EXAMPLES // 2
    assert counts["served"] >= counts["cases"] // 4, counts  # the fast path answered many
