"""The fast path is a generic executor: what it knows of particular types and fields is
declared beside the SQL that serves them (``json_objects``), not written into it."""

from __future__ import annotations

import ast
from pathlib import Path

from graphql import GraphQLObjectType, specified_scalar_types

from service.api.graphql import fast_path
from service.api.graphql.schema import build_schema
from service.config import load_settings
from service.db.queries import json_objects


def test_the_executor_names_no_type_or_root_field_of_the_schema() -> None:
    schema = build_schema(load_settings())._schema
    query = schema.query_type
    assert isinstance(query, GraphQLObjectType)
    own = {n for n in schema.type_map if not n.startswith("__")} - set(specified_scalar_types)
    names = own | set(query.fields)
    tree = ast.parse(Path(fast_path.__file__).read_text(encoding="utf-8"))
    literals = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert literals & names == set()


def test_the_declarations_name_what_the_schema_has() -> None:
    schema = build_schema(load_settings())._schema
    query = schema.query_type
    assert isinstance(query, GraphQLObjectType)
    for field, type_name in json_objects.BY_ID.items():
        assert str(query.fields[field].type).strip("!") == type_name
        assert type_name in json_objects.ROOTS
    assert json_objects.PREFETCHED in schema.type_map
