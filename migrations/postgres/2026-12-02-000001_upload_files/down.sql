ALTER TABLE uploads ADD COLUMN content BYTEA NOT NULL DEFAULT '\x';
UPDATE uploads SET content = f.content FROM upload_files f WHERE f.upload_id = uploads.id;
DROP TABLE upload_files;
