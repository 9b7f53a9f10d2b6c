ALTER TABLE uploads ADD COLUMN content BLOB NOT NULL DEFAULT x'';
UPDATE uploads SET content = (SELECT f.content FROM upload_files f WHERE f.upload_id = uploads.id)
    WHERE EXISTS (SELECT 1 FROM upload_files f WHERE f.upload_id = uploads.id);
DROP TABLE upload_files;
