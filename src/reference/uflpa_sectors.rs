//! UFLPA high-priority sectors (DHS/FLETF UFLPA Strategy: 12 sectors as of 2025-08-19) and the
//! matching of a commodity text against their keywords (`data/uflpa_high_priority_sectors.csv`).
//!
//! Keywords match as whole words after folding and singularising ("steel" does not match
//! "steelers"; "jujubes" matches "jujube"); Chinese keywords (红枣) match as substrings. The
//! longest matching keyword wins, ties going to the sector listed first. Some keywords are
//! generic ("electronics", "adhesives", "fabric", "yarn", "auto parts") and over-match: the
//! scoring applies a sector only to China-linked suppliers.

use super::goods::stem;
use super::text::{find_phrase, folded_words};
use serde::Deserialize;
use std::sync::LazyLock;

pub const UFLPA_SECTORS_FILE: &str = "uflpa_high_priority_sectors.csv";
pub(super) const UFLPA_SECTORS_CSV: &str = include_str!("../../data/uflpa_high_priority_sectors.csv");

/// One high-priority sector with its keywords.
#[derive(Debug, Clone, PartialEq)]
pub struct HighPrioritySector {
    pub sector: String,
    pub keywords: Vec<String>,
    /// The date the sector was added to the Strategy (ISO 8601).
    pub added_on: String,
    pub source: String,
    /// Which keywords come from a source and which were chosen for matching.
    pub keyword_basis: String,
    stems: Vec<Vec<String>>,
}

/// A commodity that falls in a high-priority sector, with the keyword that matched.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HighPriorityHit {
    pub sector: &'static HighPrioritySector,
    pub keyword: &'static str,
}

#[derive(Deserialize)]
struct RawSector {
    sector: String,
    keywords: String,
    added_on: String,
    source: String,
    keyword_basis: String,
}

fn stems(text: &str) -> Vec<String> {
    folded_words(text).iter().map(|w| stem(w)).collect()
}

static SECTORS: LazyLock<Vec<HighPrioritySector>> = LazyLock::new(|| {
    super::rows::<RawSector>(UFLPA_SECTORS_CSV)
        .into_iter()
        .map(|r| {
            let keywords: Vec<String> =
                r.keywords.split('|').map(str::trim).filter(|k| !k.is_empty()).map(str::to_string).collect();
            HighPrioritySector {
                sector: r.sector.trim().to_string(),
                stems: keywords.iter().map(|k| stems(k)).collect(),
                keywords,
                added_on: r.added_on.trim().to_string(),
                source: r.source,
                keyword_basis: r.keyword_basis,
            }
        })
        .collect()
});

/// The twelve sectors, in file order.
pub fn uflpa_high_priority_sectors() -> &'static [HighPrioritySector] {
    &SECTORS
}

/// The high-priority sector a commodity falls in, with the keyword that matched (see the
/// module doc). None for an empty commodity or one no keyword matches.
pub fn uflpa_high_priority(commodity: &str) -> Option<HighPriorityHit> {
    let words = stems(commodity);
    let mut best: Option<(usize, HighPriorityHit)> = None;
    for s in SECTORS.iter() {
        for (kw, st) in s.keywords.iter().zip(&s.stems) {
            let (found, len) = if st.is_empty() || !kw.is_ascii() {
                (commodity.contains(kw.as_str()), kw.chars().count())
            } else {
                (find_phrase(&words, st).is_some(), st.len())
            };
            if found && best.as_ref().is_none_or(|(l, _)| len > *l) {
                best = Some((len, HighPriorityHit { sector: s, keyword: kw }));
            }
        }
    }
    best.map(|(_, h)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sector(c: &str) -> Option<(&'static str, &'static str)> {
        uflpa_high_priority(c).map(|h| (h.sector.sector.as_str(), h.keyword))
    }

    #[test]
    fn all_twelve_sectors_with_dates() {
        let s = uflpa_high_priority_sectors();
        assert_eq!(s.len(), 12);
        assert_eq!(s.iter().filter(|x| x.added_on == "2022-06-17").count(), 4);
        assert_eq!(s.iter().filter(|x| x.added_on == "2024-07-09").count(), 3);
        assert_eq!(s.iter().filter(|x| x.added_on == "2025-08-19").count(), 5);
        assert!(s.iter().any(|x| x.sector == "Apparel"));
        assert!(s.iter().all(|x| !x.keywords.is_empty() && !x.source.is_empty()));
    }

    #[test]
    fn commodities_fall_in_their_sector() {
        assert_eq!(sector("Steel coils").map(|s| s.0), Some("Steel"));
        assert_eq!(sector("dried red dates"), Some(("Red dates (jujubes)", "red dates")));
        assert_eq!(sector("Jujubes").map(|s| s.0), Some("Red dates (jujubes)"));
        assert_eq!(sector("红枣").map(|s| s.0), Some("Red dates (jujubes)"));
        assert_eq!(sector("aluminium extrusions").map(|s| s.0), Some("Aluminum"));
        assert_eq!(sector("Aluminum ingot").map(|s| s.0), Some("Aluminum"));
        for c in ["PVC resin", "polyvinyl chloride", "Vinyl flooring"] {
            assert_eq!(sector(c).map(|s| s.0), Some("Polyvinyl chloride (PVC)"), "{c}");
        }
        assert_eq!(sector("Cotton yarn").map(|s| s.1), Some("cotton yarn"));
        assert_eq!(sector("Solar panels").map(|s| s.0), Some("Silica-based products including polysilicon"));
        assert_eq!(sector("Tomato paste").map(|s| s.0), Some("Tomatoes and downstream products"));
        assert_eq!(sector("frozen shrimp").map(|s| s.0), Some("Seafood"));
        assert_eq!(sector("Men's jeans").map(|s| s.0), Some("Apparel"));
        assert_eq!(sector("sodium hydroxide").map(|s| s.0), Some("Caustic soda"));
        assert_eq!(sector("lithium-ion battery cells").map(|s| s.0), Some("Lithium"));
        assert_eq!(sector("copper wire").map(|s| s.0), Some("Copper"));
    }

    #[test]
    fn whole_words_only_and_unrelated_goods_do_not_match() {
        assert_eq!(sector("Steelers merchandise"), None);
        assert_eq!(sector("fishing nets"), None);
        assert_eq!(sector("Coffee beans"), None);
        assert_eq!(sector("dates"), None);
        assert_eq!(sector(""), None);
    }
}
