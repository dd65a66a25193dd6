"""Keep every sighting of a researcher, and say why a move is doubtful.

``researcher_sighting`` holds each person as one source showed them (names, native name, ids,
topics, stints as institution and years, the document): what identity resolution compares a
new sighting with, whatever batch or run it came in, and what a split needs to give a wrongly
merged person back their own names, ids and stints. ``confidence`` is how sure the sighting's
attachment to its researcher is (1 for the first sighting or an id; the merge's probability
for a merge on names). ``block_keys`` ("family|initial" per reading of each name) find the
sightings worth comparing.

``move.doubts`` says why a move is less certain than its evidence alone would make it (a move
across a merge that rests on names).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE TABLE researcher_sighting (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    researcher_id  bigint NOT NULL REFERENCES researcher (id) ON DELETE CASCADE,
    fingerprint    text NOT NULL UNIQUE,
    document_id    bigint REFERENCES document (id) ON DELETE SET NULL,
    source         text NOT NULL,
    names          text[] NOT NULL CHECK (cardinality(names) >= 1),
    native_name    text,
    ids            jsonb NOT NULL DEFAULT '{}',
    topics         text[] NOT NULL DEFAULT '{}',
    stints         jsonb NOT NULL DEFAULT '[]',
    moves          jsonb NOT NULL DEFAULT '[]',
    mention        boolean NOT NULL DEFAULT false,
    block_keys     text[] NOT NULL DEFAULT '{}',
    confidence     real NOT NULL DEFAULT 1 CHECK (confidence >= 0 AND confidence <= 1),
    reasons        jsonb NOT NULL DEFAULT '[]',
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX researcher_sighting_researcher_idx ON researcher_sighting (researcher_id);
CREATE INDEX researcher_sighting_document_idx ON researcher_sighting (document_id);
CREATE INDEX researcher_sighting_block_idx ON researcher_sighting USING gin (block_keys);
ALTER TABLE move ADD COLUMN doubts text[] NOT NULL DEFAULT '{}';
"""

DOWNGRADE = """
ALTER TABLE move DROP COLUMN IF EXISTS doubts;
DROP TABLE IF EXISTS researcher_sighting;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
