//! Questionnaire definitions and the xlsx template a supplier fills in.

use crate::api::extract::{Path, Query};
use crate::api::openapi as oa;
use crate::auth::{Perm, Principal};
use crate::domain::Sector;
use crate::error::{Error, Result};
use crate::questionnaire::{self, QuestionnaireSummary, SectorQuestionnaire, TemplateSupplier};
use crate::store::{suppliers, Store};
use actix_web::{get, http::header, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

fn sector_of(s: &str) -> Result<Sector> {
    Sector::from_id(s).ok_or(Error::NotFound("questionnaire"))
}

/// Every sector's current questionnaire.
#[utoipa::path(operation_id = "list_questionnaires", tag = "questionnaires", security(("bearer" = [])),
    responses((status = 200, description = "Every sector's current questionnaire", body = Vec<QuestionnaireSummary>)))]
#[get("/questionnaires")]
pub async fn list(p: Principal) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let cat = questionnaire::catalogue().map_err(Error::internal)?;
    let current: Vec<QuestionnaireSummary> = Sector::ALL
        .iter()
        .filter_map(|s| cat.list().into_iter().find(|q| q.sector == *s && q.version == cat.for_sector(*s).version))
        .collect();
    Ok(HttpResponse::Ok().json(current))
}

/// The whole definition a supplier of this sector answers (common core + sector items).
#[utoipa::path(operation_id = "get_questionnaire", tag = "questionnaires", security(("bearer" = [])),
    params(("sector" = Sector, Path, description = "The sector (anything else: 404)")),
    responses(
        (status = 200, description = "The whole definition", body = SectorQuestionnaire),
        (status = 404, response = oa::NotFound),
    ))]
#[get("/questionnaires/{sector}")]
pub async fn get_one(p: Principal, sector: Path<String>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let s = sector_of(&sector)?;
    let cat = questionnaire::catalogue().map_err(Error::internal)?;
    Ok(HttpResponse::Ok().json(cat.for_sector(s)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TemplateQuery {
    /// Pre-fill the Supplier sheet with this supplier.
    #[param(max_length = 200)]
    pub supplier_id: Option<String>,
}

/// A workbook for a supplier to fill in (pre-filled with `?supplier_id=`).
#[utoipa::path(tag = "questionnaires", security(("bearer" = [])),
    params(("sector" = Sector, Path, description = "The sector (anything else: 404)"), TemplateQuery),
    responses(
        (status = 200, description = "The template workbook (attachment)",
            body = oa::Binary, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers((
                "Content-Disposition" = String,
                description = "`attachment; filename=\"manumit-questionnaire-<sector>.xlsx\"`"
            ))),
        (status = 404, response = oa::NotFound),
        (status = 422, response = oa::UnprocessableContent),
    ))]
#[get("/questionnaires/{sector}/template.xlsx")]
pub async fn template(
    p: Principal,
    store: web::Data<Store>,
    sector: Path<String>,
    q: Query<TemplateQuery>,
) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let s = sector_of(&sector)?;
    let supplier_id = q.into_inner().supplier_id.filter(|x| !x.is_empty());
    let bytes = store
        .run(move |c| {
            let supplier = match supplier_id {
                Some(id) => {
                    let row = suppliers::get(c, &p.org_id, &id)?;
                    Some(TemplateSupplier { id: row.id.clone(), fields: row.fields()? })
                }
                None => None,
            };
            let cat = questionnaire::catalogue().map_err(Error::internal)?;
            questionnaire::write_template(cat.for_sector(s), supplier.as_ref()).map_err(Error::internal)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            crate::api::attachment::attachment(&format!("manumit-questionnaire-{s}.xlsx")),
        ))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(bytes))
}
