"""Institution series from a rollup keyed by one institution: moves in and out per month.

``move_rollup_institution`` (0014) is keyed by pairs of institutions, holds about as many rows
as there are moves and had no index by one side, so one institution's series was counted from
``move`` through its institution indexes: every move of the institution read from the heap
(131,618 moves, 2.6 s for the most-moved institution at 1x; 6.2 s at 10x, past the API's
statement timeout). ``move_rollup_institution_side`` counts the moves into (``inflow``) and
out of each institution per month and per filter dimension (the dimensions and both countries,
as in 0014), so a series reads the cells of the institutions in its tree through the
``institution_id`` index. Moves inside a tree are counted once in and once out there; the
series takes them back from ``move_rollup_institution``, which gains an index by its
``(from_institution_id, to_institution_id)`` pair for that.

Kept like the rollups of 0014: statement-level triggers on ``move`` insert pending signed
deltas, and ``tf_compact_move_rollups()`` (redefined here to fold this table too) folds them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

TABLE = "move_rollup_institution_side"
# As in 0014 (keep in step with service.db.queries.rollups).
DIMENSIONS = (
    ("from_country", "text", "{m}.from_country"),
    ("to_country", "text", "{m}.to_country"),
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
COLUMNS = (
    ("institution_id", "bigint NOT NULL"),
    ("inflow", "boolean NOT NULL"),
    *((name, kind) for name, kind, _ in DIMENSIONS),
)
NAMES = ", ".join(name for name, _ in COLUMNS)
GROUP = ", ".join(str(i + 1) for i in range(len(COLUMNS)))
LOCK = "x'7472'::int, 0"  # the same lock as 0014's compaction


def _sides(alias: str) -> str:
    """Each move of ``alias`` (a transition table or ``move``) as its rows: into its
    destination, out of its origin."""
    dims = ", ".join(expr.format(m="t") for _, _, expr in DIMENSIONS)
    return (
        f"SELECT t.to_institution_id, true, {dims}, t.d FROM {alias} t "
        "WHERE t.to_institution_id IS NOT NULL "
        f"UNION ALL SELECT t.from_institution_id, false, {dims}, t.d FROM {alias} t "
        "WHERE t.from_institution_id IS NOT NULL"
    )


def _delta(sources: tuple[tuple[str, int], ...]) -> str:
    union = " UNION ALL ".join(
        _sides(f"(SELECT *, {sign} AS d FROM {name})") for name, sign in sources
    )
    return f"""
    INSERT INTO {TABLE} ({NAMES}, moves, pending)
    SELECT {NAMES}, sum(d), true FROM ({union}) AS _d ({NAMES}, d)
    GROUP BY {GROUP} HAVING sum(d) <> 0;"""


def _compact(table: str, names: str, n: int) -> str:
    group = ", ".join(str(i + 1) for i in range(n))
    return f"""
    WITH _gone AS (DELETE FROM {table} WHERE pending RETURNING {names}, moves)
    INSERT INTO {table} ({names}, moves, pending)
    SELECT {names}, sum(moves), false FROM _gone
    GROUP BY {group} HAVING sum(moves) <> 0
    ORDER BY {group}
    ON CONFLICT ({names}) WHERE NOT pending
    DO UPDATE SET moves = {table}.moves + excluded.moves;
    DELETE FROM {table} WHERE moves = 0 AND NOT pending;"""


_DIM_NAMES = (
    "move_date, kind, status, confidence, provisional, origin, is_visit, is_returnee, "
    "is_dual_affiliation, is_first_job_after_doctorate"
)
PAIR_TABLES = {
    "move_rollup_country": (f"from_country, to_country, {_DIM_NAMES}", 12),
    "move_rollup_institution": (
        f"from_institution_id, to_institution_id, from_country, to_country, {_DIM_NAMES}",
        14,
    ),
}


def _compaction(tables: dict[str, tuple[str, int]]) -> str:
    body = "".join(_compact(t, names, n) for t, (names, n) in tables.items())
    return f"""
CREATE OR REPLACE FUNCTION tf_compact_move_rollups() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock({LOCK}) THEN
        RETURN false;  -- another transaction is compacting; its pending rows wait for the next
    END IF;{body}
    RETURN true;
END $$;
"""


UPGRADE = f"""
CREATE TABLE {TABLE} (
    {", ".join(f"{name} {kind}" for name, kind in COLUMNS)},
    cross_border boolean GENERATED ALWAYS AS (
        from_country IS NOT NULL AND to_country IS NOT NULL
        AND from_country <> to_country) STORED,
    moves integer NOT NULL,
    pending boolean NOT NULL DEFAULT true
);
COMMENT ON TABLE {TABLE} IS 'Moves into (inflow) and out of each institution per month and '
    'filter dimension (migration 0016); kept by the move_rollup_side triggers, read by the '
    'institution series.';
-- in institution order: one institution's cells fill a few pages, not one page each (the
-- most-moved institution's 34,665 cells at 1x: 16,551 pages read unordered)
INSERT INTO {TABLE} ({NAMES}, moves, pending)
    SELECT {NAMES}, sum(d), false FROM ({_sides("(SELECT *, 1 AS d FROM move)")})
    AS _d ({NAMES}, d)
    GROUP BY {GROUP} ORDER BY {GROUP};
CREATE UNIQUE INDEX {TABLE}_cell_uq ON {TABLE} ({NAMES}) NULLS NOT DISTINCT WHERE NOT pending;
CREATE INDEX {TABLE}_institution_idx ON {TABLE} (institution_id);
CREATE INDEX {TABLE}_pending_idx ON {TABLE} (pending) WHERE pending;
CREATE INDEX {TABLE}_empty_idx ON {TABLE} (moves) WHERE moves = 0 AND NOT pending;
CREATE INDEX move_rollup_institution_pair_idx
    ON move_rollup_institution (from_institution_id, to_institution_id);

CREATE FUNCTION tf_move_rollup_side() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN{_delta((("new_moves", 1),))}
    ELSIF TG_OP = 'UPDATE' THEN{_delta((("old_moves", -1), ("new_moves", 1)))}
    ELSE{_delta((("old_moves", -1),))}
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER move_rollup_side_insert AFTER INSERT ON move
    REFERENCING NEW TABLE AS new_moves
    FOR EACH STATEMENT EXECUTE FUNCTION tf_move_rollup_side();
CREATE TRIGGER move_rollup_side_update AFTER UPDATE ON move
    REFERENCING OLD TABLE AS old_moves NEW TABLE AS new_moves
    FOR EACH STATEMENT EXECUTE FUNCTION tf_move_rollup_side();
CREATE TRIGGER move_rollup_side_delete AFTER DELETE ON move
    REFERENCING OLD TABLE AS old_moves
    FOR EACH STATEMENT EXECUTE FUNCTION tf_move_rollup_side();
CREATE FUNCTION tf_move_rollup_side_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {TABLE};
    RETURN NULL;
END $$;
CREATE TRIGGER move_rollup_side_truncate AFTER TRUNCATE ON move
    FOR EACH STATEMENT EXECUTE FUNCTION tf_move_rollup_side_truncate();
{_compaction({**PAIR_TABLES, TABLE: (NAMES, len(COLUMNS))})}
ANALYZE {TABLE};
"""

DOWNGRADE = f"""
{_compaction(PAIR_TABLES)}
DROP TRIGGER IF EXISTS move_rollup_side_truncate ON move;
DROP TRIGGER IF EXISTS move_rollup_side_delete ON move;
DROP TRIGGER IF EXISTS move_rollup_side_update ON move;
DROP TRIGGER IF EXISTS move_rollup_side_insert ON move;
DROP FUNCTION IF EXISTS tf_move_rollup_side_truncate();
DROP FUNCTION IF EXISTS tf_move_rollup_side();
DROP INDEX IF EXISTS move_rollup_institution_pair_idx;
DROP TABLE IF EXISTS {TABLE};
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
