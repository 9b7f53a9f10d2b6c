-- An organisation's settings: the markets it sells in (law-dependent actions and the workbook's
-- regulatory map follow them), the count of suppliers above which a shared value is a common
-- value rather than a network link, and the paper size of printed reports. No row means every
-- default: all markets, 10, A4.
CREATE TABLE org_settings (
    org_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations(id),
    markets_json TEXT NOT NULL,
    common_value_threshold INTEGER NOT NULL CHECK (common_value_threshold BETWEEN 2 AND 1000),
    paper_size TEXT NOT NULL CHECK (paper_size IN ('A4', 'Letter')),
    updated_at TIMESTAMP NOT NULL
);
