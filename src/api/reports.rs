//! The compliance workbook: GET /reports/workbook.xlsx, built from the caller's organisation's
//! data, written to an anonymous temp file off the async threads, and streamed from it.

use crate::api::extract::Query;
use crate::api::limits::Slots;
use crate::api::openapi as oa;
use crate::api::suppliers::parse_filters;
use crate::auth::{Perm, Principal};
use crate::domain::{Sector, Tier};
use crate::error::{Error, ProblemItem, Result};
use crate::report::write_workbook;
use crate::service::report::{build_input, file_name, Requester, Scope};
use crate::store::{audit, Store};
use actix_files::NamedFile;
use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse, Responder};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use utoipa::IntoParams;

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Debug, Deserialize, IntoParams)]
pub struct WorkbookQuery {
    /// Only the suppliers this upload touched.
    #[param(max_length = 64, pattern = "^[A-Za-z0-9-]*$")]
    pub upload_id: Option<String>,
    /// Only this supplier.
    #[param(max_length = 64, pattern = "^[A-Za-z0-9-]*$")]
    pub supplier_id: Option<String>,
    /// agriculture, construction, hospitality or manufacturing.
    #[param(value_type = Option<Sector>)]
    pub sector: Option<String>,
    /// low, medium, high or critical (of the latest assessment).
    #[param(value_type = Option<Tier>)]
    pub tier: Option<String>,
    /// ISO 3166 alpha-2.
    #[param(pattern = "^([A-Za-z]{2})?$")]
    pub country: Option<String>,
}

fn id_param(name: &str, v: Option<String>) -> Result<Option<String>> {
    match v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') => Ok(Some(s)),
        Some(s) => Err(Error::invalid(
            "invalid_query",
            "Some filters are not valid; see `errors`.",
            vec![ProblemItem::field(
                name,
                "invalid_id",
                format!("`{}` is not an id", s.chars().take(80).collect::<String>()),
            )],
        )),
    }
}

/// The compliance workbook (nine sheets, API.md "Assessments and reports") for the caller's
/// organisation, narrowed by the filters. Each download is written to the audit log.
#[utoipa::path(tag = "reports", security(("bearer" = [])), params(WorkbookQuery),
    responses(
        (status = 200, description = "The workbook (attachment)",
            body = oa::Binary, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers(("Content-Disposition" = String, description = "`attachment; filename=\"…\"`"))),
        (status = 404, response = oa::NotFound),
        (status = 422, response = oa::UnprocessableContent),
        (status = 503, response = oa::ServiceUnavailable),
    ))]
#[get("/reports/workbook.xlsx")]
pub async fn workbook(
    p: Principal,
    store: web::Data<Store>,
    q: Query<WorkbookQuery>,
    req: HttpRequest,
    slots: web::Data<Slots>,
) -> Result<HttpResponse> {
    p.require(Perm::DownloadReports)?;
    let q = q.into_inner();
    let (sector, country, tier) = parse_filters(q.sector.as_deref(), q.country.as_deref(), q.tier.as_deref())?;
    let scope = Scope {
        upload_id: id_param("upload_id", q.upload_id)?,
        supplier_id: id_param("supplier_id", q.supplier_id)?,
        sector,
        tier,
        country,
    };
    // Moved into each blocking step, so the slot is held for as long as the build really runs:
    // a build cannot be stopped midway, and a client that goes away must not free its slot early.
    let slot = slots.try_acquire(&p.org_id)?;
    let now = chrono::Utc::now();
    let filters: Map<String, Value> = scope.pairs().into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    let p2 = p.clone();
    let (input, slot) = store
        .run(move |c| {
            let slot = slot;
            let role = p2.role.to_string();
            let who = Requester { org_id: &p2.org_id, name: &p2.key_name, role: &role };
            let input = build_input(c, &who, &scope, now)?;
            let ev = p2.event(
                "report.download",
                None,
                json!({"report": "workbook.xlsx", "filters": filters, "suppliers": input.suppliers.len()}),
            );
            audit::record(c, ev)?;
            Ok((input, slot))
        })
        .await?;
    let file = web::block(move || -> Result<std::fs::File> {
        let _slot = slot;
        let f = tempfile::tempfile().map_err(|e| Error::internal(format!("temp file: {e}")))?;
        let mut w = BufWriter::with_capacity(256 * 1024, f);
        write_workbook(&input, &mut w).map_err(Error::internal)?;
        drop(input);
        w.flush().map_err(|e| Error::internal(format!("write workbook: {e}")))?;
        let mut f = w.into_inner().map_err(|e| Error::internal(format!("write workbook: {e}")))?;
        f.seek(SeekFrom::Start(0)).map_err(|e| Error::internal(format!("rewind workbook: {e}")))?;
        Ok(f)
    })
    .await
    .map_err(|e| Error::internal(format!("blocking task: {e}")))??;
    let name = file_name(now);
    let named = NamedFile::from_file(file, &name)
        .map_err(|e| Error::internal(format!("workbook file: {e}")))?
        .set_content_type(XLSX_TYPE.parse().map_err(Error::internal)?)
        .use_etag(false)
        .use_last_modified(false);
    let mut resp = named.respond_to(&req).map_into_boxed_body();
    let h = resp.headers_mut();
    let disposition = crate::api::attachment::attachment(&name);
    h.insert(header::CONTENT_DISPOSITION, header::HeaderValue::from_str(&disposition).map_err(Error::internal)?);
    h.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(resp)
}
