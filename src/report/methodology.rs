//! The `Methodology` sheet: methodology versions in scope, markets, questionnaire versions,
//! every reference data file with its edition and source, source files.

use super::cell::Styles;
use super::summary::NOTICE;
use super::{ReferenceFile, ReportInput};
use rust_xlsxwriter::{Workbook, XlsxError};
use std::collections::BTreeMap;

pub const METHODOLOGY_HEADERS: [&str; 7] =
    ["Section", "Name", "Value", "Uploaded at", "Uploaded by", "Source", "SHA-256"];

/// Every reference data file the scoring uses, with its edition, source and digest: what the
/// Methodology sheet lists. The one place that reads the reference module's file table.
pub fn reference_files() -> Vec<ReferenceFile> {
    crate::reference::data_files()
        .into_iter()
        .map(|d| ReferenceFile {
            file: d.file.to_string(),
            edition: d.edition.to_string(),
            source: d.source.to_string(),
            sha256: d.sha256,
        })
        .collect()
}

/// Fixed explanations written at the end of the sheet: (name, text).
const NOTES: [(&str, &str); 6] = [
    ("Indicators, not findings", NOTICE),
    (
        "Tier",
        "Final tier = the highest of the component tiers: inherent risk (capped at high), ILO \
forced-labour evidence, child labour (methodology 2 and later), front-business indicators and \
screening, with the overrides of the methodology. Each finding cites its source cell, \
questionnaire answer or reference row (Findings sheet, Evidence). Each assessment keeps the \
methodology version it was scored with (Risk register, Methodology version).",
    ),
    (
        "Basis",
        "Methodology 2 and later: 'evidence' when a forced-labour, child-labour, front-business or \
screening finding from the supplier's own data or a list match sets the tier; 'context' when \
country, sector and commodity risk alone do. Blank for assessments scored with methodology 1.",
    ),
    (
        "Corrective actions",
        "One row per recommended action of the assessment (chosen by tier, basis and the \
organisation's markets) for suppliers of medium tier and above; due date = \
generation date + 7 days (critical), 30 (high), 60 (medium). Owner, Due date and Status are for \
the auditor to fill in.",
    ),
    ("Regulatory map", super::regulatory::NOTE),
    (
        "Cell safety",
        "Text from uploads and users is stored as text, never as a formula or a link; text \
beginning with = + - @ or a control character is quote-prefixed so that editing the cell cannot \
turn it into a formula.",
    ),
];

pub fn write(wb: &mut Workbook, input: &ReportInput, st: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("Methodology")?;
    st.header(ws, &METHODOLOGY_HEADERS, &[22.0, 40.0, 70.0, 17.0, 24.0, 60.0, 66.0])?;
    let mut r: u32 = 1;
    ws.write_string(r, 0, "Methodology")?;
    ws.write_string(r, 1, "Methodology version")?;
    st.text(ws, r, 2, &input.methodology_version)?;
    r += 1;
    // Versions the assessments themselves were scored with (they may predate the current one).
    let mut used: BTreeMap<&str, u64> = BTreeMap::new();
    for s in &input.suppliers {
        *used.entry(s.assessment.methodology_version.as_str()).or_default() += 1;
    }
    for (v, n) in used {
        ws.write_string(r, 0, "Methodology")?;
        st.text(ws, r, 1, &format!("Assessments scored with {v}"))?;
        ws.write_number(r, 2, n as f64)?;
        r += 1;
    }
    ws.write_string(r, 0, "Markets")?;
    ws.write_string(r, 1, "Organisation's markets")?;
    st.text(ws, r, 2, &super::regulatory::markets_text(&input.markets))?;
    r += 1;
    for (q, v) in &input.questionnaire_versions {
        ws.write_string(r, 0, "Questionnaire")?;
        st.text(ws, r, 1, q)?;
        st.text(ws, r, 2, v)?;
        r += 1;
    }
    for f in &input.reference_files {
        ws.write_string(r, 0, "Reference data")?;
        st.text(ws, r, 1, &f.file)?;
        st.text(ws, r, 2, &f.edition)?;
        st.text(ws, r, 5, &f.source)?;
        st.text(ws, r, 6, &f.sha256)?;
        r += 1;
    }
    for f in &input.sources {
        if r >= 1_048_570 {
            return Err(XlsxError::RowColumnLimitError);
        }
        ws.write_string(r, 0, "Source file")?;
        st.text(ws, r, 1, &f.name)?;
        st.text(ws, r, 2, &f.sha256)?;
        st.datetime(ws, r, 3, &f.uploaded_at)?;
        st.text(ws, r, 4, &f.uploaded_by)?;
        r += 1;
    }
    for (name, text) in NOTES {
        ws.write_string(r, 0, "Notes")?;
        ws.write_string(r, 1, name)?;
        ws.write_string_with_format(r, 2, text, &st.wrap)?;
        r += 1;
    }
    ws.autofilter(0, 0, r - 1, (METHODOLOGY_HEADERS.len() - 1) as u16)?;
    Ok(())
}
