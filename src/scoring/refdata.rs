//! The reference lookups methodology 2 needs, in the shape the scoring uses: the Xinjiang
//! gazetteer, UFLPA high-priority sectors, the FX table, minimum working ages and note phrases.
//! One place maps `crate::reference` onto the scoring's own small types.

use crate::domain::Dimension;
use crate::reference;

pub use reference::{FX_FILE, MIN_AGE_FILE, UFLPA_SECTORS_FILE as HIGH_PRIORITY_FILE, XINJIANG_FILE as GAZETTEER_FILE};

/// A location field that places the supplier in the Xinjiang Uyghur Autonomous Region.
#[derive(Debug, Clone, PartialEq)]
pub struct XinjiangPlace {
    /// The supplier field that matched (`region`, `city`, `address`, `postal_code`).
    pub field: &'static str,
    /// Its text as given.
    pub text: String,
    /// The gazetteer place, e.g. `Korla`.
    pub place: String,
    /// What matched: a name, an alias, the Chinese form or the postcode rule.
    pub matched: String,
}

/// The Xinjiang nexus from a supplier's location fields, if any.
pub fn xinjiang_place(country: Option<&str>, fields: &[(&'static str, &str)]) -> Option<XinjiangPlace> {
    reference::xinjiang_nexus(country, fields).map(|h| XinjiangPlace {
        field: h.field,
        text: h.text,
        place: h.place,
        matched: h.matched,
    })
}

/// The UFLPA high-priority sector a commodity falls in: (sector, keyword that matched, added on).
pub fn high_priority_sector(commodity: &str) -> Option<(String, String, String)> {
    reference::uflpa_high_priority(commodity)
        .map(|h| (h.sector.sector.clone(), h.keyword.to_string(), h.sector.added_on.clone()))
}

/// Units of `currency` per US dollar, and how the rate was set (ECB-derived mean, official peg).
pub fn units_per_usd(currency: &str) -> Option<(f64, String)> {
    reference::fx_rate(currency).map(|r| (r.units_per_usd, format!("{}, {}", r.method, r.edition())))
}

/// The minimum working age for a country (ILO C138) and where it comes from.
pub fn min_working_age(iso2: Option<&str>) -> (u8, String) {
    let m = reference::min_working_age(iso2);
    (m.age, m.source)
}

/// An indicator phrase found in free-text notes.
#[derive(Debug, Clone, PartialEq)]
pub struct NotePhrase {
    pub indicator: String,
    pub dimension: Dimension,
    pub phrase: String,
    pub language: String,
}

/// The indicator phrases in a free-text note (one per indicator).
pub fn note_phrases(text: &str) -> Vec<NotePhrase> {
    reference::note_indicators(text)
        .into_iter()
        .map(|h| NotePhrase { indicator: h.indicator, dimension: h.dimension, phrase: h.phrase, language: h.language })
        .collect()
}
