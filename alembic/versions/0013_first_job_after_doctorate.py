"""The first job after a doctorate: ``move.is_first_job_after_doctorate``.

A move out of the institution of a researcher's doctorate, their first move, within
``FIRST_JOB_WINDOW_YEARS`` of the doctorate's end (see :mod:`service.domain.move_classes`). A
class to filter on, not a rule that leaves moves out.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE move ADD COLUMN is_first_job_after_doctorate boolean NOT NULL DEFAULT false;
"""

DOWNGRADE = """
ALTER TABLE move DROP COLUMN IF EXISTS is_first_job_after_doctorate;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
