//! Turns answers into evidence for scoring: findings where an answer meets an indicator's
//! `when`, unanswered core items, controls in place, and every known answer by question id (for
//! rules that need the value itself, such as a child's age). Driven by the definitions only.

use super::answer::{Answer, AnswerValue};
use super::definition::{indicator_title, IndicatorRule, Question, SectorQuestionnaire, When};
use crate::domain::{Dimension, Evidence, EvidenceSource, Finding, QuestionnaireEvidence, Severity};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Where the answers came from, for the findings' evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum AnswerSource {
    /// A filled template uploaded as `upload_id` with this file name.
    Upload { upload_id: String, filename: String },
    /// Answers posted as JSON (`POST /suppliers/{id}/responses`).
    Response,
}

/// Points per severity (methodology version 1).
pub fn points(severity: Severity) -> f64 {
    match severity {
        Severity::High => 30.0,
        Severity::Medium => 15.0,
        Severity::Low => 5.0,
    }
}

/// Evaluates answers against their questionnaire. Date conditions relative to today
/// (`within_days`) are skipped; use [`evaluate_as_of`] to apply them.
pub fn evaluate(q: &SectorQuestionnaire, answers: &[Answer], source: &AnswerSource) -> QuestionnaireEvidence {
    evaluate_as_of(q, answers, source, None)
}

/// As [`evaluate`], with "today" for `within_days` conditions (e.g. recent incorporation).
pub fn evaluate_as_of(
    q: &SectorQuestionnaire,
    answers: &[Answer],
    source: &AnswerSource,
    today: Option<NaiveDate>,
) -> QuestionnaireEvidence {
    let by_id: HashMap<String, &Answer> = answers.iter().map(|a| (a.question_id.to_ascii_uppercase(), a)).collect();
    let mut ev = QuestionnaireEvidence {
        questionnaire_id: q.id.clone(),
        version: q.version.clone(),
        ..QuestionnaireEvidence::default()
    };
    for (_, question) in q.questions() {
        let answer = by_id.get(&question.id.to_ascii_uppercase()).copied();
        let known = answer.is_some_and(|a| a.value.is_known());
        if question.required {
            ev.core_total += 1;
            if known {
                ev.core_answered += 1;
            } else {
                let mut ids: Vec<String> = question.indicators.iter().map(|i| i.indicator.clone()).collect();
                ids.dedup();
                ev.unanswered_core.push((question.id.clone(), question.text.clone(), ids));
            }
        }
        let Some(answer) = answer else { continue };
        if known {
            ev.answers.insert(question.id.to_ascii_uppercase(), answer.value.display());
        }
        let mut control_failed = false;
        for rule in &question.indicators {
            if matches(&rule.when, &answer.value, today) {
                control_failed |= rule.dimension == Dimension::Control;
                ev.findings.push(finding(question, rule, answer, source));
            }
        }
        if question.is_control() && known && !control_failed {
            ev.controls_in_place.push(question.id.clone());
        }
    }
    ev
}

/// Does an answer meet a `when` condition?
pub fn matches(when: &When, value: &AnswerValue, today: Option<NaiveDate>) -> bool {
    match when {
        When::Equals(w) => value.display().trim().eq_ignore_ascii_case(w.trim()),
        When::In(ws) => {
            let v = value.display();
            ws.iter().any(|w| v.trim().eq_ignore_ascii_case(w.trim()))
        }
        When::Range { gt, gte, lt, lte } => {
            let x = match value {
                AnswerValue::Number(x) | AnswerValue::Percent(x) => *x,
                _ => return false,
            };
            gt.is_none_or(|b| x > b)
                && gte.is_none_or(|b| x >= b)
                && lt.is_none_or(|b| x < b)
                && lte.is_none_or(|b| x <= b)
        }
        When::WithinDays(days) => match (value, today) {
            (AnswerValue::Date(d), Some(t)) => (t - *d).num_days() < i64::from(*days),
            _ => false,
        },
    }
}

fn dimension_words(d: Dimension) -> &'static str {
    match d {
        Dimension::Involuntariness => "involuntariness (work not freely chosen)",
        Dimension::MenaceOfPenalty => "menace of penalty (coercion)",
        Dimension::FrontBusiness => "a front business",
        Dimension::Context => "context that raises exposure, not evidence of coercion",
        Dimension::Control => "a missing control: its absence raises risk",
        Dimension::Screening => "screening",
        Dimension::Inherent => "inherent risk",
        Dimension::ChildLabour => "child labour (ILO C138, C182)",
    }
}

fn finding(q: &Question, rule: &IndicatorRule, a: &Answer, source: &AnswerSource) -> Finding {
    let title = indicator_title(&rule.indicator).unwrap_or(rule.indicator.as_str());
    let value = a.value.display();
    let mut explanation = format!(
        "The answer '{value}' to question {} (\"{}\") is an indicator of risk of {} ({}). It is not, by itself, a finding of forced labour; it calls for follow-up.",
        q.id,
        q.text,
        title.to_lowercase(),
        dimension_words(rule.dimension),
    );
    if let Some(note) = &rule.note {
        explanation.push(' ');
        explanation.push_str(note.trim());
    }
    let mut evidence = match source {
        AnswerSource::Upload { upload_id, filename } => {
            let mut e = Evidence::new(EvidenceSource::Upload, value);
            e.upload_id = Some(upload_id.clone());
            e.filename = Some(filename.clone());
            e.row = a.row;
            e.column = Some("Answer".into());
            e
        }
        AnswerSource::Response => Evidence::new(EvidenceSource::Response, value),
    };
    evidence.question_id = Some(q.id.clone());
    Finding {
        indicator: rule.indicator.clone(),
        dimension: rule.dimension,
        severity: rule.severity,
        points: points(rule.severity),
        title: format!("{title} (question {})", q.id),
        explanation,
        evidence: vec![evidence],
    }
}
