//! Answers: typed values, and the forgiving parsers that turn spreadsheet cells and JSON
//! values into them, checked against the question's type and choices.

use super::definition::{AnswerType, Question, SectorQuestionnaire};
use crate::domain::{Cell, YesNo};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

/// One answer value, normalised. Percent is on a 0–100 scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum AnswerValue {
    Yes,
    No,
    /// "Unknown" / "don't know": counts as not answered.
    Unknown,
    Choice(String),
    Number(f64),
    Percent(f64),
    Date(NaiveDate),
    Text(String),
}

impl AnswerValue {
    /// False for Unknown.
    pub fn is_known(&self) -> bool {
        !matches!(self, AnswerValue::Unknown)
    }

    /// The answer as written in evidence: `Yes`, `Employer`, `72`, `35%`, `2024-05-01`.
    pub fn display(&self) -> String {
        match self {
            AnswerValue::Yes => "Yes".into(),
            AnswerValue::No => "No".into(),
            AnswerValue::Unknown => "Unknown".into(),
            AnswerValue::Choice(s) | AnswerValue::Text(s) => s.clone(),
            AnswerValue::Number(n) => Cell::Number(*n).display(),
            AnswerValue::Percent(p) => format!("{}%", Cell::Number(*p).display()),
            AnswerValue::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// One answered question. `row`/`cell` are set for answers read from a spreadsheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    pub question_id: String,
    pub value: AnswerValue,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub row: Option<u32>,
    /// The Answer cell, e.g. `D12`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cell: Option<String>,
    /// The `Evidence / comment` cell, when filled in.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
}

/// A rejected answer, in the `errors` shape of API.md (`row`, `column`, `value`, `code`, `message`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnswerError {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub row: Option<u32>,
    /// `Answer` / `Question ID` for spreadsheets; the question id for JSON answers.
    pub column: String,
    pub value: String,
    /// `invalid_answer`, `unknown_question`, `duplicate_answer`.
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub question_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cell: Option<String>,
}

const UNKNOWN_WORDS: &[&str] =
    &["unknown", "unk", "?", "n/a", "na", "not known", "don't know", "dont know", "do not know", "don’t know"];

/// Parses a spreadsheet cell. `Ok(None)` for a blank cell; `Err(reason)` when the value does
/// not fit the question.
pub fn parse_cell(q: &Question, cell: &Cell) -> Result<Option<AnswerValue>, String> {
    if cell.is_empty() {
        return Ok(None);
    }
    match cell {
        Cell::Error(e) => Err(format!("the cell holds the error value {e}")),
        Cell::Text(s) => parse_text(q, s).map(Some),
        Cell::Bool(b) => match q.answer_type {
            AnswerType::YesNo => Ok(Some(if *b { AnswerValue::Yes } else { AnswerValue::No })),
            _ => parse_text(q, if *b { "Yes" } else { "No" }).map(Some),
        },
        Cell::Number(n) => parse_number(q, *n).map(Some),
        // A percent-formatted cell: the file says the scale (100% is 100, not 1 %).
        Cell::Percent(f) => match q.answer_type {
            AnswerType::Percent => check_pct(q, Cell::percent_points(*f)).map(Some),
            AnswerType::Text => Ok(Some(AnswerValue::Text(cell.display()))),
            _ => Err(format!("{} (a percent-formatted cell) is not a valid answer; {}", cell.display(), expected(q))),
        },
        Cell::Date(dt) => match q.answer_type {
            AnswerType::Date => Ok(Some(AnswerValue::Date(dt.date()))),
            AnswerType::Text => Ok(Some(AnswerValue::Text(cell.display()))),
            _ => Err(format!("a date is not a valid answer; {}", expected(q))),
        },
        Cell::Empty => Ok(None),
    }
}

/// Parses a JSON answer (ERP route). `null` and `""` are blank.
pub fn parse_json(q: &Question, v: &serde_json::Value) -> Result<Option<AnswerValue>, String> {
    match v {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Bool(b) => parse_cell(q, &Cell::Bool(*b)),
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) => parse_number(q, f).map(Some),
            None => Err("the number is out of range".into()),
        },
        serde_json::Value::String(s) => parse_cell(q, &Cell::Text(s.clone())),
        _ => Err(format!("lists and objects are not answers; {}", expected(q))),
    }
}

/// Checks JSON answers `{"QID": value}` against a questionnaire (unknown ids are errors).
pub fn parse_json_answers(
    q: &SectorQuestionnaire,
    answers: &serde_json::Map<String, serde_json::Value>,
) -> Result<Vec<Answer>, Vec<AnswerError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (qid, v) in answers {
        let shown = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let err = |code: &str, message: String| AnswerError {
            row: None,
            column: qid.clone(),
            value: shown.chars().take(200).collect(),
            code: code.into(),
            message,
            question_id: Some(qid.clone()),
            cell: None,
        };
        let Some(question) = q.question(qid) else {
            errors.push(err("unknown_question", format!("question {qid} is not in {} {}", q.id, q.version)));
            continue;
        };
        match parse_json(question, v) {
            Ok(Some(value)) => {
                out.push(Answer { question_id: question.id.clone(), value, row: None, cell: None, comment: None })
            }
            Ok(None) => {}
            Err(reason) => errors.push(err("invalid_answer", format!("question {}: {reason}", question.id))),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// What the question accepts, for error messages.
pub(crate) fn expected(q: &Question) -> String {
    match q.answer_type {
        AnswerType::YesNo => "expected Yes, No or Unknown".into(),
        AnswerType::Choice => format!("expected one of: {}", q.choices.as_deref().unwrap_or_default().join(", ")),
        AnswerType::Number => "expected a number (0 or more)".into(),
        AnswerType::Percent => "expected a percentage from 0 to 100".into(),
        AnswerType::Date => "expected a date such as 2021-03-12".into(),
        AnswerType::Text => "expected text".into(),
    }
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

fn parse_text(q: &Question, raw: &str) -> Result<AnswerValue, String> {
    let s = raw.trim();
    let n = norm(s);
    if q.answer_type == AnswerType::Choice {
        let choices = q.choices.as_deref().unwrap_or_default();
        if let Some(c) = choices.iter().find(|c| norm(c) == n) {
            return Ok(AnswerValue::Choice(c.clone()));
        }
        // "Y" / "TRUE" for a Yes/No-like choice list.
        let yn = match YesNo::parse(s) {
            Some(YesNo::Yes) if !n.is_empty() => Some("yes"),
            Some(YesNo::No) => Some("no"),
            _ => None,
        };
        if let Some(c) = yn.and_then(|w| choices.iter().find(|c| c.to_lowercase() == w)) {
            return Ok(AnswerValue::Choice(c.clone()));
        }
        // "Unknown" / "don't know" on a list that offers its own "Not known" means that choice,
        // which is an answer (ST3: a screening finding), not a blank.
        if UNKNOWN_WORDS.contains(&n.as_str()) {
            if let Some(c) = choices.iter().find(|c| UNKNOWN_WORDS.contains(&norm(c).as_str())) {
                return Ok(AnswerValue::Choice(c.clone()));
            }
        }
    }
    if UNKNOWN_WORDS.contains(&n.as_str()) {
        return Ok(AnswerValue::Unknown);
    }
    let bad = || format!("'{}' is not a valid answer; {}", s.chars().take(60).collect::<String>(), expected(q));
    match q.answer_type {
        AnswerType::YesNo => match YesNo::parse(s) {
            Some(YesNo::Yes) => Ok(AnswerValue::Yes),
            Some(YesNo::No) => Ok(AnswerValue::No),
            Some(YesNo::Unknown) => Ok(AnswerValue::Unknown),
            None => Err(bad()),
        },
        AnswerType::Choice => Err(bad()),
        AnswerType::Number => parse_num_text(s).ok_or_else(bad).and_then(|x| parse_number(q, x)),
        AnswerType::Percent => match s.strip_suffix('%') {
            Some(p) => parse_num_text(p.trim()).ok_or_else(bad).and_then(|x| check_pct(q, x)),
            None => parse_num_text(s).ok_or_else(bad).and_then(|x| parse_number(q, x)),
        },
        AnswerType::Date => {
            if let Some(x) = parse_num_text(s) {
                return parse_number(q, x);
            }
            parse_date_text(s).map(AnswerValue::Date).ok_or_else(bad)
        }
        AnswerType::Text => Ok(AnswerValue::Text(s.to_string())),
    }
}

fn parse_number(q: &Question, x: f64) -> Result<AnswerValue, String> {
    if !x.is_finite() {
        return Err("the number is not finite".into());
    }
    match q.answer_type {
        AnswerType::Number if x < 0.0 => Err(format!("{x} is negative; {}", expected(q))),
        AnswerType::Number => Ok(AnswerValue::Number(x)),
        // Excel stores a cell typed "35%" as 0.35: a share below 1 is a fraction.
        AnswerType::Percent if x > 0.0 && x < 1.0 => check_pct(q, x * 100.0),
        AnswerType::Percent => check_pct(q, x),
        AnswerType::Date if (1.0..2_958_466.0).contains(&x) => {
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).ok_or("bad epoch")?;
            Ok(AnswerValue::Date(base + Duration::days(x.floor() as i64)))
        }
        AnswerType::YesNo if x == 1.0 => Ok(AnswerValue::Yes),
        AnswerType::YesNo if x == 0.0 => Ok(AnswerValue::No),
        AnswerType::Text => Ok(AnswerValue::Text(Cell::Number(x).display())),
        AnswerType::Choice => parse_text(q, &Cell::Number(x).display()),
        _ => Err(format!("{} is not a valid answer; {}", Cell::Number(x).display(), expected(q))),
    }
}

fn check_pct(q: &Question, x: f64) -> Result<AnswerValue, String> {
    if (0.0..=100.0).contains(&x) {
        // Round away binary noise from the 0.35 * 100 conversion.
        Ok(AnswerValue::Percent((x * 1e6).round() / 1e6))
    } else {
        Err(format!("{x} is outside 0–100; {}", expected(q)))
    }
}

/// `60`, `1,200`, `1 200`, `1.5`, `1,5`.
fn parse_num_text(s: &str) -> Option<f64> {
    let t: String = s.chars().filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\'').collect();
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    let commas = t.matches(',').count();
    let t = if commas == 1 && !t.contains('.') && t.split(',').nth(1).map(str::len) != Some(3) {
        t.replace(',', ".")
    } else {
        t.replace(',', "")
    };
    t.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    let date_part = s.split(['T', ' ']).next().unwrap_or(s);
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%d.%m.%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(date_part, f) {
            return Some(d);
        }
    }
    for f in ["%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%b %d, %Y", "%B %d, %Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d);
        }
    }
    // dd/mm/yyyy or mm/dd/yyyy, only when unambiguous.
    let parts: Vec<&str> = date_part.split(['/', '-']).collect();
    if let [a, b, y] = parts.as_slice() {
        let (a, b, y) = (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?, y.parse::<i32>().ok()?);
        if y < 1000 {
            return None;
        }
        return match (a > 12, b > 12) {
            (true, false) => NaiveDate::from_ymd_opt(y, b, a),
            (false, true) => NaiveDate::from_ymd_opt(y, a, b),
            _ if a == b => NaiveDate::from_ymd_opt(y, a, b),
            _ => None,
        };
    }
    None
}
