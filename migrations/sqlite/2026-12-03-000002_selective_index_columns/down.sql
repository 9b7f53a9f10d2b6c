DROP INDEX suppliers_reg_key;
DROP INDEX suppliers_name_key;
CREATE INDEX suppliers_org_reg ON suppliers(org_id, country, registration_number);
CREATE INDEX suppliers_org_name ON suppliers(org_id, country, name_key);
