-- Values the server makes for itself on first start and every process on the database shares, so they
-- survive restarts and hold across replicas: cursor_key (base64) signs list cursors. A value is never
-- updated in place; deleting cursor_key makes a new one at the next start, and outstanding cursors become 400s.
CREATE TABLE server_settings (
    name   TEXT NOT NULL PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;
