//! Minimum working age per country (ILO C138): the age declared at ratification where
//! `data/min_working_age.csv` has a row, else 15 (C138 Art. 2(3)). Countries that declared 14
//! under Art. 2(4) are rows of the file; a country without a row gets the default.

use serde::Deserialize;
use std::sync::LazyLock;

pub const MIN_AGE_FILE: &str = "min_working_age.csv";
pub const DEFAULT_MIN_AGE: u8 = 15;
pub(super) const MIN_AGE_CSV: &str = include_str!("../../data/min_working_age.csv");

/// One row of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinAgeRow {
    pub iso2: String,
    pub country: String,
    pub min_age: u8,
    /// "C138 declaration at ratification" or "national law".
    pub basis: String,
    /// Ratification date where a source confirmed it.
    pub ratified: String,
    /// "high" (read in a stored source) or "medium" (recalled, to check).
    pub confidence: String,
    pub source: String,
}

/// The minimum working age used for a supplier, with where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinAge {
    pub age: u8,
    /// `min_working_age.csv: CN (C138 declaration at ratification)` or `default 15 (ILO C138 Art. 2(3))`.
    pub source: String,
}

#[derive(Deserialize)]
struct RawMinAge {
    iso2: String,
    country: String,
    min_age: u8,
    basis: String,
    ratified: String,
    confidence: String,
    source: String,
}

static ROWS: LazyLock<Vec<MinAgeRow>> = LazyLock::new(|| {
    super::rows::<RawMinAge>(MIN_AGE_CSV)
        .into_iter()
        .filter(|r| (14..=16).contains(&r.min_age))
        .map(|r| MinAgeRow {
            iso2: r.iso2.trim().to_ascii_uppercase(),
            country: r.country,
            min_age: r.min_age,
            basis: r.basis,
            ratified: r.ratified,
            confidence: r.confidence,
            source: r.source,
        })
        .collect()
});

/// The rows of the file.
pub fn min_working_age_rows() -> &'static [MinAgeRow] {
    &ROWS
}

/// The minimum working age for a country (alpha-2), or the default for an unknown one.
pub fn min_working_age(iso2: Option<&str>) -> MinAge {
    let code = iso2.map(|c| c.trim().to_ascii_uppercase());
    match code.and_then(|c| ROWS.iter().find(|r| r.iso2 == c)) {
        Some(r) => MinAge { age: r.min_age, source: format!("{MIN_AGE_FILE}: {} ({})", r.iso2, r.basis) },
        None => MinAge { age: DEFAULT_MIN_AGE, source: format!("default {DEFAULT_MIN_AGE} (ILO C138 Art. 2(3))") },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_parses_completely() {
        let rows = MIN_AGE_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(min_working_age_rows().len(), rows);
        assert!(min_working_age_rows().iter().all(|r| ["high", "medium"].contains(&r.confidence.as_str())));
    }

    #[test]
    fn declared_ages_and_the_default() {
        assert_eq!(min_working_age(Some("bd")).age, 14);
        assert_eq!(min_working_age(Some("CN")).age, 16);
        assert_eq!(min_working_age(Some("TH")).age, 15);
        assert_eq!(min_working_age(Some("BR")).age, 16);
        assert_eq!(min_working_age(Some("CI")).age, 14);
        assert_eq!(min_working_age(Some("CN")).source, "min_working_age.csv: CN (C138 declaration at ratification)");
        let d = min_working_age(Some("FR"));
        assert_eq!((d.age, d.source.as_str()), (15, "default 15 (ILO C138 Art. 2(3))"));
        assert_eq!(min_working_age(None).age, 15);
    }
}
