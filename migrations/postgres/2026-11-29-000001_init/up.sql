-- Manumit schema v1 (PostgreSQL). Keep in step with ../../sqlite/2026-11-29-000001_init/up.sql:
-- same tables, same columns, same constraints; only the type spellings differ.

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'procurement', 'auditor', 'integration')),
    key_prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX api_keys_prefix ON api_keys(key_prefix);
CREATE INDEX api_keys_org ON api_keys(org_id, created_at);

CREATE TABLE uploads (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    filename TEXT NOT NULL,
    format TEXT NOT NULL,
    kind TEXT NOT NULL,
    sheet TEXT,
    uploaded_by TEXT NOT NULL REFERENCES api_keys(id),
    created_at TIMESTAMP NOT NULL,
    rows_total INTEGER NOT NULL,
    rows_accepted INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    report_json TEXT NOT NULL,
    content BYTEA NOT NULL,
    UNIQUE (org_id, sha256)
);
CREATE INDEX uploads_org_created ON uploads(org_id, created_at);

CREATE TABLE suppliers (
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
    latest_assessment_id TEXT,
    latest_tier TEXT,
    latest_overall DOUBLE PRECISION,
    UNIQUE (org_id, match_key),
    UNIQUE (org_id, external_ref)
);
CREATE INDEX suppliers_org_reg ON suppliers(org_id, country, registration_number);
CREATE INDEX suppliers_org_name ON suppliers(org_id, country, name_key);
CREATE INDEX suppliers_org_sector ON suppliers(org_id, sector);
CREATE INDEX suppliers_org_tier ON suppliers(org_id, latest_tier);

CREATE TABLE upload_rows (
    upload_id TEXT NOT NULL REFERENCES uploads(id),
    row_number INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),
    raw_json TEXT NOT NULL,
    errors_json TEXT NOT NULL,
    supplier_id TEXT REFERENCES suppliers(id),
    PRIMARY KEY (upload_id, row_number)
);
CREATE INDEX upload_rows_supplier ON upload_rows(supplier_id);

CREATE TABLE questionnaire_responses (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    supplier_id TEXT NOT NULL REFERENCES suppliers(id),
    questionnaire_id TEXT NOT NULL,
    version TEXT NOT NULL,
    upload_id TEXT REFERENCES uploads(id),
    answers_json TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX responses_supplier ON questionnaire_responses(supplier_id, created_at);

CREATE TABLE assessments (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    supplier_id TEXT NOT NULL REFERENCES suppliers(id),
    methodology_version TEXT NOT NULL,
    tier TEXT NOT NULL,
    overall DOUBLE PRECISION NOT NULL,
    forced_labour_likely BOOLEAN NOT NULL,
    completeness DOUBLE PRECISION NOT NULL,
    inputs_hash TEXT NOT NULL,
    upload_id TEXT REFERENCES uploads(id),
    cause TEXT NOT NULL,
    body_json TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX assessments_supplier ON assessments(supplier_id, created_at);
CREATE INDEX assessments_org_upload ON assessments(org_id, upload_id);

CREATE TABLE findings (
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    seq INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    dimension TEXT NOT NULL,
    severity TEXT NOT NULL,
    points DOUBLE PRECISION NOT NULL,
    title TEXT NOT NULL,
    explanation TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    PRIMARY KEY (assessment_id, seq)
);

CREATE TABLE watchlists (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    edition TEXT NOT NULL,
    entries_json TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (org_id, name, edition)
);

CREATE TABLE screening_decisions (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    supplier_id TEXT NOT NULL REFERENCES suppliers(id),
    list_name TEXT NOT NULL,
    matched_entity TEXT NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'false_positive')),
    reason TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX screening_decisions_org ON screening_decisions(org_id, supplier_id);

CREATE TABLE idempotency_keys (
    org_id TEXT NOT NULL REFERENCES organisations(id),
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER,
    response_json TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (org_id, idem_key)
);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY NOT NULL,
    org_id TEXT,
    key_id TEXT,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail_json TEXT NOT NULL,
    request_id TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_org ON audit_log(org_id, created_at);
