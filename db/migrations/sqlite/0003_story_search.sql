-- Full-text search over story titles and summaries for GET /v1/stories?q=, kept in step with the
-- stories table by triggers. Case- and accent-insensitive (unicode61, remove_diacritics 2).

CREATE VIRTUAL TABLE stories_fts USING fts5(
    title,
    summary,
    content = 'stories',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO stories_fts (stories_fts) VALUES ('rebuild');

CREATE TRIGGER stories_fts_after_insert AFTER INSERT ON stories
BEGIN
    INSERT INTO stories_fts (rowid, title, summary) VALUES (NEW.id, NEW.title, NEW.summary);
END;

CREATE TRIGGER stories_fts_after_delete AFTER DELETE ON stories
BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, title, summary) VALUES ('delete', OLD.id, OLD.title, OLD.summary);
END;

CREATE TRIGGER stories_fts_after_update AFTER UPDATE OF title, summary ON stories
BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, title, summary) VALUES ('delete', OLD.id, OLD.title, OLD.summary);
    INSERT INTO stories_fts (rowid, title, summary) VALUES (NEW.id, NEW.title, NEW.summary);
END;
