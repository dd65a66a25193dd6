"""Flow rollups: moves counted per origin, destination, month and filter dimension.

``move_rollup_country`` counts moves per (from_country, to_country) and
``move_rollup_institution`` per (from_institution_id, to_institution_id, from_country,
to_country), each per month and per value of every dimension a move filter can select on
without reading another table: kind, status, confidence band, provisional, origin, visit,
returnee, dual affiliation, first job after a doctorate (cross-border follows from the two
countries, as on ``move``). The columns keep ``move``'s names, so the move filter's conditions
read a rollup row as they read a move: ``move_date`` is the move's date truncated to its month
(NULL when undated), ``confidence`` the band's lower bound (the greatest of 0, 0.5, 0.7 and 0.9
not above the move's confidence).

Statement-level triggers on ``move`` (transition tables, so a batch insert, a COPY or a bulk
update is one aggregate) keep them in the writing transaction. A trigger only ever *inserts*
rows marked ``pending`` (a signed delta: +1 per new move, -1 per old one), so concurrent writers
never wait on or deadlock over a rollup row; reads sum every row of a cell, pending or not.
``tf_compact_move_rollups()`` folds pending rows into one row per cell (the partial unique
index ``WHERE NOT pending``) under a transaction advisory lock, so only one compaction runs at
a time and no trigger takes that lock.

Institutions are keyed by id, not by their parent or country at the time of the move: a
parent-level or series query maps ids to the current tree when it reads.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The dimensions both rollups carry, as ``move`` columns (the rollup column of the same name
# holds the expression's value). Keep in step with service.db.queries.rollups.
DIMENSIONS = (
    ("move_date", "date", "date_trunc('month', {m}.move_date)::date"),
    ("kind", "text NOT NULL", "{m}.kind"),
    ("status", "text NOT NULL", "{m}.status"),
    ("confidence", "double precision NOT NULL", "tf_confidence_band({m}.confidence)"),
    ("provisional", "boolean NOT NULL", "{m}.provisional"),
    ("origin", "text NOT NULL", "{m}.origin"),
    ("is_visit", "boolean NOT NULL", "{m}.is_visit"),
    ("is_returnee", "boolean NOT NULL", "{m}.is_returnee"),
    ("is_dual_affiliation", "boolean NOT NULL", "{m}.is_dual_affiliation"),
    ("is_first_job_after_doctorate", "boolean NOT NULL", "{m}.is_first_job_after_doctorate"),
)
SIDES = {
    "move_rollup_country": (
        ("from_country", "text", "{m}.from_country"),
        ("to_country", "text", "{m}.to_country"),
    ),
    "move_rollup_institution": (
        ("from_institution_id", "bigint", "{m}.from_institution_id"),
        ("to_institution_id", "bigint", "{m}.to_institution_id"),
        ("from_country", "text", "{m}.from_country"),
        ("to_country", "text", "{m}.to_country"),
    ),
}
LOCK = "x'7472'::int, 0"  # "tr": one compaction at a time


def _columns(table: str) -> tuple[tuple[str, str, str], ...]:
    return (*SIDES[table], *DIMENSIONS)


def _names(table: str, prefix: str = "") -> str:
    return ", ".join(prefix + c[0] for c in _columns(table))


def _values(table: str, alias: str) -> str:
    return ", ".join(c[2].format(m=alias) for c in _columns(table))


def _create(table: str) -> str:
    cols = ",\n    ".join(f"{name} {kind}" for name, kind, _ in _columns(table))
    short = table.removeprefix("move_rollup_")
    return f"""
CREATE TABLE {table} (
    {cols},
    cross_border boolean GENERATED ALWAYS AS (
        from_country IS NOT NULL AND to_country IS NOT NULL
        AND from_country <> to_country) STORED,
    moves integer NOT NULL,
    pending boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX {table}_cell_uq ON {table} ({_names(table)}) NULLS NOT DISTINCT
    WHERE NOT pending;
CREATE INDEX {table}_pending_idx ON {table} (pending) WHERE pending;
CREATE INDEX {table}_empty_idx ON {table} (moves) WHERE moves = 0 AND NOT pending;
COMMENT ON TABLE {table} IS 'Moves counted per {short} pair, month and filter dimension '
    '(migration 0014); kept by the move_rollup triggers, read by the flow queries.';
INSERT INTO {table} ({_names(table)}, moves, pending)
    SELECT {_values(table, "m")}, count(*), false FROM move m
    GROUP BY {", ".join(str(i + 1) for i in range(len(_columns(table))))};
"""


def _delta(table: str, sources: tuple[tuple[str, int], ...]) -> str:
    """Insert the signed counts of the transition tables ``sources`` (name, sign) as pending
    rows, one per cell that changed."""
    union = " UNION ALL ".join(
        f"SELECT {_values(table, 't')}, {sign} FROM {name} t" for name, sign in sources
    )
    n = len(_columns(table))
    return f"""
    INSERT INTO {table} ({_names(table)}, moves, pending)
    SELECT {_names(table)}, sum(d), true FROM ({union}) AS _d ({_names(table)}, d)
    GROUP BY {", ".join(str(i + 1) for i in range(n))} HAVING sum(d) <> 0;"""


def _trigger_function() -> str:
    tables = tuple(SIDES)
    ins = "".join(_delta(t, (("new_moves", 1),)) for t in tables)
    upd = "".join(_delta(t, (("old_moves", -1), ("new_moves", 1))) for t in tables)
    dele = "".join(_delta(t, (("old_moves", -1),)) for t in tables)
    return f"""
CREATE FUNCTION tf_move_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN{ins}
    ELSIF TG_OP = 'UPDATE' THEN{upd}
    ELSE{dele}
    END IF;
    RETURN NULL;
END $$;
"""


def _compact(table: str) -> str:
    names = _names(table)
    n = len(_columns(table))
    return f"""
    WITH _gone AS (DELETE FROM {table} WHERE pending RETURNING {names}, moves)
    INSERT INTO {table} ({names}, moves, pending)
    SELECT {names}, sum(moves), false FROM _gone
    GROUP BY {", ".join(str(i + 1) for i in range(n))} HAVING sum(moves) <> 0
    ORDER BY {", ".join(str(i + 1) for i in range(n))}
    ON CONFLICT ({names}) WHERE NOT pending
    DO UPDATE SET moves = {table}.moves + excluded.moves;
    DELETE FROM {table} WHERE moves = 0 AND NOT pending;"""


UPGRADE = f"""
CREATE FUNCTION tf_confidence_band(c double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN c >= 0.9::float8 THEN 0.9::float8 WHEN c >= 0.7::float8 THEN 0.7::float8
                WHEN c >= 0.5::float8 THEN 0.5::float8 ELSE 0::float8 END
$$;
{"".join(_create(t) for t in SIDES)}
{_trigger_function()}
CREATE TRIGGER move_rollup_insert AFTER INSERT ON move REFERENCING NEW TABLE AS new_moves
    FOR EACH STATEMENT EXECUTE FUNCTION tf_move_rollup();
CREATE TRIGGER move_rollup_update AFTER UPDATE ON move
    REFERENCING OLD TABLE AS old_moves NEW TABLE AS new_moves
    FOR EACH STATEMENT EXECUTE FUNCTION tf_move_rollup();
CREATE TRIGGER move_rollup_delete AFTER DELETE ON move REFERENCING OLD TABLE AS old_moves
    FOR EACH STATEMENT EXECUTE FUNCTION tf_move_rollup();

CREATE FUNCTION tf_move_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {", ".join(SIDES)};
    RETURN NULL;
END $$;
CREATE TRIGGER move_rollup_truncate AFTER TRUNCATE ON move
    FOR EACH STATEMENT EXECUTE FUNCTION tf_move_rollup_truncate();

CREATE FUNCTION tf_compact_move_rollups() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock({LOCK}) THEN
        RETURN false;  -- another transaction is compacting; its pending rows wait for the next
    END IF;{"".join(_compact(t) for t in SIDES)}
    RETURN true;
END $$;
ANALYZE {", ".join(SIDES)};
"""

DOWNGRADE = f"""
DROP TRIGGER IF EXISTS move_rollup_truncate ON move;
DROP TRIGGER IF EXISTS move_rollup_delete ON move;
DROP TRIGGER IF EXISTS move_rollup_update ON move;
DROP TRIGGER IF EXISTS move_rollup_insert ON move;
DROP FUNCTION IF EXISTS tf_compact_move_rollups();
DROP FUNCTION IF EXISTS tf_move_rollup_truncate();
DROP FUNCTION IF EXISTS tf_move_rollup();
DROP TABLE IF EXISTS {", ".join(SIDES)};
DROP FUNCTION IF EXISTS tf_confidence_band(double precision);
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
