-- The foreign keys of suppliers and upload_rows are checked at commit (DEFERRABLE INITIALLY
-- DEFERRED). An upload inserts their rows a hundred per statement; with a foreign key checked
-- per statement, SQLite kept a statement journal for each (a copy of every page the statement
-- touched, so that it could undo the statement alone), which made multi-row inserts slower
-- than one statement per row. Checked at commit, the statement needs no journal. Nothing else
-- changes: the same keys are enforced, every transaction still commits only if they hold.
--
-- SQLite cannot alter a constraint, so each table is rebuilt (sqlite.org/lang_altertable.html,
-- "Making Other Kinds Of Table Schema Changes"): foreign keys off, a new table, the rows
-- copied, the old table dropped, the new one renamed, its indexes made again.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE suppliers_new (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id) DEFERRABLE INITIALLY DEFERRED,
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
    upload_id TEXT NOT NULL REFERENCES uploads(id) DEFERRABLE INITIALLY DEFERRED,
    row_number INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    raw_json TEXT NOT NULL,
    errors_json TEXT NOT NULL,
    supplier_id TEXT REFERENCES suppliers(id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (upload_id, row_number)
);
INSERT INTO upload_rows_new (upload_id, row_number, status, raw_json, errors_json, supplier_id)
    SELECT upload_id, row_number, status, raw_json, errors_json, supplier_id FROM upload_rows ORDER BY rowid;
DROP TABLE upload_rows;
ALTER TABLE upload_rows_new RENAME TO upload_rows;
CREATE INDEX upload_rows_supplier ON upload_rows(supplier_id);

COMMIT;
PRAGMA foreign_keys = ON;
