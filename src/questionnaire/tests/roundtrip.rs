//! Tests of templates: layout, reading filled templates back, evaluation, LibreOffice fixture.

use super::super::test_support::{xlsx_to_workbook, zip_entry};
use super::*;
use crate::domain::{Cell, Dimension, EvidenceSource, Sector, Severity};
use std::collections::BTreeMap;

#[test]
fn every_sector_template_has_the_contract_layout() {
    for s in Sector::ALL {
        let q = cat().for_sector(*s);
        let bytes = write_template(q, Some(&supplier())).expect("xlsx");
        let wb = xlsx_to_workbook(&bytes);
        let names: Vec<&str> = wb.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Instructions", "Supplier", "Questionnaire", "_manumit"]);
        let meta = wb.sheet("_manumit").expect("meta");
        assert!(meta.hidden);
        assert!(!wb.sheet("Questionnaire").expect("q").hidden);
        let kv: Vec<(String, String)> = meta
            .rows
            .iter()
            .map(|r| (r.cells[0].display(), r.cells.get(1).map(Cell::display).unwrap_or_default()))
            .collect();
        assert_eq!(kv[0], ("questionnaire_id".into(), q.id.clone()));
        assert_eq!(kv[1], ("version".into(), q.version.clone()));
        assert_eq!(kv[2], ("sector".into(), s.as_str().into()));
        assert_eq!(kv[3], ("supplier_id".into(), "sup-42".into()));
        let qs = wb.sheet("Questionnaire").expect("q");
        let header: Vec<String> = qs.rows[0].cells.iter().map(Cell::display).collect();
        assert_eq!(header, QUESTIONNAIRE_HEADER);
        assert_eq!(qs.rows.len(), q.question_count() + 1);
        let ids: Vec<String> = qs.rows[1..].iter().map(|r| r.cells[0].display()).collect();
        let want: Vec<String> = q.questions().map(|(_, x)| x.id.clone()).collect();
        assert_eq!(ids, want);
        assert_eq!(qs.rows[1].cells[2].display(), q.question("RF1").expect("RF1").text);
        let sup = wb.sheet("Supplier").expect("supplier");
        assert_eq!(sup.rows[0].cells[0].display(), "Field");
        assert_eq!(sup.rows[0].cells[1].display(), "Value");
        let legal = sup.rows.iter().find(|r| r.cells[0].display() == "legal_name").expect("legal_name");
        assert_eq!(legal.cells[1], Cell::Text("=HYPERLINK(\"http://evil\")".into()), "written as text");
        assert_eq!(sup.rows.len(), SUPPLIER_FIELDS.len() + 1);
        // Validations, input messages, protection and quote prefix, in the XML.
        let sheet3 = zip_entry(&bytes, "xl/worksheets/sheet3.xml");
        assert!(sheet3.matches("<dataValidation ").count() >= q.question_count(), "one validation per answer");
        assert!(sheet3.contains("type=\"list\""));
        assert!(sheet3.contains("type=\"decimal\""));
        assert!(sheet3.contains("type=\"date\""));
        assert!(sheet3.contains("promptTitle=\"RF1 (required)\""));
        assert!(sheet3.contains("<sheetProtection"));
        assert!(!sheet3.contains("<f>"), "no formulas");
        let sheet2 = zip_entry(&bytes, "xl/worksheets/sheet2.xml");
        assert!(sheet2.contains("<sheetProtection"));
        assert!(!sheet2.contains("<f>"));
        let styles = zip_entry(&bytes, "xl/styles.xml");
        assert!(styles.contains("quotePrefix=\"1\""));
        assert!(styles.contains("locked=\"0\""), "input cells unlocked");
        let book = zip_entry(&bytes, "xl/workbook.xml");
        assert!(book.contains("state=\"hidden\""));
    }
}

#[test]
fn template_without_supplier_has_empty_values() {
    let q = cat().for_sector(Sector::Agriculture);
    let wb = xlsx_to_workbook(&write_template(q, None).expect("xlsx"));
    let meta = read_filled(&wb).expect("reads").meta;
    assert_eq!(meta.supplier_id, None);
    assert_eq!(meta.sector, Some(Sector::Agriculture));
    assert!(read_filled(&wb).expect("reads").answers.is_empty());
}

#[test]
fn passports_and_contract_substitution_give_strong_inv_and_men() {
    for s in Sector::ALL {
        let q = cat().for_sector(*s);
        let mut a = clean_answers(q);
        a.insert("DM1".into(), "Employer".into());
        a.insert("RF6".into(), "40%".into());
        let wb = filled(q, &a);
        assert!(is_template(&wb));
        let f = read_filled(&wb).expect("reads");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.answers.len(), q.question_count());
        assert_eq!(f.meta.supplier_id.as_deref(), Some("sup-42"));
        assert!(f.supplier_fields.iter().any(|(k, v, row)| k == "external_ref" && v.display() == "V-001" && *row == 2));
        let ev = evaluate(f.questionnaire, &f.answers, &upload());
        let men = ev.findings.iter().find(|x| x.dimension == Dimension::MenaceOfPenalty).expect("MEN finding");
        assert_eq!(men.indicator, "retention_of_identity_documents");
        assert_eq!(men.severity, Severity::High);
        assert_eq!(men.points, 30.0);
        let e = &men.evidence[0];
        assert_eq!(e.source, EvidenceSource::Upload);
        assert_eq!(e.question_id.as_deref(), Some("DM1"));
        assert_eq!(e.value, "Employer");
        assert_eq!(e.column.as_deref(), Some("Answer"));
        assert_eq!(e.filename.as_deref(), Some("acme.xlsx"));
        let dm1 = f.answers.iter().find(|x| x.question_id == "DM1").expect("DM1");
        assert_eq!(e.row, dm1.row);
        assert!(dm1.cell.as_deref().is_some_and(|c| c.starts_with('D')));
        assert!(men.explanation.contains("indicator of risk"));
        let inv = ev.findings.iter().find(|x| x.dimension == Dimension::Involuntariness).expect("INV finding");
        assert_eq!(inv.indicator, "deception");
        assert_eq!(inv.evidence[0].value, "40%");
        assert_eq!(
            ev.findings
                .iter()
                .filter(|x| matches!(x.dimension, Dimension::Involuntariness | Dimension::MenaceOfPenalty))
                .count(),
            2
        );
        assert_eq!(ev.core_answered, ev.core_total);
        assert!(ev.unanswered_core.is_empty());
        assert!(ev.controls_in_place.contains(&"VG1".to_string()));
    }
}

#[test]
fn clean_answers_give_no_inv_or_men() {
    for s in Sector::ALL {
        let q = cat().for_sector(*s);
        let f = read_filled(&filled(q, &clean_answers(q))).expect("reads");
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let ev = evaluate(f.questionnaire, &f.answers, &AnswerSource::Response);
        let bad: Vec<_> = ev
            .findings
            .iter()
            .filter(|x| matches!(x.dimension, Dimension::Involuntariness | Dimension::MenaceOfPenalty))
            .map(|x| &x.title)
            .collect();
        assert!(bad.is_empty(), "{s}: {bad:?}");
        assert!(ev.findings.iter().all(|x| x.dimension != Dimension::Control));
        let controls = q.questions().filter(|(_, x)| x.is_control()).count();
        assert_eq!(ev.controls_in_place.len(), controls);
        assert_eq!(ev.core_answered, ev.core_total);
        assert!(ev.core_total >= 40);
    }
}

#[test]
fn unanswered_and_unknown_core_items_are_reported() {
    let q = cat().for_sector(Sector::Construction);
    let f = read_filled(&filled(q, &answers_map(&[("DM1", "Employer"), ("RF1", "Unknown"), ("VG1", "No")])))
        .expect("reads");
    let ev = evaluate(f.questionnaire, &f.answers, &upload());
    assert_eq!(ev.core_answered, 2);
    assert_eq!(ev.unanswered_core.len() as u32, ev.core_total - 2);
    let rf1 = ev.unanswered_core.iter().find(|u| u.0 == "RF1").expect("RF1 unanswered");
    assert_eq!(rf1.2, vec!["debt_bondage".to_string()]);
    assert!(ev.findings.iter().any(|x| x.indicator == "no_grievance_channel" && x.dimension == Dimension::Control));
    assert!(ev.controls_in_place.is_empty());
    assert!(!ev.unanswered_core.iter().any(|u| u.0 == "HS3"), "optional items are not core");
}

#[test]
fn resorted_and_inserted_rows_map_by_question_id() {
    let q = cat().for_sector(Sector::Manufacturing);
    let mut a = clean_answers(q);
    a.insert("DM1".into(), "Labour agent".into());
    let mut wb = filled(q, &a);
    let sheet = wb.sheets.iter_mut().find(|s| s.name == "Questionnaire").expect("q");
    // Reverse the question rows, insert a title row above the header and a note row inside.
    let mut rows = sheet.rows.split_off(1);
    rows.reverse();
    let header = sheet.rows.remove(0);
    let mut new = vec![crate::domain::SheetRow { row: 1, cells: vec![Cell::Text("Our answers".into())] }];
    let mut hdr = header;
    hdr.row = 3;
    new.push(hdr);
    for (i, mut r) in rows.into_iter().enumerate() {
        r.row = 4 + i as u32;
        new.push(r);
    }
    new.push(crate::domain::SheetRow {
        row: 200,
        cells: vec![Cell::Empty, Cell::Empty, Cell::Text("note".into()), Cell::Empty, Cell::Text("fyi".into())],
    });
    sheet.rows = new;
    let f = read_filled(&wb).expect("reads");
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.answers.len(), q.question_count());
    let dm1 = f.answers.iter().find(|x| x.question_id == "DM1").expect("DM1");
    assert_eq!(dm1.value, AnswerValue::Choice("Labour agent".into()));
    let pos = q.questions().position(|(_, x)| x.id == "DM1").expect("pos") as u32;
    let expect_row = 4 + (q.question_count() as u32 - 1 - pos);
    assert_eq!(dm1.row, Some(expect_row));
    assert_eq!(dm1.cell, Some(format!("D{expect_row}")));
}

#[test]
fn wrong_type_answers_name_question_and_cell() {
    let q = cat().for_sector(Sector::Hospitality);
    let mut a = clean_answers(q);
    a.insert("HR1".into(), "sixty".into());
    a.insert("DM1".into(), "Manager's safe".into());
    let mut wb = filled(q, &a);
    // A row the supplier added with an id that does not exist.
    let sheet = wb.sheets.iter_mut().find(|s| s.name == "Questionnaire").expect("q");
    sheet.rows.push(crate::domain::SheetRow {
        row: 999,
        cells: vec![Cell::Text("ZZ1".into()), Cell::Empty, Cell::Empty, Cell::Text("Yes".into())],
    });
    let f = read_filled(&wb).expect("reads");
    assert_eq!(f.errors.len(), 3, "{:?}", f.errors);
    let hr1_row = q.questions().position(|(_, x)| x.id == "HR1").expect("pos") as u32 + 2;
    let e = f.errors.iter().find(|e| e.question_id.as_deref() == Some("HR1")).expect("HR1 error");
    assert_eq!(e.code, "invalid_answer");
    assert_eq!(e.row, Some(hr1_row));
    assert_eq!(e.column, "Answer");
    assert_eq!(e.value, "sixty");
    assert_eq!(e.cell, Some(format!("D{hr1_row}")));
    assert!(e.message.contains("HR1") && e.message.contains(&format!("D{hr1_row}")), "{}", e.message);
    assert!(f.errors.iter().any(|e| e.question_id.as_deref() == Some("DM1") && e.message.contains("expected one of")));
    assert!(f.errors.iter().any(|e| e.code == "unknown_question" && e.cell.as_deref() == Some("D999")));
    assert!(!f.answers.iter().any(|x| x.question_id == "HR1"));
}

#[test]
fn unknown_version_and_non_templates_are_errors() {
    let q = cat().for_sector(Sector::Agriculture);
    let mut wb = filled(q, &BTreeMap::new());
    let meta = wb.sheets.iter_mut().find(|s| s.name == "_manumit").expect("meta");
    meta.rows[1].cells[1] = Cell::Text("9.9.9".into());
    assert!(is_template(&wb));
    let e = read_filled(&wb).expect_err("unknown version");
    assert_eq!(e.code(), "unknown_questionnaire_version");
    wb.sheets.retain(|s| s.name != "_manumit");
    assert!(!is_template(&wb));
    assert_eq!(read_filled(&wb).expect_err("no meta"), TemplateError::NotATemplate);
}

#[test]
fn within_days_needs_today() {
    let q = cat().for_sector(Sector::Agriculture);
    let a = parse_json_answers(q, &serde_json::from_str(r#"{"CI1": "2026-01-10"}"#).expect("json")).expect("ok");
    assert!(evaluate(q, &a, &AnswerSource::Response).findings.is_empty());
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29);
    let ev = evaluate_as_of(q, &a, &AnswerSource::Response, today);
    assert_eq!(ev.findings.len(), 1);
    assert_eq!(ev.findings[0].indicator, "recent_incorporation");
    assert_eq!(ev.findings[0].evidence[0].source, EvidenceSource::Response);
    let later = chrono::NaiveDate::from_ymd_opt(2029, 1, 1);
    assert!(evaluate_as_of(q, &a, &AnswerSource::Response, later).findings.is_empty());
}

/// Writes the source of tests/fixtures/questionnaire/manufacturing-filled-libreoffice.xlsx:
/// `MANUMIT_FIXTURE_OUT=/tmp/src.xlsx cargo test --lib write_fixture_source -- --ignored`, then
/// `soffice --headless --convert-to xlsx --outdir OUT /tmp/src.xlsx`.
#[test]
#[ignore]
fn write_fixture_source() {
    let q = cat().for_sector(Sector::Manufacturing);
    let bytes = write_template_prefilled(q, Some(&supplier()), &fixture_answers(q)).expect("xlsx");
    let out = std::env::var("MANUMIT_FIXTURE_OUT").expect("MANUMIT_FIXTURE_OUT");
    std::fs::write(out, bytes).expect("write");
}

#[test]
fn prefilled_answers_keep_their_types() {
    let q = cat().for_sector(Sector::Manufacturing);
    let wb = filled(q, &fixture_answers(q));
    let sheet = wb.sheet("Questionnaire").expect("q");
    let row = |id: &str| sheet.rows.iter().find(|r| r.cells[0].display() == id).expect("row");
    assert_eq!(row("HR1").cells[3], Cell::Number(72.0));
    assert!(matches!(row("CI1").cells[3], Cell::Date(_)));
    assert_eq!(row("DM1").cells[3], Cell::Text("Employer".into()));
}

#[test]
fn libreoffice_resaved_template_is_read() {
    let bytes = include_bytes!("../../../tests/fixtures/questionnaire/manufacturing-filled-libreoffice.xlsx");
    let wb = xlsx_to_workbook(bytes);
    assert!(is_template(&wb));
    assert!(wb.sheet("_manumit").expect("meta").hidden, "LibreOffice keeps the sheet hidden");
    let f = read_filled(&wb).expect("reads");
    let q = f.questionnaire;
    assert_eq!(q.sector, Sector::Manufacturing);
    // Filled in against 1.0.0 before the methodology-2 review: read by the archived 1.0.0 rules.
    assert_eq!((q.version.as_str(), q.core_version.as_str()), ("1.0.0", "1.0.0"));
    assert_ne!(q.version, cat().for_sector(Sector::Manufacturing).version);
    assert_eq!(f.meta.supplier_id.as_deref(), Some("sup-42"));
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.answers.len(), q.question_count());
    let get = |id: &str| f.answers.iter().find(|a| a.question_id == id).map(|a| a.value.clone());
    assert_eq!(get("HR1"), Some(AnswerValue::Number(72.0)));
    assert_eq!(get("CI1"), chrono::NaiveDate::from_ymd_opt(2021, 3, 12).map(AnswerValue::Date));
    assert_eq!(get("RF6"), Some(AnswerValue::Percent(40.0)));
    assert_eq!(get("RF1"), Some(AnswerValue::Unknown));
    let legal = f.supplier_fields.iter().find(|(k, _, _)| k == "legal_name").expect("legal_name");
    assert_eq!(legal.1, Cell::Text("=HYPERLINK(\"http://evil\")".into()));
    let ev = evaluate(q, &f.answers, &upload());
    assert!(ev
        .findings
        .iter()
        .any(|x| x.indicator == "retention_of_identity_documents" && x.severity == Severity::High));
    assert!(ev.findings.iter().any(|x| x.indicator == "deception" && x.dimension == Dimension::Involuntariness));
    assert!(ev.findings.iter().any(|x| x.indicator == "excessive_overtime"));
    assert!(ev.unanswered_core.iter().any(|u| u.0 == "RF1"));
    assert_eq!(ev.core_answered + 1, ev.core_total);
    // The XML LibreOffice wrote still carries the drop-downs and the protection.
    let sheet3 = zip_entry(bytes, "xl/worksheets/sheet3.xml");
    assert!(sheet3.contains("<dataValidation"));
    assert!(sheet3.contains("<sheetProtection"));
}
