//! Sector keywords (`data/sector_keywords.csv`): the words and phrases people use for the four
//! sectors (DOMAIN.md §1), folded to lower case without accents, for reading sector labels.

use super::text::{find_phrase, fold, folded_words};
use crate::domain::Sector;
use serde::Deserialize;
use std::sync::LazyLock;

pub const SECTOR_KEYWORDS_FILE: &str = "sector_keywords.csv";
pub(super) const SECTOR_KEYWORDS_CSV: &str = include_str!("../../data/sector_keywords.csv");

#[derive(Deserialize)]
struct RawKeyword {
    keyword: String,
    sector: String,
}

static KEYWORDS: LazyLock<Vec<(String, Sector)>> = LazyLock::new(|| {
    super::rows::<RawKeyword>(SECTOR_KEYWORDS_CSV)
        .into_iter()
        .filter_map(|r| Some((fold(&r.keyword), Sector::from_id(r.sector.trim())?)))
        .filter(|(k, _)| !k.is_empty())
        .collect()
});

/// (keyword folded, sector) for every row of the file.
pub fn sector_keywords() -> &'static [(String, Sector)] {
    &KEYWORDS
}

/// The sector a label names, with the keyword: the keyword found earliest in the label, the
/// longest at the same place ("Food processing" is manufacturing, not agriculture). None when
/// no keyword appears as whole words.
pub fn sector_from_label(label: &str) -> Option<(Sector, &'static str)> {
    let words = folded_words(label);
    KEYWORDS
        .iter()
        .filter_map(|(k, s)| {
            let kw: Vec<&str> = k.split(' ').collect();
            find_phrase(&words, &kw).map(|at| (at, std::cmp::Reverse(kw.len()), *s, k.as_str()))
        })
        .min_by_key(|(at, len, _, _)| (*at, *len))
        .map(|(_, _, s, k)| (s, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_parses_completely_and_covers_every_sector() {
        let rows = SECTOR_KEYWORDS_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(sector_keywords().len(), rows);
        for s in Sector::ALL {
            assert!(sector_keywords().iter().any(|(k, x)| x == s && k == s.as_str()), "{s}");
        }
        assert!(sector_keywords().iter().all(|(k, _)| *k == k.to_lowercase()));
    }

    #[test]
    fn labels_read_as_people_write_them() {
        let s = |l: &str| sector_from_label(l).map(|x| x.0);
        assert_eq!(s("Cleaning services"), Some(Sector::Hospitality));
        assert_eq!(s("Hotels & Resorts"), Some(Sector::Hospitality));
        assert_eq!(s("Building & Construction"), Some(Sector::Construction));
        assert_eq!(s("Food processing"), Some(Sector::Manufacturing));
        assert_eq!(s("Food production"), Some(Sector::Agriculture));
        assert_eq!(s("Seafood processing"), Some(Sector::Manufacturing));
        assert_eq!(s("Fisheries"), Some(Sector::Agriculture));
        assert_eq!(s("Apparel|Health"), Some(Sector::Manufacturing));
        assert_eq!(s("Textile factory"), Some(Sector::Manufacturing));
        assert_eq!(s("Agri"), Some(Sector::Agriculture));
        assert_eq!(s("Constr."), Some(Sector::Construction));
        assert_eq!(s("MFG"), Some(Sector::Manufacturing));
        assert_eq!(s("Spare parts"), None);
        assert_eq!(s("Healthcare"), None);
    }
}
