//! One finding per fact (methodology 2, evidence rules): the same fact from the supplier list,
//! the questionnaire and the notes becomes one finding with every evidence item, and sources
//! that disagree on a fact give an `inconsistent_information` finding naming both.

use super::evidence::{field, finding};
use crate::domain::{
    Dimension, Evidence, EvidenceSource, Finding, QuestionnaireEvidence, Severity, SupplierRecord, YesNo,
};

/// Indicator ids that name the same fact under another id (questionnaire id → list id).
const SAME_FACT: &[(&str, &str)] =
    &[("unsuitable_registered_address", "non_operating_address"), ("workers_on_premises", "workers_live_on_premises")];

/// The id a fact is counted under.
pub fn fact_id(indicator: &str) -> &str {
    SAME_FACT.iter().find(|(from, _)| *from == indicator).map_or(indicator, |(_, to)| to)
}

/// Merges findings of the same fact (same indicator id after [`fact_id`], same dimension) into
/// one: the strongest keeps its title and explanation, every source's evidence is kept, and
/// the points are the strongest's (a fact is never counted twice). Order of first appearance.
pub fn merge_same_facts(findings: Vec<Finding>) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut sources: Vec<usize> = Vec::with_capacity(findings.len());
    for mut f in findings {
        f.indicator = fact_id(&f.indicator).to_string();
        // Each unknown item and each disagreement is a fact of its own.
        let distinct = matches!(f.indicator.as_str(), "insufficient_evidence" | "inconsistent_information");
        let same = |o: &Finding| !distinct && o.indicator == f.indicator && o.dimension == f.dimension;
        match out.iter().position(same) {
            None => {
                out.push(f);
                sources.push(1);
            }
            Some(i) => {
                let o = &mut out[i];
                sources[i] += 1;
                let mut evidence = std::mem::take(&mut o.evidence);
                for e in f.evidence.drain(..) {
                    if !evidence.contains(&e) {
                        evidence.push(e);
                    }
                }
                if (f.severity, f.points) > (o.severity, o.points) {
                    *o = f;
                }
                o.evidence = evidence;
            }
        }
    }
    for (f, n) in out.iter_mut().zip(sources) {
        if n > 1 {
            f.explanation.push_str(&format!(" Reported by {n} sources; counted once, with every source as evidence."));
        }
    }
    out
}

/// A fact asked both in the supplier list and in the questionnaire.
struct SharedFact {
    field: &'static str,
    question: &'static str,
    label: &'static str,
    /// The component the disagreement is shown in.
    dimension: Dimension,
    /// The list's yes/no value of the fact, and which answer is adverse.
    listed: fn(&SupplierRecord) -> Option<YesNo>,
    adverse: YesNo,
    /// Is this questionnaire answer adverse? None when it says nothing either way.
    answer_adverse: fn(&str) -> Option<bool>,
}

fn yes_no(v: Option<YesNo>, adverse: YesNo) -> Option<bool> {
    match v {
        Some(YesNo::Unknown) | None => None,
        Some(x) => Some(x == adverse),
    }
}

fn answer_is(a: &str, adverse: &[&str], fine: &[&str]) -> Option<bool> {
    let a = a.trim();
    if adverse.iter().any(|x| a.eq_ignore_ascii_case(x)) {
        Some(true)
    } else if fine.iter().any(|x| a.eq_ignore_ascii_case(x)) {
        Some(false)
    } else {
        None
    }
}

const SHARED_FACTS: &[SharedFact] = &[
    SharedFact {
        field: "passports_held_by_employer",
        question: "DM1",
        label: "who holds workers' passports",
        dimension: Dimension::MenaceOfPenalty,
        listed: |s| s.fields.passports_held_by_employer,
        adverse: YesNo::Yes,
        answer_adverse: |a| {
            answer_is(a, &["Employer", "Labour agent"], &["Worker", "Workers", "Worker (personal locker)"])
        },
    },
    SharedFact {
        field: "recruitment_fees_paid_by_workers",
        question: "RF1",
        label: "whether workers paid recruitment fees",
        dimension: Dimension::MenaceOfPenalty,
        listed: |s| s.fields.recruitment_fees_paid_by_workers,
        adverse: YesNo::Yes,
        answer_adverse: |a| answer_is(a, &["Yes"], &["No"]),
    },
    SharedFact {
        field: "beneficial_owners_disclosed",
        question: "CI3",
        label: "whether beneficial owners are disclosed",
        dimension: Dimension::FrontBusiness,
        listed: |s| s.fields.beneficial_owners_disclosed,
        adverse: YesNo::No,
        answer_adverse: |a| answer_is(a, &["No"], &["Yes"]),
    },
    SharedFact {
        field: "xinjiang_inputs",
        question: "ST3",
        label: "whether inputs come from Xinjiang",
        dimension: Dimension::Screening,
        listed: |s| s.fields.xinjiang_inputs,
        adverse: YesNo::Yes,
        answer_adverse: |a| answer_is(a, &["Yes"], &["No"]),
    },
    SharedFact {
        field: "workers_live_on_premises",
        question: "HS2",
        label: "whether workers live on the business premises",
        dimension: Dimension::FrontBusiness,
        listed: |s| s.fields.workers_live_on_premises,
        adverse: YesNo::Yes,
        answer_adverse: |a| answer_is(a, &["Yes"], &["No"]),
    },
];

/// `inconsistent_information` findings: the supplier list and the questionnaire disagree on a
/// fact. The finding names both sources; the adverse value is what the other rules count. Each
/// comes with the dimension of the component it is shown in (it is context there: it adds
/// points, not a tier).
pub fn inconsistencies(s: &SupplierRecord, q: Option<&QuestionnaireEvidence>) -> Vec<(Dimension, Finding)> {
    let Some(q) = q else { return Vec::new() };
    let mut out = Vec::new();
    for fact in SHARED_FACTS {
        let Some(answer) = q.answers.get(fact.question) else { continue };
        let (Some(listed), Some(answered)) = (yes_no((fact.listed)(s), fact.adverse), (fact.answer_adverse)(answer))
        else {
            continue;
        };
        if listed == answered {
            continue;
        }
        let listed_value = s.source.raw.get(fact.field).map(str::to_string).unwrap_or_else(|| {
            if listed {
                "adverse".into()
            } else {
                "not adverse".into()
            }
        });
        let answer_ev = q
            .findings
            .iter()
            .flat_map(|f| f.evidence.iter())
            .find(|e| e.question_id.as_deref() == Some(fact.question))
            .cloned()
            .unwrap_or_else(|| Evidence {
                question_id: Some(fact.question.to_string()),
                ..Evidence::new(EvidenceSource::Response, answer.clone())
            });
        let mut f = finding(
            "inconsistent_information",
            Dimension::Context,
            Severity::Medium,
            format!("Sources disagree on {}", fact.label),
            format!(
                "The supplier list says '{listed_value}' ({}) and questionnaire question {} says '{answer}'. \
                 The adverse value is counted until the discrepancy is resolved with documents.",
                fact.field, fact.question
            ),
            vec![field(s, fact.field, listed_value.clone()), answer_ev],
        );
        f.points = 10.0;
        out.push((fact.dimension, f));
    }
    out
}

/// Facts left open in both the supplier list (answered Unknown) and the questionnaire (a core
/// item unanswered): (field, question). The open item is one fact, reported once with both
/// sources as evidence.
pub fn open_in_both(s: &SupplierRecord, q: Option<&QuestionnaireEvidence>) -> Vec<(&'static str, &'static str)> {
    let Some(q) = q else { return Vec::new() };
    SHARED_FACTS
        .iter()
        .filter(|fact| {
            (fact.listed)(s) == Some(YesNo::Unknown) && q.unanswered_core.iter().any(|(id, _, _)| id == fact.question)
        })
        .map(|fact| (fact.field, fact.question))
        .collect()
}
