//! Processes a parsed upload inside one write transaction: stores the original bytes and every
//! row, creates or updates suppliers (or stores questionnaire answers), scores them, and
//! returns the upload report. A failure anywhere rolls everything back.

use crate::domain::{FieldSource, FileFormat, Workbook};
use crate::error::{Error, ProblemItem, Result};
use crate::ingest::{self, FieldValue, RowOutcome, RowSink, SupplierList};
use crate::questionnaire::{self, AnswerSource, FilledTemplate};
use crate::service::assess::{self, assess_and_store, Cause};
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
            content: self.bytes.clone(),
        }
    }
}

/// Result of processing: a fresh report (201) or, when a concurrent request stored the same
/// bytes first, the signal to answer with that one (200).
pub enum Outcome {
    Created(Value),
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

/// Maps the supplier list before any write, so an unusable file writes nothing.
pub fn map_list(inc: &Incoming, wb: &Workbook) -> Result<SupplierList> {
    ingest::map_supplier_list(wb, inc.mapping.as_ref(), inc.today).map_err(ingest_problem)
}

fn ingest_problem(e: ingest::IngestError) -> Error {
    Error::problem(e.status(), e.code(), e.to_string())
}

/// Stores a supplier-list upload and scores every accepted supplier. Call inside `write_tx`.
/// Takes the list, so its rows are freed once stored, before scoring needs the memory.
pub fn store_supplier_list(conn: &mut DbConn, inc: &Incoming, list: SupplierList) -> Result<Outcome> {
    let SupplierList { sheet, header_row, columns, rows, skipped } = list;
    let head = ingest::ListHead { sheet, header_row, columns, skipped, rows: rows.len() };
    store::with_bulk_cache(conn, |c| {
        let Some(mut w) = ListWriter::start(c, inc)? else {
            return Ok(Outcome::Duplicate);
        };
        let sources = ingest::RowSources::new(&head.columns, &w.upload_id, &inc.filename);
        for r in rows {
            w.add(c, ReadyRow::new(&sources, inc.org_id, r)?)?;
        }
        w.finish(c, inc, head, true)
    })
}

/// Reads, maps and stores a supplier list as its rows arrive from `source` (a reader feeding a
/// [`RowSink`]), then scores every supplier; `score: false` stores without scoring
/// (benchmarks). Call inside `write_tx`: a file refused part-way rolls back with the rest.
///
/// Two threads share the work: a reading thread runs `source` and maps each row and makes its
/// stored JSON ([`ReadyRow`]); this thread, which holds the connection, matches and writes. They
/// hand rows over in batches through a bounded channel, so memory holds a few batches.
pub fn store_supplier_stream(
    conn: &mut DbConn,
    inc: &Incoming,
    source: impl FnOnce(&mut dyn RowSink) -> std::result::Result<(), ingest::IngestError> + Send,
    score: bool,
) -> Result<Outcome> {
    store::with_bulk_cache(conn, |c| {
        let Some(mut w) = ListWriter::start(c, inc)? else {
            return Ok(Outcome::Duplicate);
        };
        let upload_id = w.upload_id.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ReadyRow>>(HANDOVER_BATCHES);
        let (written, read) = std::thread::scope(|scope| {
            let reader = scope.spawn(move || read_rows(inc, &upload_id, source, tx));
            let mut written = Ok(());
            'rows: while let Ok(batch) = rx.recv() {
                for r in batch {
                    written = w.add(c, r);
                    if written.is_err() {
                        break 'rows;
                    }
                }
            }
            // Unblocks the reading thread when this one stopped early: its next send fails.
            drop(rx);
            (written, reader.join())
        });
        written?;
        let (read, head) = read.map_err(|_| Error::internal("the reading thread of an upload panicked"))?;
        read?;
        w.finish(c, inc, head.map_err(ingest_problem)?, score)
    })
}

/// The reading thread of [`store_supplier_stream`]: maps the rows `source` reads, makes them
/// ready, and sends them in batches; stops when the writer has gone. Returns how the read
/// ended (a refused file, or a row that could not be made ready) and the list's header.
fn read_rows(
    inc: &Incoming,
    upload_id: &str,
    source: impl FnOnce(&mut dyn RowSink) -> std::result::Result<(), ingest::IngestError>,
    tx: std::sync::mpsc::SyncSender<Vec<ReadyRow>>,
) -> (Result<()>, std::result::Result<ingest::ListHead, ingest::IngestError>) {
    let mut sources: Option<ingest::RowSources> = None;
    let mut batch = Vec::with_capacity(HANDOVER_ROWS);
    let mut failed: Option<Error> = None;
    let mut mapper = ingest::ListMapper::new(inc.mapping.as_ref(), inc.today, |cols, r| {
        let sources = sources.get_or_insert_with(|| ingest::RowSources::new(cols, upload_id, &inc.filename));
        match ReadyRow::new(sources, inc.org_id, r) {
            Ok(r) => batch.push(r),
            Err(e) => {
                failed = Some(e);
                return false;
            }
        }
        batch.len() < HANDOVER_ROWS || tx.send(std::mem::replace(&mut batch, Vec::with_capacity(HANDOVER_ROWS))).is_ok()
    });
    let read = source(&mut mapper);
    let head = mapper.finish();
    if failed.is_none() && !batch.is_empty() {
        // A failed send means the writer stopped; it reports why.
        let _ = tx.send(batch);
    }
    let read = match failed {
        Some(e) => Err(e),
        None => read.map_err(ingest_problem),
    };
    (read, head)
}

/// Rows per hand-over from the reading thread to the writing one, and hand-overs in flight.
const HANDOVER_ROWS: usize = 250;
const HANDOVER_BATCHES: usize = 4;

/// A mapped row with everything made that needs no database: its raw cells, errors and
/// warnings as stored, and for an accepted row its source and the supplier row it would make.
struct ReadyRow {
    row: u32,
    raw_json: String,
    outcome: Ready,
}

// Not boxed: nearly every row is accepted, so a box would only add an allocation per row.
#[allow(clippy::large_enum_variant)]
enum Ready {
    Accepted {
        fields: crate::domain::SupplierFields,
        extra: BTreeMap<String, String>,
        source: FieldSource,
        /// The supplier row the fields make, should they be a new supplier.
        row: suppliers::SupplierRow,
        warnings: Vec<ingest::RowError>,
        warnings_json: String,
    },
    Rejected {
        errors: Vec<ingest::RowError>,
        errors_json: String,
    },
}

impl ReadyRow {
    fn new(sources: &ingest::RowSources, org_id: &str, r: ingest::ListRow) -> Result<ReadyRow> {
        let raw_json = serde_json::to_string(&r.raw).map_err(Error::internal)?;
        let outcome = match r.outcome {
            RowOutcome::Accepted { fields, extra, warnings } => {
                let source = sources.source(r.row, &r.raw);
                Ready::Accepted {
                    row: suppliers::Index::new_row(org_id, &fields, &extra, &source)?,
                    fields,
                    extra,
                    source,
                    warnings_json: serde_json::to_string(&warnings).map_err(Error::internal)?,
                    warnings,
                }
            }
            RowOutcome::Rejected { errors } => {
                Ready::Rejected { errors_json: serde_json::to_string(&errors).map_err(Error::internal)?, errors }
            }
        };
        Ok(ReadyRow { row: r.row, raw_json, outcome })
    }
}

/// The writes of one supplier-list upload, a chunk of rows at a time: the suppliers matched and
/// staged in memory, then written with the chunk's rows, so memory holds one chunk of rows.
struct ListWriter {
    upload_id: String,
    created_at: chrono::NaiveDateTime,
    index: suppliers::Index,
    chunk: Vec<ReadyRow>,
    accepted: usize,
    rejected: usize,
    created: usize,
    updated: usize,
    errors: Vec<ingest::RowError>,
    warnings: Vec<ingest::RowError>,
    touched: Vec<String>,
    org_id: String,
}

impl ListWriter {
    /// Inserts the upload row; None when a concurrent request stored the same bytes first.
    fn start(conn: &mut DbConn, inc: &Incoming) -> Result<Option<ListWriter>> {
        let upload_id = store::new_id();
        let created_at = store::now();
        let row = inc.upload_row(&upload_id, created_at, None, 0, 0, 0);
        if insert_upload(conn, &row)?.is_err() {
            return Ok(None);
        }
        drop(row);
        Ok(Some(ListWriter {
            upload_id,
            created_at,
            index: suppliers::Index::load(conn, inc.org_id)?,
            chunk: Vec::with_capacity(ROW_BATCH),
            accepted: 0,
            rejected: 0,
            created: 0,
            updated: 0,
            errors: Vec::new(),
            warnings: Vec::new(),
            touched: Vec::new(),
            org_id: inc.org_id.to_string(),
        }))
    }

    fn add(&mut self, conn: &mut DbConn, r: ReadyRow) -> Result<()> {
        self.chunk.push(r);
        if self.chunk.len() == ROW_BATCH {
            self.write_chunk(conn)?;
        }
        Ok(())
    }

    /// Stages the chunk's suppliers, writes them, then the chunk's rows as they came in.
    fn write_chunk(&mut self, conn: &mut DbConn) -> Result<()> {
        let chunk = std::mem::take(&mut self.chunk);
        let mut records = Vec::with_capacity(chunk.len());
        for r in chunk {
            let (status, errors_json, supplier_id) = match r.outcome {
                Ready::Accepted { fields, extra, source, row, warnings, warnings_json } => {
                    let staged = self.index.stage(&self.org_id, fields, &extra, source, Some(row))?;
                    if staged.created {
                        self.created += 1;
                    } else {
                        self.updated += 1;
                    }
                    self.accepted += 1;
                    self.touched.push(staged.id.clone());
                    self.warnings.extend(warnings);
                    ("accepted", warnings_json, Some(staged.id))
                }
                Ready::Rejected { errors, errors_json } => {
                    self.rejected += 1;
                    self.errors.extend(errors);
                    ("rejected", errors_json, None)
                }
            };
            records.push(uploads::UploadRowRecord {
                upload_id: self.upload_id.clone(),
                row_number: r.row as i32,
                status: status.into(),
                raw_json: r.raw_json,
                errors_json,
                supplier_id,
            });
        }
        // The suppliers first: the rows name them.
        self.index.flush(conn)?;
        uploads::insert_rows(conn, &records)
    }

    /// Writes the last chunk, scores, and stores the report.
    fn finish(mut self, conn: &mut DbConn, inc: &Incoming, head: ingest::ListHead, score: bool) -> Result<Outcome> {
        self.write_chunk(conn)?;
        let rows_total = self.accepted + self.rejected;
        let mut touched = std::mem::take(&mut self.touched);
        touched.sort();
        touched.dedup();
        let ListWriter { upload_id, created_at, index, accepted, rejected, created, updated, errors, warnings, .. } =
            self;
        let assessed = if score {
            // The index already holds every supplier of the organisation: no second load.
            let mut records = index.into_records()?;
            suppliers::resolve_columns(conn, inc.org_id, &mut records)?;
            let data = assess::load_org_with(conn, inc.org_id, records)?;
            let stored = assess::store_assessments(
                conn,
                inc.org_id,
                &data,
                Some(&touched),
                Some(&upload_id),
                Cause::Upload,
                inc.today,
            )?;
            // The assessment ids only: the suppliers are freed before the report is made.
            stored.into_iter().map(|(_, a)| a).collect()
        } else {
            drop(index);
            Vec::new()
        };
        let report = report(
            inc,
            &upload_id,
            created_at,
            &head.sheet,
            json!({
                "header_row": head.header_row,
                "rows_total": rows_total,
                "rows_accepted": accepted,
                "rows_rejected": rejected,
                "rows_skipped": head.skipped.iter().map(|s| json!({"row": s.row, "reason": s.reason})).collect::<Vec<_>>(),
                "columns": head.columns,
                "errors": errors,
                "warnings": warnings,
                "suppliers_created": created,
                "suppliers_updated": updated,
                "assessment_ids": assessed.iter().map(uuid::Uuid::to_string).collect::<Vec<_>>(),
                "supplier_ids": touched,
            }),
        );
        uploads::set_outcome(conn, &upload_id, &head.sheet, [rows_total, accepted, rejected], &report.to_string())?;
        audit_upload(conn, inc, &upload_id, &report)?;
        Ok(Outcome::Created(report))
    }
}

/// An upload report: what every report says of the file, then `rest`.
fn report(inc: &Incoming, upload_id: &str, created_at: chrono::NaiveDateTime, sheet: &str, rest: Value) -> Value {
    let mut r = json!({
        "id": upload_id,
        "sha256": inc.sha256,
        "filename": inc.filename,
        "size": inc.bytes.len(),
        "kind": inc.kind,
        "format": inc.format,
        "sheet": sheet,
        "created_at": crate::api::keys::rfc3339(created_at),
    });
    if let (Value::Object(r), Value::Object(rest)) = (&mut r, rest) {
        r.extend(rest);
    }
    r
}

/// Upload rows stored per batch (each batch is split again by `uploads::insert_rows`).
const ROW_BATCH: usize = 2000;

/// Inserts the upload row in a savepoint; a unique violation means the same bytes were just
/// stored by a concurrent request.
fn insert_upload(conn: &mut DbConn, row: &uploads::UploadRow) -> Result<Result<(), Outcome>> {
    use diesel::Connection;
    match conn.transaction(|c| {
        diesel::RunQueryDsl::execute(diesel::insert_into(store::schema::uploads::table).values(row), c)
    }) {
        Ok(_) => Ok(Ok(())),
        Err(e) if store::is_unique_violation(&e) => Ok(Err(Outcome::Duplicate)),
        Err(e) => Err(e.into()),
    }
}

fn finish(conn: &mut DbConn, inc: &Incoming, upload_id: &str, report: &Value) -> Result<()> {
    uploads::set_report(conn, upload_id, &report.to_string())?;
    audit_upload(conn, inc, upload_id, report)
}

fn audit_upload(conn: &mut DbConn, inc: &Incoming, upload_id: &str, report: &Value) -> Result<()> {
    audit::record(
        conn,
        audit::AuditEvent {
            org_id: Some(inc.org_id.into()),
            key_id: Some(inc.key_id.into()),
            actor: inc.actor.into(),
            action: "upload.create",
            target: Some(upload_id.into()),
            detail: json!({"filename": inc.filename, "sha256": inc.sha256, "kind": inc.kind,
                           "rows_accepted": report["rows_accepted"], "rows_rejected": report["rows_rejected"]}),
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
        .map(|(f, cell, _)| FieldValue { field: f.clone(), header: f.clone(), cell: cell.clone() })
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
    if let Err(dup) = insert_upload(conn, &row)? {
        return Ok(dup);
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
    );
    finish(conn, inc, &upload_id, &report)?;
    Ok(Outcome::Created(report))
}
