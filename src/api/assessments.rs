//! Assessment reads: one assessment with components, findings and evidence.

use crate::api::views;
use crate::auth::{Perm, Principal};
use crate::error::Result;
use crate::store::{assessments, Store};
use actix_web::{get, web, HttpResponse};

/// One assessment: the risk fields plus components, completeness, recommended actions and
/// every finding with its evidence.
#[utoipa::path(tag = "assessments", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200), (status = 401), (status = 404)))]
#[get("/assessments/{id}")]
pub async fn get_one(p: Principal, store: web::Data<Store>, id: web::Path<String>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let id = id.into_inner();
    let v = store.run(move |c| views::assessment_view(&assessments::get(c, &p.org_id, &id)?)).await?;
    Ok(HttpResponse::Ok().json(v))
}
