-- The registration and name indexes lead with their most selective column. Every entry of an
-- organisation begins with the same 36-character org_id, so each comparison in a lookup or an
-- insert went past it, and past the country, before the key told entries apart: SQLite's fast
-- comparison of a leading text column never decided, and the general one ran every time. An
-- upload inserts into both indexes in random order (names and registration numbers are not
-- sorted), so that was most of the cost of inserting a supplier. Led by the key, most
-- comparisons end at its first bytes. The lookups (organisation, country and key, all by
-- equality) use the new indexes as they used the old ones.
DROP INDEX suppliers_org_reg;
DROP INDEX suppliers_org_name;
CREATE INDEX suppliers_reg_key ON suppliers(registration_number, country, org_id);
CREATE INDEX suppliers_name_key ON suppliers(name_key, country, org_id);
