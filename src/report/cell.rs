//! Safe cell writing: user text is written as text only, quote-prefixed when it looks like a formula.
//!
//! Every sheet writes user data through [`Styles::text`]; numbers and dates through
//! [`Styles::num`] / [`Styles::datetime`]. Nothing here ever writes a formula or a hyperlink.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_xlsxwriter::{ColNum, Color, Format, FormatAlign, FormatBorder, RowNum, Worksheet, XlsxError};
use std::borrow::Cow;

/// Excel's limit on the length of a cell's text, in UTF-16 code units.
pub const MAX_CELL_LEN: usize = 32_767;

/// True when a spreadsheet could read the text as the start of a formula (`= + - @`, their
/// full-width forms), when it begins with a tab, CR, LF or other control character, or with
/// an OOXML escape `_xHHHH_` that Excel would decode into such a character.
pub fn needs_quote_prefix(s: &str) -> bool {
    match s.chars().next() {
        Some(c) => {
            matches!(c, '=' | '+' | '-' | '@' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}')
                || c.is_control()
                || starts_with_ooxml_escape(s.as_bytes())
        }
        None => false,
    }
}

/// The text as it will be stored: cut to Excel's 32,767 UTF-16 units on a character boundary.
///
/// A literal `_xHHHH_` is left as typed: Excel decodes it as an escaped character, but
/// LibreOffice and calamine show inline strings as written, so escaping it would garble
/// the text for them; [`needs_quote_prefix`] covers the one case where decoding matters.
pub fn cell_text(s: &str) -> Cow<'_, str> {
    // UTF-16 units never exceed UTF-8 bytes, so short byte strings need no count.
    if s.len() > MAX_CELL_LEN && s.encode_utf16().count() > MAX_CELL_LEN {
        Cow::Owned(truncate_utf16(s, MAX_CELL_LEN - 12).to_string() + " [truncated]")
    } else {
        Cow::Borrowed(s)
    }
}

fn truncate_utf16(s: &str, max_units: usize) -> &str {
    let mut units = 0usize;
    for (i, c) in s.char_indices() {
        units += c.len_utf16();
        if units > max_units {
            return &s[..i];
        }
    }
    s
}

/// True when the text starts with an OOXML escape `_xHHHH_` (Excel shows it as one character,
/// which could be `=`).
fn starts_with_ooxml_escape(b: &[u8]) -> bool {
    b.len() >= 7
        && b[0] == b'_'
        && (b[1] == b'x' || b[1] == b'X')
        && b[2..6].iter().all(u8::is_ascii_hexdigit)
        && b[6] == b'_'
}

/// The formats shared by every sheet.
pub struct Styles {
    pub quote: Format,
    pub header: Format,
    pub bold: Format,
    pub wrap: Format,
    pub datetime: Format,
    pub date: Format,
    pub score: Format,
    /// Cells left for the auditor to fill in (Owner, Due date, Status).
    pub input: Format,
    pub input_date: Format,
}

impl Styles {
    pub fn new() -> Styles {
        let input_fill = Color::RGB(0xFFF2CC);
        Styles {
            quote: Format::new().set_quote_prefix(),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0x1F3864))
                .set_font_color(Color::White)
                .set_border_bottom(FormatBorder::Thin)
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            bold: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            score: Format::new().set_num_format("0.0"),
            input: Format::new().set_background_color(input_fill).set_unlocked(),
            input_date: Format::new().set_num_format("yyyy-mm-dd").set_background_color(input_fill).set_unlocked(),
        }
    }

    /// Writes user (or any) text as a string cell: never a formula, never a link.
    pub fn text(&self, ws: &mut Worksheet, row: RowNum, col: ColNum, s: &str) -> Result<(), XlsxError> {
        if s.is_empty() {
            return Ok(());
        }
        let t = cell_text(s);
        if needs_quote_prefix(&t) {
            ws.write_string_with_format(row, col, t.as_ref(), &self.quote)?;
        } else {
            ws.write_string(row, col, t.as_ref())?;
        }
        Ok(())
    }

    /// Text with a given format; the quote prefix wins when needed.
    pub fn text_fmt(&self, ws: &mut Worksheet, row: RowNum, col: ColNum, s: &str, f: &Format) -> Result<(), XlsxError> {
        let t = cell_text(s);
        if needs_quote_prefix(&t) {
            ws.write_string_with_format(row, col, t.as_ref(), &f.clone().set_quote_prefix())?;
        } else {
            ws.write_string_with_format(row, col, t.as_ref(), f)?;
        }
        Ok(())
    }

    /// A number rounded to 2 decimals; NaN/infinite values leave the cell empty.
    pub fn num(&self, ws: &mut Worksheet, row: RowNum, col: ColNum, v: f64) -> Result<(), XlsxError> {
        if v.is_finite() {
            ws.write_number(row, col, (v * 100.0).round() / 100.0)?;
        }
        Ok(())
    }

    /// A date-time cell (UTC); outside Excel's 1900–9999 range it is written as ISO text.
    pub fn datetime(&self, ws: &mut Worksheet, row: RowNum, col: ColNum, t: &DateTime<Utc>) -> Result<(), XlsxError> {
        if (1900..=9999).contains(&t.year()) {
            ws.write_datetime_with_format(row, col, t.naive_utc(), &self.datetime)?;
        } else {
            self.text(ws, row, col, &t.to_rfc3339())?;
        }
        Ok(())
    }

    /// A date cell with the given format (Excel range checked as for [`Styles::datetime`]).
    pub fn date(
        &self,
        ws: &mut Worksheet,
        row: RowNum,
        col: ColNum,
        d: NaiveDate,
        f: &Format,
    ) -> Result<(), XlsxError> {
        if (1900..=9999).contains(&d.year()) {
            ws.write_datetime_with_format(row, col, d, f)?;
        } else {
            self.text(ws, row, col, &d.to_string())?;
        }
        Ok(())
    }

    /// Writes a header row at row 0 with our own fixed titles, freezes it and sets widths.
    pub fn header(&self, ws: &mut Worksheet, titles: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
        for (c, t) in titles.iter().enumerate() {
            ws.write_string_with_format(0, c as ColNum, *t, &self.header)?;
        }
        self.widths(ws, widths)?;
        ws.set_freeze_panes(1, 0)?;
        Ok(())
    }

    pub fn widths(&self, ws: &mut Worksheet, widths: &[f64]) -> Result<(), XlsxError> {
        for (c, w) in widths.iter().enumerate() {
            ws.set_column_width(c as ColNum, *w)?;
        }
        Ok(())
    }
}

impl Default for Styles {
    fn default() -> Self {
        Styles::new()
    }
}

/// A data row number (1-based below the header), failing cleanly past Excel's row limit.
pub fn row_num(i: usize) -> Result<RowNum, XlsxError> {
    RowNum::try_from(i + 1).ok().filter(|r| *r < 1_048_576).ok_or(XlsxError::RowColumnLimitError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_looking_text_needs_prefix() {
        for s in ["=1+1", "+1 evil", "-2", "@SUM(A1)", "\tx", "\rx", "\nx", "\u{1}x", "＝1"] {
            assert!(needs_quote_prefix(s), "{s:?}");
        }
        for s in ["", "Acme Ltd", "1=1", " =x", "a@b.com"] {
            assert!(!needs_quote_prefix(s), "{s:?}");
        }
    }

    #[test]
    fn long_text_is_truncated_on_a_char_boundary() {
        let s = "é".repeat(40_000);
        let t = cell_text(&s);
        assert!(t.encode_utf16().count() <= MAX_CELL_LEN);
        assert!(t.ends_with(" [truncated]"));
        let emoji = "😀".repeat(20_000); // 2 UTF-16 units each
        assert!(cell_text(&emoji).encode_utf16().count() <= MAX_CELL_LEN);
        assert_eq!(cell_text("short"), "short");
    }

    #[test]
    fn literal_ooxml_escapes_are_kept_and_prefixed_at_the_start() {
        assert_eq!(cell_text("a_x0041_b"), "a_x0041_b");
        assert!(needs_quote_prefix("_x003D_HYPERLINK(1)"));
        assert!(!needs_quote_prefix("_x00g1_"));
    }

    #[test]
    fn row_limit_is_an_error() {
        assert_eq!(row_num(0).ok(), Some(1));
        assert!(row_num(1_048_575).is_err());
    }
}
