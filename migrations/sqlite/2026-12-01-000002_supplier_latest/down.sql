ALTER TABLE suppliers ADD COLUMN latest_assessment_id TEXT;
ALTER TABLE suppliers ADD COLUMN latest_tier TEXT;
ALTER TABLE suppliers ADD COLUMN latest_overall DOUBLE;
UPDATE suppliers SET
    latest_assessment_id = (SELECT assessment_id FROM supplier_latest l WHERE l.supplier_id = suppliers.id),
    latest_tier = (SELECT tier FROM supplier_latest l WHERE l.supplier_id = suppliers.id),
    latest_overall = (SELECT overall FROM supplier_latest l WHERE l.supplier_id = suppliers.id);
CREATE INDEX suppliers_org_tier ON suppliers(org_id, latest_tier);
DROP TABLE supplier_latest;
