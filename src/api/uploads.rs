//! Uploads: POST a spreadsheet (parsed in a sandboxed child process), list, the report, the
//! original bytes, and the rejected rows as a workbook.

use crate::api::attachment::attachment;
use crate::api::extract::{Path, Query};
use crate::api::idempotency;
use crate::api::keys::rfc3339;
use crate::api::multipart::{check_declared_length, read_form};
use crate::api::openapi as oa;
use crate::api::views::{Page, PageQuery};
use crate::auth::{Perm, Principal};
use crate::config::Settings;
use crate::domain::FileFormat;
use crate::error::{Error, ProblemItem, Result};
use crate::ingest::{self, Limits, RowError};
use crate::report::rejected::{write_rejected, RejectedRow};
use crate::service::uploads::{self as svc, Incoming, Kind, Outcome};
use crate::store::{uploads, write_tx, Store};
use actix_web::{get, http::header, post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Upload slots: at most N uploads are parsed and stored at once per process.
#[derive(Clone)]
pub struct UploadSlots {
    used: Arc<AtomicUsize>,
    max: usize,
}

pub struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl UploadSlots {
    pub fn new(max: usize) -> UploadSlots {
        UploadSlots { used: Arc::new(AtomicUsize::new(0)), max: max.max(1) }
    }
    pub fn try_acquire(&self) -> Result<Slot> {
        let prev = self.used.fetch_add(1, Ordering::SeqCst);
        if prev >= self.max {
            self.used.fetch_sub(1, Ordering::SeqCst);
            return Err(Error::problem(
                503,
                "too_many_uploads",
                "The server is processing as many uploads as it can; retry shortly.",
            )
            .with_retry_after(5));
        }
        Ok(Slot(self.used.clone()))
    }
}

/// The upload report (API.md "Uploads"). It is built when the upload is stored
/// (`service::uploads`), stored with it, and served as stored, so this type only describes it;
/// the HTTP tests and the schemathesis run check real reports against it.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadReport {
    pub id: String,
    /// SHA-256 of the bytes as uploaded (hex).
    pub sha256: String,
    pub filename: String,
    /// Size in bytes.
    pub size: u64,
    pub kind: Kind,
    #[schema(value_type = FileFormat)]
    pub format: String,
    /// The sheet read (`Questionnaire` for questionnaires).
    pub sheet: String,
    /// Supplier lists: the 1-based row the header was found on.
    #[schema(nullable = false)]
    pub header_row: Option<u32>,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub rows_total: u64,
    pub rows_accepted: u64,
    pub rows_rejected: u64,
    /// Supplier lists: non-blank rows that were neither accepted nor rejected (totals, footers).
    #[schema(nullable = false)]
    pub rows_skipped: Option<Vec<SkippedRowView>>,
    /// Every header of the file and the canonical field it was mapped to (null: none).
    pub columns: Vec<ReportColumn>,
    /// Why rows (or answers) were rejected.
    pub errors: Vec<ReportRowError>,
    /// Values accepted with a remark: truncated, read with a choice (the first of several sectors), or
    /// unreadable in an optional field and left unknown (row, column, value and reason).
    pub warnings: Vec<RowError>,
    pub suppliers_created: u64,
    pub suppliers_updated: u64,
    /// The assessments made by this upload.
    pub assessment_ids: Vec<String>,
    /// The suppliers this upload created or updated.
    pub supplier_ids: Vec<String>,
    /// Questionnaires: which questionnaire and version was filled in.
    #[schema(nullable = false)]
    pub questionnaire_id: Option<String>,
    #[schema(nullable = false)]
    pub version: Option<String>,
    /// Questionnaires: share (0–1) of core questions answered.
    #[schema(nullable = false)]
    pub completeness: Option<f64>,
}

/// A header of the uploaded file and the canonical field it maps to.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ReportColumn {
    pub header: String,
    /// The canonical field (null: kept as an extra attribute, or not a field at all).
    pub field: Option<String>,
}

/// A skipped row: its number and why.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct SkippedRowView {
    pub row: u32,
    pub reason: String,
}

/// A rejected row or answer of an upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct ReportRowError {
    /// The spreadsheet's own 1-based row number.
    pub row: Option<u32>,
    /// The column header as written (`Answer`, `Question ID` for questionnaires).
    pub column: Option<String>,
    pub value: Option<String>,
    pub code: String,
    pub message: String,
    /// Questionnaires: the question the answer was for.
    pub question_id: Option<String>,
    /// Questionnaires: the answer cell, e.g. `D12`.
    pub cell: Option<String>,
}

/// An upload as listed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UploadSummary {
    pub id: String,
    pub sha256: String,
    pub size: i64,
    pub filename: String,
    #[schema(value_type = FileFormat)]
    pub format: String,
    #[schema(value_type = Kind)]
    pub kind: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub rows_total: i32,
    pub rows_accepted: i32,
    pub rows_rejected: i32,
}

/// The form of POST /uploads (documentation only: the handler reads the stream itself).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The spreadsheet: xlsx, xlsm, xlsb, xls, ods or csv.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `supplier_list` or `questionnaire` (detected when absent).
    pub kind: Option<Kind>,
    /// JSON `{"Header in file": "canonical_field"}`.
    pub mapping: Option<String>,
    /// Questionnaires: the supplier the answers are for (else the Supplier sheet says).
    pub supplier_id: Option<String>,
}

/// The file as the worker hands it over: streamed row by row, or read whole.
enum Parsed {
    Stream(ingest::SandboxStream),
    Whole(crate::domain::Workbook),
}

enum Prepared {
    Stream(ingest::SandboxStream),
    List(ingest::SupplierList),
    Questionnaire(Box<crate::questionnaire::FilledTemplate>),
}

fn parse_mapping(raw: Option<String>) -> Result<Option<BTreeMap<String, String>>> {
    match raw.filter(|s| !s.trim().is_empty()) {
        None => Ok(None),
        Some(s) => serde_json::from_str::<BTreeMap<String, String>>(&s).map(Some).map_err(|e| {
            Error::invalid(
                "invalid_mapping",
                "The `mapping` part must be a JSON object of {\"Header in file\": \"canonical_field\"}.",
                vec![ProblemItem::field("mapping", "invalid_json", e.to_string())],
            )
        }),
    }
}

/// Upload a supplier list or a filled questionnaire.
#[utoipa::path(tag = "uploads", security(("bearer" = [])), params(oa::IdempotencyKey),
    request_body(content = UploadForm, content_type = "multipart/form-data",
        description = "parts: `file` (xlsx, xlsm, xlsb, xls, ods, csv), optional `kind` (supplier_list | \
            questionnaire), optional `mapping` (JSON), optional `supplier_id` (questionnaires)"),
    responses(
        (status = 201, description = "The upload report", body = UploadReport),
        (status = 200, body = UploadReport,
            description = "The same bytes were uploaded before by this organisation: the first report, \
                nothing written"),
        (status = 400, response = oa::BadRequest),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::UnprocessableContent),
        (status = 503, response = oa::ServiceUnavailable),
    ))]
#[post("/uploads")]
pub async fn create(
    p: Principal,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
    slots: web::Data<UploadSlots>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    p.require(Perm::Upload)?;
    check_declared_length(&req, settings.max_upload_bytes)?;
    let _slot = match slots.try_acquire() {
        Ok(s) => s,
        Err(e) => {
            // Read the body to the end without keeping it, so the client gets the 503 rather
            // than a connection reset in the middle of sending.
            let mut payload = payload;
            let mut seen = 0usize;
            while let Some(Ok(chunk)) = futures_util::StreamExt::next(&mut payload).await {
                seen += chunk.len();
                if seen > settings.max_upload_bytes + 1024 * 1024 {
                    break;
                }
            }
            return Err(e);
        }
    };
    let form = read_form(&req, payload, settings.max_upload_bytes).await?;
    if form.bytes.is_empty() {
        return Err(Error::invalid("empty_file", "The file is empty.", Vec::new()));
    }
    let kind = match form.kind.as_deref().filter(|k| !k.is_empty()) {
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            Error::invalid(
                "invalid_kind",
                "`kind` must be supplier_list or questionnaire.",
                vec![ProblemItem::field("kind", "invalid_kind", format!("`{k}` is not a kind"))],
            )
        })?),
        None => None,
    };
    let mapping = parse_mapping(form.mapping.clone())?;
    let sha = hex::encode(Sha256::digest(&form.bytes));

    // The same bytes again: the first report, nothing written.
    let org = p.org_id.clone();
    let sha2 = sha.clone();
    if let Some(meta) = store.run(move |c| uploads::find_by_sha(c, &org, &sha2)).await? {
        return Ok(HttpResponse::Ok().content_type("application/json").body(meta.report_json));
    }

    // Parse in a child process: a hostile file can abort a parser, never the server. A file
    // refused at once (not a spreadsheet, a zip bomb...) is refused here, before any write.
    let limits = Limits { max_bytes: settings.max_upload_bytes as u64, ..Limits::default() };
    let bytes = form.bytes;
    let (bytes, parsed) = web::block(move || {
        let exe = std::env::current_exe().map_err(|e| Error::internal(format!("current_exe: {e}")))?;
        let problem = |e: ingest::IngestError| Error::problem(e.status(), e.code(), e.to_string());
        let s = ingest::SandboxStream::spawn(&bytes, &limits, &exe).map_err(problem)?;
        // A questionnaire (small, several sheets) is read whole; a supplier list streams.
        let template = s.sheets().iter().any(|(n, _)| n.eq_ignore_ascii_case(crate::questionnaire::META_SHEET));
        let parsed = match kind {
            Some(Kind::Questionnaire) => Parsed::Whole(s.collect().map_err(problem)?),
            None if template => Parsed::Whole(s.collect().map_err(problem)?),
            _ => Parsed::Stream(s),
        };
        Ok::<_, Error>((bytes, parsed))
    })
    .await
    .map_err(|e| Error::internal(format!("blocking task: {e}")))??;

    let kind = kind.unwrap_or_else(|| match &parsed {
        Parsed::Whole(wb) => Kind::detect(wb),
        Parsed::Stream(_) => Kind::SupplierList,
    });
    let format = match &parsed {
        Parsed::Whole(wb) => wb.format,
        Parsed::Stream(s) => s.format(),
    };
    let mut hasher = Sha256::new();
    hasher.update(&bytes);
    hasher.update(kind.as_str().as_bytes());
    hasher.update(form.mapping.unwrap_or_default().as_bytes());
    let req_hash = idempotency::request_hash(&req, hex::encode(hasher.finalize()).as_bytes());
    let today = chrono::Utc::now().date_naive();
    let p2 = p.clone();
    let request_id = crate::telemetry::current_request_id();
    let filename = form.filename;
    let supplier_id = form.other.get("supplier_id").cloned().filter(|s| !s.is_empty());
    let sha_for_dup = sha.clone();
    let result = idempotency::run(&store, &p, &req, req_hash, move |c, token| {
        let inc = Incoming {
            org_id: &p2.org_id,
            key_id: &p2.key_id,
            actor: &p2.key_name,
            request_id,
            filename,
            bytes,
            sha256: sha,
            kind,
            format,
            mapping,
            supplier_id,
            today,
        };
        // A whole workbook is checked before the first write; a streamed list is written as it
        // is read, and a refusal part-way rolls the transaction back.
        let prepared = match parsed {
            Parsed::Stream(s) => Prepared::Stream(s),
            Parsed::Whole(wb) => match kind {
                Kind::SupplierList => Prepared::List(svc::map_list(&inc, &wb)?),
                Kind::Questionnaire => Prepared::Questionnaire(Box::new(svc::read_questionnaire(&wb)?)),
            },
        };
        write_tx(c, |c| {
            let out = match prepared {
                Prepared::Stream(s) => svc::store_supplier_stream(c, &inc, |sink| s.feed(sink).map(|_| ()), true)?,
                Prepared::List(l) => svc::store_supplier_list(c, &inc, l)?,
                Prepared::Questionnaire(f) => svc::store_questionnaire(c, &inc, &f)?,
            };
            match out {
                Outcome::Created(report) => idempotency::record_text(c, token, 201, report),
                Outcome::Duplicate => Err(Error::problem(409, "duplicate_upload", "duplicate")),
            }
        })
    })
    .await;
    match result {
        Err(e) if e.code() == "duplicate_upload" => {
            // A concurrent request stored the same bytes first: answer with its report.
            let org = p.org_id.clone();
            let meta = store
                .run(move |c| uploads::find_by_sha(c, &org, &sha_for_dup))
                .await?
                .ok_or(Error::NotFound("upload"))?;
            Ok(HttpResponse::Ok().content_type("application/json").body(meta.report_json))
        }
        other => other,
    }
}

/// The organisation's uploads, newest first.
#[utoipa::path(operation_id = "list_uploads", tag = "uploads", security(("bearer" = [])), params(PageQuery),
    responses(
        (status = 200, description = "One page of uploads, newest first", body = Page<UploadSummary>),
        (status = 422, response = oa::UnprocessableContent),
    ))]
#[get("/uploads")]
pub async fn list(p: Principal, store: web::Data<Store>, q: Query<PageQuery>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let (page, per_page, offset) = PageQuery::resolve(q.page, q.per_page)?;
    let (rows, total) = store.run(move |c| uploads::list(c, &p.org_id, offset, per_page)).await?;
    let items: Vec<UploadSummary> = rows
        .into_iter()
        .map(|u| UploadSummary {
            id: u.id,
            sha256: u.sha256,
            size: u.size,
            filename: u.filename,
            format: u.format,
            kind: u.kind,
            created_at: rfc3339(u.created_at),
            rows_total: u.rows_total,
            rows_accepted: u.rows_accepted,
            rows_rejected: u.rows_rejected,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page { items, page, per_page, total }))
}

/// The upload report.
#[utoipa::path(operation_id = "get_upload", tag = "uploads", security(("bearer" = [])),
    params(("id" = String, Path, description = "The upload's id")),
    responses(
        (status = 200, description = "The upload report", body = UploadReport),
        (status = 404, response = oa::NotFound),
    ))]
#[get("/uploads/{id}")]
pub async fn get_one(p: Principal, store: web::Data<Store>, id: Path<String>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let id = id.into_inner();
    let meta = store.run(move |c| uploads::meta(c, &p.org_id, &id)).await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(meta.report_json))
}

/// The original bytes, exactly as uploaded.
#[utoipa::path(tag = "uploads", security(("bearer" = [])),
    params(("id" = String, Path, description = "The upload's id")),
    responses(
        (status = 200, description = "The original bytes (attachment, under the uploaded file name)",
            body = oa::Binary, content_type = "application/octet-stream",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"…\"`, plus \
                `filename*=UTF-8''…` (percent-encoded) when the name is not plain ASCII"))),
        (status = 404, response = oa::NotFound),
    ))]
#[get("/uploads/{id}/file")]
pub async fn file(p: Principal, store: web::Data<Store>, id: Path<String>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let id = id.into_inner();
    let ev = p.event("upload.download", Some(id.clone()), json!({"what": "original file"}));
    let (name, bytes) = store
        .run(move |c| {
            let r = uploads::content(c, &p.org_id, &id)?;
            crate::store::audit::record(c, ev)?;
            Ok(r)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/octet-stream")
        .insert_header((header::CONTENT_DISPOSITION, attachment(&name)))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}

/// The rejected rows as they came in, under their original headers, with a column saying why.
#[utoipa::path(tag = "uploads", security(("bearer" = [])),
    params(("id" = String, Path, description = "The upload's id")),
    responses(
        (status = 200, description = "The rejected rows as a workbook (attachment)",
            body = oa::Binary, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"<name>-rejected.xlsx\"`, \
                plus `filename*=UTF-8''…` (percent-encoded) when the name is not plain ASCII"))),
        (status = 404, response = oa::NotFound),
    ))]
#[get("/uploads/{id}/rejected.xlsx")]
pub async fn rejected(p: Principal, store: web::Data<Store>, id: Path<String>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let id = id.into_inner();
    let (name, bytes) = store
        .run(move |c| {
            let meta = uploads::meta(c, &p.org_id, &id)?;
            let report: Value = serde_json::from_str(&meta.report_json).unwrap_or(Value::Null);
            let headers: Vec<String> = report["columns"]
                .as_array()
                .map(|cols| cols.iter().filter_map(|c| c["header"].as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let rows: Vec<RejectedRow> = uploads::rows_with_status(c, &id, "rejected")?
                .into_iter()
                .map(|r| {
                    let raw: Vec<(String, String)> = serde_json::from_str(&r.raw_json).unwrap_or_default();
                    let errs: Vec<Value> = serde_json::from_str(&r.errors_json).unwrap_or_default();
                    let reasons = errs
                        .iter()
                        .map(|e| match e["column"].as_str() {
                            Some(col) => format!("{col}: {}", e["message"].as_str().unwrap_or("")),
                            None => e["message"].as_str().unwrap_or("").to_string(),
                        })
                        .collect();
                    RejectedRow { row: r.row_number.max(0) as u32, raw, reasons }
                })
                .collect();
            let headers = if headers.is_empty() {
                rows.first().map(|r| r.raw.iter().map(|(h, _)| h.clone()).collect()).unwrap_or_default()
            } else {
                headers
            };
            let bytes = write_rejected(&headers, &rows).map_err(Error::internal)?;
            Ok((meta.filename, bytes))
        })
        .await?;
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(&name).to_string();
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((header::CONTENT_DISPOSITION, attachment(&format!("{stem}-rejected.xlsx"))))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
