//! GET /audit-log: who did what, when (admin, auditor).

use crate::api::keys::rfc3339;
use crate::api::views::{Page, PageQuery};
use crate::auth::{Perm, Principal};
use crate::error::Result;
use crate::store::{audit, Store};
use actix_web::{get, web, HttpResponse};
use serde_json::{json, Value};

/// The organisation's audit log, newest first, paginated.
#[utoipa::path(tag = "audit", security(("bearer" = [])), params(PageQuery),
    responses((status = 200), (status = 401), (status = 403)))]
#[get("/audit-log")]
pub async fn list(p: Principal, store: web::Data<Store>, q: web::Query<PageQuery>) -> Result<HttpResponse> {
    p.require(Perm::ReadAuditLog)?;
    let (page, per_page, offset) = PageQuery::resolve(q.page, q.per_page)?;
    let (rows, total) = store.run(move |c| audit::list(c, &p.org_id, offset, per_page)).await?;
    let items: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            json!({"id": r.id, "at": rfc3339(r.created_at), "actor": r.actor, "key_id": r.key_id,
                   "action": r.action, "target": r.target,
                   "detail": serde_json::from_str::<Value>(&r.detail_json).unwrap_or(Value::Null),
                   "request_id": r.request_id})
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page { items, page, per_page, total }))
}
