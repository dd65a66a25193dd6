"""Visits, institution predecessors/successors, and the evidence of inferred moves.

- ``move.is_visit``: a short stint away from a home institution (A → B → A, or a year at B
  inside a stint at A) is stored as one visit row, from the home to the host. Moves and flows
  leave visits out unless asked (``includeVisits``); the covering indexes of 0004 are rebuilt
  to carry the flag.
- ``move.date_earliest`` / ``date_latest`` with their precisions: the interval a move inferred
  from publications lies in (last year at the origin .. first year at the destination).
- ``move.reasons``: the evidence the inference scored (years on each side, gap, documents,
  date precision, dated employment, identity confidence; the rule for a visit).
- ``institution_relation``: dated predecessor → successor relations (rename, merger,
  spin-out, acquisition), from the curated seed and from sources that give them; a change of
  affiliation along one near its date is continuity, not a move.
- The seed's "Google Brain" alias of Google DeepMind is dropped (the next ``talentflow db seed``
  adds Google Brain as its own row); a downgrade does not put it back.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PRECISION = "('year', 'quarter', 'month', 'day')"

UPGRADE = f"""
ALTER TABLE move
    ADD COLUMN is_visit boolean NOT NULL DEFAULT false,
    ADD COLUMN date_earliest date,
    ADD COLUMN earliest_precision text CHECK (earliest_precision IN {PRECISION}),
    ADD COLUMN date_latest date,
    ADD COLUMN latest_precision text CHECK (latest_precision IN {PRECISION}),
    ADD COLUMN reasons jsonb,
    ADD CONSTRAINT move_earliest_pair_check
        CHECK ((date_earliest IS NULL) = (earliest_precision IS NULL)),
    ADD CONSTRAINT move_latest_pair_check
        CHECK ((date_latest IS NULL) = (latest_precision IS NULL));
CREATE INDEX move_visit_idx ON move (researcher_id) WHERE is_visit;
-- Moves and flows leave visits out (NOT is_visit): the covering indexes of 0004 carry the flag
-- so an institution's flow series stays an index-only scan.
DROP INDEX IF EXISTS move_to_covering_idx;
CREATE INDEX move_to_covering_idx
    ON move (to_institution_id, move_date) INCLUDE (status, from_institution_id, is_visit);
DROP INDEX IF EXISTS move_from_covering_idx;
CREATE INDEX move_from_covering_idx
    ON move (from_institution_id, move_date) INCLUDE (status, to_institution_id, is_visit);

CREATE TABLE institution_relation (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    predecessor_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    successor_id    bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    kind            text NOT NULL CHECK (kind IN ('rename', 'merger', 'spin_out', 'acquisition')),
    relation_date   date,
    date_precision  text CHECK (date_precision IN {PRECISION}),
    source          text NOT NULL DEFAULT 'seed',
    note            text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (predecessor_id <> successor_id),
    CHECK ((relation_date IS NULL) = (date_precision IS NULL)),
    UNIQUE (predecessor_id, successor_id, kind)
);
CREATE INDEX institution_relation_successor_idx ON institution_relation (successor_id);

-- Google Brain is its own (historical) row in the seed now, no longer a name of Google DeepMind.
DELETE FROM institution_alias
WHERE source = 'seed' AND normalized = 'google brain'
  AND institution_id = (SELECT id FROM institution WHERE slug = 'google-deepmind');
"""

DOWNGRADE = """
DROP TABLE IF EXISTS institution_relation;
DROP INDEX IF EXISTS move_visit_idx;
DROP INDEX IF EXISTS move_to_covering_idx;
CREATE INDEX move_to_covering_idx
    ON move (to_institution_id, move_date) INCLUDE (status, from_institution_id);
DROP INDEX IF EXISTS move_from_covering_idx;
CREATE INDEX move_from_covering_idx
    ON move (from_institution_id, move_date) INCLUDE (status, to_institution_id);
ALTER TABLE move
    DROP CONSTRAINT IF EXISTS move_latest_pair_check,
    DROP CONSTRAINT IF EXISTS move_earliest_pair_check,
    DROP COLUMN IF EXISTS reasons,
    DROP COLUMN IF EXISTS latest_precision,
    DROP COLUMN IF EXISTS date_latest,
    DROP COLUMN IF EXISTS earliest_precision,
    DROP COLUMN IF EXISTS date_earliest,
    DROP COLUMN IF EXISTS is_visit;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
