//! Liveness and readiness probes (no auth).

use crate::error::{Error, Result};
use crate::store::Store;
use actix_web::{get, web, HttpResponse};
use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

/// A probe's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProbeStatus {
    /// `ok` (liveness) or `ready` (readiness).
    pub status: String,
}

/// 200 while the process is up.
#[utoipa::path(tag = "service",
    responses((status = 200, description = "The process is up: `{\"status\": \"ok\"}`", body = ProbeStatus)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(ProbeStatus { status: "ok".into() })
}

/// 200 when the database answers, 503 otherwise.
#[utoipa::path(tag = "service", responses(
    (status = 200, description = "The database answers: `{\"status\": \"ready\"}`", body = ProbeStatus),
    (status = 503, response = crate::api::openapi::ServiceUnavailable),
))]
#[get("/readyz")]
pub async fn readyz(store: web::Data<Store>) -> Result<HttpResponse> {
    store
        .run(|c| {
            diesel::sql_query("SELECT 1").execute(c).map_err(|e| {
                Error::problem(503, "database_unavailable", "The database is not answering.").with_cause(e)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(ProbeStatus { status: "ready".into() }))
}
