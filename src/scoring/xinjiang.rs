//! UFLPA screening from the supplier's own data (methodology 2 §4.5): a Xinjiang nexus found in
//! any location field (gazetteer names in Latin script and Chinese, 83/84 postcodes), declared
//! Xinjiang inputs, and China-linked goods in a UFLPA high-priority sector without traceability.

use super::evidence::{field, finding, reference_row};
use super::refdata::{self, GAZETTEER_FILE, HIGH_PRIORITY_FILE};
use crate::domain::{Dimension, Finding, QuestionnaireEvidence, Severity, SupplierRecord, YesNo};

/// The questionnaire item on tracing high-risk inputs beyond direct suppliers.
pub const TRACEABILITY_QUESTION: &str = "ST4";

const PRESUMPTION: &str = "goods made wholly or partly in the Xinjiang Uyghur Autonomous Region are presumed \
made with forced labour under the UFLPA rebuttable presumption (Pub. L. 117-78 s.3).";

fn china_linked(s: &SupplierRecord) -> bool {
    s.fields.country.as_ref().is_some_and(|c| matches!(c.as_str(), "CN" | "HK" | "MO"))
}

/// Screening findings of the supplier's own Xinjiang and UFLPA exposure. `q` gives the
/// traceability and Xinjiang answers; its own `xinjiang_inputs` findings are passed through
/// `from_questionnaire` and kept only where the rule says they count.
pub fn uflpa_findings(
    s: &SupplierRecord,
    q: Option<&QuestionnaireEvidence>,
    from_questionnaire: Vec<Finding>,
) -> Vec<Finding> {
    let f = &s.fields;
    let mut out = Vec::new();
    let locations: Vec<(&'static str, &str)> =
        [("region", &f.region), ("city", &f.city), ("address", &f.address), ("postal_code", &f.postal_code)]
            .into_iter()
            .filter_map(|(n, v)| v.as_deref().map(|v| (n, v)))
            .collect();
    let country = f.country.as_ref().map(|c| c.as_str());
    let nexus = refdata::xinjiang_place(country, &locations);
    if let Some(p) = &nexus {
        out.push(finding(
            "xinjiang_nexus",
            Dimension::Screening,
            Severity::High,
            if p.place.contains("Xinjiang") {
                "Located in the Xinjiang Uyghur Autonomous Region".to_string()
            } else {
                format!("Located in {}, Xinjiang Uyghur Autonomous Region", p.place)
            },
            format!(
                "Indicator of risk: the supplier's {} places it in {}; {PRESUMPTION}",
                p.field.replace('_', " "),
                p.place
            ),
            vec![
                field(s, p.field, p.text.clone()),
                reference_row(GAZETTEER_FILE, &p.place, format!("matched '{}'", p.matched)),
            ],
        ));
    }
    if f.xinjiang_inputs == Some(YesNo::Yes) {
        out.push(finding(
            "xinjiang_inputs",
            Dimension::Screening,
            Severity::High,
            "Inputs from the Xinjiang Uyghur Autonomous Region",
            format!("Indicator of risk: the supplier declares Xinjiang inputs; {PRESUMPTION}"),
            vec![field(s, "xinjiang_inputs", "Yes")],
        ));
    }
    let good = f.commodity.as_deref().and_then(|c| refdata::high_priority_sector(c).map(|h| (c, h)));
    // Declared inputs count whatever the good; "not known" counts only for a high-priority good.
    for qf in from_questionnaire {
        if qf.severity == Severity::High || good.is_some() {
            out.push(qf);
        }
    }
    if f.xinjiang_inputs == Some(YesNo::Unknown) {
        if let Some((commodity, (sector, keyword, _))) = &good {
            out.push(finding(
                "xinjiang_inputs",
                Dimension::Screening,
                Severity::Medium,
                format!("Xinjiang inputs not known for a UFLPA high-priority good ({sector})"),
                "Indicator of risk: the supplier does not know whether inputs of a UFLPA high-priority good come \
                 from Xinjiang; they cannot be excluded.",
                vec![
                    field(s, "xinjiang_inputs", "Unknown"),
                    field(s, "commodity", commodity.to_string()),
                    reference_row(HIGH_PRIORITY_FILE, sector.clone(), format!("matched '{keyword}'")),
                ],
            ));
        }
    }
    let traced =
        q.and_then(|q| q.answers.get(TRACEABILITY_QUESTION)).is_some_and(|a| a.trim().eq_ignore_ascii_case("yes"));
    let already = out.iter().any(|f| f.severity == Severity::High || f.indicator == "xinjiang_inputs");
    if let (Some((commodity, (sector, keyword, added))), true, false, false) = (&good, china_linked(s), traced, already)
    {
        out.push(finding(
            "uflpa_high_priority_untraced",
            Dimension::Screening,
            Severity::Medium,
            format!("China-linked {sector} without traceability to raw material"),
            format!(
                "Context: goods in a UFLPA high-priority sector ({sector}, since {added}) from a China-linked supplier, \
                 with no traceability to raw material on file (questionnaire item {TRACEABILITY_QUESTION}). CBP targets \
                 these sectors for UFLPA enforcement; ask for traceability documents."
            ),
            vec![
                field(s, "country", country.unwrap_or_default()),
                field(s, "commodity", commodity.to_string()),
                reference_row(HIGH_PRIORITY_FILE, sector.clone(), format!("matched '{keyword}'")),
            ],
        ));
    }
    out
}
