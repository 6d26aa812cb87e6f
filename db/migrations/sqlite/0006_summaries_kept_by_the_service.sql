-- The coverage summaries (story_outlets, story_summaries) are now kept by the service itself, in the same
-- transaction as every write that changes them (Coverage/CoverageSummaries.cs), so that SQLite and PostgreSQL share
-- one set of rules, written once: the triggers and the blindspot view of 0002 go, and majority becomes a column the
-- service writes (it was computed here, a second copy of a rule the service also applies).

DROP TRIGGER IF EXISTS articles_outlet_is_fixed;
DROP TRIGGER IF EXISTS stories_after_insert;
DROP TRIGGER IF EXISTS stories_after_update;
DROP TRIGGER IF EXISTS story_articles_after_insert;
DROP TRIGGER IF EXISTS story_articles_after_delete;
DROP TRIGGER IF EXISTS story_articles_after_update;
DROP TRIGGER IF EXISTS outlets_after_update;
DROP TRIGGER IF EXISTS story_summaries_after_count_update;
DROP TRIGGER IF EXISTS coverage_settings_after_update;
DROP VIEW IF EXISTS story_blindspots;
DROP TABLE IF EXISTS bulk_load;

CREATE TABLE story_summaries_v2 (
    story_id            INTEGER PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
    sources_left        INTEGER NOT NULL DEFAULT 0,
    sources_center      INTEGER NOT NULL DEFAULT 0,
    sources_right       INTEGER NOT NULL DEFAULT 0,
    sources_unrated     INTEGER NOT NULL DEFAULT 0,
    articles_left       INTEGER NOT NULL DEFAULT 0,
    articles_center     INTEGER NOT NULL DEFAULT 0,
    articles_right      INTEGER NOT NULL DEFAULT 0,
    articles_unrated    INTEGER NOT NULL DEFAULT 0,
    first_published_at  INTEGER NULL,
    last_published_at   INTEGER NULL,
    majority            TEXT    NOT NULL DEFAULT 'none' CHECK (majority IN ('left', 'center', 'right', 'none')),
    blindspot           TEXT    NULL CHECK (blindspot IN ('left', 'right')),
    coverage_version    INTEGER NOT NULL DEFAULT 1,
    changed_at          INTEGER NOT NULL,
    total_sources       INTEGER GENERATED ALWAYS AS (sources_left + sources_center + sources_right + sources_unrated) STORED,
    total_articles      INTEGER GENERATED ALWAYS AS (articles_left + articles_center + articles_right + articles_unrated) STORED
);

INSERT INTO story_summaries_v2 (story_id, sources_left, sources_center, sources_right, sources_unrated,
                                articles_left, articles_center, articles_right, articles_unrated,
                                first_published_at, last_published_at, majority, blindspot, coverage_version, changed_at)
SELECT story_id, sources_left, sources_center, sources_right, sources_unrated,
       articles_left, articles_center, articles_right, articles_unrated,
       first_published_at, last_published_at, majority, blindspot, coverage_version, changed_at
FROM story_summaries;

DROP TABLE story_summaries;
ALTER TABLE story_summaries_v2 RENAME TO story_summaries;

CREATE INDEX ix_story_summaries_majority ON story_summaries (majority, story_id);
CREATE INDEX ix_story_summaries_blindspot ON story_summaries (blindspot, story_id) WHERE blindspot IS NOT NULL;
CREATE INDEX ix_story_summaries_sources ON story_summaries (total_sources, story_id);
CREATE INDEX ix_story_summaries_first_published ON story_summaries (first_published_at, story_id);
CREATE INDEX ix_story_summaries_changed ON story_summaries (changed_at, story_id);
CREATE INDEX ix_story_summaries_majority_changed ON story_summaries (majority, changed_at, story_id);
CREATE INDEX ix_story_summaries_majority_sources ON story_summaries (majority, total_sources, story_id);
CREATE INDEX ix_story_summaries_blindspot_changed ON story_summaries (blindspot, changed_at, story_id) WHERE blindspot IS NOT NULL;
CREATE INDEX ix_story_summaries_blindspot_sources ON story_summaries (blindspot, total_sources, story_id) WHERE blindspot IS NOT NULL;
