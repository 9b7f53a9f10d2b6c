//! The `Risk register` (one row per supplier, a worksheet table) and the `ILO indicators` heat map.

use super::cell::{row_num, Styles};
use super::{top_drivers, ReportInput, RISK_REGISTER_HEADERS};
use crate::domain::{Dimension, IloIndicator, Severity};
use rust_xlsxwriter::{
    ColNum, Color, ConditionalFormatDataBar, ConditionalFormatText, ConditionalFormatTextRule, ConditionalFormatType,
    Format, RowNum, Table, TableColumn, Workbook, Worksheet, XlsxError,
};

/// Text-rule colours (fill, font) for tier cells.
pub(crate) const TIER_COLOURS: [(&str, u32, u32); 4] = [
    ("critical", 0xC00000, 0xFFFFFF),
    ("high", 0xF4B084, 0x000000),
    ("medium", 0xFFE699, 0x000000),
    ("low", 0xC6EFCE, 0x006100),
];

/// Heat-map colours (fill, font) for the strongest severity of an ILO indicator.
pub(crate) const SEVERITY_COLOURS: [(&str, u32, u32); 3] =
    [("high", 0xC00000, 0xFFFFFF), ("medium", 0xF4B084, 0x000000), ("low", 0xFFE699, 0x000000)];

/// Adds text rules colouring cells of a column range whose text begins with each label.
pub(crate) fn colour_text(
    ws: &mut Worksheet,
    (first_row, last_row): (RowNum, RowNum),
    (first_col, last_col): (ColNum, ColNum),
    rules: &[(&str, u32, u32)],
) -> Result<(), XlsxError> {
    if last_row < first_row {
        return Ok(());
    }
    for (label, fill, font) in rules {
        let cf = ConditionalFormatText::new()
            .set_rule(ConditionalFormatTextRule::BeginsWith((*label).to_string()))
            .set_format(Format::new().set_background_color(Color::RGB(*fill)).set_font_color(Color::RGB(*font)));
        ws.add_conditional_format(first_row, first_col, last_row, last_col, &cf)?;
    }
    Ok(())
}

/// The Risk register's `Child labour` column.
const CHILD_LABOUR_COL: ColNum = 16;

/// Registers up to this many suppliers are a worksheet table; larger ones a filtered range.
pub const TABLE_MAX_ROWS: usize = 20_000;

pub fn write_register(wb: &mut Workbook, input: &ReportInput, order: &[usize], st: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?.set_name("Risk register")?;
    let n = order.len();
    let last_row = if n == 0 { 0 } else { row_num(n - 1)? };
    let last_col = (RISK_REGISTER_HEADERS.len() - 1) as ColNum;
    st.widths(
        ws,
        &[
            14.0, 14.0, 34.0, 9.0, 15.0, 18.0, 10.0, 10.0, 10.0, 10.0, 10.0, 12.0, 50.0, 60.0, 17.0, 16.0, 10.0, 10.0,
            20.0, 12.0,
        ],
    )?;
    if n == 0 || n > TABLE_MAX_ROWS {
        // A table needs at least one data row, and rust_xlsxwriter keeps one map entry per
        // table cell (about 50 MB for 100k rows): an empty or very large register gets the
        // same header, autofilter, colours and data bars without the table object.
        for (c, h) in RISK_REGISTER_HEADERS.iter().enumerate() {
            ws.write_string_with_format(0, c as ColNum, *h, &st.header)?;
        }
        ws.autofilter(0, 0, last_row, last_col)?;
    } else {
        // In constant-memory mode the table (which writes the header row) must come first.
        let cols: Vec<TableColumn> = RISK_REGISTER_HEADERS
            .iter()
            .map(|h| TableColumn::new().set_header(*h).set_header_format(&st.header))
            .collect();
        let table = Table::new().set_name("RiskRegister").set_columns(&cols);
        ws.add_table(0, 0, last_row, last_col, &table)?;
    }
    if n > 0 {
        colour_text(ws, (1, last_row), (6, 6), &TIER_COLOURS)?;
        let bar = ConditionalFormatDataBar::new()
            .set_minimum(ConditionalFormatType::Number, 0)
            .set_maximum(ConditionalFormatType::Number, 100)
            .set_fill_color(Color::RGB(0xE06666));
        ws.add_conditional_format(1, 7, last_row, 10, &bar)?;
        ws.add_conditional_format(1, CHILD_LABOUR_COL, last_row, CHILD_LABOUR_COL, &bar)?;
    }
    ws.set_freeze_panes(1, 3)?;

    for (k, &i) in order.iter().enumerate() {
        let s = &input.suppliers[i];
        let a = &s.assessment;
        let r = row_num(k)?;
        st.text(ws, r, 0, &s.id)?;
        st.text(ws, r, 1, s.external_ref.as_deref().unwrap_or(""))?;
        st.text(ws, r, 2, &s.legal_name)?;
        st.text(ws, r, 3, &s.country)?;
        st.text(ws, r, 4, &s.sector)?;
        st.text(ws, r, 5, s.commodity.as_deref().unwrap_or(""))?;
        ws.write_string(r, 6, a.tier.as_str())?;
        st.num(ws, r, 7, a.overall)?;
        st.num(ws, r, 8, a.components.forced_labour.score)?;
        st.num(ws, r, 9, a.components.front_business.score)?;
        st.num(ws, r, 10, a.components.inherent.score)?;
        ws.write_string(r, 11, if a.forced_labour_likely { "Yes" } else { "No" })?;
        st.text(ws, r, 12, &top_drivers(a))?;
        st.text(ws, r, 13, &a.recommended_actions.join("; "))?;
        st.datetime(ws, r, 14, &s.assessed_at)?;
        st.text(ws, r, 15, &s.assessment_id)?;
        // Methodology 1 assessments have neither a child-labour component nor a basis: blank.
        if let Some(c) = a.components.child_labour {
            st.num(ws, r, CHILD_LABOUR_COL, c.score)?;
        }
        if let Some(b) = a.basis {
            ws.write_string(r, 17, b.as_str())?;
        }
        st.text(ws, r, 18, &a.inputs_hash)?;
        st.text(ws, r, 19, &a.methodology_version)?;
    }
    Ok(())
}

/// The ILO indicators sheet's last column: the strongest child-labour finding (ILO C138, C182).
pub const CHILD_LABOUR_TITLE: &str = "Child labour (C138, C182)";

/// A readable column title for an ILO indicator.
pub fn ilo_label(i: IloIndicator) -> &'static str {
    i.title()
}

pub fn write_ilo(wb: &mut Workbook, input: &ReportInput, order: &[usize], st: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?.set_name("ILO indicators")?;
    let ilo = IloIndicator::ALL;
    let mut titles = vec!["Supplier ID", "Supplier", "Tier"];
    titles.extend(ilo.iter().map(|i| ilo_label(*i)));
    titles.push(CHILD_LABOUR_TITLE);
    let mut widths = vec![14.0, 34.0, 10.0];
    widths.extend(ilo.iter().map(|_| 14.0));
    widths.push(16.0);
    let child_col = 3 + ilo.len() as ColNum;
    st.header(ws, &titles, &widths)?;
    ws.set_row_height(0, 45)?;
    ws.set_freeze_panes(1, 2)?;
    let last_row = if order.is_empty() { 0 } else { row_num(order.len() - 1)? };
    let last_col = (titles.len() - 1) as ColNum;
    ws.autofilter(0, 0, last_row, last_col)?;
    colour_text(ws, (1, last_row), (2, 2), &TIER_COLOURS)?;
    colour_text(ws, (1, last_row), (3, last_col), &SEVERITY_COLOURS)?;

    let mut strongest: Vec<Option<Severity>> = vec![None; ilo.len()];
    for (k, &i) in order.iter().enumerate() {
        let s = &input.suppliers[i];
        let r = row_num(k)?;
        strongest.iter_mut().for_each(|x| *x = None);
        let mut child: Option<Severity> = None;
        for f in &s.assessment.findings {
            if f.dimension == Dimension::ChildLabour {
                child = child.max(Some(f.severity));
            } else if let Some(pos) = IloIndicator::from_id(&f.indicator).and_then(|x| ilo.iter().position(|y| *y == x))
            {
                strongest[pos] = strongest[pos].max(Some(f.severity));
            }
        }
        if let Some(sev) = child {
            ws.write_string(r, child_col, sev.as_str())?;
        }
        st.text(ws, r, 0, &s.id)?;
        st.text(ws, r, 1, &s.legal_name)?;
        ws.write_string(r, 2, s.assessment.tier.as_str())?;
        for (c, sev) in strongest.iter().enumerate() {
            if let Some(sev) = sev {
                ws.write_string(r, 3 + c as ColNum, sev.as_str())?;
            }
        }
    }
    Ok(())
}
