//! JSON shapes shared by several resources: pagination, supplier and assessment views.

use crate::api::keys::rfc3339;
use crate::domain::{
    Assessment, Basis, Components, Dimension, Finding, ScreeningMatch, Sector, Severity, SupplierFields, Tier,
};
use crate::error::{Error, Result};
use crate::store::assessments::AssessmentRow;
use crate::store::suppliers::{Latest, SupplierRow};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

pub const MAX_PER_PAGE: i64 = 500;

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Items per page (default 50, at most 500).
    #[param(minimum = 1, maximum = 500)]
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
    /// 1-based page number.
    pub page: i64,
    pub per_page: i64,
    /// Items over all pages.
    pub total: i64,
}

/// One of the strongest findings, as listed in compact views.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopFinding {
    pub indicator: String,
    pub dimension: Dimension,
    pub severity: Severity,
    pub points: f64,
    pub title: String,
}

/// The few strongest findings, for compact views.
pub fn top_findings(a: &Assessment, n: usize) -> Vec<TopFinding> {
    crate::scoring::drivers::top_drivers(a, n)
        .into_iter()
        .map(|x| TopFinding {
            indicator: x.indicator.clone(),
            dimension: x.dimension,
            severity: x.severity,
            points: x.points,
            title: x.title.clone(),
        })
        .collect()
}

/// A supplier's risk from one assessment, compact (GET /suppliers/{id}/risk). Scores are 0–100.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskView {
    pub supplier_id: String,
    pub assessment_id: String,
    pub tier: Tier,
    pub overall: f64,
    pub forced_labour: f64,
    pub front_business: f64,
    pub inherent: f64,
    pub screening: f64,
    /// The child-labour component's score (ILO C138, C182). Methodology 2 and later; absent
    /// for assessments made under version 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub child_labour: Option<f64>,
    /// What the tier rests on: `evidence` (a forced-labour, child-labour, front-business or
    /// screening finding from the supplier's own data or a list match) or `context` (country,
    /// sector and commodity risk alone). Methodology 2 and later; absent for version 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub basis: Option<Basis>,
    /// True when the forced-labour indicators are strong enough to call forced labour likely
    /// (an indicator of risk, never a finding of forced labour).
    pub forced_labour_likely: bool,
    /// The five strongest findings.
    pub top_findings: Vec<TopFinding>,
    #[schema(format = DateTime)]
    pub assessed_at: String,
    pub methodology_version: String,
}

/// GET /suppliers/{id}/risk: the latest assessment, compact.
pub fn risk_view(row: &AssessmentRow) -> Result<RiskView> {
    Ok(risk_of(row, &row.body()?))
}

fn risk_of(row: &AssessmentRow, a: &Assessment) -> RiskView {
    RiskView {
        supplier_id: row.supplier_id.clone(),
        assessment_id: row.id.clone(),
        tier: a.tier,
        overall: a.overall,
        forced_labour: a.components.forced_labour.score,
        front_business: a.components.front_business.score,
        inherent: a.components.inherent.score,
        screening: a.components.screening.score,
        child_labour: a.components.child_labour.map(|c| c.score),
        basis: a.basis,
        forced_labour_likely: a.forced_labour_likely,
        top_findings: top_findings(a, 5),
        assessed_at: rfc3339(row.created_at),
        methodology_version: a.methodology_version.clone(),
    }
}

/// One assessment in full: the risk fields plus components, completeness, recommended actions,
/// every finding with its evidence, screening matches and what the scoring used.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentView {
    #[serde(flatten)]
    pub risk: RiskView,
    /// The assessment id (the same as `assessment_id`).
    pub id: String,
    pub components: Components,
    /// Share (0–1) of core items answered.
    pub completeness: f64,
    pub recommended_actions: Vec<String>,
    pub findings: Vec<Finding>,
    pub screening_matches: Vec<ScreeningMatch>,
    /// Reference file → edition used.
    pub reference_editions: BTreeMap<String, String>,
    /// SHA-256 of the exact scoring inputs.
    pub inputs_hash: String,
    /// The upload that caused this assessment, if one did.
    pub upload_id: Option<String>,
    /// `upload`, `api`, `questionnaire_response` or `rescore`.
    pub cause: String,
}

/// GET /assessments/{id}: the risk view plus components, completeness, actions and findings.
pub fn assessment_view(row: &AssessmentRow) -> Result<AssessmentView> {
    let a = row.body()?;
    Ok(AssessmentView {
        risk: risk_of(row, &a),
        id: row.id.clone(),
        components: a.components,
        completeness: a.completeness,
        recommended_actions: a.recommended_actions,
        findings: a.findings,
        screening_matches: a.screening_matches,
        reference_editions: a.reference_editions,
        inputs_hash: a.inputs_hash,
        upload_id: row.upload_id.clone(),
        cause: row.cause.clone(),
    })
}

/// A supplier as listed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupplierSummary {
    pub id: String,
    /// The organisation's own supplier id, if it gave one.
    pub external_ref: Option<String>,
    pub legal_name: String,
    /// ISO 3166 alpha-2.
    pub country: String,
    #[schema(value_type = Sector)]
    pub sector: String,
    pub commodity: Option<String>,
    /// The tier of the latest assessment (null until assessed).
    #[schema(value_type = Option<Tier>)]
    pub tier: Option<String>,
    /// The overall score (0–100) of the latest assessment.
    pub overall: Option<f64>,
    pub latest_assessment_id: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

/// A supplier as listed, with its latest assessment (None until assessed).
pub fn supplier_summary(s: &SupplierRow, latest: Option<&Latest>) -> SupplierSummary {
    SupplierSummary {
        id: s.id.clone(),
        external_ref: s.external_ref.clone(),
        legal_name: s.legal_name.clone(),
        country: s.country.clone(),
        sector: s.sector.clone(),
        commodity: s.commodity.clone(),
        tier: latest.map(|l| l.tier.clone()),
        overall: latest.map(|l| l.overall),
        latest_assessment_id: latest.map(|l| l.assessment_id.clone()),
        created_at: rfc3339(s.created_at),
        updated_at: rfc3339(s.updated_at),
    }
}

/// A supplier with all its canonical fields and the extra attributes of its source rows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupplierFull {
    #[serde(flatten)]
    pub summary: SupplierSummary,
    pub fields: SupplierFields,
    /// Columns of the source files that map to no canonical field: header → value.
    pub extra_attributes: BTreeMap<String, String>,
}

/// A supplier with all its fields and extra attributes, and its latest assessment.
pub fn supplier_full(s: &SupplierRow, latest: Option<&Latest>) -> Result<SupplierFull> {
    Ok(SupplierFull { summary: supplier_summary(s, latest), fields: s.fields()?, extra_attributes: s.extra() })
}
