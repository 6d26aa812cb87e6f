-- A story's page embeds each article's outlet (name, domain, lean), so renaming an outlet changes the
-- pages of the stories it covered as much as re-rating it does: both now move those stories'
-- coverage_version (the ETag of their coverage and story pages) and changed_at.

DROP TRIGGER outlets_after_rating_update;

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
END;

-- New blindspot thresholds change every story's coverage answer: move every version with the flags.
DROP TRIGGER coverage_settings_after_update;

CREATE TRIGGER coverage_settings_after_update AFTER UPDATE ON coverage_settings
BEGIN
    UPDATE story_summaries SET
        blindspot = (SELECT b.side FROM story_blindspots b WHERE b.story_id = story_summaries.story_id),
        coverage_version = coverage_version + 1,
        changed_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER);
END;
