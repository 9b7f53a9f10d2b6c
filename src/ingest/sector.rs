//! Sector labels as people write them (DOMAIN.md §1): the keywords of `data/sector_keywords.csv`
//! found as words inside longer labels ("Cleaning services", "Hotels & Resorts"); a label
//! naming several sectors takes the first one recognised.

use crate::domain::Sector;
use std::sync::OnceLock;

/// `keyword,sector,source`: lower-case keyword (one or more words), sector id, why.
const KEYWORDS: &str = include_str!("../../data/sector_keywords.csv");

/// How a sector label was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectorMatch {
    /// The first sector recognised, reading left to right.
    pub sector: Sector,
    /// The keyword that named it, as in the keyword list.
    pub keyword: String,
    /// Every distinct sector recognised, in order (the first is `sector`).
    pub sectors: Vec<Sector>,
    /// Parts of a list label (`Apparel|Health`) in which no sector was recognised.
    pub unrecognised: Vec<String>,
}

impl SectorMatch {
    /// True when the label names more than one thing and the choice of the first should be
    /// reported: several sectors, or a part that is no sector.
    pub fn is_mixed(&self) -> bool {
        self.sectors.len() > 1 || !self.unrecognised.is_empty()
    }
}

/// A word's singular form, so that `hotels` matches `hotel` and `fisheries` `fishery`.
fn singular(w: &str) -> String {
    if w.len() > 4 {
        if let Some(stem) = w.strip_suffix("ies") {
            return format!("{stem}y");
        }
    }
    if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        return w[..w.len() - 1].to_string();
    }
    w.to_string()
}

/// Lower-case singular words of a label (anything not a letter or digit separates words).
fn words(raw: &str) -> Vec<String> {
    raw.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(singular).collect()
}

/// The keywords as word sequences, longest first (so `food production` is tried before
/// `production`).
fn keywords() -> &'static [(Vec<String>, String, Sector)] {
    static K: OnceLock<Vec<(Vec<String>, String, Sector)>> = OnceLock::new();
    K.get_or_init(|| {
        let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(KEYWORDS.as_bytes());
        let mut out: Vec<(Vec<String>, String, Sector)> = r
            .records()
            .flatten()
            .filter_map(|rec| {
                let kw = rec.get(0)?.trim().to_string();
                let sector = Sector::from_id(rec.get(1)?.trim())?;
                let w = words(&kw);
                (!w.is_empty()).then_some((w, kw, sector))
            })
            .collect();
        out.sort_by_key(|k| std::cmp::Reverse(k.0.len()));
        out
    })
}

/// The sectors named in a run of words, in order, each with its keyword.
fn scan(ws: &[String]) -> Vec<(Sector, &'static str)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < ws.len() {
        match keywords().iter().find(|(k, _, _)| ws[i..].starts_with(k)) {
            Some((k, kw, s)) => {
                found.push((*s, kw.as_str()));
                i += k.len();
            }
            None => i += 1,
        }
    }
    found
}

/// Reads a sector label: `None` when no keyword is found in it.
pub fn match_sector(raw: &str) -> Option<SectorMatch> {
    // Most cells are the identifier itself: no word list to build (a list can have 100,000 rows).
    let t = raw.trim();
    if let Some(s) = Sector::ALL.iter().copied().find(|s| t.eq_ignore_ascii_case(s.as_str())) {
        return Some(SectorMatch {
            sector: s,
            keyword: s.as_str().to_string(),
            sectors: vec![s],
            unrecognised: Vec::new(),
        });
    }
    let found = scan(&words(raw));
    let (sector, keyword) = *found.first()?;
    let mut sectors: Vec<Sector> = Vec::new();
    for (s, _) in &found {
        if !sectors.contains(s) {
            sectors.push(*s);
        }
    }
    // A list label: the parts in which nothing was recognised ("Health" in "Apparel|Health").
    let unrecognised = raw
        .split(['|', '/', ';', ',', '&', '+', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty() && scan(&words(p)).is_empty() && !words(p).iter().all(|w| w == "and"))
        .map(str::to_string)
        .collect();
    Some(SectorMatch { sector, keyword: keyword.to_string(), sectors, unrecognised })
}

/// The sector ids accepted, for messages.
pub const ACCEPTED: &str = "agriculture, construction, hospitality or manufacturing";

#[cfg(test)]
mod tests {
    use super::*;
    use Sector::*;

    fn one(raw: &str) -> Option<Sector> {
        match_sector(raw).map(|m| m.sector)
    }

    #[test]
    fn every_keyword_row_is_read() {
        let rows = KEYWORDS.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(keywords().len(), rows, "a row of data/sector_keywords.csv did not load");
        assert_eq!(KEYWORDS.lines().next(), Some("keyword,sector,source"));
        for (_, kw, s) in keywords() {
            assert_eq!(kw.to_lowercase(), *kw, "keywords are lower case");
            assert_eq!(one(kw), Some(*s), "{kw}");
        }
    }

    #[test]
    fn words_inside_longer_labels() {
        for (raw, want) in [
            ("Cleaning services", Hospitality),
            ("Hotels & Resorts", Hospitality),
            ("HOTEL", Hospitality),
            ("Building & Construction", Construction),
            ("Food processing", Manufacturing),
            ("Food production", Agriculture),
            ("Textiles & Apparel", Manufacturing),
            ("Food & Beverage", Manufacturing),
            ("Civil works contractor", Construction),
            ("Agri-business", Agriculture),
            ("Fisheries", Agriculture),
            ("Manufacturing services", Manufacturing),
            ("MFG", Manufacturing),
            ("Constr.", Construction),
            ("Hotels & hospitality", Hospitality),
        ] {
            assert_eq!(one(raw), Some(want), "{raw}");
        }
        for raw in ["mining", "Health", "Spanish", "", "Logistics"] {
            assert_eq!(one(raw), None, "{raw}");
        }
    }

    #[test]
    fn several_sectors_take_the_first_and_say_so() {
        let m = match_sector("Apparel|Health").unwrap();
        assert_eq!(
            (m.sector, m.sectors.clone(), m.unrecognised.clone()),
            (Manufacturing, vec![Manufacturing], vec!["Health".to_string()])
        );
        assert!(m.is_mixed());
        let m = match_sector("Construction / Hospitality").unwrap();
        assert_eq!(m.sectors, vec![Construction, Hospitality]);
        assert!(m.is_mixed());
        assert!(!match_sector("Hotels & Resorts").unwrap().is_mixed(), "one sector, twice");
        assert!(!match_sector("Building and Construction").unwrap().is_mixed());
    }
}
