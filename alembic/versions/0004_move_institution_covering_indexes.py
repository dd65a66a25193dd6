"""Cover an institution's moves in and out: the flow series reads only the index.

``institution_flow_series`` (the institution page's in/outflow per period) reads every move
into and out of an institution and its sub-units. The busiest institutions have ~130,000
moves each; through ``move_to_idx`` / ``move_from_idx`` every one of them was a heap visit
for ``status`` and the other end of the move. These indexes carry those columns, so the
series is an index-only scan (on a vacuumed table). ``move_to_idx`` and ``move_from_idx``
have the same leading keys and are kept: dropping them is a separate decision for the schema
owners (the covering ones can serve every query they serve).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE INDEX IF NOT EXISTS move_to_covering_idx
    ON move (to_institution_id, move_date) INCLUDE (status, from_institution_id);
CREATE INDEX IF NOT EXISTS move_from_covering_idx
    ON move (from_institution_id, move_date) INCLUDE (status, to_institution_id);
"""

DOWNGRADE = """
DROP INDEX IF EXISTS move_from_covering_idx;
DROP INDEX IF EXISTS move_to_covering_idx;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
