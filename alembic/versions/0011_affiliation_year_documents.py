"""Count the documents behind each year of an affiliation.

``affiliation.year_documents`` maps a year (as text) to how many of the source's documents
carried the affiliation that year (OpenAlex works per author, institution and year). Move
inference reads it to tell a stay of one or two papers from a stint: a short stay at B with at
most ``TALENTFLOW_INFERENCE_VISIT_MAX_DOCUMENTS`` documents, between or inside stints at A, is
a visit. Empty where the source gives years only.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE affiliation
    ADD COLUMN year_documents jsonb NOT NULL DEFAULT '{}'
        CHECK (jsonb_typeof(year_documents) = 'object');
"""

DOWNGRADE = """
ALTER TABLE affiliation DROP COLUMN year_documents;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
