//! Child labour, its own component in methodology 2 (ILO C138 minimum age, C182 worst forms):
//! a worker under the country's minimum working age → high; anyone under 18 in hazardous or
//! night work, or a child under 12 at work → critical; a child together with any
//! menace-of-penalty indicator → critical and `forced_labour_likely`.

use super::combine::{is_indicator, UNKNOWN};
use super::evidence::{finding, reference_row};
use super::refdata::{self, MIN_AGE_FILE};
use crate::domain::{
    Dimension, Evidence, EvidenceSource, Finding, QuestionnaireEvidence, Severity, SupplierRecord, Tier,
};

/// The questionnaire item giving the youngest worker's age.
pub const AGE_QUESTION: &str = "CL1";
/// Below this age any work is a worst form for the methodology (critical).
pub const CRITICAL_AGE: f64 = 12.0;

/// Indicator ids of the child-labour component.
pub const UNDER_MIN_AGE: &str = "child_labour_under_minimum_age";
pub const UNDER_12: &str = "child_under_12";
pub const HAZARDOUS: &str = "hazardous_child_labour";
pub const REPORTED: &str = "child_labour_reported";
pub const WITH_COERCION: &str = "child_labour_with_coercion";

/// The component's result.
pub struct ChildLabour {
    pub findings: Vec<Finding>,
    pub tier: Tier,
    pub forced_labour_likely: bool,
}

fn age_evidence(q: &QuestionnaireEvidence, age: &str) -> Evidence {
    q.findings
        .iter()
        .flat_map(|f| f.evidence.iter())
        .find(|e| e.question_id.as_deref() == Some(AGE_QUESTION))
        .cloned()
        .unwrap_or_else(|| Evidence {
            question_id: Some(AGE_QUESTION.to_string()),
            ..Evidence::new(EvidenceSource::Response, age)
        })
}

/// Child-labour findings and tier. `candidates` are the findings of dimension `child_labour`
/// from the questionnaire and the notes; `forced_labour` the supplier's forced-labour findings
/// (for the coercion rule).
pub fn child_labour(
    s: &SupplierRecord,
    q: Option<&QuestionnaireEvidence>,
    candidates: Vec<Finding>,
    forced_labour: &[Finding],
) -> ChildLabour {
    let country = s.fields.country.as_ref().map(|c| c.as_str());
    let (min_age, min_source) = refdata::min_working_age(country);
    // The age rules are decided here from the answer itself, against the country's minimum.
    let mut findings: Vec<Finding> =
        candidates.into_iter().filter(|f| f.indicator != UNDER_MIN_AGE && f.indicator != UNDER_12).collect();
    let age = q.and_then(|q| q.answers.get(AGE_QUESTION).map(|a| (q, a)));
    if let Some((q, raw)) = age {
        if let Some(age) = raw.trim().parse::<f64>().ok().filter(|a| a.is_finite() && *a >= 0.0) {
            let cc = country.unwrap_or("unknown country");
            let min_ev = reference_row(MIN_AGE_FILE, cc, format!("minimum working age {min_age} ({min_source})"));
            if age < CRITICAL_AGE {
                findings.push(finding(
                    UNDER_12,
                    Dimension::ChildLabour,
                    Severity::High,
                    format!("A child of {age} works for the supplier"),
                    "Indicator of risk (critical): a child under 12 at work is child labour whatever the work \
                     (ILO C138 Art. 7; methodology 2 treats it as critical).",
                    vec![age_evidence(q, raw), min_ev],
                ));
            } else if age < f64::from(min_age) {
                findings.push(finding(
                    UNDER_MIN_AGE,
                    Dimension::ChildLabour,
                    Severity::High,
                    format!("Youngest worker {age}, under the minimum working age of {min_age} in {cc}"),
                    "Indicator of risk: a worker below the country's minimum working age (ILO C138 Art. 2).",
                    vec![age_evidence(q, raw), min_ev],
                ));
            }
        }
    }
    let has = |f: &[Finding], id: &str| f.iter().any(|x| x.indicator == id);
    let child_present = has(&findings, UNDER_12) || has(&findings, UNDER_MIN_AGE) || has(&findings, HAZARDOUS);
    let mut tier = if has(&findings, UNDER_12) || has(&findings, HAZARDOUS) {
        Tier::Critical
    } else if has(&findings, UNDER_MIN_AGE) {
        Tier::High
    } else if findings.iter().any(|f| f.severity >= Severity::Medium || f.indicator == UNKNOWN) {
        Tier::Medium
    } else {
        Tier::Low
    };
    let coercion: Vec<&Finding> =
        forced_labour.iter().filter(|f| is_indicator(f) && f.dimension == Dimension::MenaceOfPenalty).collect();
    let mut likely = false;
    if child_present && !coercion.is_empty() {
        tier = Tier::Critical;
        likely = true;
        let mut evidence: Vec<Evidence> = findings
            .iter()
            .filter(|f| matches!(f.indicator.as_str(), UNDER_12 | UNDER_MIN_AGE | HAZARDOUS))
            .flat_map(|f| f.evidence.iter().cloned())
            .collect();
        evidence.extend(coercion.iter().flat_map(|f| f.evidence.iter().cloned()));
        let mut rf = finding(
            WITH_COERCION,
            Dimension::ChildLabour,
            Severity::High,
            "A child at work together with a coercion indicator",
            format!(
                "Rule: child labour together with a menace-of-penalty indicator ({}) meets the ILO test for \
                 forced child labour (ILO C182 Art. 3(a)). Indicators are collected for the supplier, not for one \
                 worker: this is a risk that calls for investigation, not a finding of forced labour.",
                coercion.iter().map(|f| f.indicator.as_str()).collect::<Vec<_>>().join(", ")
            ),
            evidence,
        );
        rf.points = 0.0;
        findings.push(rf);
    }
    ChildLabour { findings, tier, forced_labour_likely: likely }
}
