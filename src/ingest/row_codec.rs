//! The binary form of a [`SheetRow`] on the pipe from the reader process to the server. JSON
//! cost a 100,000-row upload about 0.5 s of CPU to write and read back, most of it on the
//! server's reading thread; this form is a few length-prefixed fields.
//!
//! Layout, little-endian: row (u32), cell count (u32), then per cell a tag byte and its value:
//! 0 empty; 1 text and 6 error: length (u32) and UTF-8 bytes; 2 number and 5 percent: f64;
//! 3 bool: one byte; 4 date: seconds since 1970 (i64) and nanoseconds (u32).
//!
//! Decoding checks every length against what is left and every text for UTF-8: a damaged or
//! hostile frame decodes to None, never to a panic or a large allocation.

use crate::domain::{Cell, SheetRow};

const EMPTY: u8 = 0;
const TEXT: u8 = 1;
const NUMBER: u8 = 2;
const BOOL: u8 = 3;
const DATE: u8 = 4;
const PERCENT: u8 = 5;
const ERROR: u8 = 6;

/// Appends the row's binary form to `out`.
pub(super) fn encode(row: &SheetRow, out: &mut Vec<u8>) {
    out.extend_from_slice(&row.row.to_le_bytes());
    out.extend_from_slice(&(row.cells.len() as u32).to_le_bytes());
    for c in &row.cells {
        match c {
            Cell::Empty => out.push(EMPTY),
            Cell::Text(s) => text(out, TEXT, s),
            Cell::Error(s) => text(out, ERROR, s),
            Cell::Number(n) => {
                out.push(NUMBER);
                out.extend_from_slice(&n.to_le_bytes());
            }
            Cell::Percent(n) => {
                out.push(PERCENT);
                out.extend_from_slice(&n.to_le_bytes());
            }
            Cell::Bool(b) => out.extend_from_slice(&[BOOL, u8::from(*b)]),
            Cell::Date(d) => {
                let utc = d.and_utc();
                out.push(DATE);
                out.extend_from_slice(&utc.timestamp().to_le_bytes());
                out.extend_from_slice(&utc.timestamp_subsec_nanos().to_le_bytes());
            }
        }
    }
}

fn text(out: &mut Vec<u8>, tag: u8, s: &str) {
    out.push(tag);
    // A cell holds at most 32,767 characters (calamine and the csv reader cap it): far below u32.
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// The row in `bytes`, which must hold exactly one; None when they are not one.
pub(super) fn decode(bytes: &[u8]) -> Option<SheetRow> {
    let mut r = Reader(bytes);
    let row = u32::from_le_bytes(r.take()?);
    let n = u32::from_le_bytes(r.take()?) as usize;
    // Every cell takes at least its tag byte: a count beyond what is left is a lie.
    if n > r.0.len() {
        return None;
    }
    let mut cells = Vec::with_capacity(n);
    for _ in 0..n {
        let [tag] = r.take()?;
        cells.push(match tag {
            EMPTY => Cell::Empty,
            TEXT => Cell::Text(r.text()?),
            ERROR => Cell::Error(r.text()?),
            NUMBER => Cell::Number(f64::from_le_bytes(r.take()?)),
            PERCENT => Cell::Percent(f64::from_le_bytes(r.take()?)),
            BOOL => match r.take()? {
                [0] => Cell::Bool(false),
                [1] => Cell::Bool(true),
                _ => return None,
            },
            DATE => {
                let secs = i64::from_le_bytes(r.take()?);
                let nanos = u32::from_le_bytes(r.take()?);
                Cell::Date(chrono::DateTime::from_timestamp(secs, nanos)?.naive_utc())
            }
            _ => return None,
        });
    }
    r.0.is_empty().then_some(SheetRow { row, cells })
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn text(&mut self) -> Option<String> {
        let len = u32::from_le_bytes(self.take()?) as usize;
        let (bytes, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        String::from_utf8(bytes.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    fn every_kind() -> SheetRow {
        SheetRow {
            row: 1_048_576,
            cells: vec![
                Cell::Empty,
                Cell::Text("Siam Prawn Co. — ไทย \"quoted\"\n".into()),
                Cell::Number(-12.5e300),
                Cell::Number(f64::NAN),
                Cell::Bool(true),
                Cell::Bool(false),
                Cell::Date(date("1899-12-30 00:00:00")),
                Cell::Date(date("2026-11-29 18:02:45.123456789")),
                Cell::Percent(0.35),
                Cell::Error("#N/A".into()),
                Cell::Text(String::new()),
            ],
        }
    }

    #[test]
    fn every_kind_of_cell_round_trips() {
        let row = every_kind();
        let mut buf = Vec::new();
        encode(&row, &mut buf);
        let back = decode(&buf).unwrap();
        assert_eq!(back.row, row.row);
        assert_eq!(back.cells.len(), row.cells.len());
        for (a, b) in back.cells.iter().zip(&row.cells) {
            match (a, b) {
                (Cell::Number(x), Cell::Number(y)) if y.is_nan() => assert!(x.is_nan()),
                _ => assert_eq!(a, b),
            }
        }
        let empty = SheetRow { row: 7, cells: vec![] };
        buf.clear();
        encode(&empty, &mut buf);
        assert_eq!(decode(&buf), Some(empty));
    }

    #[test]
    fn damaged_frames_decode_to_none() {
        let mut buf = Vec::new();
        encode(&every_kind(), &mut buf);
        // Every truncation, and one byte too many.
        for n in 0..buf.len() {
            assert_eq!(decode(&buf[..n]), None, "cut at {n}");
        }
        let mut long = buf.clone();
        long.push(0);
        assert_eq!(decode(&long), None);
        // An unknown tag, a bool that is neither, text that is not UTF-8, a huge cell count.
        let with = |cells: &[u8]| [&1u32.to_le_bytes()[..], &1u32.to_le_bytes(), cells].concat();
        assert_eq!(decode(&with(&[9])), None);
        assert_eq!(decode(&with(&[BOOL, 2])), None);
        assert_eq!(decode(&with(&[TEXT, 2, 0, 0, 0, 0xff, 0xfe])), None);
        assert_eq!(decode(&with(&[TEXT, 0xff, 0xff, 0xff, 0xff])), None);
        let huge = [&1u32.to_le_bytes()[..], &u32::MAX.to_le_bytes()].concat();
        assert_eq!(decode(&huge), None);
        // A date out of chrono's range.
        assert_eq!(decode(&with(&[&[DATE][..], &i64::MAX.to_le_bytes(), &0u32.to_le_bytes()].concat())), None);
    }

    fn cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            Just(Cell::Empty),
            ".{0,40}".prop_map(Cell::Text),
            any::<f64>().prop_filter("NaN is not equal to itself", |f| !f.is_nan()).prop_map(Cell::Number),
            any::<f64>().prop_filter("NaN is not equal to itself", |f| !f.is_nan()).prop_map(Cell::Percent),
            any::<bool>().prop_map(Cell::Bool),
            (-8_000_000_000i64..250_000_000_000, 0u32..1_000_000_000)
                .prop_map(|(s, n)| Cell::Date(chrono::DateTime::from_timestamp(s, n).unwrap().naive_utc())),
            "#[A-Z/0!?]{1,6}".prop_map(Cell::Error),
        ]
    }

    proptest! {
        #[test]
        fn any_row_round_trips(row in any::<u32>(), cells in proptest::collection::vec(cell(), 0..30)) {
            let r = SheetRow { row, cells };
            let mut buf = Vec::new();
            encode(&r, &mut buf);
            prop_assert_eq!(decode(&buf), Some(r));
        }

        #[test]
        fn any_bytes_decode_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes);
        }
    }
}
