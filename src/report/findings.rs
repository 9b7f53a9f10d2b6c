//! The `Findings` sheet (one row per finding, evidence written for a person) and `Corrective actions`.

use super::cell::{row_num, Styles};
use super::register::{colour_text, SEVERITY_COLOURS, TIER_COLOURS};
use super::{due_days, top_drivers, ReportInput};
use crate::domain::Finding;
use chrono::Days;
use rust_xlsxwriter::{DataValidation, Workbook, XlsxError};

pub const FINDINGS_HEADERS: [&str; 9] =
    ["Supplier ID", "Supplier", "Indicator", "Dimension", "Severity", "Points", "Finding", "Evidence", "Explanation"];

pub const ACTIONS_HEADERS: [&str; 8] =
    ["Supplier ID", "Supplier", "Finding", "Action", "Owner", "Due date", "Status", "Tier"];

/// The choices of the Status drop-down on `Corrective actions`.
pub const ACTION_STATUSES: [&str; 4] = ["Open", "In progress", "Done", "Verified"];

/// A finding's evidence written for a person, each piece described and joined with "; ".
pub fn evidence_text(f: &Finding) -> String {
    f.evidence.iter().map(|e| e.describe()).collect::<Vec<_>>().join("; ")
}

/// Finding indices of one assessment, most points first (stable).
fn by_points(findings: &[Finding]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..findings.len()).collect();
    idx.sort_by(|&a, &b| findings[b].points.total_cmp(&findings[a].points).then(a.cmp(&b)));
    idx
}

pub fn write_findings(wb: &mut Workbook, input: &ReportInput, order: &[usize], st: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?.set_name("Findings")?;
    st.header(ws, &FINDINGS_HEADERS, &[14.0, 30.0, 28.0, 18.0, 10.0, 8.0, 45.0, 70.0, 70.0])?;
    let total: usize = input.suppliers.iter().map(|s| s.assessment.findings.len()).sum();
    let last_row = if total == 0 { 0 } else { row_num(total - 1)? };
    ws.autofilter(0, 0, last_row, (FINDINGS_HEADERS.len() - 1) as u16)?;
    colour_text(ws, (1, last_row), (4, 4), &SEVERITY_COLOURS)?;

    let mut k = 0usize;
    for &i in order {
        let s = &input.suppliers[i];
        let fs = &s.assessment.findings;
        for j in by_points(fs) {
            let f = &fs[j];
            let r = row_num(k)?;
            k += 1;
            st.text(ws, r, 0, &s.id)?;
            st.text(ws, r, 1, &s.legal_name)?;
            st.text(ws, r, 2, &f.indicator)?;
            ws.write_string(r, 3, f.dimension.as_str())?;
            ws.write_string(r, 4, f.severity.as_str())?;
            st.num(ws, r, 5, f.points)?;
            st.text(ws, r, 6, &f.title)?;
            st.text(ws, r, 7, &s.finding_evidence(j))?;
            st.text(ws, r, 8, &f.explanation)?;
        }
    }
    Ok(())
}

pub fn write_actions(wb: &mut Workbook, input: &ReportInput, order: &[usize], st: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet_with_constant_memory()?.set_name("Corrective actions")?;
    st.header(ws, &ACTIONS_HEADERS, &[14.0, 30.0, 50.0, 60.0, 20.0, 12.0, 13.0, 10.0])?;
    let total: usize = input
        .suppliers
        .iter()
        .filter(|s| due_days(s.assessment.tier).is_some())
        .map(|s| s.assessment.recommended_actions.len())
        .sum();
    let last_row = if total == 0 { 0 } else { row_num(total - 1)? };
    ws.autofilter(0, 0, last_row, (ACTIONS_HEADERS.len() - 1) as u16)?;
    colour_text(ws, (1, last_row), (7, 7), &TIER_COLOURS)?;
    if total > 0 {
        let dv = DataValidation::new()
            .allow_list_strings(&ACTION_STATUSES)?
            .set_input_title("Status")?
            .set_input_message("Open, In progress, Done or Verified")?;
        ws.add_data_validation(1, 6, last_row, 6, &dv)?;
    }

    let today = input.generated_at.date_naive();
    let mut k = 0usize;
    for &i in order {
        let s = &input.suppliers[i];
        let a = &s.assessment;
        let Some(days) = due_days(a.tier) else {
            continue;
        };
        let due = today.checked_add_days(Days::new(days));
        let finding = top_drivers(a);
        for action in &a.recommended_actions {
            let r = row_num(k)?;
            k += 1;
            st.text(ws, r, 0, &s.id)?;
            st.text(ws, r, 1, &s.legal_name)?;
            st.text(ws, r, 2, &finding)?;
            st.text(ws, r, 3, action)?;
            ws.write_blank(r, 4, &st.input)?;
            match due {
                Some(d) => st.date(ws, r, 5, d, &st.input_date)?,
                None => {
                    ws.write_blank(r, 5, &st.input_date)?;
                }
            }
            ws.write_string_with_format(r, 6, "Open", &st.input)?;
            ws.write_string(r, 7, a.tier.as_str())?;
        }
    }
    Ok(())
}
