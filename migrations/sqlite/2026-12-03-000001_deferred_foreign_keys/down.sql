-- Back to foreign keys checked per statement (see up.sql), by the same rebuild.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE suppliers_new (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    match_key TEXT NOT NULL,
    external_ref TEXT,
    legal_name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    country TEXT NOT NULL,
    sector TEXT NOT NULL,
    commodity TEXT,
    registration_number TEXT,
    fields_json TEXT NOT NULL,
    extra_json TEXT NOT NULL,
    source_json TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, match_key),
    UNIQUE (org_id, external_ref)
);
INSERT INTO suppliers_new (id, org_id, match_key, external_ref, legal_name, name_key, country, sector, commodity,
        registration_number, fields_json, extra_json, source_json, created_at, updated_at)
    SELECT id, org_id, match_key, external_ref, legal_name, name_key, country, sector, commodity,
        registration_number, fields_json, extra_json, source_json, created_at, updated_at
    FROM suppliers ORDER BY rowid;
DROP TABLE suppliers;
ALTER TABLE suppliers_new RENAME TO suppliers;
CREATE INDEX suppliers_org_reg ON suppliers(org_id, country, registration_number);
CREATE INDEX suppliers_org_name ON suppliers(org_id, country, name_key);
CREATE INDEX suppliers_org_sector ON suppliers(org_id, sector);

CREATE TABLE upload_rows_new (
    upload_id TEXT NOT NULL REFERENCES uploads(id),
    row_number INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    raw_json TEXT NOT NULL,
    errors_json TEXT NOT NULL,
    supplier_id TEXT REFERENCES suppliers(id),
    PRIMARY KEY (upload_id, row_number)
);
INSERT INTO upload_rows_new (upload_id, row_number, status, raw_json, errors_json, supplier_id)
    SELECT upload_id, row_number, status, raw_json, errors_json, supplier_id FROM upload_rows ORDER BY rowid;
DROP TABLE upload_rows;
ALTER TABLE upload_rows_new RENAME TO upload_rows;
CREATE INDEX upload_rows_supplier ON upload_rows(supplier_id);

COMMIT;
PRAGMA foreign_keys = ON;
