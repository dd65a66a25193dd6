"""Index the institution search's other two name columns for trigram matching.

The search box looks for an institution by its search text, by its name and by any of its
aliases (``service.db.queries.institutions``). Only ``search_text`` had a trigram index, and
the three were OR'ed, so every search read the whole institution and alias tables: ~3.5 ms a
search on 2,000 institutions, more than the researcher half of the same search. With these
indexes (and the three conditions as one ``IN (... UNION ALL ...)``) each is a bitmap index
scan. Only where pg_trgm is installed (revision 0001 installs it where it is available): the
embedded PostgreSQL has no contrib extensions, and there the search scans as before.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UPGRADE = """
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX IF NOT EXISTS institution_name_trgm_idx '
                'ON institution USING gin (lower(name) gin_trgm_ops)';
        EXECUTE 'CREATE INDEX IF NOT EXISTS institution_alias_normalized_trgm_idx '
                'ON institution_alias USING gin (normalized gin_trgm_ops)';
    END IF;
END
$$;
"""

DOWNGRADE = """
DROP INDEX IF EXISTS institution_alias_normalized_trgm_idx;
DROP INDEX IF EXISTS institution_name_trgm_idx;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
