//! Timestamps as diesel writes them in SQLite, for the raw bulk inserts.

/// A timestamp as diesel stores it in SQLite (chrono's `%F %T%.f`: the fraction with 3, 6 or 9
/// digits, none when it is zero), so that diesel reads back exactly what was written here.
/// Written by hand: chrono parsed the format string again for every value, and each row has
/// its own timestamp (that was 7 % of inserting a supplier).
///
/// [`Timestamps::text`] writes one at a time; [`Timestamps::push`] keeps several, for the rows
/// of one multi-row insert ([`Timestamps::get`] reads them back).
#[derive(Default)]
pub(super) struct Timestamps {
    buf: String,
    /// Where each pushed timestamp ends in `buf`.
    ends: Vec<usize>,
}

impl Timestamps {
    pub(super) fn text(&mut self, t: chrono::NaiveDateTime) -> &str {
        self.clear();
        write(&mut self.buf, t);
        &self.buf
    }

    /// Forgets every timestamp pushed.
    pub(super) fn clear(&mut self) {
        self.buf.clear();
        self.ends.clear();
    }

    /// Adds a timestamp after those pushed since the last [`Timestamps::clear`].
    pub(super) fn push(&mut self, t: chrono::NaiveDateTime) {
        write(&mut self.buf, t);
        self.ends.push(self.buf.len());
    }

    /// The `i`th timestamp pushed (empty if there is none).
    pub(super) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) };
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.buf.get(start..end).unwrap_or_default()
    }
}

/// Appends `t` to `b` as chrono's `%F %T%.f` writes it.
fn write(b: &mut String, t: chrono::NaiveDateTime) {
    use chrono::{Datelike, Timelike};
    let (y, nanos) = (t.year(), t.nanosecond() % 1_000_000_000);
    // A leap second is second 60, as chrono writes it.
    let sec = t.second() + u32::from(t.nanosecond() >= 1_000_000_000);
    // Years 0-9999 have four digits; chrono writes others with a sign and 5+ digits. The
    // digits are written by hand: with `write!` this function took twice the instructions.
    match u32::try_from(y) {
        Ok(y) if y <= 9999 => digits(b, y, 4),
        _ => {
            use std::fmt::Write;
            let _ = write!(b, "{y:+05}");
        }
    }
    for (sep, v) in [('-', t.month()), ('-', t.day()), (' ', t.hour()), (':', t.minute()), (':', sec)] {
        b.push(sep);
        digits(b, v, 2);
    }
    let fraction = match nanos {
        0 => None,
        n if n % 1_000_000 == 0 => Some((n / 1_000_000, 3)),
        n if n % 1_000 == 0 => Some((n / 1_000, 6)),
        n => Some((n, 9)),
    };
    if let Some((v, width)) = fraction {
        b.push('.');
        digits(b, v, width);
    }
}

/// Appends `v` in decimal, zero-padded to `width` digits (more when it has more).
fn digits(b: &mut String, v: u32, width: usize) {
    let mut d = [b'0'; 10];
    let (mut v, mut i) = (v, d.len());
    while v > 0 {
        i -= 1;
        d[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let from = i.min(d.len() - width.min(d.len()));
    b.extend(d[from..].iter().map(|&c| char::from(c)));
}

#[cfg(test)]
mod tests {
    use super::Timestamps;
    use chrono::{NaiveDate, NaiveDateTime};

    /// The hand-written format is chrono's `%F %T%.f`, which diesel writes and reads.
    #[test]
    fn timestamps_are_written_as_diesel_writes_them() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let cases: Vec<NaiveDateTime> = vec![
            day(2026, 11, 29).and_hms_opt(23, 40, 52).unwrap(),
            day(2026, 1, 2).and_hms_milli_opt(3, 4, 5, 60).unwrap(),
            day(2026, 12, 31).and_hms_micro_opt(0, 0, 0, 123_456).unwrap(),
            day(2026, 12, 31).and_hms_micro_opt(0, 0, 0, 1).unwrap(),
            day(1999, 2, 28).and_hms_nano_opt(12, 0, 9, 7).unwrap(),
            day(2024, 2, 29).and_hms_nano_opt(23, 59, 59, 1_999_999_999).unwrap(),
            day(12, 3, 4).and_hms_opt(1, 2, 3).unwrap(),
            day(-44, 3, 15).and_hms_opt(12, 0, 0).unwrap(),
            day(12345, 6, 7).and_hms_opt(8, 9, 10).unwrap(),
            day(0, 1, 1).and_hms_opt(0, 0, 0).unwrap(),
            day(9999, 12, 31).and_hms_nano_opt(23, 59, 59, 999_999_999).unwrap(),
            day(2026, 10, 20).and_hms_micro_opt(10, 10, 10, 100_000).unwrap(),
        ];
        let mut ts = Timestamps::default();
        for &t in &cases {
            assert_eq!(ts.text(t), t.format("%F %T%.f").to_string(), "{t:?}");
        }
        // Pushed together, each reads back as written alone.
        ts.clear();
        cases.iter().for_each(|&t| ts.push(t));
        for (i, t) in cases.iter().enumerate() {
            assert_eq!(ts.get(i), t.format("%F %T%.f").to_string(), "{t:?}");
        }
        assert_eq!(ts.get(cases.len()), "");
        ts.clear();
        assert_eq!(ts.get(0), "");
    }

    proptest::proptest! {
        /// Any instant from year 0 to 9999, at any precision, as chrono writes it.
        #[test]
        fn any_timestamp_is_written_as_chrono_writes_it(secs in -62_167_219_200i64..253_402_300_800, nanos in 0u32..1_000_000_000, cut in 0u32..4) {
            let nanos = [nanos, nanos / 1_000 * 1_000, nanos / 1_000_000 * 1_000_000, 0][cut as usize];
            let t = chrono::DateTime::from_timestamp(secs, nanos).unwrap().naive_utc();
            let mut ts = Timestamps::default();
            proptest::prop_assert_eq!(ts.text(t), t.format("%F %T%.f").to_string());
        }
    }
}
