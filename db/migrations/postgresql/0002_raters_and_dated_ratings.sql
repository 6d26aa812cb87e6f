-- Raters and their dated ratings of outlets: the same tables as the SQLite migration 0007 (read it for what each
-- column means). An outlet's bias and factuality columns become the combined rating, kept by the service.

CREATE TABLE raters (
    id          text     PRIMARY KEY,
    name        text     NOT NULL,
    url         text     NULL,
    vocabulary  text     NOT NULL CHECK (vocabulary IN ('newslens', 'allsides', 'mbfc', 'adfontes')),
    built_in    boolean  NOT NULL DEFAULT false,
    position    integer  NOT NULL UNIQUE,
    created_at  bigint   NOT NULL
);

INSERT INTO raters (id, name, url, vocabulary, built_in, position, created_at) VALUES
    ('newslens', 'NewsLens', NULL, 'newslens', true, 1, 0),
    ('allsides', 'AllSides', 'https://www.allsides.com/media-bias/ratings', 'allsides', true, 2, 0),
    ('mbfc', 'Media Bias/Fact Check', 'https://mediabiasfactcheck.com', 'mbfc', true, 3, 0),
    ('adfontes', 'Ad Fontes Media', 'https://adfontesmedia.com', 'adfontes', true, 4, 0);

CREATE TABLE outlet_ratings (
    id              bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outlet_id       bigint  NOT NULL REFERENCES outlets (id) ON DELETE CASCADE,
    rater_id        text    NOT NULL REFERENCES raters (id),
    bias            text    NULL CHECK (bias IN ('far_left', 'left', 'lean_left', 'center', 'lean_right', 'right', 'far_right')),
    rater_bias      text    NULL,
    factuality      text    NULL CHECK (factuality IN ('very_high', 'high', 'mostly_factual', 'mixed', 'low', 'very_low')),
    effective_from  bigint  NOT NULL,
    source_url      text    NULL,
    note            text    NULL,
    recorded_at     bigint  NOT NULL,
    recorded_by     text    NULL
);

CREATE UNIQUE INDEX ux_outlet_ratings_in_force ON outlet_ratings (outlet_id, rater_id, effective_from);
CREATE INDEX ix_outlet_ratings_rater ON outlet_ratings (rater_id, outlet_id, effective_from);

-- 0 or 1 as on SQLite, so the stores read one type on both engines.
ALTER TABLE outlets ADD COLUMN multi_rated integer NOT NULL DEFAULT 0 CHECK (multi_rated IN (0, 1));
ALTER TABLE outlets ADD COLUMN contested integer NOT NULL DEFAULT 0 CHECK (contested IN (0, 1));

INSERT INTO outlet_ratings (outlet_id, rater_id, bias, rater_bias, factuality, effective_from, note, recorded_at, recorded_by)
SELECT id, 'newslens', bias, bias, factuality, updated_at, 'Carried over from the outlet''s single rating (migration 0002).', updated_at, NULL
FROM outlets
WHERE bias IS NOT NULL OR factuality IS NOT NULL;
