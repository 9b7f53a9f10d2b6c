//! Processes a parsed upload inside one write transaction: stores the original bytes and every
//! row, creates or updates suppliers (or stores questionnaire answers), scores them, and
//! returns the upload report. A failure anywhere rolls everything back.

use crate::domain::{FieldSource, FileFormat, Workbook};
use crate::error::{Error, ProblemItem, Result};
use crate::ingest::{self, FieldValue, SupplierList};
use crate::questionnaire::{self, AnswerSource, FilledTemplate};
use crate::service::assess::{assess_and_store, Cause};
use crate::store::{self, assessments, audit, suppliers, uploads, DbConn};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What kind of upload this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    SupplierList,
    Questionnaire,
}

impl Kind {
    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim() {
            "supplier_list" => Some(Kind::SupplierList),
            "questionnaire" => Some(Kind::Questionnaire),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SupplierList => "supplier_list",
            Kind::Questionnaire => "questionnaire",
        }
    }
    /// The kind the workbook shows: a `_manumit` sheet makes it a questionnaire.
    pub fn detect(wb: &Workbook) -> Kind {
        if questionnaire::is_template(wb) {
            Kind::Questionnaire
        } else {
            Kind::SupplierList
        }
    }
}

/// An upload ready to be stored.
pub struct Incoming<'a> {
    pub org_id: &'a str,
    pub key_id: &'a str,
    pub actor: &'a str,
    pub request_id: Option<String>,
    pub filename: String,
    pub bytes: Vec<u8>,
    pub sha256: String,
    pub kind: Kind,
    /// The format the bytes were read as. The parsed workbook itself is passed to [`map_list`]
    /// or [`read_questionnaire`] and dropped before the writes, so a large file is not held twice.
    pub format: FileFormat,
    pub mapping: Option<BTreeMap<String, String>>,
    /// For questionnaires: the supplier the answers belong to, when the form names it.
    pub supplier_id: Option<String>,
    pub today: NaiveDate,
}

impl Incoming<'_> {
    /// The stored upload: the original bytes with their hash, and the row counts.
    fn upload_row(
        &self,
        id: &str,
        created_at: chrono::NaiveDateTime,
        sheet: Option<String>,
        total: usize,
        accepted: usize,
        rejected: usize,
    ) -> uploads::UploadRow {
        uploads::UploadRow {
            id: id.to_string(),
            org_id: self.org_id.into(),
            sha256: self.sha256.clone(),
            size: self.bytes.len() as i64,
            filename: self.filename.clone(),
            format: self.format.as_str().into(),
            kind: self.kind.as_str().into(),
            sheet,
            uploaded_by: self.key_id.into(),
            created_at,
            rows_total: total as i32,
            rows_accepted: accepted as i32,
            rows_rejected: rejected as i32,
            report_json: "{}".into(),
        }
    }
}

/// Result of processing: a fresh report (201), as the JSON text that is stored and sent, or,
/// when a concurrent request stored the same bytes first, the signal to answer with that one
/// (200).
pub enum Outcome {
    Created(String),
    Duplicate,
}

fn problem_items(errs: &[ingest::RowError]) -> Vec<ProblemItem> {
    errs.iter()
        .map(|e| ProblemItem {
            row: Some(e.row),
            column: e.column.clone(),
            field: None,
            value: e.value.clone(),
            code: e.code.clone(),
            message: e.message.clone(),
        })
        .collect()
}

mod list;
pub use list::{store_supplier_list, store_supplier_stream};

/// Maps the supplier list before any write, so an unusable file writes nothing.
pub fn map_list(inc: &Incoming, wb: &Workbook) -> Result<SupplierList> {
    ingest::map_supplier_list(wb, inc.mapping.as_ref(), inc.today).map_err(ingest_problem)
}

fn ingest_problem(e: ingest::IngestError) -> Error {
    Error::problem(e.status(), e.code(), e.to_string())
}

/// What every upload report says of the file, first in the report.
#[derive(Serialize)]
struct FileReport<'a> {
    id: &'a str,
    sha256: &'a str,
    filename: &'a str,
    size: usize,
    kind: Kind,
    format: FileFormat,
    sheet: &'a str,
    created_at: String,
}

impl<'a> FileReport<'a> {
    fn new(inc: &'a Incoming, upload_id: &'a str, created_at: chrono::NaiveDateTime, sheet: &'a str) -> Self {
        FileReport {
            id: upload_id,
            sha256: &inc.sha256,
            filename: &inc.filename,
            size: inc.bytes.len(),
            kind: inc.kind,
            format: inc.format,
            sheet,
            created_at: crate::api::keys::rfc3339(created_at),
        }
    }
}

/// An upload report: what every report says of the file, then `rest`.
fn report(
    inc: &Incoming,
    upload_id: &str,
    created_at: chrono::NaiveDateTime,
    sheet: &str,
    rest: Value,
) -> Result<Value> {
    let mut r = serde_json::to_value(FileReport::new(inc, upload_id, created_at, sheet)).map_err(Error::internal)?;
    if let (Value::Object(r), Value::Object(rest)) = (&mut r, rest) {
        r.extend(rest);
    }
    Ok(r)
}

fn audit_upload(conn: &mut DbConn, inc: &Incoming, upload_id: &str, accepted: usize, rejected: usize) -> Result<()> {
    audit::record(
        conn,
        audit::AuditEvent {
            org_id: Some(inc.org_id.into()),
            key_id: Some(inc.key_id.into()),
            actor: inc.actor.into(),
            action: "upload.create",
            target: Some(upload_id.into()),
            detail: json!({"filename": inc.filename, "sha256": inc.sha256, "kind": inc.kind,
                           "rows_accepted": accepted, "rows_rejected": rejected}),
            request_id: inc.request_id.clone(),
        },
    )
}

/// Reads the template's answers and supplier before any write; errors name the cell.
pub fn read_questionnaire(wb: &Workbook) -> Result<FilledTemplate> {
    questionnaire::read_filled(wb).map_err(|e| Error::invalid(e.code(), e.to_string(), Vec::new()))
}

/// Stores a filled questionnaire: matches or creates the supplier, stores the answers, scores.
pub fn store_questionnaire(conn: &mut DbConn, inc: &Incoming, filled: &FilledTemplate) -> Result<Outcome> {
    let upload_id = store::new_id();
    let created_at = store::now();
    // The supplier: the template's supplier id when it is one of ours, else the Supplier sheet.
    let known = match inc.supplier_id.as_ref().or(filled.meta.supplier_id.as_ref()) {
        Some(id) if inc.supplier_id.is_some() => Some(suppliers::get(conn, inc.org_id, id)?),
        Some(id) => suppliers::get(conn, inc.org_id, id).ok(),
        None => None,
    };
    let mut values: Vec<FieldValue> = filled
        .supplier_fields
        .iter()
        .filter(|(_, cell, _)| !cell.is_empty())
        .map(|(f, cell, _)| FieldValue { field: f.as_str().into(), header: f.as_str().into(), cell: cell.clone() })
        .collect();
    // A sector questionnaire says the sector when the Supplier sheet leaves it blank.
    if !values.iter().any(|v| v.field == "sector") {
        let sector = filled.meta.sector.unwrap_or(filled.questionnaire.sector);
        values.push(FieldValue {
            field: "sector".into(),
            header: "sector".into(),
            cell: crate::domain::Cell::Text(sector.to_string()),
        });
    }
    let first_row = filled.supplier_fields.first().map(|(_, _, r)| *r).unwrap_or(2);
    let parsed = ingest::parse_fields(&values, first_row, inc.today);
    let row = inc.upload_row(
        &upload_id,
        created_at,
        Some("Questionnaire".into()),
        filled.answers.len() + filled.errors.len(),
        filled.answers.len(),
        filled.errors.len(),
    );
    if !uploads::insert_new(conn, &row, &inc.bytes)? {
        return Ok(Outcome::Duplicate);
    }
    let (supplier_id, created) = match (known, parsed.fields) {
        (Some(s), _) => (s.id, false),
        (None, Some(fields)) => {
            let source = FieldSource {
                upload_id: Some(upload_id.clone()),
                filename: Some(inc.filename.clone()),
                row: None,
                columns: Default::default(),
                raw: Default::default(),
            };
            let up = suppliers::upsert(conn, inc.org_id, &fields, &BTreeMap::new(), &source)?;
            (up.row.id, up.created)
        }
        (None, None) => {
            // Rolls back the upload row with the rest of the transaction.
            let mut items = problem_items(&parsed.errors);
            for i in &mut items {
                i.column = Some(match &i.column {
                    Some(c) => format!("Supplier!{c}"),
                    None => "Supplier".to_string(),
                });
            }
            return Err(Error::invalid(
                "unknown_supplier",
                "The questionnaire names no supplier of yours: fill in the Supplier sheet (legal_name, country and sector at least) or send the form part `supplier_id`, or download the template with ?supplier_id=.",
                items,
            ));
        }
    };
    let source = AnswerSource::Upload { upload_id: upload_id.clone(), filename: inc.filename.clone() };
    let evidence = questionnaire::evaluate_as_of(filled.questionnaire, &filled.answers, &source, Some(inc.today));
    let mut records = Vec::new();
    for a in &filled.answers {
        if let Some(r) = a.row {
            records.push(uploads::UploadRowRecord {
                upload_id: upload_id.clone(),
                row_number: r as i32,
                status: "accepted".into(),
                raw_json: json!([
                    ["Question ID", a.question_id],
                    ["Answer", a.value.display()],
                    ["Evidence / comment", a.comment.clone().unwrap_or_default()]
                ])
                .to_string(),
                errors_json: "[]".into(),
                supplier_id: Some(supplier_id.clone()),
            });
        }
    }
    for e in &filled.errors {
        if let Some(r) = e.row {
            if records.iter().any(|x| x.row_number == r as i32) {
                continue;
            }
            records.push(uploads::UploadRowRecord {
                upload_id: upload_id.clone(),
                row_number: r as i32,
                status: "rejected".into(),
                raw_json: json!([["Question ID", e.question_id.clone().unwrap_or_default()], ["Answer", e.value]])
                    .to_string(),
                errors_json: json!([e]).to_string(),
                supplier_id: None,
            });
        }
    }
    uploads::insert_rows(conn, &records)?;
    assessments::insert_response(
        conn,
        &assessments::ResponseRow {
            id: assessments::new_response_id(),
            org_id: inc.org_id.into(),
            supplier_id: supplier_id.clone(),
            questionnaire_id: filled.meta.questionnaire_id.clone(),
            version: filled.meta.version.clone(),
            upload_id: Some(upload_id.clone()),
            answers_json: serde_json::to_string(&filled.answers).map_err(Error::internal)?,
            evidence_json: serde_json::to_string(&evidence).map_err(Error::internal)?,
            created_by: inc.key_id.into(),
            created_at,
        },
    )?;
    let assessed = assess_and_store(
        conn,
        inc.org_id,
        Some(std::slice::from_ref(&supplier_id)),
        Some(&upload_id),
        Cause::Upload,
        inc.today,
    )?;
    let errors: Vec<Value> = filled
        .errors
        .iter()
        .map(|e| {
            json!({"row": e.row, "column": e.column, "value": e.value, "code": e.code, "message": e.message,
                   "question_id": e.question_id, "cell": e.cell})
        })
        .collect();
    let report = report(
        inc,
        &upload_id,
        created_at,
        "Questionnaire",
        json!({
            "questionnaire_id": filled.meta.questionnaire_id,
            "version": filled.meta.version,
            "rows_total": filled.answers.len() + filled.errors.len(),
            "rows_accepted": filled.answers.len(),
            "rows_rejected": filled.errors.len(),
            "columns": questionnaire::QUESTIONNAIRE_HEADER.iter().map(|h| json!({"header": h, "field": null})).collect::<Vec<_>>(),
            "errors": errors,
            "warnings": parsed.warnings,
            "suppliers_created": usize::from(created),
            "suppliers_updated": usize::from(!created),
            "supplier_ids": [supplier_id],
            "assessment_ids": assessed.iter().map(|(_, a)| a).collect::<Vec<_>>(),
            "completeness": if evidence.core_total > 0 { f64::from(evidence.core_answered) / f64::from(evidence.core_total) } else { 0.0 },
        }),
    )?;
    let text = report.to_string();
    uploads::set_report(conn, &upload_id, &text)?;
    audit_upload(conn, inc, &upload_id, filled.answers.len(), filled.errors.len())?;
    Ok(Outcome::Created(text))
}
