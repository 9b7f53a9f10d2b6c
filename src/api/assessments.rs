//! Assessment reads: one assessment with components, findings and evidence.

use crate::api::views;
use crate::auth::{Perm, Principal};
use crate::error::Result;
use crate::store::{assessments, Store};
use actix_web::{get, post, web, HttpResponse};

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

#[derive(Debug, serde::Deserialize, validator::Validate, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescoreBody {
    /// Suppliers to rescore.
    #[validate(length(max = 10000))]
    pub supplier_ids: Option<Vec<String>>,
    /// Rescore the suppliers of this upload.
    pub upload_id: Option<String>,
}

/// Rescore: new, immutable assessments for the given suppliers, an upload's suppliers, or all
/// (`{}`). Suppliers linked to them in a network are rescored too.
#[utoipa::path(tag = "assessments", security(("bearer" = [])), request_body = RescoreBody,
    responses((status = 201, description = "`{assessment_ids}`"), (status = 401), (status = 403), (status = 404), (status = 422)))]
#[post("/assessments")]
pub async fn rescore(
    p: Principal,
    store: web::Data<Store>,
    req: actix_web::HttpRequest,
    body: web::Json<RescoreBody>,
) -> Result<HttpResponse> {
    use crate::api::idempotency;
    use crate::error::Error;
    use crate::service::assess::{assess_and_store, Cause};
    use crate::store::{suppliers, uploads, write_tx};
    use validator::Validate;
    p.require(Perm::Rescore)?;
    body.validate()?;
    let body = body.into_inner();
    if body.supplier_ids.is_some() && body.upload_id.is_some() {
        return Err(Error::invalid("validation_failed", "Give supplier_ids or upload_id, not both.", Vec::new()));
    }
    let hash = idempotency::request_hash(&req, format!("{:?}|{:?}", body.supplier_ids, body.upload_id).as_bytes());
    let today = chrono::Utc::now().date_naive();
    let p2 = p.clone();
    idempotency::run(&store, &p, &req, hash, move |c, token| {
        write_tx(c, |c| {
            let targets: Option<Vec<String>> = if let Some(ids) = &body.supplier_ids {
                for id in ids {
                    suppliers::get(c, &p2.org_id, id)?;
                }
                Some(ids.clone())
            } else if let Some(u) = &body.upload_id {
                uploads::meta(c, &p2.org_id, u)?;
                Some(uploads::supplier_ids_of(c, u)?)
            } else {
                None
            };
            let stored = assess_and_store(c, &p2.org_id, targets.as_deref(), None, Cause::Rescore, today)?;
            let ids: Vec<&String> = stored.iter().map(|(_, a)| a).collect();
            crate::store::audit::record(
                c,
                p2.event(
                    "assessment.rescore",
                    None,
                    serde_json::json!({"count": ids.len(), "upload_id": body.upload_id}),
                ),
            )?;
            idempotency::record(c, token, 201, serde_json::json!({"assessment_ids": ids}))
        })
    })
    .await
}

/// Networks: suppliers linked by shared bank accounts, phones, e-mail domains, people or addresses.
#[utoipa::path(tag = "assessments", security(("bearer" = [])), responses((status = 200, description = "`{items: [{id, suppliers, shared}]}`"), (status = 401)))]
#[get("/networks")]
pub async fn networks(p: Principal, store: web::Data<Store>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let clusters = store
        .run(move |c| {
            let records =
                crate::store::suppliers::all(c, &p.org_id)?.iter().map(|r| r.record()).collect::<Result<Vec<_>>>()?;
            Ok(crate::scoring::detect_networks(&records))
        })
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({"items": clusters, "total": clusters.len()})))
}
