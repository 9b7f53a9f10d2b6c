//! Raw spreadsheet content as read from a file, before any mapping: what ingest hands on.
//! Serializable so a sandboxed parser process can send it back as JSON.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// The file formats Manumit reads, decided from the bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileFormat {
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    Csv,
}

impl FileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "xlsx",
            FileFormat::Xlsm => "xlsm",
            FileFormat::Xlsb => "xlsb",
            FileFormat::Xls => "xls",
            FileFormat::Ods => "ods",
            FileFormat::Csv => "csv",
        }
    }
}

/// One cell value, typed as the file stored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v", rename_all = "snake_case")]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A cell the file formats as a date (or date-time).
    Date(NaiveDateTime),
    /// A number the file formats as a percentage, as stored: 0.35 for a cell that shows 35%
    /// (Excel, LibreOffice and xlsb keep the fraction and scale it only for display).
    /// [`Cell::percent_points`] gives the value on the 0–100 scale.
    Percent(f64),
    /// An error value such as `#N/A`.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }

    /// A stored percent fraction on the 0–100 scale people read (0.35 → 35), with the binary
    /// noise of the multiplication rounded away (0.07 × 100 is 7.000000000000001).
    pub fn percent_points(fraction: f64) -> f64 {
        let p = fraction * 100.0;
        if p.is_finite() && p.abs() < 1e9 {
            (p * 1e9).round() / 1e9
        } else {
            p
        }
    }

    /// The cell as a person would read it (numbers without a trailing `.0`, dates as ISO,
    /// percent-formatted numbers as `35%`).
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => {
                if n.fract() == 0.0 && n.abs() < 1e15 {
                    // itoa rather than `format!`: every number cell of every row is shown.
                    itoa::Buffer::new().format(*n as i64).to_string()
                } else {
                    format!("{n}")
                }
            }
            Cell::Percent(f) => format!("{}%", Cell::Number(Cell::percent_points(*f)).display()),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::Date(d) => {
                if d.time() == chrono::NaiveTime::MIN {
                    iso_date(d.date())
                } else {
                    d.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            }
            Cell::Error(e) => e.clone(),
        }
    }
}

/// `d` as NaiveDate's Display writes it (`%Y-%m-%d`), its digits written directly for years
/// 0-9999: every date cell is shown twice per row (its text and its value), and going through
/// `fmt` cost more than the rest of showing a row's cells.
fn iso_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let Ok(year) = u32::try_from(d.year()) else { return d.to_string() };
    if year > 9999 {
        return d.to_string();
    }
    let mut text = [b'-'; 10];
    for (at, width, value) in [(0, 4, year), (5, 2, d.month()), (8, 2, d.day())] {
        let mut v = value;
        for b in text[at..at + width].iter_mut().rev() {
            *b = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    text.iter().map(|&b| char::from(b)).collect()
}

/// One non-blank row: the spreadsheet's own 1-based row number and its cells from column A.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SheetRow {
    pub row: u32,
    pub cells: Vec<Cell>,
}

/// One worksheet, sparse in rows (blank rows are absent), dense within a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sheet {
    pub name: String,
    pub hidden: bool,
    pub rows: Vec<SheetRow>,
}

/// A whole file as read: its format and its sheets in order (a CSV is one sheet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workbook {
    pub format: FileFormat,
    pub sheets: Vec<Sheet>,
}

impl Workbook {
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        self.sheets.iter().find(|s| s.name.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::Cell;
    use proptest::prelude::*;

    proptest! {
        /// Any date chrono can hold is shown as chrono's Display shows it.
        #[test]
        fn dates_show_as_chrono_displays_them(days in -4_000_000i32..4_000_000) {
            let d = chrono::NaiveDate::from_num_days_from_ce_opt(days).unwrap();
            prop_assert_eq!(super::iso_date(d), d.to_string());
            prop_assert_eq!(Cell::Date(d.and_hms_opt(0, 0, 0).unwrap()).display(), d.to_string());
        }
    }

    #[test]
    fn percent_cells_read_as_people_see_them() {
        assert_eq!(Cell::percent_points(0.35), 35.0);
        assert_eq!(Cell::percent_points(0.07), 7.0, "no binary noise");
        assert_eq!(Cell::percent_points(1.5), 150.0);
        assert_eq!(Cell::percent_points(0.125), 12.5);
        assert_eq!(Cell::Percent(0.35).display(), "35%");
        assert_eq!(Cell::Percent(0.005).display(), "0.5%");
        assert_eq!(Cell::Percent(-0.1).display(), "-10%");
        assert!(!Cell::Percent(0.0).is_empty());
        let json = serde_json::to_string(&Cell::Percent(0.35)).unwrap();
        assert_eq!(json, r#"{"t":"percent","v":0.35}"#);
        assert_eq!(serde_json::from_str::<Cell>(&json).unwrap(), Cell::Percent(0.35));
    }

    /// Dates read as ISO dates (`%Y-%m-%d`, four-digit years zero-padded), with the time when
    /// there is one.
    #[test]
    fn date_cells_read_as_iso() {
        let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap();
        for (date, want) in [(d(2026, 11, 29), "2026-11-29"), (d(1999, 1, 2), "1999-01-02"), (d(7, 3, 4), "0007-03-04")]
        {
            assert_eq!(Cell::Date(date.and_hms_opt(0, 0, 0).unwrap()).display(), want);
            assert_eq!(Cell::Date(date.and_hms_opt(0, 0, 0).unwrap()).display(), date.format("%Y-%m-%d").to_string());
        }
        assert_eq!(
            Cell::Date(d(2026, 11, 29).and_hms_milli_opt(8, 5, 3, 250).unwrap()).display(),
            "2026-11-29 08:05:03"
        );
    }
}
