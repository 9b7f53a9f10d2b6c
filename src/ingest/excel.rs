//! calamine readers: xlsx/xlsm/xlsb through the streaming cell reader under row/column/cell
//! caps; xls and ods through the range API (after pre-checks). All under `catch_unwind`.
//!
//! Percent-formatted numbers become [`Cell::Percent`]: xlsx from calamine's style palette,
//! xlsb, xls and ods from [`xlsb_percent`], [`xls_percent`] and [`ods_percent`] (calamine keeps
//! no number format for them).

use super::numfmt::{is_builtin_percent, is_percent_format};
use super::{clean_text, IngestError, Limits};
use super::{ods_percent, xls_percent, xlsb_percent};
use crate::domain::{Cell, Sheet, SheetRow};
use calamine::{Data, DataRef, Ods, Reader, SheetVisible, Xls, Xlsb, Xlsx};
use std::collections::{HashMap, HashSet};
use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs a parser closure, turning a panic into a 422.
fn guarded<T>(f: impl FnOnce() -> Result<T, IngestError>) -> Result<T, IngestError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => Err(IngestError::unreadable("the spreadsheet reader failed on this file (it is probably damaged)")),
    }
}

fn calamine_err(e: impl std::fmt::Display) -> IngestError {
    let msg = e.to_string();
    if msg.to_ascii_lowercase().contains("password") {
        return IngestError::PasswordProtected;
    }
    IngestError::unreadable(format!("the workbook is damaged ({msg})"))
}

/// Builds sparse rows from cells (normally in row order; out-of-order rows are merged),
/// enforcing the row, column and cell caps.
pub(crate) struct SheetBuilder<'l> {
    limits: &'l Limits,
    rows: Vec<SheetRow>,
    /// Index in `rows` of the row being filled.
    cur: Option<usize>,
    /// Row number → index in `rows`, to merge out-of-order rows in O(1).
    index: HashMap<u32, usize>,
    cells_total: &'l mut u64,
}

impl<'l> SheetBuilder<'l> {
    pub(crate) fn new(limits: &'l Limits, cells_total: &'l mut u64) -> Self {
        SheetBuilder { limits, rows: Vec::new(), cur: None, index: HashMap::new(), cells_total }
    }

    /// Adds a cell at 0-based (row, col). Empty cells are ignored.
    pub(crate) fn push(&mut self, row: u32, col: u32, cell: Cell) -> Result<(), IngestError> {
        if cell.is_empty() {
            return Ok(());
        }
        if col as u64 >= self.limits.max_cols {
            return Err(IngestError::TooManyColumns { limit: self.limits.max_cols });
        }
        *self.cells_total += 1;
        if *self.cells_total > self.limits.max_cells {
            return Err(IngestError::TooManyCells { limit: self.limits.max_cells });
        }
        let row1 = row.saturating_add(1);
        let idx = match self.cur {
            Some(i) if self.rows[i].row == row1 => i,
            _ => match self.index.get(&row1) {
                Some(&i) => i,
                None => {
                    if self.rows.len() as u64 >= self.limits.max_rows {
                        return Err(IngestError::TooManyRows { limit: self.limits.max_rows });
                    }
                    self.rows.push(SheetRow { row: row1, cells: Vec::new() });
                    self.index.insert(row1, self.rows.len() - 1);
                    self.rows.len() - 1
                }
            },
        };
        self.cur = Some(idx);
        let r = &mut self.rows[idx];
        let c = col as usize;
        if r.cells.len() <= c {
            r.cells.resize(c + 1, Cell::Empty);
        }
        r.cells[c] = cell;
        Ok(())
    }

    pub(crate) fn finish(self, name: String, hidden: bool) -> Result<Sheet, IngestError> {
        let mut rows = self.rows;
        if rows.windows(2).any(|w| w[0].row > w[1].row) {
            rows.sort_by_key(|r| r.row);
        }
        Ok(Sheet { name, hidden, rows })
    }
}

fn from_ref(v: &DataRef<'_>) -> Cell {
    match v {
        DataRef::Int(i) => Cell::Number(*i as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::String(s) => Cell::Text(clean_text(s)),
        DataRef::SharedString(s) => Cell::Text(clean_text(s)),
        DataRef::Bool(b) => Cell::Bool(*b),
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(dt) if d.is_datetime() => Cell::Date(dt),
            _ => Cell::Number(d.as_f64()),
        },
        DataRef::DateTimeIso(s) => iso_cell(s),
        DataRef::DurationIso(s) => Cell::Text(clean_text(s)),
        DataRef::Error(e) => Cell::Error(e.to_string()),
        DataRef::Empty => Cell::Empty,
    }
}

fn from_data(v: &Data) -> Cell {
    match v {
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::String(s) => Cell::Text(clean_text(s)),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) if d.is_datetime() => Cell::Date(dt),
            _ => Cell::Number(d.as_f64()),
        },
        Data::DateTimeIso(s) => iso_cell(s),
        Data::DurationIso(s) => Cell::Text(clean_text(s)),
        Data::Error(e) => Cell::Error(e.to_string()),
        Data::Empty => Cell::Empty,
    }
}

fn iso_cell(s: &str) -> Cell {
    use chrono::{NaiveDate, NaiveDateTime};
    if let Ok(dt) = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f") {
        return Cell::Date(dt);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Cell::Date(d.and_time(chrono::NaiveTime::MIN));
    }
    Cell::Text(clean_text(s))
}

fn is_hidden(v: SheetVisible) -> bool {
    !matches!(v, SheetVisible::Visible)
}

/// xlsx and xlsm: streaming cell reader, never a dense range. Macros are never read.
pub(crate) fn read_xlsx(bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, IngestError> {
    guarded(|| {
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(calamine_err)?;
        let metas: Vec<(String, bool)> =
            wb.sheets_metadata().iter().map(|s| (s.name.clone(), is_hidden(s.visible))).collect();
        let mut total = 0u64;
        let mut sheets = Vec::new();
        for (name, hidden) in metas {
            let mut b = SheetBuilder::new(limits, &mut total);
            let mut reader = match wb.worksheet_cells_reader(&name) {
                Ok(r) => r,
                Err(calamine::XlsxError::NotAWorksheet(_)) => continue,
                Err(e) => return Err(calamine_err(e)),
            };
            let percent = percent_styles(reader.styles());
            while let Some((c, style)) = reader.next_cell_with_style_id().map_err(calamine_err)? {
                let (r, col) = c.get_position();
                let is_pct = percent.get(style).copied().unwrap_or(false);
                b.push(r, col, with_percent(from_ref(c.get_value()), is_pct))?;
            }
            drop(reader);
            sheets.push(b.finish(name, hidden)?);
        }
        Ok(sheets)
    })
}

/// For each xlsx style id (`cellXfs` index): does its number format make a percentage?
fn percent_styles(styles: &[calamine::Style]) -> Vec<bool> {
    styles
        .iter()
        .map(|s| {
            s.number_format
                .as_ref()
                .is_some_and(|f| f.format_id.is_some_and(is_builtin_percent) || is_percent_format(&f.format_code))
        })
        .collect()
}

/// A number under a percent format becomes [`Cell::Percent`]; anything else is unchanged.
fn with_percent(cell: Cell, is_percent: bool) -> Cell {
    match cell {
        Cell::Number(n) if is_percent => Cell::Percent(n),
        c => c,
    }
}

/// xlsb: streaming cell reader.
pub(crate) fn read_xlsb(bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, IngestError> {
    guarded(|| {
        let mut wb: Xlsb<_> = Xlsb::new(Cursor::new(bytes)).map_err(calamine_err)?;
        let metas: Vec<(String, bool)> =
            wb.sheets_metadata().iter().map(|s| (s.name.clone(), is_hidden(s.visible))).collect();
        let percent = xlsb_percent::percent_cells(bytes, limits.max_cells);
        let none = HashSet::new();
        let mut total = 0u64;
        let mut sheets = Vec::new();
        for (name, hidden) in metas {
            let mut b = SheetBuilder::new(limits, &mut total);
            let pct = percent.get(&name).unwrap_or(&none);
            let mut reader = wb.worksheet_cells_reader(&name).map_err(calamine_err)?;
            while let Some(c) = reader.next_cell().map_err(calamine_err)? {
                let (r, col) = c.get_position();
                b.push(r, col, with_percent(from_ref(c.get_value()), pct.contains(&(r, col))))?;
            }
            drop(reader);
            sheets.push(b.finish(name, hidden)?);
        }
        Ok(sheets)
    })
}

/// `is_percent(sheet, row, col, value)`: is this number percent-formatted (then it becomes
/// [`Cell::Percent`])?
fn ranges_to_sheets<R: std::io::Read + std::io::Seek, W: Reader<R>>(
    wb: &mut W,
    limits: &Limits,
    is_percent: impl Fn(&str, u32, u32, f64) -> bool,
) -> Result<Vec<Sheet>, IngestError>
where
    W::Error: std::fmt::Display,
{
    let metas: Vec<(String, bool)> =
        wb.sheets_metadata().iter().map(|s| (s.name.clone(), is_hidden(s.visible))).collect();
    let mut total = 0u64;
    let mut sheets = Vec::new();
    for (name, hidden) in metas {
        let range = wb.worksheet_range(&name).map_err(calamine_err)?;
        let mut b = SheetBuilder::new(limits, &mut total);
        for (r, c, v) in range.used_cells() {
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let (r, c) = (r0 + r as u32, c0 + c as u32);
            let is_pct = match v {
                Data::Float(f) => is_percent(&name, r, c, *f),
                Data::Int(i) => is_percent(&name, r, c, *i as f64),
                _ => false,
            };
            b.push(r, c, with_percent(from_data(v), is_pct))?;
        }
        sheets.push(b.finish(name, hidden)?);
    }
    Ok(sheets)
}

/// xls (BIFF): no streaming reader exists; the range API, under `catch_unwind`. Percent
/// formats come from [`xls_percent`] (BIFF8 only; BIFF5 numbers stay bare).
pub(crate) fn read_xls(bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, IngestError> {
    guarded(|| {
        let mut wb: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(calamine_err)?;
        let percent = xls_percent::percent_cells(bytes, limits.max_cells);
        ranges_to_sheets(&mut wb, limits, |sheet, r, c, _| percent.get(sheet).is_some_and(|p| p.contains(&(r, c))))
    })
}

/// ods: the range API (calamine caps repeated rows/columns), after the zip pre-checks.
pub(crate) fn read_ods(bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>, IngestError> {
    guarded(|| {
        let mut wb: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(calamine_err)?;
        let percent = ods_percent::percent_cells(bytes, limits.max_cells);
        // Position and exact stored value must both agree (see ods_percent).
        ranges_to_sheets(&mut wb, limits, |sheet, r, c, v| {
            percent.get(sheet).and_then(|p| p.get(&(r, c))).is_some_and(|p| p.to_bits() == v.to_bits())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_caps_and_order() {
        let limits = Limits { max_cols: 3, max_rows: 2, max_cells: 100, ..Limits::default() };
        let mut total = 0;
        let mut b = SheetBuilder::new(&limits, &mut total);
        b.push(0, 0, Cell::Text("a".into())).unwrap();
        b.push(0, 2, Cell::Number(1.0)).unwrap();
        b.push(4, 1, Cell::Text("  ".into())).unwrap(); // blank: ignored
        assert_eq!(b.push(5, 3, Cell::Number(2.0)).unwrap_err().code(), "too_many_columns");
        let s = b.finish("S".into(), false).unwrap();
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows[0].row, 1);
        assert_eq!(s.rows[0].cells, vec![Cell::Text("a".into()), Cell::Empty, Cell::Number(1.0)]);

        let mut total = 0;
        let mut b = SheetBuilder::new(&limits, &mut total);
        for r in 0..2 {
            b.push(r, 0, Cell::Bool(true)).unwrap();
        }
        b.push(0, 1, Cell::Bool(false)).unwrap(); // back to row 1: merged, not a new row
        assert_eq!(b.push(2, 0, Cell::Bool(true)).unwrap_err().code(), "too_many_rows");
        let s = b.finish("S".into(), false).unwrap();
        assert_eq!(s.rows[0].cells, vec![Cell::Bool(true), Cell::Bool(false)]);
        assert_eq!(s.rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![1, 2]);
    }
}
