//! Assessment reads: one assessment with components, findings and evidence.

use crate::api::extract::{Json, Path};
use crate::api::openapi as oa;
use crate::api::views;
use crate::auth::{Perm, Principal};
use crate::domain::NetworkCluster;
use crate::error::Result;
use crate::store::{assessments, Store};
use actix_web::{get, post, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

/// POST /assessments: the new assessments' ids.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentIds {
    pub assessment_ids: Vec<String>,
}

/// GET /networks: clusters of suppliers linked by shared identifiers.
#[derive(Debug, Serialize, ToSchema)]
pub struct Networks {
    pub items: Vec<NetworkCluster>,
    pub total: usize,
}

/// One assessment: the risk fields plus components, completeness, recommended actions and
/// every finding with its evidence.
#[utoipa::path(operation_id = "get_assessment", tag = "assessments", security(("bearer" = [])),
    params(("id" = String, Path, description = "The assessment's id")),
    responses(
        (status = 200, description = "The assessment", body = views::AssessmentView),
        (status = 404, response = oa::NotFound),
    ))]
#[get("/assessments/{id}")]
pub async fn get_one(p: Principal, store: web::Data<Store>, id: Path<String>) -> Result<HttpResponse> {
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
    #[schema(max_items = 10000)]
    pub supplier_ids: Option<Vec<String>>,
    /// Rescore the suppliers of this upload.
    pub upload_id: Option<String>,
}

/// Rescore: new, immutable assessments for the given suppliers, an upload's suppliers, or all
/// (`{}`). Suppliers linked to them in a network are rescored too.
#[utoipa::path(tag = "assessments", security(("bearer" = [])), request_body = RescoreBody, params(oa::IdempotencyKey),
    responses(
        (status = 201, description = "The new assessments", body = AssessmentIds),
        (status = 400, response = oa::BadRequest),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::UnprocessableContent),
    ))]
#[post("/assessments")]
pub async fn rescore(
    p: Principal,
    store: web::Data<Store>,
    req: actix_web::HttpRequest,
    body: Json<RescoreBody>,
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
            let ids = AssessmentIds { assessment_ids: stored.into_iter().map(|(_, a)| a).collect() };
            crate::store::audit::record(
                c,
                p2.event(
                    "assessment.rescore",
                    None,
                    serde_json::json!({"count": ids.assessment_ids.len(), "upload_id": body.upload_id}),
                ),
            )?;
            idempotency::record(c, token, 201, serde_json::to_value(ids).map_err(Error::internal)?)
        })
    })
    .await
}

/// Networks: suppliers linked by shared bank accounts, phones, e-mail domains, people or addresses.
#[utoipa::path(tag = "assessments", security(("bearer" = [])),
    responses((status = 200, description = "Suppliers linked by shared identifiers", body = Networks)))]
#[get("/networks")]
pub async fn networks(p: Principal, store: web::Data<Store>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let clusters = store
        .run(move |c| {
            let mut records =
                crate::store::suppliers::all(c, &p.org_id)?.iter().map(|r| r.record()).collect::<Result<Vec<_>>>()?;
            crate::store::suppliers::resolve_sources(c, &p.org_id, &mut records)?;
            Ok(crate::scoring::detect_networks(&records))
        })
        .await?;
    Ok(HttpResponse::Ok().json(Networks { total: clusters.len(), items: clusters }))
}
