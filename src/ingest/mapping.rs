//! Supplier-list mapping: finds the header row, maps columns to canonical fields, and turns
//! each data row into an accepted or rejected [`ListRow`]; footers and what follows are skipped.

use super::fields::{parse_fields, FieldValue, RowError, CANONICAL_FIELDS};
use super::headers::{header_currency, match_header};
use super::stream::{Flow, RowSink};
use super::{clean_text, IngestError};
use crate::domain::{Cell, FieldSource, RawCells, Sheet, SheetRow, SupplierFields, Workbook};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Rows scanned from the top of each sheet when looking for the header.
const HEADER_SCAN_ROWS: usize = 30;

/// One column of the file and the canonical field it was mapped to (None: kept as extra).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ColumnMapping {
    pub header: String,
    pub field: Option<String>,
}

/// What became of one data row. (Not boxed: the brief's shape, and most rows are accepted.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RowOutcome {
    Accepted { fields: SupplierFields, extra: BTreeMap<String, String>, warnings: Vec<RowError> },
    Rejected { errors: Vec<RowError> },
}

/// One data row: the spreadsheet's 1-based row number, its cells under their headers as
/// written (display text), and the outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListRow {
    pub row: u32,
    /// The row's non-blank cells under their headers as written (each header shared by every
    /// row, not copied per row).
    pub raw: Vec<(Arc<str>, String)>,
    pub outcome: RowOutcome,
}

/// A non-blank row that was neither accepted nor rejected: a footer ("Grand total: 412
/// suppliers") and anything below it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedRow {
    pub row: u32,
    pub reason: String,
    pub raw: Vec<(Arc<str>, String)>,
}

/// A supplier list as read: which sheet and header row, how columns map, every data row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupplierList {
    pub sheet: String,
    pub header_row: u32,
    pub columns: Vec<ColumnMapping>,
    pub rows: Vec<ListRow>,
    pub skipped: Vec<SkippedRow>,
}

/// The [`FieldSource`] of every row of one list: the file, the row, and for each canonical field
/// the header as written and the raw cell text (so findings can cite the cell). The column map
/// is made once and shared by every row's source.
pub struct RowSources {
    upload_id: String,
    filename: String,
    /// canonical field → header as written.
    columns: Arc<BTreeMap<String, String>>,
    /// header as written → canonical field.
    field_of: HashMap<String, String, foldhash::fast::FixedState>,
}

impl RowSources {
    pub fn new(columns: &[ColumnMapping], upload_id: &str, filename: &str) -> RowSources {
        let mapped = || columns.iter().filter_map(|c| c.field.as_ref().map(|f| (f.clone(), c.header.clone())));
        RowSources {
            upload_id: upload_id.to_string(),
            filename: filename.to_string(),
            columns: Arc::new(mapped().collect()),
            field_of: mapped().map(|(f, h)| (h, f)).collect(),
        }
    }

    /// The source of the row numbered `row` whose cells under their headers are `raw`.
    pub fn source(&self, row: u32, raw: &[(Arc<str>, String)]) -> FieldSource {
        FieldSource {
            upload_id: Some(self.upload_id.clone()),
            filename: Some(self.filename.clone()),
            row: Some(row),
            columns: self.columns(),
            raw: self.raw(raw),
        }
    }

    /// canonical field → header as written, shared by every row.
    pub fn columns(&self) -> Arc<BTreeMap<String, String>> {
        self.columns.clone()
    }

    /// The cells of a row (under their headers as written) by canonical field; cells of
    /// unmapped columns are left out.
    pub fn raw<H: AsRef<str>>(&self, raw: &[(H, String)]) -> RawCells {
        raw.iter().filter_map(|(h, v)| self.field_of.get(h.as_ref()).map(|f| (f, v))).collect()
    }
}

fn norm_header(h: &str) -> String {
    h.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Column letters for a 0-based index: 0 → A, 26 → AA.
fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// Maps each header cell; the override (matched ignoring case and spacing) wins.
fn map_columns(cells: &[Cell], mapping: Option<&BTreeMap<String, String>>) -> Result<Vec<ColumnMapping>, IngestError> {
    let overrides: Vec<(String, &String, &String)> =
        mapping.map(|m| m.iter().map(|(h, f)| (norm_header(h), h, f)).collect()).unwrap_or_default();
    let mut used: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(cells.len());
    for (i, c) in cells.iter().enumerate() {
        let written = clean_text(&c.display()).replace('\n', " ");
        let header = if written.is_empty() { format!("Column {}", column_letter(i)) } else { written.clone() };
        let mut field = match overrides.iter().find(|(k, _, _)| *k == norm_header(&written)) {
            Some((_, h, f)) => {
                if f.is_empty() || *f == "extra" || *f == "ignore" {
                    None
                } else if CANONICAL_FIELDS.contains(&f.as_str()) {
                    Some(f.to_string())
                } else {
                    return Err(IngestError::UnknownField { header: h.to_string(), field: f.to_string() });
                }
            }
            None if written.is_empty() => None,
            None => match_header(&written).map(str::to_string),
        };
        if let Some(f) = &field {
            if used.contains(f) {
                field = None; // the first column for a field wins; the others stay as extras
            } else {
                used.push(f.clone());
            }
        }
        out.push(ColumnMapping { header, field });
    }
    Ok(out)
}

/// Score of a candidate header row: distinct fields mapped, and whether a required one is.
fn header_score(cols: &[ColumnMapping]) -> (usize, bool) {
    let n = cols.iter().filter(|c| c.field.is_some()).count();
    let req = cols.iter().any(|c| matches!(c.field.as_deref(), Some("legal_name" | "country" | "sector")));
    (n, req)
}

fn is_footer(cells: &[Cell]) -> bool {
    let non_empty: Vec<&Cell> = cells.iter().filter(|c| !c.is_empty()).collect();
    if non_empty.is_empty() || non_empty.len() > 4 {
        return false;
    }
    let Some(Cell::Text(first)) = non_empty.first() else {
        return false;
    };
    let f = first.trim().to_lowercase();
    [
        "total",
        "grand total",
        "sum",
        "subtotal",
        "sub-total",
        "count",
        "end of report",
        "number of suppliers",
        "generated",
    ]
    .iter()
    .any(|p| f == *p || f.starts_with(&format!("{p}:")) || f.starts_with(&format!("{p} ")))
}

/// Finds the first sheet with a recognisable header (hidden sheets last), maps its columns and
/// parses every row after the header. `mapping` overrides header matching:
/// `{"Header in file": "canonical_field"}` (use `"extra"` to keep a column unmapped).
pub fn map_supplier_list(
    wb: &Workbook,
    mapping: Option<&BTreeMap<String, String>>,
    today: NaiveDate,
) -> Result<SupplierList, IngestError> {
    let mut rows = Vec::new();
    let mut m = ListMapper::new(mapping, today, |_, r| {
        rows.push(r);
        true
    });
    super::stream::replay(wb, &mut m)?;
    let head = m.finish()?;
    Ok(SupplierList {
        sheet: head.sheet,
        header_row: head.header_row,
        columns: head.columns,
        rows,
        skipped: head.skipped,
    })
}

/// What [`ListMapper::finish`] returns: the list without its rows (they went to the callback).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListHead {
    pub sheet: String,
    pub header_row: u32,
    pub columns: Vec<ColumnMapping>,
    pub skipped: Vec<SkippedRow>,
    /// Data rows handed on (accepted and rejected).
    pub rows: usize,
}

/// The columns of the chosen header and what every data row needs from them.
struct Header {
    sheet: String,
    row: u32,
    columns: Vec<ColumnMapping>,
    /// Each column's header as written, shared by the rows' raw cells.
    names: Vec<Arc<str>>,
    /// The revenue column's header and the currency it names (`Annual revenue (MYR)`). Passed
    /// to every row after its cells, so a row's own currency column, when filled, wins.
    currency: Option<(String, String)>,
}

enum State {
    /// Looking for the header in the first rows of the current sheet.
    Scanning { sheet: String, hidden: bool, rows: Vec<SheetRow> },
    /// Mapping the data rows under the header.
    Mapping,
    /// A list was mapped (or an error found): the rest of the file is not read.
    Finished,
}

/// The supplier-list mapper as a [`RowSink`]: it finds the header in the first rows of each
/// sheet and turns every row under it into a [`ListRow`], handed to `on_row` at once (the
/// upload stores it), so only the header and the skipped rows are kept. Hidden sheets are only
/// read when no visible sheet has a header: they are held until the end of the file.
pub struct ListMapper<'m, F: FnMut(&[ColumnMapping], ListRow) -> bool> {
    mapping: Option<&'m BTreeMap<String, String>>,
    today: NaiveDate,
    on_row: F,
    state: State,
    header: Option<Header>,
    footer_seen: bool,
    skipped: Vec<SkippedRow>,
    rows: usize,
    hidden: Vec<Sheet>,
}

impl<'m, F: FnMut(&[ColumnMapping], ListRow) -> bool> ListMapper<'m, F> {
    /// `on_row` gets the columns and each row; it returns false to stop the read (its own error is the caller's to keep).
    pub fn new(mapping: Option<&'m BTreeMap<String, String>>, today: NaiveDate, on_row: F) -> Self {
        ListMapper {
            mapping,
            today,
            on_row,
            state: State::Finished,
            header: None,
            footer_seen: false,
            skipped: Vec::new(),
            rows: 0,
            hidden: Vec::new(),
        }
    }

    /// After the file: the header and skipped rows, or why there is no list.
    pub fn finish(mut self) -> Result<ListHead, IngestError> {
        if matches!(self.state, State::Scanning { .. }) {
            self.end_sheet()?;
        }
        // No visible sheet had a header: try the hidden ones, in order.
        if self.header.is_none() {
            for sheet in std::mem::take(&mut self.hidden) {
                self.state = State::Scanning { sheet: sheet.name, hidden: false, rows: Vec::new() };
                for r in sheet.rows {
                    if self.row(r)? != Flow::Continue {
                        break;
                    }
                }
                self.end_sheet()?;
                if self.header.is_some() {
                    break;
                }
            }
        }
        let Some(h) = self.header else {
            return Err(IngestError::NoHeaderRow);
        };
        if self.rows == 0 {
            return Err(IngestError::NoDataRows { sheet: h.sheet, header_row: h.row });
        }
        Ok(ListHead { sheet: h.sheet, header_row: h.row, columns: h.columns, skipped: self.skipped, rows: self.rows })
    }

    /// Picks the header among the scanned rows (the best row naming at least two fields, one
    /// of them required; three or more ends the search), then maps the rows after it.
    fn choose_header(&mut self, sheet: String, rows: Vec<SheetRow>) -> Result<Flow, IngestError> {
        let mut best: Option<(usize, Vec<ColumnMapping>, usize)> = None;
        for (i, r) in rows.iter().enumerate() {
            if r.cells.iter().any(|c| !matches!(c, Cell::Text(_) | Cell::Empty)) {
                continue; // header cells are text
            }
            let cols = map_columns(&r.cells, self.mapping)?;
            let (n, req) = header_score(&cols);
            if n >= 2 && req && best.as_ref().is_none_or(|b| n > b.2) {
                best = Some((i, cols, n));
                if n >= 3 {
                    break;
                }
            }
        }
        let Some((i, columns, _)) = best else {
            return Ok(Flow::SkipSheet);
        };
        let currency = columns
            .iter()
            .find(|c| c.field.as_deref() == Some("annual_revenue"))
            .and_then(|c| header_currency(&c.header).map(|cur| (c.header.clone(), cur)));
        self.header = Some(Header {
            sheet,
            row: rows[i].row,
            names: columns.iter().map(|m| Arc::from(m.header.as_str())).collect(),
            columns,
            currency,
        });
        self.state = State::Mapping;
        for r in rows.into_iter().skip(i + 1) {
            if self.map_row(r) == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
        Ok(Flow::Continue)
    }

    /// One row under the header: skipped (footer and below), accepted or rejected.
    fn map_row(&mut self, r: SheetRow) -> Flow {
        let Some(h) = &self.header else {
            return Flow::Stop;
        };
        if r.cells.iter().all(Cell::is_empty) {
            return Flow::Continue;
        }
        // A cell right of the header row's last cell has its column's letter for a header.
        let header_of =
            |i: usize| h.names.get(i).cloned().unwrap_or_else(|| Arc::from(format!("Column {}", column_letter(i))));
        let mut raw = Vec::new();
        for (i, c) in r.cells.iter().enumerate() {
            if !c.is_empty() {
                raw.push((header_of(i), c.display()));
            }
        }
        if self.footer_seen || is_footer(&r.cells) {
            let reason = if self.footer_seen { "below the footer row" } else { "footer row" };
            self.footer_seen = true;
            self.skipped.push(SkippedRow { row: r.row, reason: reason.to_string(), raw });
            return Flow::Continue;
        }
        let mut values = Vec::new();
        let mut extra = BTreeMap::new();
        for (i, c) in r.cells.into_iter().enumerate() {
            match h.columns.get(i).and_then(|m| m.field.as_ref().map(|f| (m, f))) {
                Some((m, f)) => {
                    values.push(FieldValue { field: f.as_str().into(), header: m.header.as_str().into(), cell: c })
                }
                None if !c.is_empty() => {
                    extra.insert(header_of(i).to_string(), c.display());
                }
                None => {}
            }
        }
        if let Some((hd, cur)) = &h.currency {
            values.push(FieldValue {
                field: "currency".into(),
                header: hd.as_str().into(),
                cell: Cell::Text(cur.clone()),
            });
        }
        let p = parse_fields(&values, r.row, self.today);
        let outcome = match p.fields {
            Some(fields) => RowOutcome::Accepted { fields, extra, warnings: p.warnings },
            None => RowOutcome::Rejected { errors: p.errors },
        };
        self.rows += 1;
        if (self.on_row)(&h.columns, ListRow { row: r.row, raw, outcome }) {
            Flow::Continue
        } else {
            self.state = State::Finished;
            Flow::Stop
        }
    }
}

impl<F: FnMut(&[ColumnMapping], ListRow) -> bool> RowSink for ListMapper<'_, F> {
    fn begin_sheet(&mut self, name: &str, hidden: bool) -> Result<Flow, IngestError> {
        if self.header.is_some() {
            return Ok(Flow::Stop);
        }
        self.state = State::Scanning { sheet: name.to_string(), hidden, rows: Vec::new() };
        Ok(Flow::Continue)
    }

    fn row(&mut self, row: SheetRow) -> Result<Flow, IngestError> {
        match &mut self.state {
            State::Finished => Ok(Flow::Stop),
            State::Mapping => Ok(self.map_row(row)),
            State::Scanning { hidden: true, rows, .. } => {
                rows.push(row);
                Ok(Flow::Continue)
            }
            State::Scanning { rows, .. } => {
                rows.push(row);
                if rows.len() < HEADER_SCAN_ROWS {
                    // A row naming three fields ends the search at once.
                    let last = rows.last().map(|r| r.cells.as_slice()).unwrap_or(&[]);
                    let strong = !last.iter().any(|c| !matches!(c, Cell::Text(_) | Cell::Empty)) && {
                        let (n, req) = header_score(&map_columns(last, self.mapping)?);
                        n >= 3 && req
                    };
                    if !strong {
                        return Ok(Flow::Continue);
                    }
                }
                let State::Scanning { sheet, rows, .. } = std::mem::replace(&mut self.state, State::Finished) else {
                    return Ok(Flow::Stop);
                };
                self.choose_header(sheet, rows)
            }
        }
    }

    fn end_sheet(&mut self) -> Result<Flow, IngestError> {
        match std::mem::replace(&mut self.state, State::Finished) {
            State::Scanning { sheet, hidden: true, rows } => {
                self.hidden.push(Sheet { name: sheet, hidden: true, rows });
                Ok(Flow::Continue)
            }
            State::Scanning { sheet, rows, .. } => {
                let flow = self.choose_header(sheet, rows)?;
                self.state = State::Finished;
                Ok(if self.header.is_some() || flow == Flow::Stop { Flow::Stop } else { Flow::Continue })
            }
            State::Mapping | State::Finished => Ok(if self.header.is_some() { Flow::Stop } else { Flow::Continue }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{FileFormat, SheetRow};

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }
    fn row(n: u32, cells: &[&str]) -> SheetRow {
        SheetRow { row: n, cells: cells.iter().map(|s| if s.is_empty() { Cell::Empty } else { t(s) }).collect() }
    }
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }
    fn wb(rows: Vec<SheetRow>) -> Workbook {
        Workbook {
            format: FileFormat::Csv,
            sheets: vec![
                Sheet { name: "_manumit".into(), hidden: true, rows: vec![row(1, &["Name", "Country", "Sector"])] },
                Sheet { name: "Suppliers".into(), hidden: false, rows },
            ],
        }
    }

    #[test]
    fn header_below_title_rows_footer_skipped() {
        let w = wb(vec![
            row(1, &["Supplier master — exported 2026-11-01"]),
            row(3, &["Vendor No.", "Supplier Name", "Country/Region", "Industry", "Notes"]),
            row(4, &["V1", "Acme", "Thailand", "Agri", "ok"]),
            row(6, &["V2", "Beta", "Narnia", "Agri", ""]),
            row(7, &["Grand total: 2 suppliers"]),
            row(8, &["V3", "Gamma", "TH", "agri", ""]),
        ]);
        let l = map_supplier_list(&w, None, today()).unwrap();
        assert_eq!((l.sheet.as_str(), l.header_row), ("Suppliers", 3));
        let fields: Vec<Option<&str>> = l.columns.iter().map(|c| c.field.as_deref()).collect();
        assert_eq!(
            fields,
            vec![Some("external_ref"), Some("legal_name"), Some("country"), Some("sector"), Some("notes")]
        );
        assert_eq!(l.rows.len(), 2);
        match &l.rows[0].outcome {
            RowOutcome::Accepted { fields, extra, .. } => {
                assert_eq!(fields.external_ref.as_deref(), Some("V1"));
                assert_eq!(fields.notes.as_deref(), Some("ok"));
                assert!(extra.is_empty(), "{extra:?}");
            }
            o => panic!("{o:?}"),
        }
        match &l.rows[1].outcome {
            RowOutcome::Rejected { errors } => {
                assert_eq!((errors[0].row, errors[0].code.as_str()), (6, "unknown_country"));
                assert_eq!(errors[0].column.as_deref(), Some("Country/Region"));
            }
            o => panic!("{o:?}"),
        }
        assert_eq!(l.skipped.iter().map(|s| s.row).collect::<Vec<_>>(), vec![7, 8]);
        assert_eq!(l.rows[0].raw[1], ("Supplier Name".into(), "Acme".to_string()));
    }

    /// The questionnaire's own labels and unreadable optional values keep the supplier; the
    /// report's warnings name each cell.
    #[test]
    fn optional_values_never_lose_a_supplier() {
        let w = wb(vec![
            row(
                1,
                &[
                    "Supplier",
                    "Country",
                    "Sector",
                    "Address type",
                    "Founded",
                    "Annual revenue (MYR)",
                    "Currency",
                    "Remarks",
                ],
            ),
            row(
                2,
                &["Acme", "MY", "Cleaning services", "Leased industrial or commercial", "", "1,000,000", "", "fine"],
            ),
            row(3, &["Beta", "MY", "Apparel|Health", "Penthouse", "sometime", "2,000,000", "THB", ""]),
            row(4, &["Gamma", "MY", "Mining", "Own premises", "", "", "", ""]),
        ]);
        let l = map_supplier_list(&w, None, today()).unwrap();
        let ok = |n: usize| match &l.rows[n].outcome {
            RowOutcome::Accepted { fields, warnings, .. } => (fields.clone(), warnings.clone()),
            o => panic!("{o:?}"),
        };
        let (f, w) = ok(0);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(f.sector, Some(crate::domain::Sector::Hospitality));
        assert_eq!(f.address_type, Some(crate::domain::AddressType::LeasedIndustrial));
        assert_eq!((f.annual_revenue, f.currency.as_deref()), (Some(1e6), Some("MYR")), "the header's currency");
        assert_eq!(f.notes.as_deref(), Some("fine"));
        let (f, w) = ok(1);
        assert_eq!((f.address_type, f.incorporation_date), (None, None));
        assert_eq!(f.currency.as_deref(), Some("THB"), "the row's currency column wins over the header");
        let got: Vec<(u32, &str, &str, &str)> = w
            .iter()
            .map(|e| (e.row, e.column.as_deref().unwrap_or(""), e.value.as_deref().unwrap_or(""), e.code.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "Sector", "Apparel|Health", "mixed_sector"),
                (3, "Address type", "Penthouse", "unknown_address_type"),
                (3, "Founded", "sometime", "invalid_date"),
            ]
        );
        match &l.rows[2].outcome {
            RowOutcome::Rejected { errors } => {
                assert_eq!((errors[0].row, errors[0].code.as_str()), (4, "unknown_sector"));
                assert!(errors[0].message.contains("agriculture, construction, hospitality or manufacturing"));
            }
            o => panic!("{o:?}"),
        }
    }

    #[test]
    fn mapping_override_and_errors() {
        let w = wb(vec![row(1, &["Firma", "Land", "Branche"]), row(2, &["Acme", "DE", "Bau"])]);
        let mut m = BTreeMap::new();
        m.insert("Firma".to_string(), "legal_name".to_string());
        m.insert("land".to_string(), "country".to_string());
        m.insert("Branche".to_string(), "sector".to_string());
        let l = map_supplier_list(&w, Some(&m), today()).unwrap();
        assert_eq!(l.header_row, 1);
        assert!(matches!(&l.rows[0].outcome, RowOutcome::Rejected { errors } if errors[0].code == "unknown_sector"));
        m.insert("Branche".to_string(), "industry_code".to_string());
        assert_eq!(map_supplier_list(&w, Some(&m), today()).unwrap_err().code(), "unknown_field");
    }

    #[test]
    fn a_list_on_a_hidden_sheet_is_read_when_no_visible_sheet_has_one() {
        let w = Workbook {
            format: FileFormat::Xlsx,
            sheets: vec![
                Sheet { name: "Cover".into(), hidden: false, rows: vec![row(1, &["Supplier master"])] },
                Sheet {
                    name: "Data".into(),
                    hidden: true,
                    rows: vec![row(2, &["Name", "Country", "Sector"]), row(3, &["Acme", "TH", "agri"])],
                },
            ],
        };
        let l = map_supplier_list(&w, None, today()).unwrap();
        assert_eq!((l.sheet.as_str(), l.header_row, l.rows.len()), ("Data", 2, 1));
    }

    #[test]
    fn rows_are_handed_on_as_read_and_the_callback_can_stop_the_read() {
        let mut rows = vec![row(1, &["Name", "Country", "Sector"])];
        rows.extend((2..=40).map(|n| row(n, &["Acme", "TH", "agri"])));
        let w = Workbook { format: FileFormat::Csv, sheets: vec![Sheet { name: "S".into(), hidden: false, rows }] };
        let mut seen = Vec::new();
        let mut m = ListMapper::new(None, today(), |cols, r| {
            assert_eq!(cols.len(), 3);
            seen.push(r.row);
            seen.len() < 5
        });
        crate::ingest::stream::replay(&w, &mut m).unwrap();
        let head = m.finish().unwrap();
        assert_eq!((head.header_row, head.rows), (1, 5));
        assert_eq!(seen, vec![2, 3, 4, 5, 6], "the read stopped when the callback said so");
    }

    #[test]
    fn no_header_no_data() {
        let w = Workbook {
            format: FileFormat::Csv,
            sheets: vec![Sheet { name: "S".into(), hidden: false, rows: vec![row(1, &["a", "b"])] }],
        };
        assert_eq!(map_supplier_list(&w, None, today()).unwrap_err().code(), "no_header_row");
        let w = Workbook {
            format: FileFormat::Csv,
            sheets: vec![Sheet { name: "S".into(), hidden: false, rows: vec![row(1, &["Name", "Country", "Sector"])] }],
        };
        assert_eq!(map_supplier_list(&w, None, today()).unwrap_err().code(), "no_data_rows");
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(27), "AB");
    }
}
