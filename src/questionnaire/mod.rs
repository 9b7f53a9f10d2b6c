//! Questionnaire definitions (questionnaires/), xlsx templates, reading and evaluating answers.
//!
//! Definitions are TOML compiled into the binary and validated once ([`validate_all`]); a
//! sector questionnaire is the common core plus the sector's items. Scoring is driven by each
//! question's `indicators` (`when` conditions), never by code per question.

mod answer;
mod catalogue;
mod definition;
pub mod doc;
mod evaluate;
mod load;
mod read;
mod supplier_sheet;
mod template;

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

pub use answer::{parse_cell, parse_json, parse_json_answers, Answer, AnswerError, AnswerValue};
pub use catalogue::{catalogue, validate_all, Catalogue, QuestionnaireSummary};
pub use definition::{
    indicator_title, AnswerType, DefinitionError, IndicatorRule, Question, Section, SectorQuestionnaire, When,
    CHILD_LABOUR_INDICATORS, OTHER_INDICATORS,
};
pub use evaluate::{evaluate, evaluate_as_of, matches, points, AnswerSource};
pub use read::{is_template, read_filled, read_meta, FilledTemplate, TemplateError, TemplateMeta};
pub use supplier_sheet::SUPPLIER_FIELDS;
pub use template::{write_template, write_template_prefilled, TemplateSupplier, META_SHEET, QUESTIONNAIRE_HEADER};
