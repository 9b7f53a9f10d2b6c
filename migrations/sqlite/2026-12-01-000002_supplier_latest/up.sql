-- A supplier's latest assessment moves to a narrow table of its own. Setting it was an UPDATE
-- of the supplier's whole row (about 2 KB): after an upload of 100,000 suppliers, every page
-- of the suppliers table was written a second time. Now it is an upsert of a row of 100 bytes.
CREATE TABLE supplier_latest (
    supplier_id TEXT PRIMARY KEY NOT NULL REFERENCES suppliers(id),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    tier TEXT NOT NULL,
    overall DOUBLE NOT NULL
) WITHOUT ROWID;
CREATE INDEX supplier_latest_org_tier ON supplier_latest(org_id, tier);
INSERT INTO supplier_latest (supplier_id, org_id, assessment_id, tier, overall)
    SELECT id, org_id, latest_assessment_id, latest_tier, latest_overall FROM suppliers
    WHERE latest_assessment_id IS NOT NULL AND latest_tier IS NOT NULL AND latest_overall IS NOT NULL;
DROP INDEX suppliers_org_tier;
ALTER TABLE suppliers DROP COLUMN latest_assessment_id;
ALTER TABLE suppliers DROP COLUMN latest_tier;
ALTER TABLE suppliers DROP COLUMN latest_overall;
