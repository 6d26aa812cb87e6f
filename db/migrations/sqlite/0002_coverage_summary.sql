-- Per-story coverage summaries, kept by triggers in the same transaction as every write that changes
-- them (link, unlink, article delete, a change of an article's publication time, outlet re-rating or
-- renaming), so no write path can forget one; bulk imports recount the stories they touched instead. Coverage then reads one row per outlet of a story (story_outlets) and
-- list filters read one row per story (story_summaries); neither re-aggregates a story's links.

-- Row versions for ETags and If-Match: the API bumps them on every change of the representation.
ALTER TABLE outlets ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE stories ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- An article keeps its outlet for life; links copy it, and coverage is counted by it.
CREATE TRIGGER articles_outlet_is_fixed BEFORE UPDATE OF outlet_id ON articles
WHEN OLD.outlet_id IS NOT NEW.outlet_id
BEGIN
    SELECT RAISE(ABORT, 'an article''s outlet cannot change');
END;

-- Links carry their article's outlet and publication time, so coverage and the story page never read
-- the articles table. The composite foreign key keeps the copies equal: a changed publication time
-- cascades into every link of the article.
CREATE UNIQUE INDEX ux_articles_link_key ON articles (id, outlet_id, published_at);

CREATE TABLE story_articles_v2 (
    story_id      INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    article_id    INTEGER NOT NULL,
    outlet_id     INTEGER NOT NULL,
    published_at  INTEGER NOT NULL,
    linked_at     INTEGER NOT NULL,
    PRIMARY KEY (story_id, article_id),
    FOREIGN KEY (article_id, outlet_id, published_at)
        REFERENCES articles (id, outlet_id, published_at) ON DELETE CASCADE ON UPDATE CASCADE
) WITHOUT ROWID;

INSERT INTO story_articles_v2 (story_id, article_id, outlet_id, published_at, linked_at)
SELECT sa.story_id, sa.article_id, a.outlet_id, a.published_at, sa.linked_at
FROM story_articles sa
JOIN articles a ON a.id = sa.article_id;

DROP TABLE story_articles;
ALTER TABLE story_articles_v2 RENAME TO story_articles;

CREATE INDEX ix_story_articles_article ON story_articles (article_id, story_id);
-- The story page: a story's articles, newest published first, without a sort.
CREATE INDEX ix_story_articles_story_published ON story_articles (story_id, published_at DESC, article_id DESC);
-- First/last publication time of one outlet's articles in a story, after an unlink.
CREATE INDEX ix_story_articles_story_outlet ON story_articles (story_id, outlet_id, published_at);

-- One row per (story, outlet that covered it).
CREATE TABLE story_outlets (
    story_id            INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    outlet_id           INTEGER NOT NULL REFERENCES outlets (id),
    articles            INTEGER NOT NULL CHECK (articles >= 0),
    first_published_at  INTEGER NOT NULL,
    last_published_at   INTEGER NOT NULL,
    -- The outlet's lean, copied so the link triggers need no outlet lookup; the outlet trigger keeps it.
    lean                TEXT    NULL CHECK (lean IN ('left', 'center', 'right')),
    PRIMARY KEY (story_id, outlet_id)
) WITHOUT ROWID;

-- Stories an outlet covered (the outletId filter, and re-rating).
CREATE INDEX ix_story_outlets_outlet ON story_outlets (outlet_id, story_id);

-- The thresholds the stored blindspot flags were computed with; the API writes its configured
-- Coverage:Blindspot values here at start, and a change recomputes every flag.
CREATE TABLE coverage_settings (
    id                       INTEGER PRIMARY KEY CHECK (id = 1),
    min_rated                INTEGER NOT NULL,
    max_neglecting_percent   INTEGER NOT NULL,
    min_dominant_percent     INTEGER NOT NULL
);
INSERT INTO coverage_settings (id, min_rated, max_neglecting_percent, min_dominant_percent) VALUES (1, 5, 20, 50);

-- While a bulk import holds a row here (inside its own transaction, so no one else ever sees it), the
-- per-link triggers stand aside and the import recounts the summaries of the stories it touched in a few
-- set-based statements before it commits.
CREATE TABLE bulk_load (
    id  INTEGER PRIMARY KEY CHECK (id = 1)
);

-- One row per story: units per lean on both bases, first/last publication, and what list filters need.
CREATE TABLE story_summaries (
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
    -- Sources basis; kept by the triggers below from coverage_settings.
    blindspot           TEXT NULL CHECK (blindspot IN ('left', 'right')),
    -- Changes whenever the story's coverage can read differently (ETag of coverage).
    coverage_version    INTEGER NOT NULL DEFAULT 1,
    -- The story's last change, of its own fields or of its coverage (Last-Modified, sort=recently_updated).
    changed_at          INTEGER NOT NULL,
    total_sources       INTEGER GENERATED ALWAYS AS (sources_left + sources_center + sources_right + sources_unrated) STORED,
    total_articles      INTEGER GENERATED ALWAYS AS (articles_left + articles_center + articles_right + articles_unrated) STORED,
    -- Sources basis: the lean with the strictly largest count, else 'none'.
    majority            TEXT GENERATED ALWAYS AS (
                            CASE
                                WHEN sources_left > sources_center AND sources_left > sources_right THEN 'left'
                                WHEN sources_center > sources_left AND sources_center > sources_right THEN 'center'
                                WHEN sources_right > sources_left AND sources_right > sources_center THEN 'right'
                                ELSE 'none'
                            END) STORED
);

CREATE INDEX ix_story_summaries_majority ON story_summaries (majority, story_id);
CREATE INDEX ix_story_summaries_blindspot ON story_summaries (blindspot, story_id) WHERE blindspot IS NOT NULL;
CREATE INDEX ix_story_summaries_sources ON story_summaries (total_sources, story_id);
CREATE INDEX ix_story_summaries_first_published ON story_summaries (first_published_at, story_id);
CREATE INDEX ix_story_summaries_changed ON story_summaries (changed_at, story_id);

-- The blindspot rule (README, Coverage semantics, rule 5) on exact counts, written once.
CREATE VIEW story_blindspots AS
SELECT s.story_id,
       CASE
           WHEN rated >= cs.min_rated AND s.sources_left * 100 <= cs.max_neglecting_percent * rated
                AND s.sources_right * 100 >= cs.min_dominant_percent * rated THEN 'left'
           WHEN rated >= cs.min_rated AND s.sources_right * 100 <= cs.max_neglecting_percent * rated
                AND s.sources_left * 100 >= cs.min_dominant_percent * rated THEN 'right'
       END AS side
FROM (SELECT *, sources_left + sources_center + sources_right AS rated FROM story_summaries) AS s
CROSS JOIN coverage_settings AS cs;

-- Backfill from the links that exist.
INSERT INTO story_outlets (story_id, outlet_id, articles, first_published_at, last_published_at, lean)
SELECT sa.story_id, sa.outlet_id, COUNT(*), MIN(sa.published_at), MAX(sa.published_at), o.lean
FROM story_articles sa
JOIN outlets o ON o.id = sa.outlet_id
GROUP BY sa.story_id, sa.outlet_id;

INSERT INTO story_summaries (story_id, sources_left, sources_center, sources_right, sources_unrated,
                             articles_left, articles_center, articles_right, articles_unrated,
                             first_published_at, last_published_at, changed_at)
SELECT st.id,
       COUNT(o.id) FILTER (WHERE o.lean = 'left'),
       COUNT(o.id) FILTER (WHERE o.lean = 'center'),
       COUNT(o.id) FILTER (WHERE o.lean = 'right'),
       COUNT(o.id) FILTER (WHERE o.id IS NOT NULL AND o.lean IS NULL),
       COALESCE(SUM(so.articles) FILTER (WHERE o.lean = 'left'), 0),
       COALESCE(SUM(so.articles) FILTER (WHERE o.lean = 'center'), 0),
       COALESCE(SUM(so.articles) FILTER (WHERE o.lean = 'right'), 0),
       COALESCE(SUM(so.articles) FILTER (WHERE o.id IS NOT NULL AND o.lean IS NULL), 0),
       MIN(so.first_published_at),
       MAX(so.last_published_at),
       st.updated_at
FROM stories st
LEFT JOIN story_outlets so ON so.story_id = st.id
LEFT JOIN outlets o ON o.id = so.outlet_id
GROUP BY st.id;

UPDATE story_summaries SET blindspot = (SELECT b.side FROM story_blindspots b WHERE b.story_id = story_summaries.story_id);

-- Every story has a summary.
CREATE TRIGGER stories_after_insert AFTER INSERT ON stories
BEGIN
    INSERT INTO story_summaries (story_id, changed_at) VALUES (NEW.id, NEW.created_at);
END;

CREATE TRIGGER stories_after_update AFTER UPDATE OF title, summary ON stories
BEGIN
    UPDATE story_summaries SET changed_at = NEW.updated_at WHERE story_id = NEW.id;
END;

-- A link adds one article, and a source when it brings the outlet into the story (so.articles = 1).
-- story_outlets is updated first; the summary then joins that one row by primary key.
CREATE TRIGGER story_articles_after_insert AFTER INSERT ON story_articles
WHEN NOT EXISTS (SELECT 1 FROM bulk_load)
BEGIN
    INSERT INTO story_outlets (story_id, outlet_id, articles, first_published_at, last_published_at, lean)
    VALUES (NEW.story_id, NEW.outlet_id, 1, NEW.published_at, NEW.published_at, (SELECT lean FROM outlets WHERE id = NEW.outlet_id))
    ON CONFLICT (story_id, outlet_id) DO UPDATE SET
        articles = articles + 1,
        first_published_at = MIN(first_published_at, excluded.first_published_at),
        last_published_at = MAX(last_published_at, excluded.last_published_at);

    UPDATE story_summaries SET
        sources_left     = sources_left     + (so.lean IS 'left'   AND so.articles = 1),
        sources_center   = sources_center   + (so.lean IS 'center' AND so.articles = 1),
        sources_right    = sources_right    + (so.lean IS 'right'  AND so.articles = 1),
        sources_unrated  = sources_unrated  + (so.lean IS NULL     AND so.articles = 1),
        articles_left    = articles_left    + (so.lean IS 'left'),
        articles_center  = articles_center  + (so.lean IS 'center'),
        articles_right   = articles_right   + (so.lean IS 'right'),
        articles_unrated = articles_unrated + (so.lean IS NULL),
        first_published_at = MIN(COALESCE(story_summaries.first_published_at, NEW.published_at), NEW.published_at),
        last_published_at  = MAX(COALESCE(story_summaries.last_published_at, NEW.published_at), NEW.published_at),
        coverage_version = coverage_version + 1,
        changed_at = NEW.linked_at
    FROM story_outlets AS so
    WHERE story_summaries.story_id = NEW.story_id AND so.story_id = NEW.story_id AND so.outlet_id = NEW.outlet_id;
END;

-- An unlink (also by article or story deletion) removes one article, and the source with its last
-- article (so.articles = 0).
CREATE TRIGGER story_articles_after_delete AFTER DELETE ON story_articles
WHEN NOT EXISTS (SELECT 1 FROM bulk_load)
BEGIN
    UPDATE story_outlets SET articles = articles - 1
    WHERE story_id = OLD.story_id AND outlet_id = OLD.outlet_id;

    UPDATE story_summaries SET
        sources_left     = sources_left     - (so.lean IS 'left'   AND so.articles = 0),
        sources_center   = sources_center   - (so.lean IS 'center' AND so.articles = 0),
        sources_right    = sources_right    - (so.lean IS 'right'  AND so.articles = 0),
        sources_unrated  = sources_unrated  - (so.lean IS NULL     AND so.articles = 0),
        articles_left    = articles_left    - (so.lean IS 'left'),
        articles_center  = articles_center  - (so.lean IS 'center'),
        articles_right   = articles_right   - (so.lean IS 'right'),
        articles_unrated = articles_unrated - (so.lean IS NULL),
        coverage_version = coverage_version + 1,
        changed_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM story_outlets AS so
    WHERE story_summaries.story_id = OLD.story_id AND so.story_id = OLD.story_id AND so.outlet_id = OLD.outlet_id;

    DELETE FROM story_outlets WHERE story_id = OLD.story_id AND outlet_id = OLD.outlet_id AND articles = 0;

    UPDATE story_outlets SET
        first_published_at = (SELECT MIN(published_at) FROM story_articles WHERE story_id = OLD.story_id AND outlet_id = OLD.outlet_id),
        last_published_at  = (SELECT MAX(published_at) FROM story_articles WHERE story_id = OLD.story_id AND outlet_id = OLD.outlet_id)
    WHERE story_id = OLD.story_id AND outlet_id = OLD.outlet_id AND OLD.published_at IN (first_published_at, last_published_at);

    UPDATE story_summaries SET
        first_published_at = (SELECT MIN(first_published_at) FROM story_outlets WHERE story_id = OLD.story_id),
        last_published_at  = (SELECT MAX(last_published_at) FROM story_outlets WHERE story_id = OLD.story_id)
    WHERE story_id = OLD.story_id AND OLD.published_at IN (first_published_at, last_published_at);
END;

-- A changed publication time (cascaded from articles) moves the first/last times.
CREATE TRIGGER story_articles_after_update AFTER UPDATE OF published_at ON story_articles
WHEN OLD.published_at IS NOT NEW.published_at AND NOT EXISTS (SELECT 1 FROM bulk_load)
BEGIN
    UPDATE story_outlets SET
        first_published_at = (SELECT MIN(published_at) FROM story_articles WHERE story_id = NEW.story_id AND outlet_id = NEW.outlet_id),
        last_published_at  = (SELECT MAX(published_at) FROM story_articles WHERE story_id = NEW.story_id AND outlet_id = NEW.outlet_id)
    WHERE story_id = NEW.story_id AND outlet_id = NEW.outlet_id;

    UPDATE story_summaries SET
        first_published_at = (SELECT MIN(first_published_at) FROM story_outlets WHERE story_id = NEW.story_id),
        last_published_at  = (SELECT MAX(last_published_at) FROM story_outlets WHERE story_id = NEW.story_id),
        coverage_version = coverage_version + 1,
        changed_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    WHERE story_id = NEW.story_id;
END;

-- Re-rating an outlet moves its sources and articles between leans in every story it covered, in one
-- set-based statement, and keeps story_outlets.lean equal to the outlet's. Any change the story pages
-- show (ratings, and the name and domain listed with each article) moves those stories' coverage
-- versions, so their ETags change.
CREATE TRIGGER outlets_after_update AFTER UPDATE OF name, domain, bias, factuality, ownership ON outlets
WHEN OLD.name IS NOT NEW.name OR OLD.domain IS NOT NEW.domain
  OR OLD.bias IS NOT NEW.bias OR OLD.factuality IS NOT NEW.factuality OR OLD.ownership IS NOT NEW.ownership
BEGIN
    UPDATE story_summaries SET
        sources_left     = sources_left     - (OLD.lean IS 'left')   + (NEW.lean IS 'left'),
        sources_center   = sources_center   - (OLD.lean IS 'center') + (NEW.lean IS 'center'),
        sources_right    = sources_right    - (OLD.lean IS 'right')  + (NEW.lean IS 'right'),
        sources_unrated  = sources_unrated  - (OLD.lean IS NULL)     + (NEW.lean IS NULL),
        articles_left    = articles_left    + so.articles * ((NEW.lean IS 'left')   - (OLD.lean IS 'left')),
        articles_center  = articles_center  + so.articles * ((NEW.lean IS 'center') - (OLD.lean IS 'center')),
        articles_right   = articles_right   + so.articles * ((NEW.lean IS 'right')  - (OLD.lean IS 'right')),
        articles_unrated = articles_unrated + so.articles * ((NEW.lean IS NULL)     - (OLD.lean IS NULL)),
        coverage_version = coverage_version + 1,
        changed_at = NEW.updated_at
    FROM story_outlets AS so
    WHERE so.outlet_id = NEW.id AND story_summaries.story_id = so.story_id;

    UPDATE story_outlets SET lean = NEW.lean WHERE outlet_id = NEW.id AND OLD.lean IS NOT NEW.lean;
END;

-- The stored blindspot follows the source counts and the thresholds.
CREATE TRIGGER story_summaries_after_count_update AFTER UPDATE OF sources_left, sources_center, sources_right ON story_summaries
WHEN OLD.sources_left IS NOT NEW.sources_left OR OLD.sources_center IS NOT NEW.sources_center OR OLD.sources_right IS NOT NEW.sources_right
BEGIN
    UPDATE story_summaries SET blindspot = (SELECT b.side FROM story_blindspots b WHERE b.story_id = NEW.story_id)
    WHERE story_id = NEW.story_id;
END;

-- New thresholds change every story's coverage answer: recompute every flag and move every version.
CREATE TRIGGER coverage_settings_after_update AFTER UPDATE ON coverage_settings
BEGIN
    UPDATE story_summaries SET
        blindspot = (SELECT b.side FROM story_blindspots b WHERE b.story_id = story_summaries.story_id),
        coverage_version = coverage_version + 1,
        changed_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);
END;
