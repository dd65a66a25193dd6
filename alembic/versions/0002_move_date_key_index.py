"""Index the moves list's sort key: undated moves sort as the oldest.

The moves list orders by ``coalesce(move_date, date '0001-01-01')`` then id (see
``service.db.queries.moves.DATE_KEY``); ``move_date_idx`` on the bare column cannot serve that
order, so a page of 50 moves sorted the whole table. With this index a page is an index scan
that stops after 50 rows, in either direction.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE INDEX IF NOT EXISTS move_date_key_idx
    ON move ((coalesce(move_date, date '0001-01-01')) DESC, id DESC);
"""

DOWNGRADE = """
DROP INDEX IF EXISTS move_date_key_idx;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
