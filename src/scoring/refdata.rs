//! The reference lookups methodology 2 needs, in the shape the scoring uses: the Xinjiang
//! gazetteer, UFLPA high-priority sectors, the FX table, minimum working ages and note phrases.
//! One place maps `crate::reference` onto the scoring's own small types.

use crate::domain::Dimension;

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
    let _ = (country, fields);
    None::<XinjiangPlace> // STUB until the reference branch lands
}

/// The UFLPA high-priority sector a commodity falls in: (sector, keyword that matched, added on).
pub fn high_priority_sector(commodity: &str) -> Option<(String, String, String)> {
    let _ = commodity;
    None // STUB
}

/// Units of `currency` per US dollar, and the FX table's edition.
pub fn units_per_usd(currency: &str) -> Option<(f64, String)> {
    let _ = currency;
    None // STUB
}

/// The minimum working age for a country (ILO C138) and where it comes from.
pub fn min_working_age(iso2: Option<&str>) -> (u8, String) {
    let _ = iso2;
    (15, "default 15".into()) // STUB
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
    let _ = text;
    Vec::new() // STUB
}
