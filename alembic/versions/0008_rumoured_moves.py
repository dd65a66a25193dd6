"""Rumoured moves, and evidence that reports, rumours or denies a move.

News extraction now tells a reported move from a rumour ("in talks", "people familiar with the
matter") and from a denial. A rumour is stored as a move with status ``rumoured``: kept, shown
when asked for, and left out of move lists and flows by default. Each evidence row says how its
document speaks of the move (``modality``): it reports it, passes on a rumour, or denies it; a
denial is evidence against the move and lowers its confidence.

Downgrade: rumoured moves are deleted (their evidence with them), and so are the evidence rows
that deny a move, since the older schema can only read evidence as support.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE move DROP CONSTRAINT IF EXISTS move_status_check;
ALTER TABLE move ADD CONSTRAINT move_status_check
    CHECK (status IN ('reported', 'corroborated', 'confirmed', 'retracted', 'rumoured'));
ALTER TABLE evidence ADD COLUMN modality text NOT NULL DEFAULT 'reported'
    CONSTRAINT evidence_modality_check CHECK (modality IN ('reported', 'rumoured', 'denied'));
"""

DOWNGRADE = """
DELETE FROM evidence WHERE modality = 'denied';
DELETE FROM move WHERE status = 'rumoured';
ALTER TABLE evidence DROP COLUMN modality;
ALTER TABLE move DROP CONSTRAINT IF EXISTS move_status_check;
ALTER TABLE move ADD CONSTRAINT move_status_check
    CHECK (status IN ('reported', 'corroborated', 'confirmed', 'retracted'));
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
