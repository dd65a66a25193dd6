"""Initial schema: institutions, researchers, affiliations, moves with evidence, documents,
job postings, ingestion bookkeeping and API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

COUNTRY = r"^[A-Z]{2}$"
PRECISION = "('year', 'quarter', 'month', 'day')"

UPGRADE = rf"""
CREATE FUNCTION tf_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE TABLE institution (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{{0,99}}$'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 500),
    native_name   text,
    kind          text NOT NULL DEFAULT 'other'
                  CHECK (kind IN ('company', 'lab', 'university', 'government', 'nonprofit', 'other')),
    country_code  text CHECK (country_code ~ '{COUNTRY}'),
    city          text,
    parent_id     bigint REFERENCES institution (id) ON DELETE RESTRICT,
    is_site       boolean NOT NULL DEFAULT false,
    website       text,
    reviewed      boolean NOT NULL DEFAULT true,
    search_text   text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX institution_parent_idx ON institution (parent_id);
CREATE INDEX institution_country_idx ON institution (country_code);
CREATE INDEX institution_kind_idx ON institution (kind);
CREATE TRIGGER institution_touch BEFORE UPDATE ON institution
    FOR EACH ROW EXECUTE FUNCTION tf_touch_updated_at();

CREATE TABLE institution_external_id (
    scheme          text NOT NULL CHECK (scheme ~ '^[a-z][a-z0-9_]{{0,31}}$'),
    value           text NOT NULL CHECK (length(value) BETWEEN 1 AND 200),
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    PRIMARY KEY (scheme, value),
    UNIQUE (institution_id, scheme),
    CHECK (scheme <> 'ror' OR value ~ '^0[a-z0-9]{{6}}[0-9]{{2}}$'),
    CHECK (scheme <> 'openalex' OR value ~ '^I[0-9]+$'),
    CHECK (scheme <> 'wikidata' OR value ~ '^Q[0-9]+$')
);

CREATE TABLE institution_alias (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint NOT NULL REFERENCES institution (id) ON DELETE CASCADE,
    alias           text NOT NULL CHECK (length(alias) BETWEEN 1 AND 500),
    normalized      text NOT NULL CHECK (length(normalized) >= 1),
    lang            text,
    source          text NOT NULL DEFAULT 'seed',
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (institution_id, normalized)
);
CREATE INDEX institution_alias_normalized_idx ON institution_alias (normalized);

CREATE TABLE researcher (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    display_name     text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 500),
    native_name      text,
    name_order       text CHECK (name_order IN ('given_family', 'family_given')),
    search_text      text NOT NULL DEFAULT '',
    topics           text[] NOT NULL DEFAULT '{{}}',
    works_count      integer CHECK (works_count >= 0),
    cited_by_count   integer CHECK (cited_by_count >= 0),
    h_index          integer CHECK (h_index >= 0),
    merged_into_id   bigint REFERENCES researcher (id) ON DELETE RESTRICT,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (merged_into_id IS NULL OR merged_into_id <> id)
);
CREATE INDEX researcher_merged_into_idx ON researcher (merged_into_id) WHERE merged_into_id IS NOT NULL;
CREATE INDEX researcher_topics_idx ON researcher USING gin (topics);
CREATE INDEX researcher_display_name_idx ON researcher (lower(display_name), id);
CREATE TRIGGER researcher_touch BEFORE UPDATE ON researcher
    FOR EACH ROW EXECUTE FUNCTION tf_touch_updated_at();

CREATE TABLE researcher_external_id (
    scheme          text NOT NULL CHECK (scheme ~ '^[a-z][a-z0-9_]{{0,31}}$'),
    value           text NOT NULL CHECK (length(value) BETWEEN 1 AND 200),
    researcher_id   bigint NOT NULL REFERENCES researcher (id) ON DELETE CASCADE,
    PRIMARY KEY (scheme, value),
    CHECK (scheme <> 'orcid' OR value ~ '^[0-9]{{4}}-[0-9]{{4}}-[0-9]{{4}}-[0-9]{{3}}[0-9X]$'),
    CHECK (scheme <> 'openalex' OR value ~ '^A[0-9]+$')
);
CREATE INDEX researcher_external_id_researcher_idx ON researcher_external_id (researcher_id);

CREATE TABLE researcher_alias (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    researcher_id  bigint NOT NULL REFERENCES researcher (id) ON DELETE CASCADE,
    alias          text NOT NULL CHECK (length(alias) BETWEEN 1 AND 500),
    normalized     text NOT NULL CHECK (length(normalized) >= 1),
    source         text NOT NULL DEFAULT 'unknown',
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (researcher_id, normalized)
);
CREATE INDEX researcher_alias_normalized_idx ON researcher_alias (normalized);

CREATE TABLE document (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL
                  CHECK (kind IN ('news_article', 'publication', 'job_posting', 'profile', 'dataset', 'manual')),
    url           text NOT NULL UNIQUE CHECK (length(url) BETWEEN 1 AND 2000),
    title         text,
    publisher     text,
    published_at  timestamptz,
    fetched_at    timestamptz NOT NULL DEFAULT now(),
    content_hash  text,
    language      text,
    source        text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX document_content_hash_idx ON document (content_hash) WHERE content_hash IS NOT NULL;
CREATE INDEX document_published_idx ON document (published_at);

CREATE TABLE affiliation (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    researcher_id    bigint NOT NULL REFERENCES researcher (id) ON DELETE CASCADE,
    institution_id   bigint NOT NULL REFERENCES institution (id) ON DELETE RESTRICT,
    role             text,
    department       text,
    start_date       date,
    start_precision  text CHECK (start_precision IN {PRECISION}),
    end_date         date,
    end_precision    text CHECK (end_precision IN {PRECISION}),
    years            integer[] NOT NULL DEFAULT '{{}}',
    source           text NOT NULL,
    source_key       text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (researcher_id, institution_id, source, source_key),
    CHECK ((start_date IS NULL) = (start_precision IS NULL)),
    CHECK ((end_date IS NULL) = (end_precision IS NULL)),
    CHECK (start_date IS NULL OR end_date IS NULL OR end_date >= start_date)
);
CREATE INDEX affiliation_researcher_idx ON affiliation (researcher_id);
CREATE INDEX affiliation_institution_idx ON affiliation (institution_id);
CREATE TRIGGER affiliation_touch BEFORE UPDATE ON affiliation
    FOR EACH ROW EXECUTE FUNCTION tf_touch_updated_at();

CREATE TABLE move (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    researcher_id        bigint NOT NULL REFERENCES researcher (id) ON DELETE RESTRICT,
    from_institution_id  bigint REFERENCES institution (id) ON DELETE RESTRICT,
    to_institution_id    bigint REFERENCES institution (id) ON DELETE RESTRICT,
    from_country         text CHECK (from_country ~ '{COUNTRY}'),
    to_country           text CHECK (to_country ~ '{COUNTRY}'),
    move_date            date,
    date_precision       text CHECK (date_precision IN {PRECISION}),
    kind                 text NOT NULL DEFAULT 'unknown'
                         CHECK (kind IN ('academia_to_industry', 'industry_to_academia',
                                         'industry_to_industry', 'academia_to_academia', 'unknown')),
    cross_border         boolean GENERATED ALWAYS AS (
                             from_country IS NOT NULL AND to_country IS NOT NULL
                             AND from_country <> to_country) STORED,
    is_returnee          boolean NOT NULL DEFAULT false,
    status               text NOT NULL DEFAULT 'reported'
                         CHECK (status IN ('reported', 'corroborated', 'confirmed', 'retracted')),
    confidence           real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    provisional          boolean NOT NULL DEFAULT false,
    origin               text NOT NULL DEFAULT 'reported'
                         CHECK (origin IN ('reported', 'inferred', 'manual')),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (from_institution_id IS NOT NULL OR to_institution_id IS NOT NULL),
    CHECK (from_institution_id IS NULL OR to_institution_id IS NULL
           OR from_institution_id <> to_institution_id),
    CHECK ((move_date IS NULL) = (date_precision IS NULL))
);
CREATE INDEX move_researcher_idx ON move (researcher_id);
CREATE INDEX move_from_idx ON move (from_institution_id, move_date);
CREATE INDEX move_to_idx ON move (to_institution_id, move_date);
CREATE INDEX move_date_idx ON move (move_date DESC, id DESC);
CREATE INDEX move_countries_idx ON move (from_country, to_country, move_date);
CREATE INDEX move_to_country_idx ON move (to_country, move_date);
CREATE INDEX move_status_idx ON move (status);
CREATE TRIGGER move_touch BEFORE UPDATE ON move
    FOR EACH ROW EXECUTE FUNCTION tf_touch_updated_at();

CREATE TABLE evidence (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id       bigint NOT NULL REFERENCES document (id) ON DELETE RESTRICT,
    move_id           bigint REFERENCES move (id) ON DELETE CASCADE,
    affiliation_id    bigint REFERENCES affiliation (id) ON DELETE CASCADE,
    quote             text,
    span_start        integer CHECK (span_start >= 0),
    span_end          integer,
    extractor         text NOT NULL,
    extractor_version text,
    confidence        real NOT NULL DEFAULT 1 CHECK (confidence >= 0 AND confidence <= 1),
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(move_id, affiliation_id) = 1),
    CHECK (span_end IS NULL OR span_start IS NULL OR span_end >= span_start)
);
CREATE UNIQUE INDEX evidence_move_uq ON evidence (move_id, document_id, extractor)
    WHERE move_id IS NOT NULL;
CREATE UNIQUE INDEX evidence_affiliation_uq ON evidence (affiliation_id, document_id, extractor)
    WHERE affiliation_id IS NOT NULL;
CREATE INDEX evidence_document_idx ON evidence (document_id);

CREATE TABLE job_posting (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    institution_id  bigint REFERENCES institution (id) ON DELETE SET NULL,
    source          text NOT NULL,
    external_id     text NOT NULL,
    title           text NOT NULL,
    team            text,
    department      text,
    location        text,
    country_code    text CHECK (country_code ~ '{COUNTRY}'),
    remote          boolean NOT NULL DEFAULT false,
    posted_at       timestamptz,
    updated_at      timestamptz,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at    timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz,
    url             text,
    description     text,
    is_research     boolean NOT NULL DEFAULT false,
    role_category   text,
    topics          text[] NOT NULL DEFAULT '{{}}',
    content_hash    text,
    UNIQUE (source, external_id),
    CHECK (closed_at IS NULL OR closed_at >= first_seen_at)
);
CREATE INDEX job_posting_institution_idx ON job_posting (institution_id, closed_at);
CREATE INDEX job_posting_country_idx ON job_posting (country_code);
CREATE INDEX job_posting_open_idx ON job_posting (posted_at) WHERE closed_at IS NULL;
CREATE INDEX job_posting_topics_idx ON job_posting USING gin (topics);

CREATE TABLE ingest_run (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plugin         text NOT NULL,
    instance       text NOT NULL,
    status         text NOT NULL DEFAULT 'running'
                   CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
    dry_run        boolean NOT NULL DEFAULT false,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    seen           integer NOT NULL DEFAULT 0 CHECK (seen >= 0),
    created        integer NOT NULL DEFAULT 0 CHECK (created >= 0),
    updated        integer NOT NULL DEFAULT 0 CHECK (updated >= 0),
    unchanged      integer NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
    rejected       integer NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    cursor_before  jsonb,
    cursor_after   jsonb,
    error          text,
    CHECK (finished_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX ingest_run_instance_idx ON ingest_run (instance, started_at DESC);
CREATE INDEX ingest_run_started_idx ON ingest_run (started_at DESC, id DESC);

CREATE TABLE ingest_reject (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id    bigint NOT NULL REFERENCES ingest_run (id) ON DELETE CASCADE,
    position  text NOT NULL,
    reason    text NOT NULL,
    record    text,
    at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ingest_reject_run_idx ON ingest_reject (run_id);

CREATE TABLE plugin_state (
    instance    text PRIMARY KEY,
    plugin      text NOT NULL,
    state       jsonb,
    run_id      bigint REFERENCES ingest_run (id) ON DELETE SET NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE http_cache (
    instance       text NOT NULL,
    url            text NOT NULL,
    etag           text,
    last_modified  text,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instance, url)
);

CREATE TABLE api_key (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    prefix       text NOT NULL UNIQUE,
    key_hash     text NOT NULL,
    scopes       text[] NOT NULL
                 CHECK (scopes <@ ARRAY['read', 'curate', 'ingest', 'admin']::text[]
                        AND cardinality(scopes) >= 1),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE TABLE candidate_match (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    researcher_id  bigint NOT NULL REFERENCES researcher (id) ON DELETE CASCADE,
    candidate_id   bigint NOT NULL REFERENCES researcher (id) ON DELETE CASCADE,
    score          real NOT NULL CHECK (score >= 0 AND score <= 1),
    reasons        jsonb NOT NULL DEFAULT '[]',
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'same', 'different')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz,
    resolved_by    text,
    CHECK (researcher_id < candidate_id),
    UNIQUE (researcher_id, candidate_id)
);
CREATE INDEX candidate_match_candidate_idx ON candidate_match (candidate_id);
CREATE INDEX candidate_match_open_idx ON candidate_match (status) WHERE status = 'open';

CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,
    action     text NOT NULL,
    entity     text NOT NULL,
    entity_id  bigint,
    details    jsonb NOT NULL DEFAULT '{{}}'
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity, entity_id);

CREATE FUNCTION tf_notify_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('move_recorded', NEW.id::text);
    RETURN NEW;
END $$;
CREATE TRIGGER move_notify AFTER INSERT ON move
    FOR EACH ROW EXECUTE FUNCTION tf_notify_move();

-- Trigram indexes for name search where pg_trgm is available (server PostgreSQL with contrib);
-- the embedded PostgreSQL has no contrib extensions, and search falls back to plain LIKE scans.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        EXECUTE 'CREATE INDEX researcher_search_trgm_idx ON researcher USING gin (search_text gin_trgm_ops)';
        EXECUTE 'CREATE INDEX institution_search_trgm_idx ON institution USING gin (search_text gin_trgm_ops)';
    END IF;
END $$;
"""

DOWNGRADE = """
DROP TABLE IF EXISTS audit_log, candidate_match, api_key, http_cache, plugin_state,
    ingest_reject, ingest_run, job_posting, evidence, move, affiliation, document,
    researcher_alias, researcher_external_id, researcher, institution_alias,
    institution_external_id, institution CASCADE;
DROP FUNCTION IF EXISTS tf_notify_move();
DROP FUNCTION IF EXISTS tf_touch_updated_at();
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
