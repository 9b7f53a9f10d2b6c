-- An upload's original bytes move to a table of their own. The upload row is inserted first
-- (its rows refer to it) and updated with its counts and report at the end; with the bytes in
-- it, that update read and wrote the whole file again (SQLite rewrites a row whole): 15 MB
-- each way for a list of 100,000 suppliers, while the commit waited. Bytes are written once.
CREATE TABLE upload_files (
    upload_id TEXT PRIMARY KEY NOT NULL REFERENCES uploads(id),
    content BLOB NOT NULL
);
INSERT INTO upload_files (upload_id, content) SELECT id, content FROM uploads;
ALTER TABLE uploads DROP COLUMN content;
