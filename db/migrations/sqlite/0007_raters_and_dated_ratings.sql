-- Raters and their dated ratings of outlets. An outlet's bias and factuality columns become the combined rating
-- (Ratings:Combine, Ratings/CombinedRating.cs), kept by the service in the same transaction as every rating it
-- records, so the coverage summaries and every list filter read them as before. Ratings are never updated or deleted
-- (except with their outlet): a rating is in force from effective_from until the same rater's next one.

-- Who rates outlets. Four are built in; partners add their own (POST /v1/raters). vocabulary decides which words
-- (or Ad Fontes scores) a rater's ratings are written in. position orders the raters for Ratings:Combine when no list
-- is configured: the built-in ones first, then in the order they were added.
CREATE TABLE raters (
    id          TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    url         TEXT    NULL,
    vocabulary  TEXT    NOT NULL CHECK (vocabulary IN ('newslens', 'allsides', 'mbfc', 'adfontes')),
    built_in    INTEGER NOT NULL DEFAULT 0 CHECK (built_in IN (0, 1)),
    position    INTEGER NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO raters (id, name, url, vocabulary, built_in, position, created_at) VALUES
    ('newslens', 'NewsLens', NULL, 'newslens', 1, 1, 0),
    ('allsides', 'AllSides', 'https://www.allsides.com/media-bias/ratings', 'allsides', 1, 2, 0),
    ('mbfc', 'Media Bias/Fact Check', 'https://mediabiasfactcheck.com', 'mbfc', 1, 3, 0),
    ('adfontes', 'Ad Fontes Media', 'https://adfontesmedia.com', 'adfontes', 1, 4, 0);

-- One dated rating of an outlet by a rater. bias is the 7-point value (NULL: the rater withdrew or declines, such as
-- AllSides' "Mixed"); rater_bias the rater's own word or Ad Fontes score as it was sent. recorded_by is the name of
-- the API key that recorded it (NULL for ratings this migration carried over).
CREATE TABLE outlet_ratings (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    outlet_id       INTEGER NOT NULL REFERENCES outlets (id) ON DELETE CASCADE,
    rater_id        TEXT    NOT NULL REFERENCES raters (id),
    bias            TEXT    NULL CHECK (bias IN ('far_left', 'left', 'lean_left', 'center', 'lean_right', 'right', 'far_right')),
    rater_bias      TEXT    NULL,
    factuality      TEXT    NULL CHECK (factuality IN ('very_high', 'high', 'mostly_factual', 'mixed', 'low', 'very_low')),
    effective_from  INTEGER NOT NULL,
    source_url      TEXT    NULL,
    note            TEXT    NULL,
    recorded_at     INTEGER NOT NULL,
    recorded_by     TEXT    NULL
);

-- The rating of a rater in force at an instant: the last one at or before it. One rating per rater and instant.
CREATE UNIQUE INDEX ux_outlet_ratings_in_force ON outlet_ratings (outlet_id, rater_id, effective_from);
-- Every outlet a rater rated (coverage with ?rater=, and a rater's import).
CREATE INDEX ix_outlet_ratings_rater ON outlet_ratings (rater_id, outlet_id, effective_from);

-- Whether the raters the combination reads disagree about the outlet, kept with its combined rating: multi_rated when
-- two or more of them have a bias rating in force, contested when those put it in different leans. Coverage counts
-- the units of such outlets (disagreement).
ALTER TABLE outlets ADD COLUMN multi_rated INTEGER NOT NULL DEFAULT 0 CHECK (multi_rated IN (0, 1));
ALTER TABLE outlets ADD COLUMN contested INTEGER NOT NULL DEFAULT 0 CHECK (contested IN (0, 1));

-- What each outlet was rated before raters existed becomes its NewsLens rating, effective at its last update, so
-- every coverage answer stays the same.
INSERT INTO outlet_ratings (outlet_id, rater_id, bias, rater_bias, factuality, effective_from, note, recorded_at, recorded_by)
SELECT id, 'newslens', bias, bias, factuality, updated_at, 'Carried over from the outlet''s single rating (migration 0007).', updated_at, NULL
FROM outlets
WHERE bias IS NOT NULL OR factuality IS NOT NULL;
