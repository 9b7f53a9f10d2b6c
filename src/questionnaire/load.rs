//! Parses questionnaires/*.toml into typed definitions and validates them (file, question, reason).

use super::definition::{
    indicator_title, AnswerType, DefinitionError, IndicatorRule, Question, Section, When, CHILD_LABOUR_INDICATORS,
};
use crate::domain::{Dimension, IloIndicator, Sector, Severity};
use serde::Deserialize;
use std::collections::HashSet;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    id: String,
    version: String,
    title: String,
    sector: Option<String>,
    core_version: Option<String>,
    #[serde(default)]
    sections: Vec<RawSection>,
    #[serde(default)]
    questions: Vec<RawQuestion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: String,
    title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    section: String,
    text: String,
    help: String,
    answer_type: String,
    choices: Option<Vec<String>>,
    required: bool,
    #[serde(default)]
    indicators: Vec<RawIndicator>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIndicator {
    indicator: String,
    dimension: String,
    when: toml::Value,
    severity: String,
    #[serde(default)]
    note: Option<String>,
}

/// One definition file, parsed and validated on its own.
#[derive(Debug, Clone)]
pub(crate) struct ParsedFile {
    pub file: String,
    pub id: String,
    pub version: String,
    pub title: String,
    /// None for the common core.
    pub sector: Option<Sector>,
    pub core_version: Option<String>,
    /// Sections in order, each with the questions of this file.
    pub sections: Vec<Section>,
}

/// Choice values Excel list validation cannot hold, or that clash with the reader's own words.
const RESERVED_CHOICES: &[&str] = &["unknown", ""];

pub(crate) fn parse_file(file: &str, content: &str) -> Result<ParsedFile, DefinitionError> {
    let err = |q: Option<&str>, reason: String| DefinitionError {
        file: file.to_string(),
        question: q.map(str::to_string),
        reason,
    };
    let raw: RawFile = toml::from_str(content).map_err(|e| err(None, format!("not a valid definition: {e}")))?;
    if raw.id.trim().is_empty() || !raw.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(err(None, format!("id '{}' must be letters, digits, '-' or '_'", raw.id)));
    }
    if !is_semver(&raw.version) {
        return Err(err(None, format!("version '{}' is not a semantic version like 1.0.0", raw.version)));
    }
    if raw.title.trim().is_empty() {
        return Err(err(None, "title is empty".into()));
    }
    let sector = match &raw.sector {
        None => None,
        Some(s) => Some(Sector::from_id(s).ok_or_else(|| err(None, format!("unknown sector '{s}'")))?),
    };
    match (&sector, &raw.core_version) {
        (Some(_), None) => return Err(err(None, "a sector file needs core_version".into())),
        (None, Some(_)) => return Err(err(None, "core_version belongs in sector files only".into())),
        (_, Some(v)) if !is_semver(v) => {
            return Err(err(None, format!("core_version '{v}' is not a semantic version")));
        }
        _ => {}
    }
    let mut sections: Vec<Section> = Vec::new();
    for s in &raw.sections {
        if s.id.trim().is_empty() || s.title.trim().is_empty() {
            return Err(err(None, "a section needs an id and a title".into()));
        }
        if sections.iter().any(|x| x.id == s.id) {
            return Err(err(None, format!("section '{}' is defined twice", s.id)));
        }
        sections.push(Section { id: s.id.clone(), title: s.title.clone(), questions: Vec::new() });
    }
    let mut seen = HashSet::new();
    let mut pending: Vec<(String, Question)> = Vec::new();
    for rq in raw.questions {
        let qid = rq.id.clone();
        if !is_question_id(&qid) {
            return Err(err(Some(&qid), "id must be 2 capital letters and 1 to 3 digits, e.g. RF1".into()));
        }
        if !seen.insert(qid.clone()) {
            return Err(err(Some(&qid), "id is used twice".into()));
        }
        let q = validate_question(rq).map_err(|r| err(Some(&qid), r))?;
        pending.push((q.0, q.1));
    }
    ParsedFile {
        file: file.to_string(),
        id: raw.id,
        version: raw.version,
        title: raw.title,
        sector,
        core_version: raw.core_version,
        sections,
    }
    .with_questions(pending)
}

impl ParsedFile {
    /// Places questions in their sections; a section may also be one of the core's
    /// (resolved at merge time), so unknown sections are kept in an error only for the core.
    fn with_questions(mut self, qs: Vec<(String, Question)>) -> Result<ParsedFile, DefinitionError> {
        for (sec, q) in qs {
            match self.sections.iter_mut().find(|s| s.id == sec) {
                Some(s) => s.questions.push(q),
                None if self.sector.is_some() => {
                    // A sector item filed under a core section: kept in a placeholder section
                    // that merging folds into the core section of that id.
                    self.sections.push(Section { id: sec.clone(), title: String::new(), questions: vec![q] });
                }
                None => {
                    return Err(DefinitionError {
                        file: self.file.clone(),
                        question: Some(q.id),
                        reason: format!("section '{sec}' is not defined in this file"),
                    })
                }
            }
        }
        Ok(self)
    }
}

fn validate_question(rq: RawQuestion) -> Result<(String, Question), String> {
    if rq.text.trim().is_empty() {
        return Err("text is empty".into());
    }
    if rq.help.trim().is_empty() {
        return Err("help is empty".into());
    }
    let answer_type = AnswerType::from_id(&rq.answer_type).ok_or_else(|| {
        format!("unknown answer_type '{}' (yes_no, choice, number, percent, date, text)", rq.answer_type)
    })?;
    let choices = match (answer_type, rq.choices) {
        (AnswerType::Choice, None) => return Err("a choice question needs choices".into()),
        (AnswerType::Choice, Some(cs)) => {
            if cs.len() < 2 {
                return Err("a choice question needs at least two choices".into());
            }
            let mut seen = HashSet::new();
            for c in &cs {
                let n = c.trim().to_lowercase();
                if RESERVED_CHOICES.contains(&n.as_str()) || c.contains(',') || c.trim() != c {
                    return Err(format!("choice '{c}' is empty, reserved, has a comma or surrounding spaces"));
                }
                if !seen.insert(n) {
                    return Err(format!("choice '{c}' is listed twice"));
                }
            }
            if cs.iter().map(|c| c.len() + 1).sum::<usize>() > 250 {
                return Err("choices are too long for a spreadsheet drop-down (250 characters)".into());
            }
            Some(cs)
        }
        (_, Some(_)) => return Err("choices are only allowed on choice questions".into()),
        (_, None) => None,
    };
    let mut indicators = Vec::new();
    for ri in rq.indicators {
        indicators.push(validate_indicator(ri, answer_type, choices.as_deref())?);
    }
    let q =
        Question { id: rq.id, text: rq.text, help: rq.help, answer_type, choices, required: rq.required, indicators };
    Ok((rq.section, q))
}

fn validate_indicator(ri: RawIndicator, t: AnswerType, choices: Option<&[String]>) -> Result<IndicatorRule, String> {
    let dimension = Dimension::from_id(&ri.dimension).ok_or_else(|| format!("unknown dimension '{}'", ri.dimension))?;
    let severity = Severity::from_id(&ri.severity)
        .ok_or_else(|| format!("unknown severity '{}' (low, medium, high)", ri.severity))?;
    if indicator_title(&ri.indicator).is_none() {
        return Err(format!("unknown indicator '{}'", ri.indicator));
    }
    if matches!(dimension, Dimension::Involuntariness | Dimension::MenaceOfPenalty)
        && IloIndicator::from_id(&ri.indicator).is_none()
    {
        return Err(format!("indicator '{}' is not an ILO indicator but has dimension {dimension}", ri.indicator));
    }
    if dimension == Dimension::ChildLabour && !CHILD_LABOUR_INDICATORS.contains(&ri.indicator.as_str()) {
        return Err(format!(
            "indicator '{}' has dimension child_labour, which takes only {}",
            ri.indicator,
            CHILD_LABOUR_INDICATORS.join(", ")
        ));
    }
    let when = parse_when(&ri.when).map_err(|r| format!("indicator '{}': {r}", ri.indicator))?;
    check_when(&when, t, choices).map_err(|r| format!("indicator '{}': {r}", ri.indicator))?;
    if ri.note.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(format!("indicator '{}': note is empty", ri.indicator));
    }
    Ok(IndicatorRule { indicator: ri.indicator, dimension, when, severity, note: ri.note })
}

fn parse_when(v: &toml::Value) -> Result<When, String> {
    match v {
        toml::Value::String(s) => Ok(When::Equals(s.clone())),
        toml::Value::Table(t) => {
            if let Some(list) = t.get("in") {
                if t.len() != 1 {
                    return Err("`in` cannot be combined with other keys".into());
                }
                let arr = list.as_array().ok_or("`in` must be a list of answers")?;
                let vals = arr
                    .iter()
                    .map(|x| x.as_str().map(str::to_string).ok_or("`in` must list text answers"))
                    .collect::<Result<Vec<_>, _>>()?;
                if vals.is_empty() {
                    return Err("`in` is empty".into());
                }
                return Ok(When::In(vals));
            }
            if let Some(d) = t.get("within_days") {
                if t.len() != 1 {
                    return Err("`within_days` cannot be combined with other keys".into());
                }
                let d = d.as_integer().filter(|d| *d > 0 && *d <= 36_500).ok_or("`within_days` must be 1..36500")?;
                return Ok(When::WithinDays(d as u32));
            }
            let mut b = [None; 4];
            for (k, x) in t {
                let i = ["gt", "gte", "lt", "lte"]
                    .iter()
                    .position(|n| n == k)
                    .ok_or_else(|| format!("unknown condition `{k}` (in, gt, gte, lt, lte, within_days)"))?;
                let n = x.as_float().or_else(|| x.as_integer().map(|i| i as f64)).ok_or("bounds must be numbers")?;
                b[i] = Some(n);
            }
            if b.iter().all(Option::is_none) {
                return Err("empty condition".into());
            }
            Ok(When::Range { gt: b[0], gte: b[1], lt: b[2], lte: b[3] })
        }
        _ => Err("`when` must be an answer or a table such as { gte = 60 }".into()),
    }
}

fn check_when(w: &When, t: AnswerType, choices: Option<&[String]>) -> Result<(), String> {
    let allowed: Option<Vec<String>> = match t {
        AnswerType::YesNo => Some(vec!["Yes".into(), "No".into(), "Unknown".into()]),
        AnswerType::Choice => choices.map(<[String]>::to_vec),
        _ => None,
    };
    let check_values = |vals: &[String]| -> Result<(), String> {
        match &allowed {
            Some(a) => match vals.iter().find(|v| !a.contains(v)) {
                Some(v) => Err(format!("`when` value '{v}' is not one of {}", a.join(", "))),
                None => Ok(()),
            },
            None if t == AnswerType::Text => Ok(()),
            None => Err(format!("a {t:?} answer needs a numeric or date condition, not a value")),
        }
    };
    match (w, t) {
        (When::Equals(v), _) => check_values(std::slice::from_ref(v)),
        (When::In(vs), _) => check_values(vs),
        (When::Range { gt, gte, lt, lte }, AnswerType::Number | AnswerType::Percent) => {
            let lo = gt.or(*gte);
            let hi = lt.or(*lte);
            if gt.is_some() && gte.is_some() || lt.is_some() && lte.is_some() {
                return Err("use one lower and one upper bound at most".into());
            }
            if let (Some(l), Some(h)) = (lo, hi) {
                if l >= h {
                    return Err("the range is empty".into());
                }
            }
            if t == AnswerType::Percent && [lo, hi].iter().flatten().any(|x| !(0.0..=100.0).contains(x)) {
                return Err("percent bounds must be between 0 and 100".into());
            }
            Ok(())
        }
        (When::Range { .. }, _) => Err("a numeric condition needs a number or percent question".into()),
        (When::WithinDays(_), AnswerType::Date) => Ok(()),
        (When::WithinDays(_), _) => Err("`within_days` needs a date question".into()),
    }
}

fn is_semver(v: &str) -> bool {
    let parts: Vec<&str> = v.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Semantic version as a comparable triple (0.0.0 for anything unparsable; validated earlier).
pub(crate) fn semver_key(v: &str) -> (u32, u32, u32) {
    let mut it = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    (it.next().unwrap_or(0), it.next().unwrap_or(0), it.next().unwrap_or(0))
}

fn is_question_id(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() >= 3 && b.len() <= 5 && b[..2].iter().all(u8::is_ascii_uppercase) && b[2..].iter().all(u8::is_ascii_digit)
}
