-- NewsLens core schema: outlets, stories, articles and the story <-> article links.
-- Timestamps are stored as INTEGER milliseconds since the Unix epoch, UTC.
-- Enum columns hold the API's snake_case values; CHECK constraints keep them honest.
-- AUTOINCREMENT: an id is never given out again after a delete, so an ETag ("s7v1") or a cursor can
-- never name a different row than the one it was issued for.

CREATE TABLE outlets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT    NOT NULL,
    domain      TEXT    NOT NULL,
    bias        TEXT    NULL CHECK (bias IN ('far_left', 'left', 'lean_left', 'center', 'lean_right', 'right', 'far_right')),
    factuality  TEXT    NULL CHECK (factuality IN ('very_high', 'high', 'mostly_factual', 'mixed', 'low', 'very_low')),
    ownership   TEXT    NULL CHECK (ownership IN ('independent', 'media_conglomerate', 'billionaire', 'private_equity', 'government', 'corporation', 'telecom', 'other')),
    country     TEXT    NULL,
    -- The 3-bucket lean is derived from bias so lists can filter on it through an index.
    lean        TEXT    GENERATED ALWAYS AS (
                    CASE
                        WHEN bias IN ('far_left', 'left', 'lean_left') THEN 'left'
                        WHEN bias = 'center' THEN 'center'
                        WHEN bias IN ('lean_right', 'right', 'far_right') THEN 'right'
                    END) VIRTUAL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE UNIQUE INDEX ux_outlets_domain ON outlets (domain);
CREATE INDEX ix_outlets_lean ON outlets (lean, id);

CREATE TABLE stories (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT    NOT NULL,
    summary     TEXT    NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE articles (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    url           TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    outlet_id     INTEGER NOT NULL REFERENCES outlets (id),
    published_at  INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE UNIQUE INDEX ux_articles_url ON articles (url);
-- Article lists run newest published first; keyset pagination walks (published_at, id).
CREATE INDEX ix_articles_published ON articles (published_at DESC, id DESC);
CREATE INDEX ix_articles_outlet_published ON articles (outlet_id, published_at DESC, id DESC);

CREATE TABLE story_articles (
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    article_id  INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    linked_at   INTEGER NOT NULL,
    PRIMARY KEY (story_id, article_id)
) WITHOUT ROWID;

CREATE INDEX ix_story_articles_article ON story_articles (article_id, story_id);
