//! The `Networks` sheet (one row per member × shared identifier) and the `Screening` sheet.

use super::cell::{row_num, Styles};
use super::ReportInput;
use rust_xlsxwriter::{Workbook, XlsxError};

pub const NETWORK_HEADERS: [&str; 7] =
    ["Cluster", "Supplier ID", "Supplier", "Shared", "Value", "External ref", "Members"];

pub const SCREENING_HEADERS: [&str; 9] =
    ["Supplier ID", "Supplier", "List", "Matched entity", "Score", "Edition", "Status", "Matched name", "Strength"];

/// One row per (member, shared identifier): an auditor filters `Value` to see every supplier
/// sharing that bank account or phone, or `Supplier ID` to see what one supplier shares.
pub fn write_networks(wb: &mut Workbook, input: &ReportInput, st: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?.set_name("Networks")?;
    st.header(ws, &NETWORK_HEADERS, &[20.0, 14.0, 34.0, 14.0, 40.0, 14.0, 9.0])?;
    let total: usize = input.networks.iter().map(|n| n.suppliers.len() * n.shared.len().max(1)).sum();
    let last_row = if total == 0 { 0 } else { row_num(total - 1)? };
    ws.autofilter(0, 0, last_row, (NETWORK_HEADERS.len() - 1) as u16)?;
    let mut k = 0usize;
    for n in &input.networks {
        for m in &n.suppliers {
            // A cluster without shared links (should not happen) still lists its members.
            let links: Vec<Option<&crate::domain::SharedLink>> =
                if n.shared.is_empty() { vec![None] } else { n.shared.iter().map(Some).collect() };
            for l in links {
                let r = row_num(k)?;
                k += 1;
                st.text(ws, r, 0, &n.id)?;
                st.text(ws, r, 1, &m.id)?;
                st.text(ws, r, 2, &m.legal_name)?;
                if let Some(l) = l {
                    st.text(ws, r, 3, &l.kind)?;
                    st.text(ws, r, 4, &l.value)?;
                }
                st.text(ws, r, 5, m.external_ref.as_deref().unwrap_or(""))?;
                ws.write_number(r, 6, n.suppliers.len() as f64)?;
            }
        }
    }
    Ok(())
}

pub fn write_screening(wb: &mut Workbook, input: &ReportInput, order: &[usize], st: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?.set_name("Screening")?;
    st.header(ws, &SCREENING_HEADERS, &[14.0, 30.0, 24.0, 34.0, 8.0, 14.0, 14.0, 30.0, 10.0])?;
    let total: usize = input.suppliers.iter().map(|s| s.assessment.screening_matches.len()).sum();
    let last_row = if total == 0 { 0 } else { row_num(total - 1)? };
    ws.autofilter(0, 0, last_row, (SCREENING_HEADERS.len() - 1) as u16)?;
    let mut k = 0usize;
    for &i in order {
        let s = &input.suppliers[i];
        for m in &s.assessment.screening_matches {
            let r = row_num(k)?;
            k += 1;
            st.text(ws, r, 0, &s.id)?;
            st.text(ws, r, 1, &s.legal_name)?;
            st.text(ws, r, 2, &m.list)?;
            st.text(ws, r, 3, &m.matched_entity)?;
            st.num(ws, r, 4, m.score)?;
            st.text(ws, r, 5, &m.edition)?;
            st.text(ws, r, 6, &m.status)?;
            st.text(ws, r, 7, &m.matched_name)?;
            st.text(ws, r, 8, &m.strength)?;
        }
    }
    Ok(())
}
