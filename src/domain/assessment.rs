//! What scoring produces: findings with evidence, component scores and tiers, the assessment.

use super::{Dimension, Severity, Tier};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where a piece of evidence came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceSource {
    /// A cell of an uploaded spreadsheet.
    Upload,
    /// A questionnaire answer.
    Response,
    /// A row of a reference list (TIP tiers, TVPRA goods, entity lists, ...).
    Reference,
    /// A field set through the JSON API (ERP upsert).
    Api,
    /// Another supplier of the same organisation (network links).
    Supplier,
}

/// One pointer from a finding back to its source. Optional parts are omitted when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Evidence {
    pub source: EvidenceSource,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub upload_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub filename: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub row: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub question_id: Option<String>,
    /// Reference file name (for `reference`), e.g. `ilab_tvpra_goods.csv`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub edition: Option<String>,
    /// Key of the reference row, or id of the linked supplier.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub key: Option<String>,
    pub value: String,
}

impl Evidence {
    pub fn new(source: EvidenceSource, value: impl Into<String>) -> Evidence {
        Evidence {
            source,
            upload_id: None,
            filename: None,
            row: None,
            column: None,
            question_id: None,
            file: None,
            edition: None,
            key: None,
            value: value.into(),
        }
    }

    /// The evidence written for a person, e.g.
    /// `upload acme.xlsx, row 12, column 'Passports held' = Yes`.
    pub fn describe(&self) -> String {
        match self.source {
            EvidenceSource::Upload => {
                let mut s = format!("upload {}", self.filename.as_deref().or(self.upload_id.as_deref()).unwrap_or("?"));
                if let Some(r) = self.row {
                    s.push_str(&format!(", row {r}"));
                }
                if let Some(c) = &self.column {
                    s.push_str(&format!(", column '{c}'"));
                }
                if let Some(q) = &self.question_id {
                    s.push_str(&format!(", question {q}"));
                }
                format!("{s} = {}", self.value)
            }
            EvidenceSource::Response => {
                format!("question {} = {}", self.question_id.as_deref().unwrap_or("?"), self.value)
            }
            EvidenceSource::Reference => {
                let f = self.file.as_deref().unwrap_or("reference");
                match (&self.edition, &self.key) {
                    (Some(e), Some(k)) => format!("{f} ({e}): {k}: {}", self.value),
                    (Some(e), None) => format!("{f} ({e}): {}", self.value),
                    (None, Some(k)) => format!("{f}: {k}: {}", self.value),
                    (None, None) => format!("{f}: {}", self.value),
                }
            }
            EvidenceSource::Api => match &self.column {
                Some(c) => format!("API field {c} = {}", self.value),
                None => format!("API = {}", self.value),
            },
            EvidenceSource::Supplier => format!("supplier {} {}", self.key.as_deref().unwrap_or("?"), self.value),
        }
    }
}

/// One indicator of risk found for a supplier. Manumit reports indicators, never a verdict.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Finding {
    /// An ILO indicator id, or a front-business / screening / inherent indicator id.
    pub indicator: String,
    pub dimension: Dimension,
    pub severity: Severity,
    pub points: f64,
    pub title: String,
    pub explanation: String,
    pub evidence: Vec<Evidence>,
}

/// A component's score (0–100) and tier.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ComponentScore {
    pub score: f64,
    pub tier: Tier,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Components {
    pub inherent: ComponentScore,
    pub forced_labour: ComponentScore,
    pub front_business: ComponentScore,
    pub screening: ComponentScore,
    /// Child labour (ILO C138, C182): methodology 2 and later; absent in version 1 assessments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_labour: Option<ComponentScore>,
}

/// What an assessment's tier rests on (methodology 2): `evidence` when a forced-labour,
/// child-labour, front-business or screening finding from the supplier's own data or a list
/// match sets the tier; `context` when only inherent (country, sector, commodity) risk does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    Evidence,
    Context,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Evidence => "evidence",
            Basis::Context => "context",
        }
    }
}

/// A screening match, kept apart from findings so reports can list it with its list and edition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScreeningMatch {
    /// List name, e.g. `UFLPA Entity List` or an organisation's own watchlist name.
    pub list: String,
    pub edition: String,
    pub matched_entity: String,
    /// The supplier name or alias that matched.
    pub matched_name: String,
    /// 0–1 similarity.
    pub score: f64,
    /// `strong` or `possible`.
    pub strength: String,
    /// `needs_review`, `confirmed` or `false_positive`.
    pub status: String,
}

/// The result of scoring one supplier. Immutable once stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assessment {
    pub methodology_version: String,
    pub tier: Tier,
    pub overall: f64,
    pub forced_labour_likely: bool,
    /// What the tier rests on (methodology 2 and later; absent in version 1 assessments).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    pub components: Components,
    /// Share (0–1) of core items answered.
    pub completeness: f64,
    pub recommended_actions: Vec<String>,
    pub findings: Vec<Finding>,
    #[serde(default)]
    pub screening_matches: Vec<ScreeningMatch>,
    /// Reference file → edition used.
    pub reference_editions: BTreeMap<String, String>,
    /// SHA-256 of the exact scoring inputs, so the assessment can be reproduced.
    pub inputs_hash: String,
}

/// A member of a supplier network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NetworkMember {
    pub id: String,
    pub external_ref: Option<String>,
    pub legal_name: String,
}

/// What two or more suppliers share: `bank_account`, `phone`, `email_domain`, `address`, `person`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SharedLink {
    pub kind: String,
    /// The normalised shared value.
    pub value: String,
}

/// Suppliers of one organisation linked by shared identifiers (union-find over links).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct NetworkCluster {
    /// Stable id: derived from the member ids.
    pub id: String,
    pub suppliers: Vec<NetworkMember>,
    pub shared: Vec<SharedLink>,
}

/// A questionnaire's answers, already evaluated against its definition: what scoring consumes.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct QuestionnaireEvidence {
    pub questionnaire_id: String,
    pub version: String,
    /// Findings whose `when` matched, with evidence naming the question, answer and cell.
    pub findings: Vec<Finding>,
    /// Core (required) questions in the definition.
    pub core_total: u32,
    /// Core questions with a known answer (not blank, not Unknown).
    pub core_answered: u32,
    /// Core questions left blank or answered Unknown: (question id, question text, indicator ids).
    pub unanswered_core: Vec<(String, String, Vec<String>)>,
    /// Question ids whose answers show a mitigating control in place.
    pub controls_in_place: Vec<String>,
    /// Known answers by question id, as displayed (e.g. `CL1` → `12`), for rules that need the
    /// value itself (a child's age against the country's minimum working age).
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body stored by methodology 1.1.0: no basis, no child-labour component.
    const V1_BODY: &str = r#"{"methodology_version":"1.1.0","tier":"high","overall":61.5,"forced_labour_likely":false,"components":{"inherent":{"score":55.0,"tier":"high"},"forced_labour":{"score":30.0,"tier":"medium"},"front_business":{"score":0.0,"tier":"low"},"screening":{"score":0.0,"tier":"low"}},"completeness":0.5,"recommended_actions":["No new orders until the corrective action plan is accepted."],"findings":[],"screening_matches":[],"reference_editions":{},"inputs_hash":"ab"}"#;

    #[test]
    fn version_1_assessments_read_back_unchanged() {
        let a: Assessment = serde_json::from_str(V1_BODY).expect("a v1 body reads");
        assert_eq!((a.basis, a.components.child_labour), (None, None));
        assert_eq!(a.methodology_version, "1.1.0");
        let again = serde_json::to_string(&a).expect("writes");
        assert_eq!(again, V1_BODY, "a v1 body is written back byte for byte, with no v2 fields");
    }
}
