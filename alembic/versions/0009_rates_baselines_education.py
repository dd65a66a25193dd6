"""Add published baseline series (country migration rates) and education stints.

``baseline_series`` names a published dataset stored beside Talentflow's own measures (the
first is MPIDR's country-level scholarly migration estimates, CC BY 4.0), with its licence and
the attribution its licence requires; ``baseline_rate`` holds its rows, one per country and
year, with the counts and population the rates were computed from. ``education`` holds a
researcher's degrees (bachelor, master, doctorate, postdoc, or unknown where the source
does not say) at an institution, with partial
dates and the document they come from; education never produces moves on its own.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

PRECISION = "('year', 'quarter', 'month', 'day')"

UPGRADE = f"""
CREATE TABLE baseline_series (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]*$'),
    measure      text NOT NULL CHECK (measure IN ('migration')),
    title        text,
    license      text NOT NULL,
    attribution  text NOT NULL,
    document_id  bigint REFERENCES document (id) ON DELETE SET NULL,
    source       text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE baseline_rate (
    series_id       bigint NOT NULL REFERENCES baseline_series (id) ON DELETE CASCADE,
    country_code    text NOT NULL CHECK (country_code ~ '^[A-Z]{{2}}$'),
    year            integer NOT NULL CHECK (year BETWEEN 1900 AND 2100),
    population      integer CHECK (population >= 0),
    in_migrations   integer CHECK (in_migrations >= 0),
    out_migrations  integer CHECK (out_migrations >= 0),
    in_rate         double precision,
    out_rate        double precision,
    net_rate        double precision,
    PRIMARY KEY (series_id, country_code, year)
);
CREATE INDEX baseline_rate_country_year_idx ON baseline_rate (country_code, year);

CREATE TABLE education (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    researcher_id    bigint NOT NULL REFERENCES researcher (id) ON DELETE RESTRICT,
    institution_id   bigint NOT NULL REFERENCES institution (id) ON DELETE RESTRICT,
    degree           text NOT NULL CHECK (degree IN ('bachelor', 'master', 'doctorate', 'postdoc',
                                                       'unknown')),
    field            text,
    start_date       date,
    start_precision  text CHECK (start_precision IN {PRECISION}),
    end_date         date,
    end_precision    text CHECK (end_precision IN {PRECISION}),
    source           text NOT NULL,
    source_key       text NOT NULL DEFAULT '',
    document_id      bigint REFERENCES document (id) ON DELETE SET NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((start_date IS NULL) = (start_precision IS NULL)),
    CHECK ((end_date IS NULL) = (end_precision IS NULL)),
    CHECK (start_date IS NULL OR end_date IS NULL OR end_date >= start_date),
    UNIQUE (researcher_id, institution_id, degree, source, source_key)
);
CREATE INDEX education_researcher_idx ON education (researcher_id);
CREATE INDEX education_institution_idx ON education (institution_id);
"""

DOWNGRADE = """
DROP TABLE IF EXISTS education;
DROP TABLE IF EXISTS baseline_rate;
DROP TABLE IF EXISTS baseline_series;
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
