ALTER TABLE assessments DROP COLUMN body_zstd;
