//! Delimited text: encoding detection (UTF-8 ± BOM, UTF-16 LE/BE with BOM, Windows-1252),
//! delimiter sniffing (comma, semicolon, tab) and reading with the `csv` crate.

use super::stream::{Flow, RowBuilder, RowSink};
use super::{clean_text, IngestError, Limits};
use crate::domain::Cell;
use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::borrow::Cow;

/// Decodes bytes as text: BOM first, then strict UTF-8, then Windows-1252 (which maps every
/// byte). Returns None for UTF-16 without BOM-like content (NUL bytes) or malformed UTF-16.
pub(crate) fn decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest).ok().map(Cow::Borrowed);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let (s, had_errors) = UTF_16LE.decode_without_bom_handling(rest);
        return (!had_errors).then_some(s);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let (s, had_errors) = UTF_16BE.decode_without_bom_handling(rest);
        return (!had_errors).then_some(s);
    }
    if bytes.contains(&0) {
        return None;
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(Cow::Borrowed(s));
    }
    Some(WINDOWS_1252.decode_without_bom_handling(bytes).0)
}

/// True when the bytes decode as text without binary noise and the first lines contain a
/// delimiter (or are a single column of plain words).
pub(crate) fn looks_like_delimited_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    // Cutting UTF-8 mid-character would fail strict decoding; back off to a boundary.
    let head = match std::str::from_utf8(head) {
        Err(e) if bytes.len() > head.len() && e.error_len().is_none() => &head[..e.valid_up_to()],
        _ => head,
    };
    let Some(text) = decode(head) else {
        return false;
    };
    let total = text.chars().count().max(1);
    let noise =
        text.chars().filter(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || *c == '\u{FFFD}').count();
    if noise * 100 > total {
        return false;
    }
    let first_lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(10).collect();
    if first_lines.is_empty() {
        return false;
    }
    first_lines.iter().any(|l| l.contains([',', ';', '\t']))
}

/// Picks the delimiter whose per-line count is most consistent over the first lines
/// (quotes respected); ties go to comma, then semicolon, then tab.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    let mut best = (b',', 0usize, 0usize); // (delim, lines agreeing, count)
    for d in [b',', b';', b'\t'] {
        let counts = line_counts(text, d as char, 20);
        let Some(&first) = counts.first() else {
            continue;
        };
        if first == 0 {
            continue;
        }
        let agree = counts.iter().filter(|&&c| c == first).count();
        if agree > best.1 || (agree == best.1 && first > best.2 && best.1 > 0) {
            best = (d, agree, first);
        }
    }
    best.0
}

/// Delimiter count per logical line (newlines inside quotes do not end a line).
fn line_counts(text: &str, d: char, max_lines: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let (mut in_q, mut n, mut nonblank) = (false, 0usize, false);
    for c in text.chars() {
        match c {
            '"' => in_q = !in_q,
            '\n' if !in_q => {
                if nonblank {
                    out.push(n);
                    if out.len() >= max_lines {
                        return out;
                    }
                }
                n = 0;
                nonblank = false;
            }
            c if c == d && !in_q => n += 1,
            c if !c.is_whitespace() => nonblank = true,
            _ => {}
        }
        if c == d {
            nonblank = true;
        }
    }
    if nonblank {
        out.push(n);
    }
    out
}

/// Reads a CSV/TSV as one sheet named "csv". Row numbers are what a spreadsheet program shows
/// on opening the file: one per record, blank lines counted, quoted newlines not.
pub(crate) fn read_csv(bytes: &[u8], limits: &Limits, sink: &mut dyn RowSink) -> Result<(), IngestError> {
    let text = decode(bytes)
        .ok_or_else(|| IngestError::unreadable("the text encoding is not UTF-8, UTF-16 or Windows-1252"))?;
    let delim = sniff_delimiter(&text);
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delim).from_reader(text.as_bytes());
    if sink.sheets(&[("csv".to_string(), false)])? == Flow::Stop || sink.begin_sheet("csv", false)? != Flow::Continue {
        return Ok(());
    }
    let mut total = 0u64;
    let mut b = RowBuilder::new(limits, &mut total);
    let mut embedded_newlines: u64 = 0;
    let (mut lines_before, mut scanned) = (0u64, 0usize);
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(IngestError::unreadable(format!("the CSV is malformed ({e})"))),
        }
        // Line of the record's first byte, counted from newlines before it.
        // (The reader's position is where the previous record ended: skip line breaks.)
        let mut start = rec.position().map(|p| p.byte() as usize).unwrap_or(0).min(text.len());
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        let start = start.max(scanned);
        lines_before += text.as_bytes()[scanned..start].iter().filter(|&&b| b == b'\n').count() as u64;
        scanned = start;
        let row1 = (lines_before + 1).saturating_sub(embedded_newlines).max(1);
        let row0 = u32::try_from(row1 - 1).unwrap_or(u32::MAX);
        for (c, field) in rec.iter().enumerate() {
            embedded_newlines += field.matches('\n').count() as u64;
            let t = clean_text(field);
            if !t.is_empty()
                && b.push(sink, row0, u32::try_from(c).unwrap_or(u32::MAX), Cell::Text(t))? != Flow::Continue
            {
                return b.finish(sink).map(|_| ());
            }
        }
    }
    b.finish(sink).map(|_| ())
}

/// [`read_csv`] into one [`Sheet`] (tests).
#[cfg(test)]
fn read_csv_sheet(bytes: &[u8], limits: &Limits) -> Result<crate::domain::Sheet, IngestError> {
    let mut c = super::stream::Collect::default();
    read_csv(bytes, limits, &mut c)?;
    Ok(c.sheets.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1,5;2;3\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\n\"x, y\"\t2\n"), b'\t');
        assert_eq!(sniff_delimiter("name;note\n\"a;b\nc\";d\n"), b';');
    }

    #[test]
    fn encodings_and_rows() {
        let l = Limits::default();
        let s = read_csv_sheet(b"name;city\r\n\r\n\"Soci\xE9t\xE9\nG\xE9n\xE9rale\";Paris\r\nB;Lyon\r\n", &l).unwrap();
        assert_eq!(s.rows.len(), 3, "{:?}", s.rows);
        assert_eq!(s.rows[0].row, 1);
        assert_eq!(s.rows[1].row, 3);
        assert_eq!(s.rows[1].cells[0], Cell::Text("Soci\u{e9}t\u{e9}\nG\u{e9}n\u{e9}rale".into()));
        assert_eq!(s.rows[2].row, 4, "the quoted newline does not add a row");
        let be: Vec<u8> =
            [0xFE, 0xFF].into_iter().chain("x\ty\n1\t2\n".encode_utf16().flat_map(|u| u.to_be_bytes())).collect();
        let s = read_csv_sheet(&be, &l).unwrap();
        assert_eq!(s.rows[1].cells, vec![Cell::Text("1".into()), Cell::Text("2".into())]);
    }

    #[test]
    fn binary_is_not_text() {
        let noise: Vec<u8> = (0..4000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        assert!(!looks_like_delimited_text(&noise));
        assert!(looks_like_delimited_text(b"a,b\n"));
    }
}
