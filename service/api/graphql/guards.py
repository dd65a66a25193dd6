"""Checks on a parsed GraphQL document that cost linear time in the document.

A named fragment may spread another twice, and that one the next twice: 30 fragments (under a
kilobyte) expand to 2^30 selections. Anything that walks the *expanded* tree — strawberry's
depth limiter, the cost estimate, the fast path's planner, the executor — then runs for
minutes on one event loop. :func:`measure` computes each fragment's expanded size once
(memoised, so the document is read once whatever its spreads), and :func:`check_document`
refuses a document above ``max_selections`` with ``QUERY_TOO_LARGE`` before any of those
walks runs. Every later walk is then bounded by the limit.

The same check runs on every way in: the strawberry view (POST, GET and the websocket, through
:class:`~service.api.graphql.limits.CostLimiter`) and the fast path's planner.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from graphql import (
    BREAK,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    Visitor,
    visit,
)

QUERY_TOO_LARGE = "QUERY_TOO_LARGE"


@dataclass(frozen=True, slots=True)
class Local:
    """What one selection set holds without following named fragments."""

    nodes: int  # fields, inline fragments and spreads, at any depth
    spreads: Counter[str]  # fragment name -> times spread (at any depth)
    repeated: int  # most fields sharing one response key in one selection set
    aliases: int = 0


@dataclass(frozen=True, slots=True)
class DocumentSize:
    """The largest expanded selection of any operation or fragment, and the most fields that
    share one response key in one selection set (graphql-core compares those pairwise)."""

    selections: int
    repeated: int
    aliases: int = 0  # written in the document (a lower bound of what the alias rule counts)


def _local(selection_set: SelectionSetNode) -> Local:
    nodes = 0
    repeated = 0
    aliases = 0
    spreads: Counter[str] = Counter()
    stack = [selection_set]
    while stack:
        current = stack.pop()
        keys: Counter[str] = Counter()
        for sel in current.selections:
            nodes += 1
            if isinstance(sel, FieldNode):
                aliases += sel.alias is not None
                keys[sel.alias.value if sel.alias else sel.name.value] += 1
                if sel.selection_set is not None:
                    stack.append(sel.selection_set)
            elif isinstance(sel, InlineFragmentNode):
                stack.append(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode):
                spreads[sel.name.value] += 1
        if keys:
            repeated = max(repeated, max(keys.values()))
    return Local(nodes, spreads, repeated, aliases)


def measure(document: DocumentNode) -> DocumentSize:
    """Expanded sizes in time linear in the document (each fragment is expanded once)."""
    fragments: dict[str, Local] = {}
    roots: list[Local] = []
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments.setdefault(definition.name.value, _local(definition.selection_set))
        elif isinstance(definition, OperationDefinitionNode):
            roots.append(_local(definition.selection_set))

    sizes: dict[str, int] = {}
    in_progress: set[str] = set()

    def size_of(name: str) -> int:
        # Iterative post-order over the fragment graph: a cycle (refused by validation)
        # counts as nothing here, an unknown fragment too.
        if name in sizes:
            return sizes[name]
        stack: list[tuple[str, bool]] = [(name, False)]
        while stack:
            current, expanded = stack.pop()
            if current in sizes:
                continue
            local = fragments.get(current)
            if local is None:
                sizes[current] = 0
                continue
            if expanded:
                in_progress.discard(current)
                sizes[current] = local.nodes + sum(
                    times * sizes.get(spread, 0) for spread, times in local.spreads.items()
                )
                continue
            if current in in_progress:
                continue
            in_progress.add(current)
            stack.append((current, True))
            stack.extend(
                (spread, False)
                for spread in local.spreads
                if spread not in sizes and spread not in in_progress
            )
        return sizes[name]

    def total(local: Local) -> int:
        return local.nodes + sum(times * size_of(s) for s, times in local.spreads.items())

    largest = max((total(local) for local in (*roots, *fragments.values())), default=0)
    repeated = max((local.repeated for local in (*roots, *fragments.values())), default=0)
    aliases = sum(local.aliases for local in (*roots, *fragments.values()))
    return DocumentSize(largest, repeated, aliases)


def check_length(query: str | None, max_chars: int) -> GraphQLError | None:
    """``QUERY_TOO_LARGE`` for a query text longer than ``max_chars``, before it is lexed."""
    if query is None or len(query) <= max_chars:
        return None
    return GraphQLError(
        f"the query text is {len(query)} characters long; the limit is {max_chars}",
        extensions={"code": QUERY_TOO_LARGE, "chars": len(query), "maxChars": max_chars},
    )


def check_document(
    document: DocumentNode, max_selections: int, max_repeated: int, max_aliases: int = 0
) -> GraphQLError | None:
    """``QUERY_TOO_LARGE`` for a document whose expansion is above the limits (and
    ``TOO_MANY_ALIASES`` for one that writes more aliases than allowed), else None: before
    any validation rule runs, so neither executor validates such a document at all."""
    size = measure(document)
    if max_aliases and size.aliases > max_aliases:
        return GraphQLError(
            f"{size.aliases} aliases found. Allowed: {max_aliases}",
            extensions={"code": "TOO_MANY_ALIASES", "maxAliases": max_aliases},
        )
    if size.selections > max_selections:
        return GraphQLError(
            f"this document expands to {size.selections} selections once its fragments are "
            f"spread; the limit is {max_selections}. Spread each fragment fewer times.",
            extensions={
                "code": QUERY_TOO_LARGE,
                "selections": size.selections,
                "maxSelections": max_selections,
            },
        )
    if size.repeated > max_repeated:
        return GraphQLError(
            f"one selection asks for the same response key {size.repeated} times; the limit "
            f"is {max_repeated}.",
            extensions={
                "code": QUERY_TOO_LARGE,
                "repeated": size.repeated,
                "maxRepeated": max_repeated,
            },
        )
    return None


BAD_USER_INPUT = "BAD_USER_INPUT"


def _nul_in(value: object, path: str) -> str | None:
    """The path of the first string in ``value`` (JSON-like) holding a NUL byte."""
    stack: list[tuple[object, str]] = [(value, path)]
    while stack:
        current, where = stack.pop()
        if isinstance(current, str):
            if "\x00" in current:
                return where
        elif isinstance(current, dict):
            stack.extend((v, f"{where}.{k}") for k, v in current.items())
        elif isinstance(current, list | tuple):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(current))
    return None


def nul_variable(variables: dict[str, object] | None) -> str | None:
    """Where the first variable string holding a NUL byte is (``$.name``), if any."""
    return _nul_in(variables or {}, "$")


def check_input(document: DocumentNode, variables: dict[str, object] | None) -> GraphQLError | None:
    """``BAD_USER_INPUT`` for a NUL byte in a string literal or a variable (no text column
    can hold one: PostgreSQL refuses it, and it used to surface as an internal error)."""
    where = _nul_in(variables or {}, "$")
    if where is None:
        where = nul_literal(document)
    if where is None:
        return None
    return GraphQLError(
        f"{where} contains a NUL byte (\\u0000), which no text may hold",
        extensions={"code": BAD_USER_INPUT, "field": where},
    )


def nul_literal(document: DocumentNode) -> str | None:
    """Where the first string literal holding a NUL byte is (``line:column``), if any."""
    found: list[str] = []

    class Finder(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: object) -> object:
            if "\x00" in node.value:
                loc = node.loc
                found.append(f"the string at offset {loc.start}" if loc else "a string")
                return BREAK
            return None

    visit(document, Finder())
    return found[0] if found else None
