//! GET /audit-log: who did what, when (admin, auditor).

use crate::api::extract::Query;
use crate::api::keys::rfc3339;
use crate::api::openapi as oa;
use crate::api::views::{Page, PageQuery};
use crate::auth::{Perm, Principal};
use crate::error::Result;
use crate::store::{audit, Store};
use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// One audit-log entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: String,
    #[schema(format = DateTime)]
    pub at: String,
    /// The key's name, or `cli`, `serve`, `anonymous`.
    pub actor: String,
    /// The key that acted (null for the command line and failed sign-ins).
    pub key_id: Option<String>,
    /// e.g. `key.create`, `upload.create`, `report.download`, `auth.failure`.
    pub action: String,
    /// The id (or path) acted on.
    pub target: Option<String>,
    /// What the action was about; its fields depend on `action`.
    pub detail: Value,
    pub request_id: Option<String>,
}

/// The organisation's audit log, newest first, paginated.
#[utoipa::path(operation_id = "list_audit_log", tag = "audit", security(("bearer" = [])), params(PageQuery),
    responses(
        (status = 200, description = "One page of the audit log, newest first", body = Page<AuditEntry>),
        (status = 403, response = oa::Forbidden),
        (status = 422, response = oa::UnprocessableContent),
    ))]
#[get("/audit-log")]
pub async fn list(p: Principal, store: web::Data<Store>, q: Query<PageQuery>) -> Result<HttpResponse> {
    p.require(Perm::ReadAuditLog)?;
    let (page, per_page, offset) = PageQuery::resolve(q.page, q.per_page)?;
    let (rows, total) = store.run(move |c| audit::list(c, &p.org_id, offset, per_page)).await?;
    let items: Vec<AuditEntry> = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: rfc3339(r.created_at),
            actor: r.actor,
            key_id: r.key_id,
            action: r.action,
            target: r.target,
            detail: serde_json::from_str::<Value>(&r.detail_json).unwrap_or(Value::Null),
            request_id: r.request_id,
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page { items, page, per_page, total }))
}
