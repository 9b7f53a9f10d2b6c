//! Test-only: turns xlsx bytes into a `domain::Workbook` with calamine (test data is trusted;
//! the production reader is ingest's).

use crate::domain::{Cell, FileFormat, Sheet, SheetRow, Workbook};
use calamine::{open_workbook_from_rs, Data, Reader, SheetVisible, Xlsx};
use std::io::Cursor;

pub(crate) fn xlsx_to_workbook(bytes: &[u8]) -> Workbook {
    let mut x: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("xlsx");
    let metas = x.sheets_metadata().to_vec();
    let mut sheets = Vec::new();
    for m in metas {
        let range = x.worksheet_range(&m.name).expect("sheet");
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut rows = Vec::new();
        for (i, row) in range.rows().enumerate() {
            let mut cells = vec![Cell::Empty; c0 as usize];
            cells.extend(row.iter().map(to_cell));
            if cells.iter().all(Cell::is_empty) {
                continue;
            }
            rows.push(SheetRow { row: r0 + i as u32 + 1, cells });
        }
        sheets.push(Sheet { name: m.name.clone(), hidden: m.visible != SheetVisible::Visible, rows });
    }
    Workbook { format: FileFormat::Xlsx, sheets }
}

fn to_cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => dt.as_datetime().map(Cell::Date).unwrap_or(Cell::Number(dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(format!("{e:?}")),
    }
}

/// The text of one file inside the xlsx zip.
pub(crate) fn zip_entry(bytes: &[u8], name: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut s = String::new();
    z.by_name(name).expect("entry").read_to_string(&mut s).expect("utf8");
    s
}
