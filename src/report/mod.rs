//! The compliance workbook (xlsx), written from plain data: input types and `write_workbook`.
//!
//! The nine sheets, their names and order, and the Risk register's headers are a contract
//! (API.md "Assessments and reports"). Every cell built from user data goes through
//! [`cell`], which writes text as text (never a formula) and quote-prefixes formula-looking text.

pub mod cell;
mod findings;
mod lists;
mod methodology;
mod register;
mod regulatory;
pub mod rejected;
mod summary;
#[cfg(test)]
mod tests;

use crate::domain::{Assessment, NetworkCluster, Tier};
use chrono::{DateTime, Utc};
use rust_xlsxwriter::{DocProperties, Workbook, XlsxError};
use std::collections::BTreeMap;
use std::io::Write;

/// The sheet names, in workbook order (API.md contract).
pub const SHEET_NAMES: [&str; 9] = [
    "Summary",
    "Risk register",
    "Findings",
    "ILO indicators",
    "Networks",
    "Screening",
    "Corrective actions",
    "Regulatory map",
    "Methodology",
];

/// The Risk register's column headers, in order (API.md contract).
pub const RISK_REGISTER_HEADERS: [&str; 20] = [
    "Supplier ID",
    "External ref",
    "Supplier",
    "Country",
    "Sector",
    "Commodity",
    "Tier",
    "Overall",
    "Forced labour",
    "Front business",
    "Inherent",
    "Forced labour likely",
    "Top drivers",
    "Recommended action",
    "Assessed at",
    "Assessment ID",
    "Child labour",
    "Basis",
    "Inputs hash",
    "Methodology version",
];

/// Everything the workbook shows; the shell fills it from the store (already filtered to
/// the caller's organisation and the request's filters).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportInput {
    /// The filters applied, as (filter name, value); empty means "All suppliers".
    pub scope: Vec<(String, String)>,
    pub generated_at: DateTime<Utc>,
    /// Who asked for the workbook (user or key name), written on Summary.
    pub generated_by: String,
    pub methodology_version: String,
    /// (questionnaire id, version) of the questionnaires whose answers were used.
    pub questionnaire_versions: Vec<(String, String)>,
    /// The reference data files in use, with edition, source and digest (see
    /// [`reference_files`]).
    pub reference_files: Vec<ReferenceFile>,
    /// The organisation's markets (ISO 3166 alpha-2 codes and `EU`); empty means every market.
    /// The Regulatory map shows the laws of these markets only.
    pub markets: Vec<String>,
    pub suppliers: Vec<ReportSupplier>,
    pub networks: Vec<NetworkCluster>,
    pub sources: Vec<SourceFile>,
}

/// One supplier with its latest assessment.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSupplier {
    pub id: String,
    pub external_ref: Option<String>,
    pub legal_name: String,
    /// ISO alpha-2 code (or empty when unknown).
    pub country: String,
    /// Sector id (`agriculture`, ...) or empty when unknown.
    pub sector: String,
    pub commodity: Option<String>,
    pub assessment_id: String,
    pub assessed_at: DateTime<Utc>,
    pub assessment: Assessment,
    /// The findings' evidence already written for a person, one entry per finding in
    /// `assessment.findings` order. Filled by [`ReportSupplier::compact`]; when it has no entry
    /// for a finding, the text is described from the finding's structured evidence.
    pub evidence_text: Vec<String>,
}

impl ReportSupplier {
    /// Keeps only what the workbook shows: each finding's evidence becomes its person-readable
    /// text (one `String` instead of a `Vec<Evidence>` of ten optional fields), and the
    /// per-assessment reference editions (not shown; the workbook lists the editions once) are
    /// dropped. Writes the same cells; holds about a third of the memory.
    pub fn compact(&mut self) {
        let a = &mut self.assessment;
        if self.evidence_text.len() < a.findings.len() {
            let start = self.evidence_text.len();
            self.evidence_text.extend(a.findings[start..].iter().map(findings::evidence_text));
        }
        for f in &mut a.findings {
            f.evidence = Vec::new();
            f.title.shrink_to_fit();
            f.explanation.shrink_to_fit();
        }
        self.evidence_text.shrink_to_fit();
        a.findings.shrink_to_fit();
        a.reference_editions = BTreeMap::new();
    }

    /// The evidence text of finding `j` (pre-described or described now).
    pub fn finding_evidence(&self, j: usize) -> std::borrow::Cow<'_, str> {
        match self.evidence_text.get(j) {
            Some(t) => std::borrow::Cow::Borrowed(t.as_str()),
            None => std::borrow::Cow::Owned(
                self.assessment.findings.get(j).map(findings::evidence_text).unwrap_or_default(),
            ),
        }
    }
}

/// A reference data file the scoring uses, as the Methodology sheet lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceFile {
    pub file: String,
    pub edition: String,
    /// Where the data comes from (empty when the reference table does not say).
    pub source: String,
    /// SHA-256 of the file as compiled in (empty when not known).
    pub sha256: String,
}

pub use methodology::reference_files;

/// An uploaded file the assessments were computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceFile {
    pub name: String,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
    pub uploaded_by: String,
}

/// Why a workbook could not be written (I/O on the temp files or the output, or a limit of
/// the xlsx format such as more than 1,048,575 data rows on one sheet).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] XlsxError),
}

/// Days from `generated_at` to a corrective action's due date, by tier; None below medium
/// (no corrective action rows for low-tier suppliers).
pub fn due_days(tier: Tier) -> Option<u64> {
    match tier {
        Tier::Critical => Some(7),
        Tier::High => Some(30),
        Tier::Medium => Some(60),
        Tier::Low => None,
    }
}

/// Writes the nine-sheet workbook to `out` (a file, a `Vec<u8>`, a pipe to the client).
/// Large sheets use rust_xlsxwriter's constant-memory mode (temp files in the system temp
/// dir), so memory stays bounded by the input, not by the workbook.
pub fn write_workbook<W: Write + Send>(input: &ReportInput, out: W) -> Result<(), ReportError> {
    let mut wb = build_workbook(input)?;
    wb.save_to_writer(out)?;
    Ok(())
}

/// Builds the workbook in memory / temp files without saving it.
fn build_workbook(input: &ReportInput) -> Result<Workbook, XlsxError> {
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title("Manumit compliance workbook")
            .set_subject("Indicators of forced-labour and trafficking risk in the supply chain")
            .set_author("Manumit")
            .set_comment("Manumit reports indicators of risk, not findings of forced labour."),
    );
    let st = cell::Styles::new();
    let order = risk_order(&input.suppliers);
    summary::write(&mut wb, input, &order, &st)?;
    register::write_register(&mut wb, input, &order, &st)?;
    findings::write_findings(&mut wb, input, &order, &st)?;
    register::write_ilo(&mut wb, input, &order, &st)?;
    lists::write_networks(&mut wb, input, &st)?;
    lists::write_screening(&mut wb, input, &order, &st)?;
    findings::write_actions(&mut wb, input, &order, &st)?;
    regulatory::write(&mut wb, input, &st)?;
    methodology::write(&mut wb, input, &st)?;
    Ok(wb)
}

/// Supplier indices sorted by overall score descending (non-finite scores last), then id.
pub(crate) fn risk_order(suppliers: &[ReportSupplier]) -> Vec<usize> {
    let key = |s: &ReportSupplier| {
        let v = s.assessment.overall;
        if v.is_finite() {
            v
        } else {
            f64::NEG_INFINITY
        }
    };
    let mut order: Vec<usize> = (0..suppliers.len()).collect();
    order.sort_by(|&a, &b| {
        let (sa, sb) = (&suppliers[a], &suppliers[b]);
        key(sb).total_cmp(&key(sa)).then_with(|| sa.id.cmp(&sb.id))
    });
    order
}

/// The titles of the three findings that explain the tier best (`scoring::drivers`), joined with "; ".
pub(crate) fn top_drivers(a: &Assessment) -> String {
    crate::scoring::drivers::top_drivers(a, 3).iter().map(|f| f.title.as_str()).collect::<Vec<_>>().join("; ")
}
