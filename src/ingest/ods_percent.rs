//! Which numeric cells of an ods workbook are percentages. ODF marks them itself
//! (`office:value-type="percentage"`, `office:value="0.35"`), but calamine 0.38 reads them as
//! plain floats, so this streams `content.xml` once more and notes each percentage cell's
//! position and value, counting rows and columns with their `number-*-repeated` as calamine
//! does. The reader then turns a float into [`crate::domain::Cell::Percent`] only when both the
//! position and the exact value agree, so a counting difference can never relabel another cell.
//!
//! Bounded: streaming XML, at most `max_cells` positions kept, repeats expanded only within that
//! budget. A damaged `content.xml` yields no percent cells (calamine decides readability).

use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::io::{BufReader, Cursor};

/// (0-based row, column) → stored value of each percentage cell, per sheet name.
pub(crate) type PercentCells = HashMap<String, HashMap<(u32, u32), f64>>;

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    // Unescaped as calamine does, so sheet names match its own.
    let a = e.try_get_attribute(name).ok().flatten()?;
    quick_xml::escape::unescape(&a.value).ok().map(|v| v.into_owned())
}

fn repeats(e: &BytesStart<'_>, name: &str) -> u64 {
    attr(e, name).and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(1).max(1)
}

/// The percentage cells of every sheet; empty for a damaged `content.xml`.
pub(crate) fn percent_cells(bytes: &[u8], max_cells: u64) -> PercentCells {
    let inner = || -> Option<PercentCells> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let f = zip.by_name("content.xml").ok()?;
        let mut xml = quick_xml::Reader::from_reader(BufReader::new(f));
        let mut out = PercentCells::new();
        let mut room = max_cells;
        let mut buf = Vec::new();
        // The sheet being read, the row index, the row's repeat count and the column index.
        let mut sheet: Option<String> = None;
        let (mut row, mut row_rep, mut col) = (0u64, 1u64, 0u64);
        let mut in_row = false;
        loop {
            buf.clear();
            let (e, empty) = match xml.read_event_into(&mut buf).ok()? {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(e) => {
                    match e.name().as_ref() {
                        "table:table-row" if in_row => {
                            in_row = false;
                            row = row.saturating_add(row_rep);
                        }
                        "table:table" => sheet = None,
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            match e.name().as_ref() {
                "table:table" if !empty => {
                    sheet = attr(&e, "table:name");
                    (row, in_row) = (0, false);
                }
                "table:table-row" => {
                    row_rep = repeats(&e, "table:number-rows-repeated");
                    col = 0;
                    if empty {
                        row = row.saturating_add(row_rep);
                    } else {
                        in_row = true;
                    }
                }
                "table:table-cell" | "table:covered-table-cell" if in_row => {
                    let col_rep = repeats(&e, "table:number-columns-repeated");
                    let is_pct = attr(&e, "office:value-type").as_deref() == Some("percentage");
                    let value =
                        if is_pct { attr(&e, "office:value").and_then(|v| v.trim().parse::<f64>().ok()) } else { None };
                    if let (Some(name), Some(v)) = (sheet.as_ref(), value) {
                        let cells = out.entry(name.clone()).or_default();
                        'rep: for r in row..row.saturating_add(row_rep) {
                            for c in col..col.saturating_add(col_rep) {
                                if room == 0 {
                                    break 'rep;
                                }
                                room -= 1;
                                if let (Ok(r), Ok(c)) = (u32::try_from(r), u32::try_from(c)) {
                                    cells.insert((r, c), v);
                                }
                            }
                        }
                    }
                    col = col.saturating_add(col_rep);
                    if !empty {
                        // Skip the cell's content (paragraphs, annotations, nested tables).
                        xml.read_to_end_into(e.name(), &mut Vec::new()).ok()?;
                    }
                }
                _ => {}
            }
        }
        Some(out)
    };
    inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn ods(content: &str) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        w.start_file("mimetype", opts).unwrap();
        w.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
        w.start_file("content.xml", opts).unwrap();
        w.write_all(content.as_bytes()).unwrap();
        w.finish().unwrap().into_inner()
    }

    #[test]
    fn positions_count_repeats_and_covered_cells() {
        let x = r#"<office:document-content><office:body><office:spreadsheet>
<table:table table:name="S"><table:table-column table:number-columns-repeated="4"/>
<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="3"/></table:table-row>
<table:table-header-rows><table:table-row>
  <table:table-cell office:value-type="string"><text:p>a</text:p></table:table-cell>
  <table:covered-table-cell/>
  <table:table-cell office:value-type="percentage" office:value="0.35"><text:p>35%</text:p></table:table-cell>
</table:table-row></table:table-header-rows>
<table:table-row/>
<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="2" office:value-type="percentage" office:value="1.5"/><table:table-cell office:value-type="float" office:value="2"/></table:table-row>
</table:table></office:spreadsheet></office:body></office:document-content>"#;
        let got = percent_cells(&ods(x), 100);
        let s = &got["S"];
        assert_eq!(s.get(&(2, 2)), Some(&0.35));
        for p in [(4, 0), (4, 1), (5, 0), (5, 1)] {
            assert_eq!(s.get(&p), Some(&1.5), "{p:?}");
        }
        assert_eq!(s.len(), 5, "{s:?}");
        // The budget bounds repeated cells.
        assert_eq!(percent_cells(&ods(x), 2)["S"].len(), 2);
        assert!(percent_cells(b"junk", 10).is_empty());
        assert!(percent_cells(&ods("<table:table table:name=\"S\"><table:table-row>"), 10).is_empty());
    }
}
