-- NewsLens schema for PostgreSQL: the same tables, columns, constraints and indexes as the SQLite schema after its
-- migration 0006 (db/migrations/sqlite), written as one script, so that the stores run one set of SQL on both engines.
-- Timestamps are bigint milliseconds since the Unix epoch, UTC (the service binds longs). Enum columns hold the
-- API's snake_case values; CHECK constraints keep them honest. Ids are identities that are never given out again
-- (like AUTOINCREMENT), so an ETag ("s7v1") or a cursor can never name a different row than the one it was issued for;
-- GENERATED ALWAYS refuses an id from outside, and the service reads new ids with RETURNING. Unlike AUTOINCREMENT,
-- a rolled-back insert or a row skipped by ON CONFLICT uses its id up: ids grow, with gaps.
-- Counts are integer, so that SUM() of them is a bigint (SUM of bigint would be numeric) and reads as a long.
-- The coverage summaries (story_outlets, story_summaries) are kept by the service in the same transaction as every
-- write that changes them (Coverage/CoverageSummaries.cs): no triggers, no views.

-- Full-text search folds case with lower(), which follows the database's LC_CTYPE: under C or POSIX it folds ASCII
-- only, and 'москва' would not find 'МОСКВА'. Such a database is refused here rather than searched wrongly.
DO $$
BEGIN
    IF pg_catalog.current_setting('server_encoding') <> 'UTF8' THEN
        RAISE EXCEPTION 'NewsLens needs a UTF8 database, not %', pg_catalog.current_setting('server_encoding');
    END IF;
    IF pg_catalog.lower(pg_catalog.chr(1044) || pg_catalog.chr(201)) <> pg_catalog.chr(1076) || pg_catalog.chr(233) THEN  -- ДÉ, дé
        RAISE EXCEPTION 'NewsLens needs a database whose LC_CTYPE folds case beyond ASCII (C.UTF-8, en_US.UTF-8, ...), not %',
            pg_catalog.current_setting('lc_ctype');
    END IF;
END
$$;

-- Full-text search for GET /v1/stories?q= (SQLite: the FTS5 table stories_fts, tokenizer unicode61 remove_diacritics 2).
-- unaccent is a trusted extension: the database's owner may create it. The schema lives in public, and the functions
-- below name what they call with its schema, so they also work where search_path is empty (a pg_dump restore
-- recomputes the generated column so).
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

-- unaccent() is only STABLE (its dictionary could change), so a generated column cannot call it; this wrapper names
-- the dictionary and is declared IMMUTABLE, the usual pattern.
CREATE FUNCTION public.newslens_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS 'SELECT public.unaccent(''public.unaccent'', $1)';

-- Text as full-text search reads it, the same for stories and for queries: lower case, accents folded, and every run
-- of punctuation or space made one space, so that words are the runs of letters and digits, as unicode61 cuts them.
-- Without the last step PostgreSQL's parser keeps 'COVID-19' as 'covid' and '-19', and '3.5', 'bbc.co.uk' and URLs
-- as one word each, which '19', '5' or 'uk' would not find; and unaccent turns a few letters into punctuation
-- (ŉ -> 'n, ː -> :) that a tsquery would read as syntax.
CREATE FUNCTION public.newslens_search_text(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS 'SELECT pg_catalog.regexp_replace(public.newslens_unaccent(pg_catalog.lower($1)), ''[[:punct:][:space:]]+'', '' '', ''g'')';

-- The query for q: every word of the text as a prefix, all of them required ('Zürich elect' -> 'zurich':* & 'elect':*),
-- as the FTS5 query '"Zürich"* "elect"*' asks. Punctuation only separates words, so any text can be passed (that
-- FTS5 query as it is, or the words as typed) and none is read as tsquery syntax; text without a word gives NULL,
-- which matches nothing.
CREATE FUNCTION public.newslens_search_query(text) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS 'SELECT pg_catalog.to_tsquery(''pg_catalog.simple'',
            NULLIF(pg_catalog.replace(pg_catalog.btrim(public.newslens_search_text($1)), '' '', '':* & ''), '''') || '':*'')';

CREATE TABLE outlets (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text    NOT NULL,
    domain      text    NOT NULL,
    bias        text    NULL CHECK (bias IN ('far_left', 'left', 'lean_left', 'center', 'lean_right', 'right', 'far_right')),
    factuality  text    NULL CHECK (factuality IN ('very_high', 'high', 'mostly_factual', 'mixed', 'low', 'very_low')),
    ownership   text    NULL CHECK (ownership IN ('independent', 'media_conglomerate', 'billionaire', 'private_equity', 'government', 'corporation', 'telecom', 'other')),
    country     text    NULL,
    -- The 3-bucket lean is derived from bias so lists can filter on it through an index.
    lean        text    GENERATED ALWAYS AS (
                    CASE
                        WHEN bias IN ('far_left', 'left', 'lean_left') THEN 'left'
                        WHEN bias = 'center' THEN 'center'
                        WHEN bias IN ('lean_right', 'right', 'far_right') THEN 'right'
                    END) STORED,
    created_at  bigint  NOT NULL,
    updated_at  bigint  NOT NULL,
    -- Row versions for ETags and If-Match: the API bumps them on every change of the representation.
    version     bigint  NOT NULL DEFAULT 1
);

CREATE UNIQUE INDEX ux_outlets_domain ON outlets (domain);
-- The outlet list filtered by lean, in id order.
CREATE INDEX ix_outlets_lean ON outlets (lean, id);

CREATE TABLE stories (
    id          bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title       text    NOT NULL,
    summary     text    NULL,
    created_at  bigint  NOT NULL,
    updated_at  bigint  NOT NULL,
    version     bigint  NOT NULL DEFAULT 1,
    -- The words of title and summary for q (public.newslens_search_text), kept by the engine, so no write can forget
    -- them. The simple configuration has no stop words and no stemming, as unicode61. A story matches q with
    -- search @@ newslens_search_query(@FullTextQuery).
    search      tsvector GENERATED ALWAYS AS (
                    to_tsvector('simple', public.newslens_search_text(coalesce(title, '') || ' ' || coalesce(summary, '')))) STORED
);

-- GIN answers @@ with prefix terms (word:*) too.
CREATE INDEX ix_stories_search ON stories USING gin (search);

CREATE TABLE articles (
    id            bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    url           text    NOT NULL,
    title         text    NOT NULL,
    -- An article keeps its outlet for life (the service refuses a change); links copy it, and coverage is counted by it.
    outlet_id     bigint  NOT NULL REFERENCES outlets (id),
    published_at  bigint  NOT NULL,
    created_at    bigint  NOT NULL,
    version       bigint  NOT NULL DEFAULT 1
);

CREATE UNIQUE INDEX ux_articles_url ON articles (url);
-- Article lists run newest published first; keyset pagination walks (published_at, id).
CREATE INDEX ix_articles_published ON articles (published_at DESC, id DESC);
-- The same per outlet; it also serves the foreign key from articles when an outlet is deleted.
CREATE INDEX ix_articles_outlet_published ON articles (outlet_id, published_at DESC, id DESC);
-- What the links' composite foreign key refers to.
CREATE UNIQUE INDEX ux_articles_link_key ON articles (id, outlet_id, published_at);

-- Links carry their article's outlet and publication time, so coverage and the story page never read the articles
-- table. The composite foreign key keeps the copies equal: a changed publication time cascades into every link of
-- the article, and deleting an article deletes its links.
CREATE TABLE story_articles (
    story_id      bigint  NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    article_id    bigint  NOT NULL,
    outlet_id     bigint  NOT NULL,
    published_at  bigint  NOT NULL,
    linked_at     bigint  NOT NULL,
    PRIMARY KEY (story_id, article_id),
    FOREIGN KEY (article_id, outlet_id, published_at)
        REFERENCES articles (id, outlet_id, published_at) ON DELETE CASCADE ON UPDATE CASCADE
);

-- An article's links (its pairs before a delete, and the cascades of the foreign key above).
CREATE INDEX ix_story_articles_article ON story_articles (article_id, story_id);
-- The story page: a story's articles, newest published first, without a sort.
CREATE INDEX ix_story_articles_story_published ON story_articles (story_id, published_at DESC, article_id DESC);
-- The recount of one (story, outlet) pair from its links: count, first and last publication time.
CREATE INDEX ix_story_articles_story_outlet ON story_articles (story_id, outlet_id, published_at);

-- One row per (story, outlet that covered it): its articles in the story, their first and last publication time,
-- and the outlet's lean, copied so the recount of a story reads no outlet.
CREATE TABLE story_outlets (
    story_id            bigint  NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    outlet_id           bigint  NOT NULL REFERENCES outlets (id),
    articles            integer NOT NULL CHECK (articles >= 0),
    first_published_at  bigint  NOT NULL,
    last_published_at   bigint  NOT NULL,
    lean                text    NULL CHECK (lean IN ('left', 'center', 'right')),
    PRIMARY KEY (story_id, outlet_id)
);

-- Stories an outlet covered (the outletId filter, and re-rating); it also serves the foreign key to outlets.
CREATE INDEX ix_story_outlets_outlet ON story_outlets (outlet_id, story_id);

-- The thresholds the stored blindspot flags were computed with; the API writes its configured
-- Coverage:Blindspot values here at start, and a change recomputes every flag.
CREATE TABLE coverage_settings (
    id                       integer PRIMARY KEY CHECK (id = 1),
    min_rated                integer NOT NULL,
    max_neglecting_percent   integer NOT NULL,
    min_dominant_percent     integer NOT NULL
);
INSERT INTO coverage_settings (id, min_rated, max_neglecting_percent, min_dominant_percent) VALUES (1, 5, 20, 50);

-- One row per story (the service inserts it with the story): sources (distinct outlets) and articles per lean,
-- first/last publication, and what list filters and sorts need.
CREATE TABLE story_summaries (
    story_id            bigint  PRIMARY KEY REFERENCES stories (id) ON DELETE CASCADE,
    sources_left        integer NOT NULL DEFAULT 0,
    sources_center      integer NOT NULL DEFAULT 0,
    sources_right       integer NOT NULL DEFAULT 0,
    sources_unrated     integer NOT NULL DEFAULT 0,
    articles_left       integer NOT NULL DEFAULT 0,
    articles_center     integer NOT NULL DEFAULT 0,
    articles_right      integer NOT NULL DEFAULT 0,
    articles_unrated    integer NOT NULL DEFAULT 0,
    first_published_at  bigint  NULL,
    last_published_at   bigint  NULL,
    -- Sources basis, written by the service (BiasDistributionRule): the lean with the strictly largest count, else 'none'.
    majority            text    NOT NULL DEFAULT 'none' CHECK (majority IN ('left', 'center', 'right', 'none')),
    -- Sources basis, written by the service from coverage_settings' thresholds.
    blindspot           text    NULL CHECK (blindspot IN ('left', 'right')),
    -- Changes whenever the story's coverage can read differently (ETag of coverage).
    coverage_version    bigint  NOT NULL DEFAULT 1,
    -- The story's last change, of its own fields or of its coverage (Last-Modified, sort=recently_updated).
    changed_at          bigint  NOT NULL,
    total_sources       integer GENERATED ALWAYS AS (sources_left + sources_center + sources_right + sources_unrated) STORED,
    total_articles      integer GENERATED ALWAYS AS (articles_left + articles_center + articles_right + articles_unrated) STORED
);

-- The story list (GET /v1/stories): filters on majority, blindspot and publishedFrom/To (first_published_at) read
-- their index in story_id order (sort=newest); sort=most_sources and recently_updated walk (key, story_id) backwards
-- for their keyset. A majority or a blindspot side has its own index per sort, so a filtered list walks one index in
-- sort order instead of sorting every matching story.
CREATE INDEX ix_story_summaries_majority ON story_summaries (majority, story_id);
CREATE INDEX ix_story_summaries_blindspot ON story_summaries (blindspot, story_id) WHERE blindspot IS NOT NULL;
CREATE INDEX ix_story_summaries_sources ON story_summaries (total_sources, story_id);
CREATE INDEX ix_story_summaries_first_published ON story_summaries (first_published_at, story_id);
CREATE INDEX ix_story_summaries_changed ON story_summaries (changed_at, story_id);
CREATE INDEX ix_story_summaries_majority_changed ON story_summaries (majority, changed_at, story_id);
CREATE INDEX ix_story_summaries_majority_sources ON story_summaries (majority, total_sources, story_id);
CREATE INDEX ix_story_summaries_blindspot_changed ON story_summaries (blindspot, changed_at, story_id) WHERE blindspot IS NOT NULL;
CREATE INDEX ix_story_summaries_blindspot_sources ON story_summaries (blindspot, total_sources, story_id) WHERE blindspot IS NOT NULL;

-- Values the server makes for itself on first start and every process on the database shares, so they
-- survive restarts and hold across replicas: cursor_key (base64) signs list cursors. A value is never
-- updated in place; deleting cursor_key makes a new one at the next start, and outstanding cursors become 400s.
CREATE TABLE server_settings (
    name   text NOT NULL PRIMARY KEY,
    value  text NOT NULL
);
