//! Tests of the questionnaire module, with the helpers they share.

mod definitions;
mod roundtrip;
mod rules;

use super::test_support::xlsx_to_workbook;
use super::*;
use crate::domain::{SupplierFields, Workbook};
use std::collections::BTreeMap;

pub(super) fn cat() -> &'static Catalogue {
    catalogue().expect("embedded definitions are valid")
}

pub(super) fn supplier() -> TemplateSupplier {
    TemplateSupplier {
        id: "sup-42".into(),
        fields: SupplierFields {
            legal_name: "=HYPERLINK(\"http://evil\")".into(),
            external_ref: Some("V-001".into()),
            employee_count: Some(120),
            ..SupplierFields::default()
        },
    }
}

pub(super) fn answers_map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Clean answers for every question of a questionnaire.
pub(super) fn clean_answers(q: &SectorQuestionnaire) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for (_, x) in q.questions() {
        let v = match x.answer_type {
            AnswerType::YesNo => {
                // The good answer is the one no indicator is triggered by.
                let risky_yes = x.indicators.iter().any(|i| matches(&i.when, &AnswerValue::Yes, None));
                if risky_yes { "No" } else { "Yes" }.to_string()
            }
            AnswerType::Choice => x
                .choices
                .iter()
                .flatten()
                .find(|c| !x.indicators.iter().any(|i| matches(&i.when, &AnswerValue::Choice((*c).clone()), None)))
                .cloned()
                .unwrap_or_default(),
            AnswerType::Number => if x.id == "CL1" { "19" } else { "0" }.to_string(),
            AnswerType::Percent => if x.id == "WD3" { "100" } else { "0" }.to_string(),
            AnswerType::Date => "2005-06-01".to_string(),
            AnswerType::Text => "none".to_string(),
        };
        m.insert(x.id.clone(), v);
    }
    m.insert("HR1".into(), "48".into());
    m.insert("HS4".into(), "6".into());
    m.insert("CI5".into(), "120".into());
    m
}

pub(super) fn upload() -> AnswerSource {
    AnswerSource::Upload { upload_id: "up-1".into(), filename: "acme.xlsx".into() }
}

pub(super) fn filled(q: &SectorQuestionnaire, answers: &BTreeMap<String, String>) -> Workbook {
    xlsx_to_workbook(&write_template_prefilled(q, Some(&supplier()), answers).expect("xlsx"))
}

/// The answers of the LibreOffice fixture (manufacturing, filled, then re-saved by soffice).
pub(super) fn fixture_answers(q: &SectorQuestionnaire) -> BTreeMap<String, String> {
    let mut a = clean_answers(q);
    a.insert("DM1".into(), "Employer".into());
    a.insert("RF6".into(), "40".into());
    a.insert("HR1".into(), "72".into());
    a.insert("CI1".into(), "2021-03-12".into());
    a.insert("RF1".into(), "Unknown".into());
    a
}
