-- Assessment bodies are stored compressed (zstd with a frozen dictionary, see
-- src/store/assessment_body.rs): a 4.4 KB body takes about 400 bytes. Rows written before keep
-- their body in body_json and are read as before; new rows leave body_json empty.
ALTER TABLE assessments ADD COLUMN body_zstd BYTEA;
