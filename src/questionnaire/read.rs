//! Reads a filled template from a `domain::Workbook`: its _manumit metadata, the Supplier
//! sheet, and the answers by Question ID (not by row position), each checked against its question.

use super::answer::{parse_cell, Answer, AnswerError};
use super::catalogue::catalogue;
use super::definition::{DefinitionError, SectorQuestionnaire};
use super::template::META_SHEET;
use crate::domain::{Cell, Sector, Sheet, Workbook};
use std::collections::HashSet;

/// The hidden `_manumit` sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateMeta {
    pub questionnaire_id: String,
    pub version: String,
    pub sector: Option<Sector>,
    /// Empty in the sheet → None.
    pub supplier_id: Option<String>,
}

/// A filled template, read. Answers that failed their checks are in `errors`, the rest in `answers`.
#[derive(Debug, Clone)]
pub struct FilledTemplate {
    pub meta: TemplateMeta,
    /// The definition of the template's own version.
    pub questionnaire: &'static SectorQuestionnaire,
    /// `Supplier` sheet rows: (field as written, value cell, 1-based row). Empty if the sheet is absent.
    pub supplier_fields: Vec<(String, Cell, u32)>,
    pub answers: Vec<Answer>,
    pub errors: Vec<AnswerError>,
}

/// Why a workbook cannot be read as a filled template at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TemplateError {
    #[error("not a Manumit questionnaire template (no _manumit sheet with a questionnaire_id)")]
    NotATemplate,
    #[error("the _manumit sheet has no {0}")]
    MissingMeta(&'static str),
    #[error("questionnaire {id} version {version} is not known to this Manumit")]
    UnknownQuestionnaire { id: String, version: String },
    #[error("the workbook has no '{0}' sheet")]
    MissingSheet(&'static str),
    #[error("the Questionnaire sheet has no header row with 'Question ID' and 'Answer'")]
    MissingHeader,
    #[error("questionnaire definitions are invalid: {0}")]
    Definitions(DefinitionError),
}

impl TemplateError {
    /// Stable snake_case code for problem+json.
    pub fn code(&self) -> &'static str {
        match self {
            TemplateError::NotATemplate => "not_a_template",
            TemplateError::MissingMeta(_) => "template_metadata_missing",
            TemplateError::UnknownQuestionnaire { .. } => "unknown_questionnaire_version",
            TemplateError::MissingSheet(_) => "template_sheet_missing",
            TemplateError::MissingHeader => "template_header_missing",
            TemplateError::Definitions(_) => "questionnaire_definitions_invalid",
        }
    }
}

fn text(c: Option<&Cell>) -> String {
    c.map(|c| c.display().trim().to_string()).unwrap_or_default()
}

fn meta_value(sheet: &Sheet, key: &str) -> Option<String> {
    sheet
        .rows
        .iter()
        .find(|r| text(r.cells.first()).eq_ignore_ascii_case(key))
        .map(|r| text(r.cells.get(1)))
        .filter(|v| !v.is_empty())
}

/// True when the workbook carries a `_manumit` sheet with a questionnaire id.
pub fn is_template(wb: &Workbook) -> bool {
    wb.sheet(META_SHEET).and_then(|s| meta_value(s, "questionnaire_id")).is_some()
}

/// The template's metadata.
pub fn read_meta(wb: &Workbook) -> Result<TemplateMeta, TemplateError> {
    let sheet = wb.sheet(META_SHEET).ok_or(TemplateError::NotATemplate)?;
    let questionnaire_id = meta_value(sheet, "questionnaire_id").ok_or(TemplateError::NotATemplate)?;
    let version = meta_value(sheet, "version").ok_or(TemplateError::MissingMeta("version"))?;
    Ok(TemplateMeta {
        questionnaire_id,
        version,
        sector: meta_value(sheet, "sector").and_then(|s| Sector::from_id(&s)),
        supplier_id: meta_value(sheet, "supplier_id"),
    })
}

/// Column letters of a 0-based index: 0 → A, 27 → AB.
pub(crate) fn col_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

fn header_key(c: &Cell) -> String {
    c.display().split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Reads a filled template by its own questionnaire version.
pub fn read_filled(wb: &Workbook) -> Result<FilledTemplate, TemplateError> {
    let meta = read_meta(wb)?;
    let cat = catalogue().map_err(TemplateError::Definitions)?;
    let q = cat.by_id_version(&meta.questionnaire_id, &meta.version).ok_or_else(|| {
        TemplateError::UnknownQuestionnaire { id: meta.questionnaire_id.clone(), version: meta.version.clone() }
    })?;
    let supplier_fields = wb.sheet("Supplier").map(read_supplier).unwrap_or_default();
    let sheet = wb.sheet("Questionnaire").ok_or(TemplateError::MissingSheet("Questionnaire"))?;
    let (answers, errors) = read_answers(q, sheet)?;
    Ok(FilledTemplate { meta, questionnaire: q, supplier_fields, answers, errors })
}

fn read_supplier(sheet: &Sheet) -> Vec<(String, Cell, u32)> {
    let start = sheet
        .rows
        .iter()
        .take(30)
        .position(|r| {
            r.cells.first().map(header_key).as_deref() == Some("field")
                && r.cells.get(1).map(header_key).as_deref() == Some("value")
        })
        .map(|i| i + 1)
        .unwrap_or(0);
    sheet
        .rows
        .iter()
        .skip(start)
        .filter_map(|r| {
            let field = text(r.cells.first());
            (!field.is_empty()).then(|| (field, r.cells.get(1).cloned().unwrap_or(Cell::Empty), r.row))
        })
        .collect()
}

/// Answers and per-answer errors of the Questionnaire sheet.
pub(crate) fn read_answers(
    q: &SectorQuestionnaire,
    sheet: &Sheet,
) -> Result<(Vec<Answer>, Vec<AnswerError>), TemplateError> {
    let (hpos, cols) = sheet
        .rows
        .iter()
        .take(50)
        .enumerate()
        .find_map(|(i, r)| {
            let find = |name: &str| r.cells.iter().position(|c| header_key(c) == name);
            match (find("question id"), find("answer")) {
                (Some(qc), Some(ac)) => Some((i, (qc, ac, find("evidence / comment")))),
                _ => None,
            }
        })
        .ok_or(TemplateError::MissingHeader)?;
    let (qcol, acol, ecol) = cols;
    let mut answers = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for r in sheet.rows.iter().skip(hpos + 1) {
        let qid = text(r.cells.get(qcol));
        let cell_value = r.cells.get(acol).cloned().unwrap_or(Cell::Empty);
        let cell = format!("{}{}", col_letter(acol), r.row);
        let comment = ecol.map(|c| text(r.cells.get(c))).filter(|s| !s.is_empty());
        let shown: String = cell_value.display().chars().take(200).collect();
        let err = |code: &str, column: &str, qid: Option<String>, message: String| AnswerError {
            row: Some(r.row),
            column: column.into(),
            value: shown.clone(),
            code: code.into(),
            message,
            question_id: qid,
            cell: Some(cell.clone()),
        };
        if cell_value.is_empty() {
            continue;
        }
        if qid.is_empty() {
            let m = format!("cell {cell} has an answer but its row has no Question ID");
            errors.push(err("unknown_question", "Question ID", None, m));
            continue;
        }
        let Some(question) = q.question(&qid) else {
            let m = format!("question {qid} (cell {cell}) is not in {} {}", q.id, q.version);
            errors.push(err("unknown_question", "Question ID", Some(qid), m));
            continue;
        };
        if !seen.insert(question.id.clone()) {
            let m = format!("question {} is answered twice (again in cell {cell})", question.id);
            errors.push(err("duplicate_answer", "Answer", Some(question.id.clone()), m));
            continue;
        }
        match parse_cell(question, &cell_value) {
            Ok(Some(value)) => answers.push(Answer {
                question_id: question.id.clone(),
                value,
                row: Some(r.row),
                cell: Some(cell.clone()),
                comment,
            }),
            Ok(None) => {}
            Err(reason) => {
                let m = format!("question {} (cell {cell}): {reason}", question.id);
                errors.push(err("invalid_answer", "Answer", Some(question.id.clone()), m));
            }
        }
    }
    Ok((answers, errors))
}
