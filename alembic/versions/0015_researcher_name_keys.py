"""Researcher name keys: one row per normalised form of a researcher's name, for prefix search.

``researcher.search_text`` holds every form of a researcher's names joined by " | " (each name
folded as written, both name orders, the native script and its pinyin, the aliases;
``service.domain.names.researcher_search_text``). Its trigram index finds a name's researchers
but cannot rank them without visiting every match, so a name's search cost grows with its
namesakes. ``researcher_name_key`` holds each of those forms as its own row, indexed in byte
order with the researcher id, so an exact or prefix match is a range of one btree read in
``(key, researcher_id)`` order: a page of 20 reads about 20 index entries whatever the number
of namesakes (``service.db.queries.researchers``).

The key column is ``COLLATE "C"``: the plain btree is then in byte order, which is what a
prefix range needs (the same order ``text_pattern_ops`` gives), and the same index serves the
``ORDER BY key, researcher_id`` and the row-wise keyset comparison of a page's cursor.

Only researchers that are not merged into another have keys (the search leaves merged records
out). Statement-level triggers on ``researcher`` keep the keys in the writing transaction, from
``search_text`` alone, so every writer of names (ingest, a curator's create, merge, unmerge,
split, alias removal, a delete or a truncate) keeps them without knowing about them; keys are at
most 200 characters (a btree entry has a size limit; a longer query falls back to the trigram
path).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from service.db.migrations import execute_script

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

UPGRADE = """
CREATE FUNCTION tf_researcher_name_keys(search_text text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT DISTINCT left(k, 200) FROM unnest(string_to_array(search_text, ' | ')) AS k
    WHERE k <> ''
$$;

CREATE TABLE researcher_name_key (
    researcher_id bigint NOT NULL,
    key text COLLATE "C" NOT NULL,
    PRIMARY KEY (researcher_id, key)
);
COMMENT ON TABLE researcher_name_key IS 'Each normalised form of a researcher''s names '
    '(the parts of researcher.search_text), for exact and prefix name search (migration 0015); '
    'kept by the researcher_name_key triggers.';

INSERT INTO researcher_name_key (researcher_id, key)
    SELECT r.id, k FROM researcher r, tf_researcher_name_keys(r.search_text) AS k
    WHERE r.merged_into_id IS NULL;
CREATE INDEX researcher_name_key_key_idx ON researcher_name_key (key, researcher_id);

CREATE FUNCTION tf_researcher_name_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO researcher_name_key (researcher_id, key)
        SELECT n.id, k FROM new_researchers n, tf_researcher_name_keys(n.search_text) AS k
        WHERE n.merged_into_id IS NULL;
    ELSIF TG_OP = 'UPDATE' THEN
        -- only the rows whose names or merge redirect changed (most updates touch neither)
        DELETE FROM researcher_name_key k
        USING old_researchers o JOIN new_researchers n ON n.id = o.id
        WHERE k.researcher_id = o.id AND o.merged_into_id IS NULL
          AND (n.search_text IS DISTINCT FROM o.search_text OR n.merged_into_id IS NOT NULL);
        INSERT INTO researcher_name_key (researcher_id, key)
        SELECT n.id, k
        FROM old_researchers o JOIN new_researchers n ON n.id = o.id,
             tf_researcher_name_keys(n.search_text) AS k
        WHERE n.merged_into_id IS NULL
          AND (n.search_text IS DISTINCT FROM o.search_text OR o.merged_into_id IS NOT NULL);
    ELSE
        DELETE FROM researcher_name_key k USING old_researchers o WHERE k.researcher_id = o.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER researcher_name_key_insert AFTER INSERT ON researcher
    REFERENCING NEW TABLE AS new_researchers
    FOR EACH STATEMENT EXECUTE FUNCTION tf_researcher_name_key();
CREATE TRIGGER researcher_name_key_update AFTER UPDATE ON researcher
    REFERENCING OLD TABLE AS old_researchers NEW TABLE AS new_researchers
    FOR EACH STATEMENT EXECUTE FUNCTION tf_researcher_name_key();
CREATE TRIGGER researcher_name_key_delete AFTER DELETE ON researcher
    REFERENCING OLD TABLE AS old_researchers
    FOR EACH STATEMENT EXECUTE FUNCTION tf_researcher_name_key();

CREATE FUNCTION tf_researcher_name_key_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE researcher_name_key;
    RETURN NULL;
END $$;
CREATE TRIGGER researcher_name_key_truncate AFTER TRUNCATE ON researcher
    FOR EACH STATEMENT EXECUTE FUNCTION tf_researcher_name_key_truncate();
ANALYZE researcher_name_key;
"""

DOWNGRADE = """
DROP TRIGGER IF EXISTS researcher_name_key_truncate ON researcher;
DROP TRIGGER IF EXISTS researcher_name_key_delete ON researcher;
DROP TRIGGER IF EXISTS researcher_name_key_update ON researcher;
DROP TRIGGER IF EXISTS researcher_name_key_insert ON researcher;
DROP FUNCTION IF EXISTS tf_researcher_name_key_truncate();
DROP FUNCTION IF EXISTS tf_researcher_name_key();
DROP TABLE IF EXISTS researcher_name_key;
DROP FUNCTION IF EXISTS tf_researcher_name_keys(text);
"""


def upgrade() -> None:
    execute_script(UPGRADE)


def downgrade() -> None:
    execute_script(DOWNGRADE)
