"""Dual affiliations: a stint abroad that overlaps one at home is a traveller's, not a migration.

- ``move.is_dual_affiliation``: a cross-border move after which the researcher stays active in
  the origin country (see :mod:`service.domain.move_classes`). Moves and flows leave these out
  unless asked (``includeDualAffiliations``), like visits.
- The covering indexes of 0004/0007 are rebuilt to carry the flag, so an institution's flow
  series stays an index-only scan.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE move ADD COLUMN is_dual_affiliation boolean NOT NULL DEFAULT false;
DROP INDEX IF EXISTS move_to_covering_idx;
CREATE INDEX move_to_covering_idx ON move (to_institution_id, move_date)
    INCLUDE (status, from_institution_id, is_visit, is_dual_affiliation);
DROP INDEX IF EXISTS move_from_covering_idx;
CREATE INDEX move_from_covering_idx ON move (from_institution_id, move_date)
    INCLUDE (status, to_institution_id, is_visit, is_dual_affiliation);
"""

DOWNGRADE = """
DROP INDEX IF EXISTS move_to_covering_idx;
DROP INDEX IF EXISTS move_from_covering_idx;
ALTER TABLE move DROP COLUMN IF EXISTS is_dual_affiliation;
CREATE INDEX move_to_covering_idx ON move (to_institution_id, move_date)
    INCLUDE (status, from_institution_id, is_visit);
CREATE INDEX move_from_covering_idx ON move (from_institution_id, move_date)
    INCLUDE (status, to_institution_id, is_visit);
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
