//! JSON shapes shared by several resources: pagination, supplier and assessment views.

use crate::api::keys::rfc3339;
use crate::domain::{Assessment, Finding};
use crate::error::{Error, Result};
use crate::store::assessments::AssessmentRow;
use crate::store::suppliers::SupplierRow;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};

pub const MAX_PER_PAGE: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// 1-based page number.
    pub page: Option<i64>,
    /// Items per page (default 50, at most 500).
    pub per_page: Option<i64>,
}

impl PageQuery {
    /// (page, per_page, offset), validated.
    pub fn resolve(page: Option<i64>, per_page: Option<i64>) -> Result<(i64, i64, i64)> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(50);
        if !(1..=1_000_000).contains(&page) {
            return Err(Error::invalid("invalid_query", "`page` must be 1 or more.", Vec::new()));
        }
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(Error::invalid(
                "invalid_query",
                format!("`per_page` must be between 1 and {MAX_PER_PAGE}."),
                Vec::new(),
            ));
        }
        Ok((page, per_page, (page - 1) * per_page))
    }
}

/// `{"items": [...], "page", "per_page", "total"}`
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: Serialize> {
    pub items: Vec<T>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// The few strongest findings, for compact views.
pub fn top_findings(a: &Assessment, n: usize) -> Vec<Value> {
    let mut f: Vec<&Finding> = a.findings.iter().collect();
    f.sort_by(|x, y| {
        y.points.partial_cmp(&x.points).unwrap_or(std::cmp::Ordering::Equal).then(x.indicator.cmp(&y.indicator))
    });
    f.into_iter()
        .take(n)
        .map(|x| {
            json!({"indicator": x.indicator, "dimension": x.dimension, "severity": x.severity,
                   "points": x.points, "title": x.title})
        })
        .collect()
}

/// GET /suppliers/{id}/risk: the latest assessment, compact.
pub fn risk_view(row: &AssessmentRow) -> Result<Value> {
    let a = row.body()?;
    Ok(json!({
        "supplier_id": row.supplier_id,
        "assessment_id": row.id,
        "tier": a.tier,
        "overall": a.overall,
        "forced_labour": a.components.forced_labour.score,
        "front_business": a.components.front_business.score,
        "inherent": a.components.inherent.score,
        "screening": a.components.screening.score,
        "forced_labour_likely": a.forced_labour_likely,
        "top_findings": top_findings(&a, 5),
        "assessed_at": rfc3339(row.created_at),
        "methodology_version": a.methodology_version,
    }))
}

/// GET /assessments/{id}: the risk view plus components, completeness, actions and findings.
pub fn assessment_view(row: &AssessmentRow) -> Result<Value> {
    let a = row.body()?;
    let mut v = risk_view(row)?;
    v["id"] = json!(row.id);
    v["components"] = serde_json::to_value(&a.components).map_err(Error::internal)?;
    v["completeness"] = json!(a.completeness);
    v["recommended_actions"] = json!(a.recommended_actions);
    v["findings"] = serde_json::to_value(&a.findings).map_err(Error::internal)?;
    v["screening_matches"] = serde_json::to_value(&a.screening_matches).map_err(Error::internal)?;
    v["reference_editions"] = json!(a.reference_editions);
    v["inputs_hash"] = json!(a.inputs_hash);
    v["upload_id"] = json!(row.upload_id);
    v["cause"] = json!(row.cause);
    Ok(v)
}

/// A supplier as listed.
pub fn supplier_summary(s: &SupplierRow) -> Value {
    json!({
        "id": s.id,
        "external_ref": s.external_ref,
        "legal_name": s.legal_name,
        "country": s.country,
        "sector": s.sector,
        "commodity": s.commodity,
        "tier": s.latest_tier,
        "overall": s.latest_overall,
        "latest_assessment_id": s.latest_assessment_id,
        "created_at": rfc3339(s.created_at),
        "updated_at": rfc3339(s.updated_at),
    })
}

/// A supplier with all its fields and extra attributes.
pub fn supplier_full(s: &SupplierRow) -> Result<Value> {
    let mut v = supplier_summary(s);
    v["fields"] = serde_json::to_value(s.fields()?).map_err(Error::internal)?;
    v["extra_attributes"] = json!(s.extra());
    Ok(v)
}
