//! Tests of the questionnaire module: definitions, templates, reading back, evaluation.

use super::test_support::{xlsx_to_workbook, zip_entry};
use super::*;
use crate::domain::{Cell, Dimension, EvidenceSource, Sector, Severity, SupplierFields, Workbook};
use std::collections::BTreeMap;

fn cat() -> &'static Catalogue {
    catalogue().expect("embedded definitions are valid")
}

const CORE_OK: &str = r#"
id = "core"
version = "1.0.0"
title = "Core"
[[sections]]
id = "s"
title = "S"
[[questions]]
id = "AA1"
section = "s"
text = "Q?"
help = "H"
answer_type = "yes_no"
required = true
indicators = [{ indicator = "deception", dimension = "involuntariness", when = "Yes", severity = "high" }]
"#;

fn sector_file(sector: &str) -> String {
    format!(
        "id = \"{sector}-q\"\nversion = \"1.0.0\"\nsector = \"{sector}\"\ncore_version = \"1.0.0\"\ntitle = \"T\"\n\
         [[sections]]\nid = \"x\"\ntitle = \"X\"\n[[questions]]\nid = \"BB1\"\nsection = \"x\"\ntext = \"T\"\nhelp = \"H\"\n\
         answer_type = \"number\"\nrequired = false\nindicators = [{{ indicator = \"excessive_overtime\", dimension = \"involuntariness\", when = {{ gt = 60 }}, severity = \"medium\" }}]\n"
    )
}

fn with_sectors(core: &str) -> Result<Catalogue, DefinitionError> {
    let sectors: Vec<(String, String)> = Sector::ALL
        .iter()
        .map(|s| (format!("{s}.toml"), sector_file(s.as_str())))
        .collect();
    let mut files: Vec<(&str, &str)> = vec![("core.toml", core)];
    files.extend(sectors.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    Catalogue::from_sources(&files)
}

#[test]
fn definitions_load_with_required_counts() {
    validate_all().expect("valid");
    let list = cat().list();
    assert_eq!(list.len(), 4);
    for s in Sector::ALL {
        let q = cat().for_sector(*s);
        assert_eq!(q.sector, *s);
        assert_eq!(q.version, "1.0.0");
        let core = q
            .questions()
            .filter(|(s, _)| s.id != "sector_specific")
            .count();
        let sector_items = q.question_count() - core;
        assert!(q.question_count() >= 44, "{s}: {}", q.question_count());
        assert!(sector_items >= 6, "{s}: {sector_items} sector items");
        assert!(core >= 40);
        assert!(list
            .iter()
            .any(|l| l.sector == *s && l.question_count == q.question_count()));
    }
    let core_required = cat()
        .for_sector(Sector::Agriculture)
        .questions()
        .filter(|(_, q)| q.required)
        .count();
    assert!(core_required >= 40, "{core_required}");
}

#[test]
fn lookup_is_by_version() {
    let q = cat().for_sector(Sector::Construction);
    assert!(std::ptr::eq(
        cat().by_id_version(&q.id, "1.0.0").expect("found"),
        q
    ));
    assert!(cat().by_id_version(&q.id, "0.9.0").is_none());
    assert!(cat().by_id_version("nope", "1.0.0").is_none());
    assert_eq!(cat().all_versions().len(), 4);
}

#[test]
fn json_shape_matches_api() {
    let v = serde_json::to_value(cat().for_sector(Sector::Manufacturing)).expect("json");
    assert_eq!(v["sector"], "manufacturing");
    assert_eq!(v["id"], "manumit-manufacturing");
    assert_eq!(v["version"], "1.0.0");
    let secs = v["sections"].as_array().expect("sections");
    let dm1 = secs
        .iter()
        .flat_map(|s| s["questions"].as_array().cloned().unwrap_or_default())
        .find(|q| q["id"] == "DM1")
        .expect("DM1");
    assert_eq!(dm1["answer_type"], "choice");
    assert_eq!(dm1["required"], true);
    assert!(dm1["help"].as_str().is_some_and(|h| !h.is_empty()));
    let ind = &dm1["indicators"][0];
    assert_eq!(ind["indicator"], "retention_of_identity_documents");
    assert_eq!(ind["dimension"], "menace_of_penalty");
    assert_eq!(ind["severity"], "high");
    assert_eq!(
        ind["when"],
        serde_json::json!({"in": ["Employer", "Labour agent"]})
    );
    let rf2 = secs[0]["questions"][1].clone();
    assert_eq!(rf2["id"], "RF2");
    assert_eq!(
        rf2["indicators"][1]["when"],
        serde_json::json!({"gte": 1.0})
    );
    assert!(rf2.get("choices").is_none());
    assert_eq!(secs[0]["questions"][0]["indicators"][0]["when"], "Yes");
    let summary = serde_json::to_value(cat().list()).expect("json");
    assert_eq!(summary[0]["sector"], "agriculture");
    assert!(summary[0]["question_count"].as_u64().unwrap_or(0) >= 44);
}

#[test]
fn minimal_catalogue_builds() {
    let c = with_sectors(CORE_OK).expect("ok");
    assert_eq!(c.for_sector(Sector::Hospitality).question_count(), 2);
}

#[test]
fn bad_definitions_name_file_question_and_reason() {
    let cases = [
        (CORE_OK.replace("\"involuntariness\"", "\"coercion\""), Some("AA1"), "unknown dimension"),
        (CORE_OK.replace("\"deception\"", "\"bad_thing\""), Some("AA1"), "unknown indicator"),
        (CORE_OK.replace("severity = \"high\"", "severity = \"strong\""), Some("AA1"), "unknown severity"),
        (CORE_OK.replace("when = \"Yes\"", "when = \"Maybe\""), Some("AA1"), "not one of"),
        (CORE_OK.replace("when = \"Yes\"", "when = { gte = 3 }"), Some("AA1"), "numeric"),
        (CORE_OK.replace("\"yes_no\"", "\"choice\""), Some("AA1"), "needs choices"),
        (CORE_OK.replace("\"yes_no\"", "\"colour\""), Some("AA1"), "unknown answer_type"),
        (CORE_OK.replace("section = \"s\"", "section = \"nope\""), Some("AA1"), "section 'nope'"),
        (CORE_OK.replace("\"1.0.0\"", "\"1.0\""), None, "semantic version"),
        (format!("{CORE_OK}\n[[questions]]\nid = \"AA1\"\nsection = \"s\"\ntext = \"Q\"\nhelp = \"H\"\nanswer_type = \"text\"\nrequired = false\n"), Some("AA1"), "used twice"),
        (CORE_OK.replace("\"deception\"", "\"cash_wages\""), Some("AA1"), "not an ILO indicator"),
    ];
    for (text, question, reason) in cases {
        let e = with_sectors(&text).expect_err(reason);
        assert_eq!(e.file, "core.toml", "{e}");
        assert_eq!(e.question.as_deref(), question, "{e}");
        assert!(e.reason.contains(reason), "{e} should say {reason}");
        assert!(e.to_string().starts_with("core.toml"));
    }
    // A choice `when` outside the choices.
    let choice = CORE_OK.replace(
        "answer_type = \"yes_no\"",
        "answer_type = \"choice\"\nchoices = [\"A\", \"B\"]",
    );
    let e = with_sectors(&choice).expect_err("when Yes not a choice");
    assert!(e.reason.contains("'Yes' is not one of A, B"), "{e}");
    // A sector file pointing at a missing core version.
    let files = [
        ("core.toml", CORE_OK),
        (
            "x.toml",
            &sector_file("agriculture")
                .replace("core_version = \"1.0.0\"", "core_version = \"2.0.0\""),
        ),
    ];
    let e = Catalogue::from_sources(&files).expect_err("missing core");
    assert_eq!(e.file, "x.toml");
}

#[test]
fn cell_parsing_is_forgiving_but_strict_on_type() {
    let q = cat().for_sector(Sector::Agriculture);
    let yn = q.question("RF1").expect("RF1");
    for (c, want) in [
        (Cell::Text("yes".into()), AnswerValue::Yes),
        (Cell::Text(" YES ".into()), AnswerValue::Yes),
        (Cell::Text("Y".into()), AnswerValue::Yes),
        (Cell::Bool(true), AnswerValue::Yes),
        (Cell::Text("no".into()), AnswerValue::No),
        (Cell::Number(0.0), AnswerValue::No),
        (Cell::Text("Don't know".into()), AnswerValue::Unknown),
    ] {
        assert_eq!(parse_cell(yn, &c), Ok(Some(want)), "{c:?}");
    }
    assert_eq!(parse_cell(yn, &Cell::Empty), Ok(None));
    assert!(parse_cell(yn, &Cell::Text("maybe".into())).is_err());
    let pct = q.question("RF3").expect("RF3");
    for c in [
        Cell::Number(0.35),
        Cell::Number(35.0),
        Cell::Text("35%".into()),
        Cell::Text("35".into()),
        Cell::Text("0.35".into()),
    ] {
        assert_eq!(
            parse_cell(pct, &c),
            Ok(Some(AnswerValue::Percent(35.0))),
            "{c:?}"
        );
    }
    assert!(parse_cell(pct, &Cell::Number(135.0)).is_err());
    let num = q.question("HR1").expect("HR1");
    assert_eq!(
        parse_cell(num, &Cell::Text("1,200".into())),
        Ok(Some(AnswerValue::Number(1200.0)))
    );
    assert_eq!(
        parse_cell(num, &Cell::Text("72".into())),
        Ok(Some(AnswerValue::Number(72.0)))
    );
    assert!(parse_cell(num, &Cell::Text("lots".into())).is_err());
    assert!(parse_cell(num, &Cell::Number(-1.0)).is_err());
    let date = q.question("CI1").expect("CI1");
    let d = chrono::NaiveDate::from_ymd_opt(2021, 3, 12).expect("date");
    for c in [
        Cell::Number(44267.0),
        Cell::Date(d.and_hms_opt(0, 0, 0).expect("dt")),
        Cell::Text("2021-03-12".into()),
        Cell::Text("12.03.2021".into()),
        Cell::Text("12 Mar 2021".into()),
        Cell::Text(
            "03/13/2021"
                .replace("13", "12")
                .replace("03/12", "12/03")
                .replace("12/03/2021", "13/03/2021"),
        ),
    ] {
        let got = parse_cell(date, &c);
        if c == Cell::Text("13/03/2021".into()) {
            assert_eq!(
                got,
                Ok(Some(AnswerValue::Date(d.succ_opt().expect("d")))),
                "{c:?}"
            );
        } else {
            assert_eq!(got, Ok(Some(AnswerValue::Date(d))), "{c:?}");
        }
    }
    assert!(
        parse_cell(date, &Cell::Text("03/04/2021".into())).is_err(),
        "ambiguous date"
    );
    let choice = q.question("DM1").expect("DM1");
    assert_eq!(
        parse_cell(choice, &Cell::Text("employer".into())),
        Ok(Some(AnswerValue::Choice("Employer".into())))
    );
    assert!(parse_cell(choice, &Cell::Text("My uncle".into())).is_err());
    let st3 = q.question("ST3").expect("ST3");
    assert_eq!(
        parse_cell(st3, &Cell::Text("N".into())),
        Ok(Some(AnswerValue::Choice("No".into())))
    );
}

#[test]
fn json_answers_checked() {
    let q = cat().for_sector(Sector::Hospitality);
    let ok: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
        r#"{"RF1": "No", "HR1": 48, "RF3": "10%", "HO4": true, "DM1": "The worker", "CI1": null}"#,
    )
    .expect("json");
    let answers = parse_json_answers(q, &ok).expect("valid");
    assert_eq!(answers.len(), 5);
    assert!(answers
        .iter()
        .any(|a| a.question_id == "HO4" && a.value == AnswerValue::Yes));
    let bad: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(r#"{"RF1": "perhaps", "ZZ9": "Yes", "HR1": "many", "MF1": "Yes"}"#)
            .expect("json");
    let errs = parse_json_answers(q, &bad).expect_err("invalid");
    assert_eq!(errs.len(), 4, "{errs:?}");
    assert!(errs
        .iter()
        .any(|e| e.code == "unknown_question" && e.column == "ZZ9"));
    assert!(
        errs.iter()
            .any(|e| e.code == "unknown_question" && e.column == "MF1"),
        "manufacturing item in hospitality"
    );
    assert!(errs
        .iter()
        .any(|e| e.code == "invalid_answer" && e.message.contains("RF1")));
    assert!(errs
        .iter()
        .any(|e| e.code == "invalid_answer" && e.message.contains("HR1")));
}

fn supplier() -> TemplateSupplier {
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

fn answers_map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Clean answers for every question of a questionnaire.
fn clean_answers(q: &SectorQuestionnaire) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for (_, x) in q.questions() {
        let v = match x.answer_type {
            AnswerType::YesNo => {
                // The good answer is the one no indicator is triggered by.
                let risky_yes = x
                    .indicators
                    .iter()
                    .any(|i| matches(&i.when, &AnswerValue::Yes, None));
                if risky_yes { "No" } else { "Yes" }.to_string()
            }
            AnswerType::Choice => x
                .choices
                .iter()
                .flatten()
                .find(|c| {
                    !x.indicators
                        .iter()
                        .any(|i| matches(&i.when, &AnswerValue::Choice((*c).clone()), None))
                })
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

fn upload() -> AnswerSource {
    AnswerSource::Upload {
        upload_id: "up-1".into(),
        filename: "acme.xlsx".into(),
    }
}

#[test]
fn every_sector_template_has_the_contract_layout() {
    for s in Sector::ALL {
        let q = cat().for_sector(*s);
        let bytes = write_template(q, Some(&supplier())).expect("xlsx");
        let wb = xlsx_to_workbook(&bytes);
        let names: Vec<&str> = wb.sheets.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["Instructions", "Supplier", "Questionnaire", "_manumit"]
        );
        let meta = wb.sheet("_manumit").expect("meta");
        assert!(meta.hidden);
        assert!(!wb.sheet("Questionnaire").expect("q").hidden);
        let kv: Vec<(String, String)> = meta
            .rows
            .iter()
            .map(|r| {
                (
                    r.cells[0].display(),
                    r.cells.get(1).map(Cell::display).unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(kv[0], ("questionnaire_id".into(), q.id.clone()));
        assert_eq!(kv[1], ("version".into(), "1.0.0".into()));
        assert_eq!(kv[2], ("sector".into(), s.as_str().into()));
        assert_eq!(kv[3], ("supplier_id".into(), "sup-42".into()));
        let qs = wb.sheet("Questionnaire").expect("q");
        let header: Vec<String> = qs.rows[0].cells.iter().map(Cell::display).collect();
        assert_eq!(header, QUESTIONNAIRE_HEADER);
        assert_eq!(qs.rows.len(), q.question_count() + 1);
        let ids: Vec<String> = qs.rows[1..].iter().map(|r| r.cells[0].display()).collect();
        let want: Vec<String> = q.questions().map(|(_, x)| x.id.clone()).collect();
        assert_eq!(ids, want);
        assert_eq!(
            qs.rows[1].cells[2].display(),
            q.question("RF1").expect("RF1").text
        );
        let sup = wb.sheet("Supplier").expect("supplier");
        assert_eq!(sup.rows[0].cells[0].display(), "Field");
        assert_eq!(sup.rows[0].cells[1].display(), "Value");
        let legal = sup
            .rows
            .iter()
            .find(|r| r.cells[0].display() == "legal_name")
            .expect("legal_name");
        assert_eq!(
            legal.cells[1],
            Cell::Text("=HYPERLINK(\"http://evil\")".into()),
            "written as text"
        );
        assert_eq!(sup.rows.len(), SUPPLIER_FIELDS.len() + 1);
        // Validations, input messages, protection and quote prefix, in the XML.
        let sheet3 = zip_entry(&bytes, "xl/worksheets/sheet3.xml");
        assert!(
            sheet3.matches("<dataValidation ").count() >= q.question_count(),
            "one validation per answer"
        );
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

fn filled(q: &SectorQuestionnaire, answers: &BTreeMap<String, String>) -> Workbook {
    xlsx_to_workbook(&write_template_prefilled(q, Some(&supplier()), answers).expect("xlsx"))
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
        assert!(f
            .supplier_fields
            .iter()
            .any(|(k, v, row)| k == "external_ref" && v.display() == "V-001" && *row == 2));
        let ev = evaluate(f.questionnaire, &f.answers, &upload());
        let men = ev
            .findings
            .iter()
            .find(|x| x.dimension == Dimension::MenaceOfPenalty)
            .expect("MEN finding");
        assert_eq!(men.indicator, "retention_of_identity_documents");
        assert_eq!(men.severity, Severity::High);
        assert_eq!(men.points, 30.0);
        let e = &men.evidence[0];
        assert_eq!(e.source, EvidenceSource::Upload);
        assert_eq!(e.question_id.as_deref(), Some("DM1"));
        assert_eq!(e.value, "Employer");
        assert_eq!(e.column.as_deref(), Some("Answer"));
        assert_eq!(e.filename.as_deref(), Some("acme.xlsx"));
        let dm1 = f
            .answers
            .iter()
            .find(|x| x.question_id == "DM1")
            .expect("DM1");
        assert_eq!(e.row, dm1.row);
        assert!(dm1.cell.as_deref().is_some_and(|c| c.starts_with('D')));
        assert!(men.explanation.contains("indicator of risk"));
        let inv = ev
            .findings
            .iter()
            .find(|x| x.dimension == Dimension::Involuntariness)
            .expect("INV finding");
        assert_eq!(inv.indicator, "deception");
        assert_eq!(inv.evidence[0].value, "40%");
        assert_eq!(
            ev.findings
                .iter()
                .filter(|x| matches!(
                    x.dimension,
                    Dimension::Involuntariness | Dimension::MenaceOfPenalty
                ))
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
            .filter(|x| {
                matches!(
                    x.dimension,
                    Dimension::Involuntariness | Dimension::MenaceOfPenalty
                )
            })
            .map(|x| &x.title)
            .collect();
        assert!(bad.is_empty(), "{s}: {bad:?}");
        assert!(ev
            .findings
            .iter()
            .all(|x| x.dimension != Dimension::Control));
        let controls = q.questions().filter(|(_, x)| x.is_control()).count();
        assert_eq!(ev.controls_in_place.len(), controls);
        assert_eq!(ev.core_answered, ev.core_total);
        assert!(ev.core_total >= 40);
    }
}

#[test]
fn unanswered_and_unknown_core_items_are_reported() {
    let q = cat().for_sector(Sector::Construction);
    let f = read_filled(&filled(
        q,
        &answers_map(&[("DM1", "Employer"), ("RF1", "Unknown"), ("VG1", "No")]),
    ))
    .expect("reads");
    let ev = evaluate(f.questionnaire, &f.answers, &upload());
    assert_eq!(ev.core_answered, 2);
    assert_eq!(ev.unanswered_core.len() as u32, ev.core_total - 2);
    let rf1 = ev
        .unanswered_core
        .iter()
        .find(|u| u.0 == "RF1")
        .expect("RF1 unanswered");
    assert_eq!(rf1.2, vec!["debt_bondage".to_string()]);
    assert!(ev
        .findings
        .iter()
        .any(|x| x.indicator == "no_grievance_channel" && x.dimension == Dimension::Control));
    assert!(ev.controls_in_place.is_empty());
    assert!(
        !ev.unanswered_core.iter().any(|u| u.0 == "HS3"),
        "optional items are not core"
    );
}

#[test]
fn resorted_and_inserted_rows_map_by_question_id() {
    let q = cat().for_sector(Sector::Manufacturing);
    let mut a = clean_answers(q);
    a.insert("DM1".into(), "Labour agent".into());
    let mut wb = filled(q, &a);
    let sheet = wb
        .sheets
        .iter_mut()
        .find(|s| s.name == "Questionnaire")
        .expect("q");
    // Reverse the question rows, insert a title row above the header and a note row inside.
    let mut rows = sheet.rows.split_off(1);
    rows.reverse();
    let header = sheet.rows.remove(0);
    let mut new = vec![crate::domain::SheetRow {
        row: 1,
        cells: vec![Cell::Text("Our answers".into())],
    }];
    let mut hdr = header;
    hdr.row = 3;
    new.push(hdr);
    for (i, mut r) in rows.into_iter().enumerate() {
        r.row = 4 + i as u32;
        new.push(r);
    }
    new.push(crate::domain::SheetRow {
        row: 200,
        cells: vec![
            Cell::Empty,
            Cell::Empty,
            Cell::Text("note".into()),
            Cell::Empty,
            Cell::Text("fyi".into()),
        ],
    });
    sheet.rows = new;
    let f = read_filled(&wb).expect("reads");
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.answers.len(), q.question_count());
    let dm1 = f
        .answers
        .iter()
        .find(|x| x.question_id == "DM1")
        .expect("DM1");
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
    let sheet = wb
        .sheets
        .iter_mut()
        .find(|s| s.name == "Questionnaire")
        .expect("q");
    sheet.rows.push(crate::domain::SheetRow {
        row: 999,
        cells: vec![
            Cell::Text("ZZ1".into()),
            Cell::Empty,
            Cell::Empty,
            Cell::Text("Yes".into()),
        ],
    });
    let f = read_filled(&wb).expect("reads");
    assert_eq!(f.errors.len(), 3, "{:?}", f.errors);
    let hr1_row = q.questions().position(|(_, x)| x.id == "HR1").expect("pos") as u32 + 2;
    let e = f
        .errors
        .iter()
        .find(|e| e.question_id.as_deref() == Some("HR1"))
        .expect("HR1 error");
    assert_eq!(e.code, "invalid_answer");
    assert_eq!(e.row, Some(hr1_row));
    assert_eq!(e.column, "Answer");
    assert_eq!(e.value, "sixty");
    assert_eq!(e.cell, Some(format!("D{hr1_row}")));
    assert!(
        e.message.contains("HR1") && e.message.contains(&format!("D{hr1_row}")),
        "{}",
        e.message
    );
    assert!(f
        .errors
        .iter()
        .any(|e| e.question_id.as_deref() == Some("DM1") && e.message.contains("expected one of")));
    assert!(f
        .errors
        .iter()
        .any(|e| e.code == "unknown_question" && e.cell.as_deref() == Some("D999")));
    assert!(!f.answers.iter().any(|x| x.question_id == "HR1"));
}

#[test]
fn unknown_version_and_non_templates_are_errors() {
    let q = cat().for_sector(Sector::Agriculture);
    let mut wb = filled(q, &BTreeMap::new());
    let meta = wb
        .sheets
        .iter_mut()
        .find(|s| s.name == "_manumit")
        .expect("meta");
    meta.rows[1].cells[1] = Cell::Text("9.9.9".into());
    assert!(is_template(&wb));
    let e = read_filled(&wb).expect_err("unknown version");
    assert_eq!(e.code(), "unknown_questionnaire_version");
    wb.sheets.retain(|s| s.name != "_manumit");
    assert!(!is_template(&wb));
    assert_eq!(
        read_filled(&wb).expect_err("no meta"),
        TemplateError::NotATemplate
    );
}

#[test]
fn within_days_needs_today() {
    let q = cat().for_sector(Sector::Agriculture);
    let a = parse_json_answers(
        q,
        &serde_json::from_str(r#"{"CI1": "2026-01-10"}"#).expect("json"),
    )
    .expect("ok");
    assert!(evaluate(q, &a, &AnswerSource::Response).findings.is_empty());
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29);
    let ev = evaluate_as_of(q, &a, &AnswerSource::Response, today);
    assert_eq!(ev.findings.len(), 1);
    assert_eq!(ev.findings[0].indicator, "recent_incorporation");
    assert_eq!(ev.findings[0].evidence[0].source, EvidenceSource::Response);
    let later = chrono::NaiveDate::from_ymd_opt(2029, 1, 1);
    assert!(evaluate_as_of(q, &a, &AnswerSource::Response, later)
        .findings
        .is_empty());
}

/// The answers of the LibreOffice fixture (manufacturing, filled, then re-saved by soffice).
fn fixture_answers(q: &SectorQuestionnaire) -> BTreeMap<String, String> {
    let mut a = clean_answers(q);
    a.insert("DM1".into(), "Employer".into());
    a.insert("RF6".into(), "40".into());
    a.insert("HR1".into(), "72".into());
    a.insert("CI1".into(), "2021-03-12".into());
    a.insert("RF1".into(), "Unknown".into());
    a
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
    let row = |id: &str| {
        sheet
            .rows
            .iter()
            .find(|r| r.cells[0].display() == id)
            .expect("row")
    };
    assert_eq!(row("HR1").cells[3], Cell::Number(72.0));
    assert!(matches!(row("CI1").cells[3], Cell::Date(_)));
    assert_eq!(row("DM1").cells[3], Cell::Text("Employer".into()));
}

#[test]
fn libreoffice_resaved_template_is_read() {
    let bytes =
        include_bytes!("../../tests/fixtures/questionnaire/manufacturing-filled-libreoffice.xlsx");
    let wb = xlsx_to_workbook(bytes);
    assert!(is_template(&wb));
    assert!(
        wb.sheet("_manumit").expect("meta").hidden,
        "LibreOffice keeps the sheet hidden"
    );
    let f = read_filled(&wb).expect("reads");
    let q = f.questionnaire;
    assert_eq!(q.sector, Sector::Manufacturing);
    assert_eq!(f.meta.supplier_id.as_deref(), Some("sup-42"));
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    assert_eq!(f.answers.len(), q.question_count());
    let get = |id: &str| {
        f.answers
            .iter()
            .find(|a| a.question_id == id)
            .map(|a| a.value.clone())
    };
    assert_eq!(get("HR1"), Some(AnswerValue::Number(72.0)));
    assert_eq!(
        get("CI1"),
        chrono::NaiveDate::from_ymd_opt(2021, 3, 12).map(AnswerValue::Date)
    );
    assert_eq!(get("RF6"), Some(AnswerValue::Percent(40.0)));
    assert_eq!(get("RF1"), Some(AnswerValue::Unknown));
    let legal = f
        .supplier_fields
        .iter()
        .find(|(k, _, _)| k == "legal_name")
        .expect("legal_name");
    assert_eq!(legal.1, Cell::Text("=HYPERLINK(\"http://evil\")".into()));
    let ev = evaluate(q, &f.answers, &upload());
    assert!(ev
        .findings
        .iter()
        .any(|x| x.indicator == "retention_of_identity_documents" && x.severity == Severity::High));
    assert!(ev
        .findings
        .iter()
        .any(|x| x.indicator == "deception" && x.dimension == Dimension::Involuntariness));
    assert!(ev
        .findings
        .iter()
        .any(|x| x.indicator == "excessive_overtime"));
    assert!(ev.unanswered_core.iter().any(|u| u.0 == "RF1"));
    assert_eq!(ev.core_answered + 1, ev.core_total);
    // The XML LibreOffice wrote still carries the drop-downs and the protection.
    let sheet3 = zip_entry(bytes, "xl/worksheets/sheet3.xml");
    assert!(sheet3.contains("<dataValidation"));
    assert!(sheet3.contains("<sheetProtection"));
}

#[test]
fn older_versions_stay_readable_and_newest_is_current() {
    let sectors: Vec<(String, String)> = Sector::ALL
        .iter()
        .map(|s| (format!("{s}.toml"), sector_file(s.as_str())))
        .collect();
    let newer = sector_file("agriculture")
        .replace(
            "version = \"1.0.0\"\nsector",
            "version = \"1.10.0\"\nsector",
        )
        .replace("gt = 60", "gt = 48");
    let mut files: Vec<(&str, &str)> = vec![("core.toml", CORE_OK), ("agri-1.10.toml", &newer)];
    files.extend(sectors.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    let c = Catalogue::from_sources(&files).expect("ok");
    assert_eq!(
        c.for_sector(Sector::Agriculture).version,
        "1.10.0",
        "1.10 > 1.9 > 1.0"
    );
    let old = c.by_id_version("agriculture-q", "1.0.0").expect("old kept");
    assert_eq!(
        old.question("BB1").expect("BB1").indicators[0].when,
        When::Range {
            gt: Some(60.0),
            gte: None,
            lt: None,
            lte: None
        }
    );
    assert_eq!(
        c.list()
            .iter()
            .filter(|l| l.sector == Sector::Agriculture)
            .count(),
        1
    );
    // The same id and version twice is an error.
    let mut dup = files.clone();
    dup.push(("again.toml", &newer));
    assert!(Catalogue::from_sources(&dup)
        .expect_err("dup")
        .reason
        .contains("defined twice"));
}

proptest::proptest! {
    #[test]
    fn parsing_any_text_never_panics(s in ".{0,40}", n in proptest::num::f64::ANY) {
        let q = cat().for_sector(Sector::Hospitality);
        for (_, question) in q.questions() {
            let _ = parse_cell(question, &Cell::Text(s.clone()));
            let _ = parse_cell(question, &Cell::Number(n));
            let _ = parse_json(question, &serde_json::json!(s));
            if let Ok(Some(v)) = parse_cell(question, &Cell::Text(s.clone())) {
                for rule in &question.indicators {
                    let _ = matches(&rule.when, &v, chrono::NaiveDate::from_ymd_opt(2026, 1, 1));
                }
            }
        }
    }
}
