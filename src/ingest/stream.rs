//! Streaming reads: the readers push each row to a [`RowSink`] as soon as it is complete, so a
//! large sheet is never held whole. An upload maps and stores every row as it arrives;
//! [`Collect`] gathers a whole [`Workbook`] for the callers that want one (questionnaires,
//! screening lists, the audit command).

use super::{IngestError, Limits};
use crate::domain::{Cell, FileFormat, Sheet, SheetRow, Workbook};

/// What the sink wants next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Stop reading this sheet (the reader goes on with the next one).
    SkipSheet,
    /// Stop reading the file.
    Stop,
}

/// Receives a file as it is read: the sheet list once, then per sheet its rows in ascending
/// order (blank rows are never sent).
pub trait RowSink {
    /// Every sheet of the file, in file order, with its hidden flag; sent before any row.
    fn sheets(&mut self, _sheets: &[(String, bool)]) -> Result<Flow, IngestError> {
        Ok(Flow::Continue)
    }
    fn begin_sheet(&mut self, name: &str, hidden: bool) -> Result<Flow, IngestError>;
    /// How many rows the sheet just begun says it spans (its own count, which a file may get
    /// wrong): a hint for reserving memory, never a limit. Sent by readers that know it.
    fn rows_hint(&mut self, _rows: u64) {}
    fn row(&mut self, row: SheetRow) -> Result<Flow, IngestError>;
    fn end_sheet(&mut self) -> Result<Flow, IngestError>;
}

/// Gathers everything into a [`Workbook`].
#[derive(Default)]
pub struct Collect {
    pub sheets: Vec<Sheet>,
}

impl Collect {
    pub fn into_workbook(self, format: FileFormat) -> Workbook {
        Workbook { format, sheets: self.sheets }
    }
}

impl RowSink for Collect {
    fn begin_sheet(&mut self, name: &str, hidden: bool) -> Result<Flow, IngestError> {
        self.sheets.push(Sheet { name: name.to_string(), hidden, rows: Vec::new() });
        Ok(Flow::Continue)
    }
    fn row(&mut self, row: SheetRow) -> Result<Flow, IngestError> {
        if let Some(s) = self.sheets.last_mut() {
            s.rows.push(row);
        }
        Ok(Flow::Continue)
    }
    fn end_sheet(&mut self) -> Result<Flow, IngestError> {
        Ok(Flow::Continue)
    }
}

/// Feeds an already-read workbook to a sink, as a reader would.
pub fn replay(wb: &Workbook, sink: &mut dyn RowSink) -> Result<(), IngestError> {
    let metas: Vec<(String, bool)> = wb.sheets.iter().map(|s| (s.name.clone(), s.hidden)).collect();
    if sink.sheets(&metas)? == Flow::Stop {
        return Ok(());
    }
    for s in &wb.sheets {
        match sink.begin_sheet(&s.name, s.hidden)? {
            Flow::Stop => return Ok(()),
            Flow::SkipSheet => continue,
            Flow::Continue => {}
        }
        let mut flow = Flow::Continue;
        for r in &s.rows {
            flow = sink.row(r.clone())?;
            if flow != Flow::Continue {
                break;
            }
        }
        if flow == Flow::Stop || sink.end_sheet()? == Flow::Stop {
            return Ok(());
        }
    }
    Ok(())
}

/// Builds rows from cells arriving in row order and hands each finished row to the sink,
/// enforcing the row, column and cell caps as it goes. A cell for a row already passed means
/// the file's rows are out of order, which no spreadsheet program writes: the file is refused.
pub(crate) struct RowBuilder<'l> {
    limits: &'l Limits,
    cells_total: &'l mut u64,
    rows: u64,
    cur: Option<SheetRow>,
    flow: Flow,
    /// The width of the row before: a new row's cells are allocated at it at once, instead of
    /// growing a cell at a time (the previous row's, not the widest's: one wide row does not
    /// widen every row kept after it).
    width: usize,
}

impl<'l> RowBuilder<'l> {
    pub(crate) fn new(limits: &'l Limits, cells_total: &'l mut u64) -> Self {
        RowBuilder { limits, cells_total, rows: 0, cur: None, flow: Flow::Continue, width: 0 }
    }

    /// Adds a cell at 0-based (row, col); empty cells are ignored. Returns what the sink wants:
    /// a reader stops reading the sheet on anything but `Continue`.
    pub(crate) fn push(&mut self, sink: &mut dyn RowSink, row: u32, col: u32, cell: Cell) -> Result<Flow, IngestError> {
        if self.flow != Flow::Continue || cell.is_empty() {
            return Ok(self.flow);
        }
        if col as u64 >= self.limits.max_cols {
            return Err(IngestError::TooManyColumns { limit: self.limits.max_cols });
        }
        *self.cells_total += 1;
        if *self.cells_total > self.limits.max_cells {
            return Err(IngestError::TooManyCells { limit: self.limits.max_cells });
        }
        let row1 = row.saturating_add(1);
        match &self.cur {
            Some(r) if r.row == row1 => {}
            Some(r) if r.row > row1 => {
                return Err(IngestError::unreadable(format!(
                    "cells of row {row1} come after row {}: the rows are out of order, so the file is damaged",
                    r.row
                )))
            }
            _ => {
                if let Some(done) = self.cur.take() {
                    self.width = done.cells.len();
                    self.flow = sink.row(done)?;
                    if self.flow != Flow::Continue {
                        return Ok(self.flow);
                    }
                }
                self.rows += 1;
                if self.rows > self.limits.max_rows {
                    return Err(IngestError::TooManyRows { limit: self.limits.max_rows });
                }
                self.cur = Some(SheetRow { row: row1, cells: Vec::with_capacity(self.width) });
            }
        }
        if let Some(r) = &mut self.cur {
            let c = col as usize;
            if r.cells.len() <= c {
                r.cells.resize(c + 1, Cell::Empty);
            }
            r.cells[c] = cell;
        }
        Ok(Flow::Continue)
    }

    /// Sends the last row and ends the sheet; returns the sink's wish for the file.
    pub(crate) fn finish(mut self, sink: &mut dyn RowSink) -> Result<Flow, IngestError> {
        if self.flow == Flow::Continue {
            if let Some(done) = self.cur.take() {
                self.flow = sink.row(done)?;
            }
        }
        if self.flow == Flow::Stop {
            return Ok(Flow::Stop);
        }
        sink.end_sheet()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_caps_and_order() {
        let limits = Limits { max_cols: 3, max_rows: 2, max_cells: 100, ..Limits::default() };
        let mut total = 0;
        let mut sink = Collect::default();
        sink.begin_sheet("S", false).unwrap();
        let mut b = RowBuilder::new(&limits, &mut total);
        b.push(&mut sink, 0, 0, Cell::Text("a".into())).unwrap();
        b.push(&mut sink, 0, 2, Cell::Number(1.0)).unwrap();
        b.push(&mut sink, 4, 1, Cell::Text("  ".into())).unwrap(); // blank: ignored
        assert_eq!(b.push(&mut sink, 5, 3, Cell::Number(2.0)).unwrap_err().code(), "too_many_columns");
        b.finish(&mut sink).unwrap();
        let s = &sink.sheets[0];
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows[0].row, 1);
        assert_eq!(s.rows[0].cells, vec![Cell::Text("a".into()), Cell::Empty, Cell::Number(1.0)]);

        let mut total = 0;
        let mut sink = Collect::default();
        sink.begin_sheet("S", false).unwrap();
        let mut b = RowBuilder::new(&limits, &mut total);
        for r in 0..2 {
            b.push(&mut sink, r, 0, Cell::Bool(true)).unwrap();
        }
        let e = b.push(&mut sink, 0, 1, Cell::Bool(false)).unwrap_err();
        assert_eq!(e.code(), "unreadable_file");
        assert!(e.to_string().contains("out of order"), "{e}");
        assert_eq!(b.push(&mut sink, 2, 0, Cell::Bool(true)).unwrap_err().code(), "too_many_rows");
        assert_eq!(sink.sheets[0].rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![1, 2], "row 2 was complete");
    }

    /// A sink that stops after the first row of each sheet, and the whole file on sheet "B".
    struct FirstRows(Vec<(String, u32)>, String);
    impl RowSink for FirstRows {
        fn begin_sheet(&mut self, name: &str, _hidden: bool) -> Result<Flow, IngestError> {
            self.1 = name.to_string();
            Ok(Flow::Continue)
        }
        fn row(&mut self, row: SheetRow) -> Result<Flow, IngestError> {
            self.0.push((self.1.clone(), row.row));
            Ok(if self.1 == "B" { Flow::Stop } else { Flow::SkipSheet })
        }
        fn end_sheet(&mut self) -> Result<Flow, IngestError> {
            Ok(Flow::Continue)
        }
    }

    #[test]
    fn replay_honours_the_flow() {
        let row = |n| SheetRow { row: n, cells: vec![Cell::Number(1.0)] };
        let sheet = |name: &str| Sheet { name: name.into(), hidden: false, rows: vec![row(1), row(2)] };
        let wb = Workbook { format: FileFormat::Csv, sheets: vec![sheet("A"), sheet("B"), sheet("C")] };
        let mut s = FirstRows(Vec::new(), String::new());
        replay(&wb, &mut s).unwrap();
        assert_eq!(s.0, vec![("A".to_string(), 1), ("B".to_string(), 1)]);
    }
}
