//! JSON text on the upload's hot paths (stored rows, fields and assessment bodies), written by
//! sonic-rs: it finds the bytes a string needs escaped 32 at a time (SIMD), where serde_json
//! checks every byte against a table, which was 13 % of a whole upload's instructions. The text
//! is serde_json's byte for byte (compact, the same escapes, floats by the same `zmij`); the
//! tests below hold it to that for the types written through here. serde_json still reads
//! everything back, and writes everything else.

use crate::error::{Error, Result};
use serde::Serialize;

/// `v`'s JSON appended to `out`.
pub fn to_writer<T: Serialize + ?Sized>(out: &mut Vec<u8>, v: &T) -> Result<()> {
    sonic_rs::to_writer(out, v).map_err(Error::internal)
}

/// `v`'s JSON.
pub fn to_string<T: Serialize + ?Sized>(v: &T) -> Result<String> {
    sonic_rs::to_string(v).map_err(Error::internal)
}

/// JSON text kept as is: serialized through [`to_writer`] or [`to_string`], it is written
/// unchanged (serde_json would not recognise it, so only this module's writers may take it).
pub fn raw(json: &str) -> Result<sonic_rs::OwnedLazyValue> {
    sonic_rs::from_str(json).map_err(Error::internal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn same<T: Serialize>(v: &T) {
        let ours = to_string(v).unwrap();
        assert_eq!(ours, serde_json::to_string(v).unwrap());
        let mut buf = b"x".to_vec();
        to_writer(&mut buf, v).unwrap();
        assert_eq!(&buf[1..], ours.as_bytes());
    }

    #[derive(Serialize)]
    struct Mixed {
        text: String,
        map: BTreeMap<String, String>,
        pairs: Vec<(String, String)>,
        number: f64,
        small: f32,
        maybe: Option<i64>,
        count: u64,
        flag: bool,
        unit: (),
        ch: char,
        source: crate::domain::EvidenceSource,
    }

    proptest! {
        /// Any text (control characters, quotes, backslashes, any Unicode), any number: the
        /// same bytes as serde_json.
        #[test]
        fn writes_what_serde_json_writes(
            text in any::<String>(),
            map in prop::collection::btree_map(any::<String>(), "[\\x00-\\x7f\u{80}-\u{10ffff}]{0,40}", 0..6),
            number in any::<f64>(),
            small in any::<f32>(),
            maybe in any::<Option<i64>>(),
            count in any::<u64>(),
            flag in any::<bool>(),
            ch in any::<char>(),
        ) {
            let pairs = map.iter().map(|(k, v)| (v.clone(), k.clone())).collect();
            same(&Mixed { text, map, pairs, number, small, maybe, count, flag, unit: (), ch, source: crate::domain::EvidenceSource::Supplier });
        }
    }

    #[test]
    fn writes_non_finite_numbers_and_escapes_as_serde_json_does() {
        same(&[f64::NAN, f64::INFINITY, -0.0, 1e300, 5e-324, 0.1, 100.0]);
        same(&"\u{0}\u{1f}\u{7f}\"\\/\u{2028}\u{fffd}\t\r\n\u{8}\u{c}é😀");
    }

    /// A raw value is written as it was given, spaces and key order included.
    #[test]
    fn raw_values_are_written_as_given() {
        let text = r#"{"b": "x\u00e9\n", "a":[1, 2.50]}"#;
        let v = raw(text).unwrap();
        assert_eq!(to_string(&vec![&v, &v]).unwrap(), format!("[{text},{text}]"));
        assert!(raw("{not json").is_err());
    }

    /// Row errors and warnings, as upload rows store them.
    #[test]
    fn writes_row_errors_as_serde_json_does() {
        let e = crate::ingest::RowError {
            row: 7,
            column: Some("Migrant \"%\"".into()),
            value: Some("12,5\t%".into()),
            code: "out_of_range".into(),
            message: "A percentage is 0 to 100.".into(),
        };
        same(&vec![e.clone(), crate::ingest::RowError { column: None, value: None, ..e }]);
    }

    /// Real assessment bodies (the dictionary's samples).
    #[test]
    fn writes_assessments_as_serde_json_does() {
        same(&crate::store::assessment_body::tests_sample());
        for line in include_str!("../data/assessment_body_dict_v1.txt").lines() {
            let a: crate::domain::Assessment = serde_json::from_str(line).unwrap();
            same(&a);
        }
    }
}
