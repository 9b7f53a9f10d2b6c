//! An assessment's `inputs_hash` (METHODOLOGY.md §17): SHA-256 of the JSON of everything the
//! assessment read, serialized into a buffer each thread reuses; the column map that
//! all rows of one upload share is serialized once per organisation run, not once per supplier,
//! and spliced in byte for byte, so the hash is the one the plain JSON gives. Written by
//! `crate::json` (sonic-rs, serde_json's text byte for byte): the spliced map is a sonic-rs
//! raw value, which serde_json would not write as is.

use super::screening::ScreeningDecision;
use super::FastMap;
use crate::domain::{FieldSource, QuestionnaireEvidence, SupplierRecord};
use chrono::NaiveDate;
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sonic_rs::OwnedLazyValue;
use std::sync::Arc;

/// What an assessment's inputs hash covers, in this order.
#[derive(Serialize)]
pub(super) struct HashInput<'a> {
    pub methodology_version: &'a str,
    pub as_of: NaiveDate,
    pub supplier: Hashed<'a>,
    pub questionnaire: Option<&'a QuestionnaireEvidence>,
    /// The network's digest (see `ClusterDetail::digest`).
    pub network: Option<&'a str>,
    pub decisions: Vec<&'a ScreeningDecision>,
    pub lists: &'a [(String, String)],
    pub org_watchlists_sha256: &'a str,
    /// The organisation's markets (law-dependent actions follow them).
    pub markets: &'a [String],
}

impl HashInput<'_> {
    /// The SHA-256 of the input's JSON, in hex (empty if it cannot be serialized).
    pub fn sha256(&self) -> String {
        // Serialized into a buffer each thread keeps, then hashed at once: serde_json writes a
        // few bytes per call, and feeding the hasher call by call cost more than the buffer.
        JSON.with_borrow_mut(|json| {
            json.clear();
            let hash = match crate::json::to_writer(&mut *json, self) {
                Ok(()) => hex::encode(Sha256::digest(&json[..])),
                Err(_) => String::new(),
            };
            // One unusually large supplier does not keep its buffer for the thread's life.
            if json.capacity() > KEEP_BYTES {
                *json = Vec::new();
            }
            hash
        })
    }
}

thread_local! {
    static JSON: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Largest buffer a thread keeps between hashes (a supplier's JSON is a few KB).
const KEEP_BYTES: usize = 1 << 20;

/// The column maps shared by many suppliers (one per upload), each serialized once. Keyed by
/// the map's address, so it borrows the records it was made from: they stay alive and
/// unchanged (no other map can take an address while the cache lives).
pub(super) struct SharedColumns<'a>(FastMap<usize, OwnedLazyValue>, std::marker::PhantomData<&'a [SupplierRecord]>);

impl<'a> SharedColumns<'a> {
    pub fn of(suppliers: &'a [SupplierRecord]) -> SharedColumns<'a> {
        let mut out = FastMap::default();
        for s in suppliers {
            let c = &s.source.columns;
            if Arc::strong_count(c) > 1 {
                if let std::collections::hash_map::Entry::Vacant(e) = out.entry(Arc::as_ptr(c) as usize) {
                    // Written once, then spliced as text (sonic-rs writes a raw value as is).
                    if let Ok(raw) = crate::json::to_string(&**c).and_then(|j| crate::json::raw(&j)) {
                        e.insert(raw);
                    }
                }
            }
        }
        SharedColumns(out, std::marker::PhantomData)
    }

    /// `s` as hashed: its shared column map from the cache when it is there.
    pub fn record<'b>(&'b self, s: &'b SupplierRecord) -> Hashed<'b> {
        Hashed { s, columns: self.0.get(&(Arc::as_ptr(&s.source.columns) as usize)) }
    }
}

/// A supplier record serialized exactly as its derived `Serialize` does, with the source's
/// column map taken from already serialized JSON when there is one.
pub(super) struct Hashed<'a> {
    s: &'a SupplierRecord,
    columns: Option<&'a OwnedLazyValue>,
}

impl<'a> Hashed<'a> {
    /// A record without a cache: serialized in full.
    pub fn plain(s: &'a SupplierRecord) -> Hashed<'a> {
        Hashed { s, columns: None }
    }
}

impl Serialize for Hashed<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        // Field names and order as `#[derive(Serialize)]` on SupplierRecord and FieldSource; a
        // field added to either is a compile error here.
        let SupplierRecord { id, fields, source } = self.s;
        let mut st = ser.serialize_struct("SupplierRecord", 3)?;
        st.serialize_field("id", id)?;
        st.serialize_field("fields", fields)?;
        st.serialize_field("source", &Source { src: source, columns: self.columns })?;
        st.end()
    }
}

struct Source<'a> {
    src: &'a FieldSource,
    columns: Option<&'a OwnedLazyValue>,
}

impl Serialize for Source<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        let FieldSource { upload_id, filename, row, columns, raw } = self.src;
        let mut st = ser.serialize_struct("FieldSource", 5)?;
        st.serialize_field("upload_id", upload_id)?;
        st.serialize_field("filename", filename)?;
        st.serialize_field("row", row)?;
        match self.columns {
            Some(json) => st.serialize_field("columns", json)?,
            None => st.serialize_field("columns", columns)?,
        }
        st.serialize_field("raw", raw)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn record(id: &str, columns: &Arc<BTreeMap<String, String>>, upload: Option<&str>) -> SupplierRecord {
        let mut s = SupplierRecord { id: id.into(), ..Default::default() };
        s.fields.legal_name = format!("Supplier \"{id}\" \u{e9}");
        s.source.upload_id = upload.map(str::to_string);
        s.source.filename = upload.map(|_| "list.xlsx".to_string());
        s.source.row = upload.map(|_| 7);
        s.source.columns = columns.clone();
        s.source.raw.insert("legal_name", "Supplier \u{e9}\t\"x\"");
        s
    }

    /// The spliced JSON is byte for byte the derived one: for a shared map, an empty one, a map
    /// held by one record only (not cached) and a record with no upload.
    #[test]
    fn hashed_records_serialize_as_the_derived_json() {
        let shared: Arc<BTreeMap<String, String>> = Arc::new(
            [("legal_name", "Supplier \"name\""), ("country", "Land\u{e9}\n"), ("phone", "\\tel")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        );
        let empty = Arc::new(BTreeMap::new());
        let alone = Arc::new(BTreeMap::from([("sector".to_string(), "Industry".to_string())]));
        let all = vec![
            record("a", &shared, Some("u1")),
            record("b", &shared, Some("u1")),
            record("c", &empty, None),
            record("d", &empty, Some("u2")),
            record("e", &alone, Some("u3")),
        ];
        drop(alone);
        let cache = SharedColumns::of(&all);
        assert_eq!(cache.0.len(), 2, "the shared map and the shared empty one");
        for s in &all {
            let derived = serde_json::to_string(s).unwrap();
            assert_eq!(crate::json::to_string(&cache.record(s)).unwrap(), derived);
            assert_eq!(crate::json::to_string(&Hashed::plain(s)).unwrap(), derived);
        }
        assert!(cache.record(&all[0]).columns.is_some());
        assert!(cache.record(&all[4]).columns.is_none());
    }

    /// The hash is SHA-256 of the input's plain JSON, whatever the thread's buffer held before:
    /// a small input, one over the kept size (the buffer is then let go), a small one again.
    #[test]
    fn the_hash_is_sha256_of_the_plain_json() {
        let columns = Arc::new(BTreeMap::new());
        let small = record("a", &columns, Some("u1"));
        let mut large = record("b", &columns, Some("u1"));
        large.fields.address = Some("x".repeat(KEEP_BYTES + 10));
        let lists = vec![("uflpa_entity_list.csv".to_string(), "2026-11".to_string())];
        let input = |s| HashInput {
            methodology_version: "1.1.0",
            as_of: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            supplier: Hashed::plain(s),
            questionnaire: None,
            network: Some("abc"),
            decisions: Vec::new(),
            lists: &lists,
            org_watchlists_sha256: "def",
            markets: &[],
        };
        for s in [&small, &large, &small] {
            let i = input(s);
            assert_eq!(i.sha256(), hex::encode(Sha256::digest(serde_json::to_vec(&i).unwrap())));
        }
        assert_ne!(input(&small).sha256(), input(&large).sha256());
        assert!(JSON.with_borrow(|b| b.capacity()) <= KEEP_BYTES);
    }
}
