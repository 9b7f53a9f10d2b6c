//! The sector keyword file (`data/sector_keywords.csv`), embedded here only for its provenance
//! (edition and SHA-256 on the workbook's Methodology sheet). It is read by the ingest, which
//! turns sector labels into sectors (`crate::ingest::match_sector`).

pub const SECTOR_KEYWORDS_FILE: &str = "sector_keywords.csv";
pub(super) const SECTOR_KEYWORDS_CSV: &str = include_str!("../../data/sector_keywords.csv");
