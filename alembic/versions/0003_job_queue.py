"""The job queue's schema: procrastinate's tables, types and functions, for scheduled ingestion.

The SQL is procrastinate's own schema for the installed version (``SchemaManager.get_schema()``),
applied in this migration so ``talentflow db upgrade`` prepares everything. Upgrading
procrastinate to a version with schema changes needs its migration scripts applied in a new
revision (see docs/deploy.md). Downgrading drops the queue with its jobs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

DOWNGRADE = r"""
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DO $$
DECLARE f record;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure AS sig FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\_%'
    LOOP
        EXECUTE 'DROP FUNCTION IF EXISTS ' || f.sig || ' CASCADE';
    END LOOP;
END $$;
DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type,
    procrastinate_job_status CASCADE;
"""


def upgrade() -> None:
    from procrastinate.schema import SchemaManager

    execute_script(SchemaManager.get_schema())


def downgrade() -> None:
    execute_script(DOWNGRADE)
