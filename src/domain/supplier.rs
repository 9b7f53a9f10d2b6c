//! A supplier's canonical fields (DOMAIN.md §2), already parsed, plus where each value came from.

use super::{CountryCode, Sector, YesNo};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How the registered address is used (DOMAIN.md §2 `address_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddressType {
    Own,
    LeasedIndustrial,
    VirtualOffice,
    RegisteredAgent,
    Residential,
}

impl AddressType {
    /// Reads an address type by its words: the identifiers, the questionnaire's own choice
    /// labels ("Own premises", "Leased industrial or commercial", "Virtual office", "Registered
    /// agent", "Residential") and free variants ("Owned", "Rented warehouse", "Serviced office",
    /// "Company secretary address", "Home address"). The most specific kind named wins:
    /// residential, then agent, then virtual, then leased, then own, then industrial premises.
    pub fn parse(raw: &str) -> Option<AddressType> {
        let s: String = raw.trim().to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
        let words: Vec<&str> = s.split_whitespace().collect();
        let has = |set: &[&str]| words.iter().any(|w| set.contains(w));
        let joined = words.join(" ");
        let phrase = |set: &[&str]| set.iter().any(|p| format!(" {joined} ").contains(&format!(" {p} ")));
        if has(&["residential", "residence", "home", "house", "apartment", "dwelling"]) {
            return Some(AddressType::Residential);
        }
        if has(&["agent", "secretary", "secretarial", "formation", "nominee"])
            || phrase(&["registered office provider", "corporate service provider", "corporate services provider"])
        {
            return Some(AddressType::RegisteredAgent);
        }
        if has(&["virtual", "serviced", "mailbox", "coworking", "drop"])
            || phrase(&["po box", "p o box", "co working", "business centre", "business center", "mail box"])
        {
            return Some(AddressType::VirtualOffice);
        }
        if has(&["leased", "lease", "rented", "rent", "rental", "tenant", "tenancy", "leasehold"]) {
            return Some(AddressType::LeasedIndustrial);
        }
        if has(&["own", "owned", "owner", "freehold"]) {
            return Some(AddressType::Own);
        }
        if has(&["industrial", "commercial", "factory", "warehouse", "plant"]) {
            return Some(AddressType::LeasedIndustrial);
        }
        None
    }
}

/// The canonical supplier fields. Only `legal_name`, `country` and `sector` are required.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SupplierFields {
    pub external_ref: Option<String>,
    pub legal_name: String,
    pub trading_name: Option<String>,
    /// ISO 3166 alpha-2.
    #[schema(value_type = Option<String>)]
    pub country: Option<CountryCode>,
    pub sector: Option<Sector>,
    pub commodity: Option<String>,
    pub registration_number: Option<String>,
    pub incorporation_date: Option<NaiveDate>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub region: Option<String>,
    pub address_type: Option<AddressType>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub bank_account: Option<String>,
    pub bank_account_holder: Option<String>,
    #[serde(default)]
    pub directors: Vec<String>,
    #[serde(default)]
    pub beneficial_owners: Vec<String>,
    pub beneficial_owners_disclosed: Option<YesNo>,
    pub employee_count: Option<u64>,
    pub migrant_worker_pct: Option<f64>,
    pub agency_worker_pct: Option<f64>,
    pub uses_labour_agency: Option<YesNo>,
    pub recruitment_fees_paid_by_workers: Option<YesNo>,
    pub passports_held_by_employer: Option<YesNo>,
    pub worker_housing_provided: Option<YesNo>,
    pub workers_live_on_premises: Option<YesNo>,
    pub annual_revenue: Option<f64>,
    pub currency: Option<String>,
    pub cash_revenue_pct: Option<f64>,
    pub subcontracting: Option<YesNo>,
    pub last_audit_date: Option<NaiveDate>,
    pub audit_standard: Option<String>,
    pub xinjiang_inputs: Option<YesNo>,
    /// Free-text notes about the supplier (audit remarks, buyer comments). Read for indicator
    /// phrases by the scoring (methodology 2).
    pub notes: Option<String>,
}

/// Where a supplier's field values came from, so findings can cite the cell.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FieldSource {
    /// The upload the values were read from (None for values set through the JSON API).
    pub upload_id: Option<String>,
    /// The file name of that upload, for people.
    pub filename: Option<String>,
    /// The spreadsheet's own 1-based row number.
    pub row: Option<u32>,
    /// canonical field name → the header as written in the file (one map per upload, shared by
    /// all of its suppliers; stored once, in the upload's report, for rows of a supplier list).
    #[serde(default)]
    pub columns: Arc<BTreeMap<String, String>>,
    /// canonical field name → the raw cell text as it came in.
    #[serde(default)]
    pub raw: RawCells,
}

/// Raw cell texts by canonical field name, packed into one string: a supplier list of 100,000
/// rows keeps every supplier's cells in memory for scoring, and a map of small strings costs
/// several times the text it holds. Serialized as a JSON object, as a map would be.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawCells {
    /// `field \0 value \0` repeated, in insertion order. A canonical field name is packed as
    /// two characters, `\u{1}` and its position in the list of canonical fields (see [`key`]).
    packed: String,
}

/// The canonical field names and their packed form (`\u{1}` then a printable character).
/// Each with its position in that list (at most 94: one printable character each).
static PACKED_KEYS: std::sync::LazyLock<
    std::collections::HashMap<&'static str, (usize, String), foldhash::fast::FixedState>,
> = std::sync::LazyLock::new(|| {
    let fields = crate::ingest::CANONICAL_FIELDS;
    fields.iter().take(94).enumerate().map(|(i, f)| (*f, (i, format!("\u{1}{}", char::from(b'!' + i as u8))))).collect()
});

/// A packed key as its field name.
fn key(packed: &str) -> &str {
    match packed.as_bytes() {
        [1, c] => crate::ingest::CANONICAL_FIELDS.get(c.wrapping_sub(b'!') as usize).copied().unwrap_or(""),
        _ => packed,
    }
}

impl RawCells {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.iter().find(|(k, _)| *k == field).map(|(_, v)| v)
    }
    /// Sets a field's text (replacing an earlier one). NUL characters cannot be stored and are dropped.
    pub fn insert(&mut self, field: impl AsRef<str>, value: impl AsRef<str>) {
        let (field, value) = (no_nul(field.as_ref()), no_nul(value.as_ref()));
        if self.get(&field).is_some() {
            let kept: Vec<(String, String)> =
                self.iter().filter(|(k, _)| *k != field).map(|(k, v)| (k.to_string(), v.to_string())).collect();
            self.packed.clear();
            for (k, v) in kept {
                self.push(&k, &v);
            }
        }
        self.push(&field, &value);
    }
    fn push(&mut self, k: &str, v: &str) {
        match PACKED_KEYS.get(k) {
            Some((_, p)) => self.push_packed(p, v),
            None => self.push_other(k, v),
        }
    }
    /// Appends a key that is not a canonical field: as written (a leading \u{1} would read as
    /// packed).
    fn push_other(&mut self, k: &str, v: &str) {
        self.push_packed(k.trim_start_matches('\u{1}'), v);
    }
    /// Appends a key already in its stored form.
    fn push_packed(&mut self, k: &str, v: &str) {
        self.packed.push_str(k);
        self.packed.push('\0');
        self.packed.push_str(v);
        self.packed.push('\0');
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        let mut parts = self.packed.split('\0');
        std::iter::from_fn(move || match (parts.next(), parts.next()) {
            (Some(k), Some(v)) => Some((key(k), v)),
            _ => None,
        })
    }
    pub fn is_empty(&self) -> bool {
        self.packed.is_empty()
    }
    /// Frees spare capacity (the text is kept for the whole scoring run).
    pub fn shrink(&mut self) {
        self.packed.shrink_to_fit();
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for RawCells {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        // Every row of an upload makes one: each key is looked up once, and whether a later
        // item has the same key is a bit test for canonical fields (a quadratic string search,
        // with two lookups per key, was 8 % of reading a large list).
        // Sized once from the iterator's bound (a row's cells, filtered: no exact length).
        let iter = iter.into_iter();
        let bound = iter.size_hint();
        let mut items: Vec<(K, V, Option<Packed>, bool)> = Vec::with_capacity(bound.1.unwrap_or(bound.0).min(1024));
        items.extend(iter.map(|(k, v)| {
            let packed = PACKED_KEYS.get(k.as_ref()).map(|(i, p)| (*i, p.as_str()));
            (k, v, packed, false)
        }));
        let len =
            items.iter().map(|(k, v, p, _)| p.map_or(k.as_ref().len(), |(_, p)| p.len()) + v.as_ref().len() + 2).sum();
        // A later value for the same field wins, as in a map: walk back, keep each key's last.
        let mut seen = 0u128;
        for i in (0..items.len()).rev() {
            let keep = match items[i].2 {
                Some((n, _)) => seen & (1 << n) == 0,
                None => {
                    let k = items[i].0.as_ref();
                    !items[i + 1..].iter().any(|(k2, _, p2, _)| p2.is_none() && k2.as_ref() == k)
                }
            };
            if let Some((n, _)) = items[i].2 {
                seen |= 1 << n;
            }
            items[i].3 = keep;
        }
        let mut r = RawCells { packed: String::with_capacity(len) };
        for (k, v, p, keep) in &items {
            if *keep {
                match p {
                    Some((_, p)) => r.push_packed(p, &no_nul(v.as_ref())),
                    None => r.push_other(&no_nul(k.as_ref()), &no_nul(v.as_ref())),
                }
            }
        }
        r
    }
}

/// A canonical field's position in the list and its packed form.
type Packed = (usize, &'static str);

fn no_nul(s: &str) -> std::borrow::Cow<'_, str> {
    if s.as_bytes().contains(&0) {
        std::borrow::Cow::Owned(s.replace('\0', ""))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

impl Serialize for RawCells {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for RawCells {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let m = BTreeMap::<String, String>::deserialize(d)?;
        Ok(m.into_iter().collect())
    }
}

/// A supplier as the scoring engine sees it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SupplierRecord {
    /// Manumit's id (opaque).
    pub id: String,
    pub fields: SupplierFields,
    pub source: FieldSource,
}

#[cfg(test)]
mod tests {
    use super::RawCells;

    #[test]
    fn raw_cells_read_and_serialize_by_field_name_whatever_the_packing() {
        let mut r: RawCells =
            [("legal_name", "Siam Prawn Co."), ("migrant_worker_pct", "35%"), ("Notes", "a\0b")].into_iter().collect();
        // Canonical names are packed short; other names are kept as written.
        assert!(r.packed.starts_with('\u{1}') && !r.packed.contains("legal_name"), "{:?}", r.packed);
        assert!(r.packed.contains("Notes\0"), "{:?}", r.packed);
        assert_eq!(r.get("legal_name"), Some("Siam Prawn Co."));
        assert_eq!(r.get("migrant_worker_pct"), Some("35%"));
        assert_eq!(r.get("Notes"), Some("ab"), "NUL dropped");
        r.insert("migrant_worker_pct", "40 %");
        r.insert("\u{1}!", "not a packed key");
        assert_eq!(r.get("migrant_worker_pct"), Some("40 %"));
        assert_eq!(r.get("!"), Some("not a packed key"));
        let json = serde_json::to_value(&r).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({"legal_name": "Siam Prawn Co.", "Notes": "ab", "migrant_worker_pct": "40 %", "!": "not a packed key"})
        );
        let back: RawCells = serde_json::from_value(json).expect("reads back");
        assert_eq!(back.get("legal_name"), Some("Siam Prawn Co."));
        assert_eq!(back.iter().count(), 4);
    }

    /// A later value for the same key wins and takes the place of the last one, as before the
    /// bit test; canonical and other keys alike.
    #[test]
    fn raw_cells_keep_the_last_value_of_a_repeated_key() {
        let r: RawCells = [
            ("phone", "1"),
            ("Notes", "first"),
            ("legal_name", "A"),
            ("phone", "2"),
            ("Notes", "second"),
            ("\u{1}!", "x"),
            ("city", "C"),
        ]
        .into_iter()
        .collect();
        let got: Vec<(&str, &str)> = r.iter().collect();
        assert_eq!(got, [("legal_name", "A"), ("phone", "2"), ("Notes", "second"), ("!", "x"), ("city", "C")]);
        // get answers what iter shows, and nothing for a key in its packed form.
        for (k, v) in &got {
            assert_eq!(r.get(k), Some(*v), "{k}");
        }
        let r: RawCells = [("external_ref", "E")].into_iter().collect();
        assert_eq!(r.get("external_ref"), Some("E"));
        assert_eq!(r.get("\u{1}!"), None, "external_ref's packed key is not a field name");
    }
}
