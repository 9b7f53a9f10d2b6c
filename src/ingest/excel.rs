//! calamine readers: xlsx/xlsm/xlsb through the streaming cell reader under row/column/cell
//! caps; xls and ods through the range API (after pre-checks). All under `catch_unwind`.
//!
//! Percent-formatted numbers become [`Cell::Percent`]: xlsx from calamine's style palette,
//! xlsb, xls and ods from [`xlsb_percent`], [`xls_percent`] and [`ods_percent`] (calamine keeps
//! no number format for them).

use super::numfmt::{is_builtin_percent, is_percent_format};
use super::stream::{Flow, RowBuilder, RowSink};
use super::{clean_text, IngestError, Limits};
use super::{ods_percent, xls_percent, xlsb_percent};
use crate::domain::Cell;
use calamine::{Data, DataRef, Ods, Reader, SheetVisible, Xls, Xlsb, Xlsx};
use std::collections::HashSet;
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
pub(crate) fn read_xlsx(bytes: &[u8], limits: &Limits, sink: &mut dyn RowSink) -> Result<(), IngestError> {
    guarded(|| {
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(calamine_err)?;
        let metas: Vec<(String, bool)> =
            wb.sheets_metadata().iter().map(|s| (s.name.clone(), is_hidden(s.visible))).collect();
        if sink.sheets(&metas)? == Flow::Stop {
            return Ok(());
        }
        let mut total = 0u64;
        for (name, hidden) in metas {
            let mut reader = match wb.worksheet_cells_reader(&name) {
                Ok(r) => r,
                Err(calamine::XlsxError::NotAWorksheet(_)) => continue,
                Err(e) => return Err(calamine_err(e)),
            };
            match sink.begin_sheet(&name, hidden)? {
                Flow::Stop => return Ok(()),
                Flow::SkipSheet => continue,
                Flow::Continue => {}
            }
            sink.rows_hint(rows_spanned(reader.dimensions(), limits));
            let mut b = RowBuilder::new(limits, &mut total);
            let percent = percent_styles(reader.styles());
            while let Some((c, style)) = reader.next_cell_with_style_id().map_err(calamine_err)? {
                let (r, col) = c.get_position();
                let is_pct = percent.get(style).copied().unwrap_or(false);
                if b.push(sink, r, col, with_percent(from_ref(c.get_value()), is_pct))? != Flow::Continue {
                    break;
                }
            }
            drop(reader);
            if b.finish(sink)? == Flow::Stop {
                return Ok(());
            }
        }
        Ok(())
    })
}

/// The rows a sheet's `<dimension>` says it spans, at most the row limit (a hint only: the
/// element is the writer's claim, and may be missing or wrong).
fn rows_spanned(d: calamine::Dimensions, limits: &Limits) -> u64 {
    let rows = if d.end.0 >= d.start.0 { u64::from(d.end.0 - d.start.0) + 1 } else { 0 };
    rows.min(limits.max_rows)
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
pub(crate) fn read_xlsb(bytes: &[u8], limits: &Limits, sink: &mut dyn RowSink) -> Result<(), IngestError> {
    guarded(|| {
        let mut wb: Xlsb<_> = Xlsb::new(Cursor::new(bytes)).map_err(calamine_err)?;
        let metas: Vec<(String, bool)> =
            wb.sheets_metadata().iter().map(|s| (s.name.clone(), is_hidden(s.visible))).collect();
        if sink.sheets(&metas)? == Flow::Stop {
            return Ok(());
        }
        let percent = xlsb_percent::percent_cells(bytes, limits.max_cells);
        let none = HashSet::new();
        let mut total = 0u64;
        for (name, hidden) in metas {
            let pct = percent.get(&name).unwrap_or(&none);
            let mut reader = wb.worksheet_cells_reader(&name).map_err(calamine_err)?;
            match sink.begin_sheet(&name, hidden)? {
                Flow::Stop => return Ok(()),
                Flow::SkipSheet => continue,
                Flow::Continue => {}
            }
            let mut b = RowBuilder::new(limits, &mut total);
            while let Some(c) = reader.next_cell().map_err(calamine_err)? {
                let (r, col) = c.get_position();
                if b.push(sink, r, col, with_percent(from_ref(c.get_value()), pct.contains(&(r, col))))?
                    != Flow::Continue
                {
                    break;
                }
            }
            drop(reader);
            if b.finish(sink)? == Flow::Stop {
                return Ok(());
            }
        }
        Ok(())
    })
}

/// `is_percent(sheet, row, col, value)`: is this number percent-formatted (then it becomes
/// [`Cell::Percent`])?
fn ranges_to_sheets<R: std::io::Read + std::io::Seek, W: Reader<R>>(
    wb: &mut W,
    limits: &Limits,
    sink: &mut dyn RowSink,
    is_percent: impl Fn(&str, u32, u32, f64) -> bool,
) -> Result<(), IngestError>
where
    W::Error: std::fmt::Display,
{
    let metas: Vec<(String, bool)> =
        wb.sheets_metadata().iter().map(|s| (s.name.clone(), is_hidden(s.visible))).collect();
    if sink.sheets(&metas)? == Flow::Stop {
        return Ok(());
    }
    let mut total = 0u64;
    for (name, hidden) in metas {
        let range = wb.worksheet_range(&name).map_err(calamine_err)?;
        match sink.begin_sheet(&name, hidden)? {
            Flow::Stop => return Ok(()),
            Flow::SkipSheet => continue,
            Flow::Continue => {}
        }
        sink.rows_hint((range.height() as u64).min(limits.max_rows));
        let mut b = RowBuilder::new(limits, &mut total);
        for (r, c, v) in range.used_cells() {
            let (r0, c0) = range.start().unwrap_or((0, 0));
            let (r, c) = (r0 + r as u32, c0 + c as u32);
            let is_pct = match v {
                Data::Float(f) => is_percent(&name, r, c, *f),
                Data::Int(i) => is_percent(&name, r, c, *i as f64),
                _ => false,
            };
            if b.push(sink, r, c, with_percent(from_data(v), is_pct))? != Flow::Continue {
                break;
            }
        }
        if b.finish(sink)? == Flow::Stop {
            return Ok(());
        }
    }
    Ok(())
}

/// xls (BIFF): no streaming reader exists; the range API, under `catch_unwind`. Percent
/// formats come from [`xls_percent`] (BIFF8 only; BIFF5 numbers stay bare).
pub(crate) fn read_xls(bytes: &[u8], limits: &Limits, sink: &mut dyn RowSink) -> Result<(), IngestError> {
    guarded(|| {
        let mut wb: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(calamine_err)?;
        let percent = xls_percent::percent_cells(bytes, limits.max_cells);
        ranges_to_sheets(&mut wb, limits, sink, |sheet, r, c, _| {
            percent.get(sheet).is_some_and(|p| p.contains(&(r, c)))
        })
    })
}

/// ods: the range API (calamine caps repeated rows/columns), after the zip pre-checks.
pub(crate) fn read_ods(bytes: &[u8], limits: &Limits, sink: &mut dyn RowSink) -> Result<(), IngestError> {
    guarded(|| {
        let mut wb: Ods<_> = Ods::new(Cursor::new(bytes)).map_err(calamine_err)?;
        let percent = ods_percent::percent_cells(bytes, limits.max_cells);
        // Position and exact stored value must both agree (see ods_percent).
        ranges_to_sheets(&mut wb, limits, sink, |sheet, r, c, v| {
            percent.get(sheet).and_then(|p| p.get(&(r, c))).is_some_and(|p| p.to_bits() == v.to_bits())
        })
    })
}
