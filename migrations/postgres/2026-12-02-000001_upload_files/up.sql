-- An upload's original bytes move to a table of their own. The upload row is inserted first
-- (its rows refer to it) and updated with its counts and report at the end; with the bytes in
-- it, that update wrote a new version of the whole row, bytes included. Bytes are written once.
CREATE TABLE upload_files (
    upload_id TEXT PRIMARY KEY NOT NULL REFERENCES uploads(id),
    content BYTEA NOT NULL
);
INSERT INTO upload_files (upload_id, content) SELECT id, content FROM uploads;
ALTER TABLE uploads DROP COLUMN content;
