"""SQL fragments shared by the query modules: hierarchy walks, merge redirects, LIKE patterns."""

from __future__ import annotations

from service.db.queries.executor import Params


def _escape(token: str) -> str:
    return token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_pattern(token: str) -> str:
    """``%token%`` with LIKE's wildcards escaped (default escape character: backslash)."""
    return f"%{_escape(token)}%"


def word_start_patterns(token: str) -> tuple[str, str]:
    """``token%`` and ``% token%``: the token at the start of any word of a space-separated
    text. A trigram index serves both, even for a token of one or two characters (the word
    boundary pads it), which ``%token%`` cannot use."""
    escaped = _escape(token)
    return f"{escaped}%", f"% {escaped}%"


def word_start_regex(token: str) -> str:
    """The same condition as :func:`word_start_patterns` as one regular expression (``~``):
    pg_trgm checks it in the same index scan as the query's other conditions."""
    escaped = "".join(c if c.isalnum() else f"\\{c}" for c in token)
    return f"(^| ){escaped}"


def descendants_sql(ids_expr: str) -> str:
    """Ids of the institutions ``ids_expr`` (a bigint[] expression) and all their descendants."""
    return (
        "(WITH RECURSIVE _d(id) AS (SELECT unnest(" + ids_expr + ") "
        "UNION SELECT _i.id FROM institution _i JOIN _d ON _i.parent_id = _d.id) "
        "SELECT id FROM _d)"
    )


def in_descendants_sql(column: str, ids_expr: str) -> str:
    """``column`` is one of ``ids_expr`` or their descendants, as ``= ANY(ARRAY(...))``: the
    set is computed once and the column's index is used, where ``IN (WITH RECURSIVE ...)``
    lets the planner join the whole table against it."""
    return f"{column} = ANY(ARRAY{descendants_sql(ids_expr)})"


def institutions_condition(
    column: str, ids: list[int], params: Params, *, descendants: bool
) -> str:
    """``column`` is one of ``ids`` (or, with ``descendants``, one of their descendants)."""
    p = params.add(ids, "bigint[]")
    if descendants:
        return f"{column} IN {descendants_sql(p)}"
    return f"{column} = ANY({p})"


def researcher_root_sql(id_expr: str) -> str:
    """The id a researcher id resolves to through merge redirects (itself when not merged)."""
    return (
        "(WITH RECURSIVE _up(id, next, depth) AS ("
        "SELECT id, merged_into_id, 0 FROM researcher WHERE id = " + id_expr + " "
        "UNION ALL SELECT _r.id, _r.merged_into_id, _up.depth + 1 FROM _up "
        "JOIN researcher _r ON _r.id = _up.next WHERE _up.depth < 64) "
        "SELECT id FROM _up WHERE next IS NULL)"
    )
