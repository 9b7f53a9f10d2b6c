DROP INDEX suppliers_reg_key;
CREATE INDEX suppliers_org_reg ON suppliers(org_id, country, registration_number);
