//! Supplier reads: list with filters and pagination, one supplier with its sources, its risk
//! and its assessment history.

use crate::api::extract::{Path, Query};
use crate::api::keys::rfc3339;
use crate::api::openapi as oa;
use crate::api::views::{self, Page, PageQuery};
use crate::auth::{Perm, Principal};
use crate::domain::{Sector, Tier};
use crate::error::{Error, ProblemItem, Result};
use crate::store::{assessments, suppliers, uploads, Store};
use actix_web::{get, web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
pub struct ListQuery {
    /// agriculture, construction, hospitality or manufacturing.
    #[param(value_type = Option<Sector>)]
    pub sector: Option<String>,
    /// ISO 3166 alpha-2.
    #[param(pattern = "^([A-Za-z]{2})?$")]
    pub country: Option<String>,
    /// low, medium, high or critical (of the latest assessment).
    #[param(value_type = Option<Tier>)]
    pub tier: Option<String>,
    /// Part of the supplier's name (at most 200 characters).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Items per page (default 50, at most 500).
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<i64>,
}

/// GET /suppliers/{id}: one row of a file the supplier came from.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupplierSource {
    pub upload_id: String,
    pub filename: String,
    /// The spreadsheet's own 1-based row number.
    pub row: i32,
    /// The row as it came in: `[header, cell text]` pairs.
    #[schema(value_type = Option<Vec<Vec<String>>>)]
    pub raw: Value,
    #[schema(format = DateTime)]
    pub uploaded_at: String,
}

/// A supplier with all its fields, the rows it came from and its latest assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupplierDetail {
    #[serde(flatten)]
    pub supplier: views::SupplierFull,
    pub sources: Vec<SupplierSource>,
    /// The latest assessment, compact (null until the supplier has been assessed).
    pub latest_assessment: Option<views::RiskView>,
}

/// A supplier's assessments, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskHistory {
    pub items: Vec<views::RiskView>,
    pub total: usize,
}

/// Parses the shared filters (sector, country, tier); errors name the parameter.
pub fn parse_filters(
    sector: Option<&str>,
    country: Option<&str>,
    tier: Option<&str>,
) -> Result<(Option<Sector>, Option<String>, Option<Tier>)> {
    let mut items = Vec::new();
    let sector = match sector.filter(|s| !s.is_empty()) {
        Some(s) => Sector::from_id(s).or_else(|| {
            items.push(ProblemItem::field("sector", "unknown_sector", format!("`{s}` is not a sector")));
            None
        }),
        None => None,
    };
    let country = match country.filter(|s| !s.is_empty()) {
        Some(c) if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) => Some(c.to_ascii_uppercase()),
        Some(c) => {
            items.push(ProblemItem::field(
                "country",
                "invalid_country",
                format!("`{c}` is not an ISO 3166 alpha-2 code"),
            ));
            None
        }
        None => None,
    };
    let tier = match tier.filter(|s| !s.is_empty()) {
        Some(t) => Tier::from_id(t).or_else(|| {
            items.push(ProblemItem::field(
                "tier",
                "unknown_tier",
                format!("`{t}` is not one of low, medium, high, critical"),
            ));
            None
        }),
        None => None,
    };
    if !items.is_empty() {
        return Err(Error::invalid("invalid_query", "Some filters are not valid; see `errors`.", items));
    }
    Ok((sector, country, tier))
}

/// Lists the organisation's suppliers, ordered by name then id (stable across pages).
#[utoipa::path(operation_id = "list_suppliers", tag = "suppliers", security(("bearer" = [])), params(ListQuery),
    responses(
        (status = 200, description = "One page of suppliers", body = Page<views::SupplierSummary>),
        (status = 422, response = oa::UnprocessableContent),
    ))]
#[get("/suppliers")]
pub async fn list(p: Principal, store: web::Data<Store>, q: Query<ListQuery>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let q = q.into_inner();
    let (page, per_page, offset) = PageQuery::resolve(q.page, q.per_page)?;
    let (sector, country, tier) = parse_filters(q.sector.as_deref(), q.country.as_deref(), q.tier.as_deref())?;
    let filter = suppliers::Filter {
        sector: sector.map(|s| s.to_string()),
        country,
        tier: tier.map(|t| t.to_string()),
        q: q.q.filter(|s| !s.trim().is_empty()),
        ids: None,
    };
    let (rows, total) = store.run(move |c| suppliers::list(c, &p.org_id, &filter, offset, per_page)).await?;
    let items: Vec<views::SupplierSummary> = rows.iter().map(|(s, l)| views::supplier_summary(s, l.as_ref())).collect();
    Ok(HttpResponse::Ok().json(Page { items, page, per_page, total }))
}

/// One supplier: all its fields, extra attributes, the rows it came from, its latest assessment.
#[utoipa::path(operation_id = "get_supplier", tag = "suppliers", security(("bearer" = [])),
    params(("id" = String, Path, description = "The supplier's id")),
    responses(
        (status = 200, description = "The supplier", body = SupplierDetail),
        (status = 404, response = oa::NotFound),
    ))]
#[get("/suppliers/{id}")]
pub async fn get_one(p: Principal, store: web::Data<Store>, id: Path<String>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let id = id.into_inner();
    let v = store
        .run(move |c| {
            let s = suppliers::get(c, &p.org_id, &id)?;
            let sources = uploads::supplier_sources(c, &s.id)?
                .into_iter()
                .map(|(upload_id, filename, row, raw, at)| SupplierSource {
                    upload_id,
                    filename,
                    row,
                    raw: serde_json::from_str::<Value>(&raw).unwrap_or(Value::Null),
                    uploaded_at: rfc3339(at),
                })
                .collect();
            let latest = suppliers::latest(c, &p.org_id, &s.id)?;
            let latest_assessment = match &latest {
                Some(l) => Some(views::risk_view(&assessments::get(c, &p.org_id, &l.assessment_id)?)?),
                None => None,
            };
            Ok(SupplierDetail { supplier: views::supplier_full(&s, latest.as_ref())?, sources, latest_assessment })
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The latest assessment, compact (404 until the supplier has been assessed).
#[utoipa::path(tag = "suppliers", security(("bearer" = [])),
    params(("id" = String, Path, description = "The supplier's id")),
    responses(
        (status = 200, description = "The latest assessment, compact", body = views::RiskView),
        (status = 404, response = oa::NotFound),
    ))]
#[get("/suppliers/{id}/risk")]
pub async fn risk(p: Principal, store: web::Data<Store>, id: Path<String>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let id = id.into_inner();
    let v = store
        .run(move |c| {
            // One indexed query: the hot path of ERP risk lookups.
            let row = assessments::latest_for_supplier(c, &p.org_id, &id)?.ok_or(Error::NotFound("supplier"))?;
            views::risk_view(&row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// The supplier's assessments, newest first.
#[utoipa::path(tag = "suppliers", security(("bearer" = [])),
    params(("id" = String, Path, description = "The supplier's id")),
    responses(
        (status = 200, description = "The supplier's assessments, newest first", body = RiskHistory),
        (status = 404, response = oa::NotFound),
    ))]
#[get("/suppliers/{id}/assessments")]
pub async fn history(p: Principal, store: web::Data<Store>, id: Path<String>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let id = id.into_inner();
    let v = store
        .run(move |c| {
            let s = suppliers::get(c, &p.org_id, &id)?;
            let rows = assessments::history(c, &p.org_id, &s.id)?;
            rows.iter().map(views::risk_view).collect::<Result<Vec<_>>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(RiskHistory { total: v.len(), items: v }))
}
