//! Liveness and readiness probes (no auth).

use crate::error::{Error, Result};
use crate::store::Store;
use actix_web::{get, web, HttpResponse};
use diesel::RunQueryDsl;
use serde_json::json;

/// 200 while the process is up.
#[utoipa::path(tag = "service", responses((status = 200, description = "The process is up")))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// 200 when the database answers, 503 otherwise.
#[utoipa::path(tag = "service", responses((status = 200, description = "The database answers"), (status = 503, description = "The database does not answer")))]
#[get("/readyz")]
pub async fn readyz(store: web::Data<Store>) -> Result<HttpResponse> {
    store
        .run(|c| {
            diesel::sql_query("SELECT 1").execute(c).map_err(|e| {
                Error::problem(503, "database_unavailable", "The database is not answering.").with_cause(e)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}
