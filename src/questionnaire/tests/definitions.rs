//! Tests of definitions: loading, validation errors, versions, JSON shape, answer parsing.

use super::*;
use crate::domain::{Cell, Sector};

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
    let sectors: Vec<(String, String)> =
        Sector::ALL.iter().map(|s| (format!("{s}.toml"), sector_file(s.as_str()))).collect();
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
        assert_eq!(q.version, "2.0.0");
        assert_eq!(q.core_version, "2.0.0");
        let core = q.questions().filter(|(s, _)| s.id != "sector_specific").count();
        let sector_items = q.question_count() - core;
        assert!(q.question_count() >= 44, "{s}: {}", q.question_count());
        assert!(sector_items >= 6, "{s}: {sector_items} sector items");
        assert!(core >= 40);
        assert!(list.iter().any(|l| l.sector == *s && l.question_count == q.question_count()));
    }
    let core_required = cat().for_sector(Sector::Agriculture).questions().filter(|(_, q)| q.required).count();
    assert!(core_required >= 40, "{core_required}");
}

#[test]
fn lookup_is_by_version() {
    let q = cat().for_sector(Sector::Construction);
    assert!(std::ptr::eq(cat().by_id_version(&q.id, "2.0.0").expect("found"), q));
    let old = cat().by_id_version(&q.id, "1.0.0").expect("1.0.0 archived, still readable");
    assert_eq!((old.version.as_str(), old.core_version.as_str()), ("1.0.0", "1.0.0"));
    // The archived version keeps its own rules: 1.0.0 read a per-task hotel contract, a remote
    // site, as what they were then.
    assert_eq!(old.question("CO7").expect("CO7").indicators[0].indicator, "isolation");
    assert_eq!(q.question("CO7").expect("CO7").indicators[0].indicator, "remote_site");
    assert!(old.question("WD11").is_none(), "WD11 is new in 2.0.0");
    assert!(cat().by_id_version(&q.id, "0.9.0").is_none());
    assert!(cat().by_id_version("nope", "1.0.0").is_none());
    assert_eq!(cat().all_versions().len(), 8);
    assert_eq!(cat().list().len(), 4, "only the current versions are listed");
}

#[test]
fn json_shape_matches_api() {
    let v = serde_json::to_value(cat().for_sector(Sector::Manufacturing)).expect("json");
    assert_eq!(v["sector"], "manufacturing");
    assert_eq!(v["id"], "manumit-manufacturing");
    assert_eq!(v["version"], "2.0.0");
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
    assert_eq!(ind["when"], serde_json::json!({"in": ["Employer", "Labour agent"]}));
    let rf2 = secs[0]["questions"][1].clone();
    assert_eq!(rf2["id"], "RF2");
    assert_eq!(rf2["indicators"][1]["when"], serde_json::json!({"gte": 1.0}));
    assert!(rf2["indicators"][1]["note"].as_str().is_some_and(|n| n.contains("Manumit's threshold")));
    assert!(dm1["indicators"][0].get("note").is_none(), "no note, no key");
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
        (CORE_OK.replace("\"involuntariness\"", "\"child_labour\""), Some("AA1"), "takes only child_labour_under_minimum_age"),
        (CORE_OK.replace("severity = \"high\"", "severity = \"high\", note = \" \""), Some("AA1"), "note is empty"),
    ];
    for (text, question, reason) in cases {
        let e = with_sectors(&text).expect_err(reason);
        assert_eq!(e.file, "core.toml", "{e}");
        assert_eq!(e.question.as_deref(), question, "{e}");
        assert!(e.reason.contains(reason), "{e} should say {reason}");
        assert!(e.to_string().starts_with("core.toml"));
    }
    // A choice `when` outside the choices.
    let choice = CORE_OK.replace("answer_type = \"yes_no\"", "answer_type = \"choice\"\nchoices = [\"A\", \"B\"]");
    let e = with_sectors(&choice).expect_err("when Yes not a choice");
    assert!(e.reason.contains("'Yes' is not one of A, B"), "{e}");
    // A sector file pointing at a missing core version.
    let files = [
        ("core.toml", CORE_OK),
        ("x.toml", &sector_file("agriculture").replace("core_version = \"1.0.0\"", "core_version = \"2.0.0\"")),
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
        assert_eq!(parse_cell(pct, &c), Ok(Some(AnswerValue::Percent(35.0))), "{c:?}");
    }
    assert!(parse_cell(pct, &Cell::Number(135.0)).is_err());
    // Percent-formatted cells are read on the scale they show: 35%, 100% (not 1 %), 150% refused.
    assert_eq!(parse_cell(pct, &Cell::Percent(0.35)), Ok(Some(AnswerValue::Percent(35.0))));
    assert_eq!(parse_cell(pct, &Cell::Percent(1.0)), Ok(Some(AnswerValue::Percent(100.0))));
    assert!(parse_cell(pct, &Cell::Percent(1.5)).is_err());
    assert!(parse_cell(q.question("HR1").expect("HR1"), &Cell::Percent(0.72)).is_err(), "hours as 72%");
    let num = q.question("HR1").expect("HR1");
    assert_eq!(parse_cell(num, &Cell::Text("1,200".into())), Ok(Some(AnswerValue::Number(1200.0))));
    assert_eq!(parse_cell(num, &Cell::Text("72".into())), Ok(Some(AnswerValue::Number(72.0))));
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
        Cell::Text("03/13/2021".replace("13", "12").replace("03/12", "12/03").replace("12/03/2021", "13/03/2021")),
    ] {
        let got = parse_cell(date, &c);
        if c == Cell::Text("13/03/2021".into()) {
            assert_eq!(got, Ok(Some(AnswerValue::Date(d.succ_opt().expect("d")))), "{c:?}");
        } else {
            assert_eq!(got, Ok(Some(AnswerValue::Date(d))), "{c:?}");
        }
    }
    assert!(parse_cell(date, &Cell::Text("03/04/2021".into())).is_err(), "ambiguous date");
    let choice = q.question("DM1").expect("DM1");
    assert_eq!(parse_cell(choice, &Cell::Text("employer".into())), Ok(Some(AnswerValue::Choice("Employer".into()))));
    assert!(parse_cell(choice, &Cell::Text("My uncle".into())).is_err());
    let st3 = q.question("ST3").expect("ST3");
    assert_eq!(parse_cell(st3, &Cell::Text("N".into())), Ok(Some(AnswerValue::Choice("No".into()))));
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
    assert!(answers.iter().any(|a| a.question_id == "HO4" && a.value == AnswerValue::Yes));
    let bad: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(r#"{"RF1": "perhaps", "ZZ9": "Yes", "HR1": "many", "MF1": "Yes"}"#).expect("json");
    let errs = parse_json_answers(q, &bad).expect_err("invalid");
    assert_eq!(errs.len(), 4, "{errs:?}");
    assert!(errs.iter().any(|e| e.code == "unknown_question" && e.column == "ZZ9"));
    assert!(
        errs.iter().any(|e| e.code == "unknown_question" && e.column == "MF1"),
        "manufacturing item in hospitality"
    );
    assert!(errs.iter().any(|e| e.code == "invalid_answer" && e.message.contains("RF1")));
    assert!(errs.iter().any(|e| e.code == "invalid_answer" && e.message.contains("HR1")));
}

#[test]
fn older_versions_stay_readable_and_newest_is_current() {
    let sectors: Vec<(String, String)> =
        Sector::ALL.iter().map(|s| (format!("{s}.toml"), sector_file(s.as_str()))).collect();
    let newer = sector_file("agriculture")
        .replace("version = \"1.0.0\"\nsector", "version = \"1.10.0\"\nsector")
        .replace("gt = 60", "gt = 48");
    let mut files: Vec<(&str, &str)> = vec![("core.toml", CORE_OK), ("agri-1.10.toml", &newer)];
    files.extend(sectors.iter().map(|(a, b)| (a.as_str(), b.as_str())));
    let c = Catalogue::from_sources(&files).expect("ok");
    assert_eq!(c.for_sector(Sector::Agriculture).version, "1.10.0", "1.10 > 1.9 > 1.0");
    let old = c.by_id_version("agriculture-q", "1.0.0").expect("old kept");
    assert_eq!(
        old.question("BB1").expect("BB1").indicators[0].when,
        When::Range { gt: Some(60.0), gte: None, lt: None, lte: None }
    );
    assert_eq!(c.list().iter().filter(|l| l.sector == Sector::Agriculture).count(), 1);
    // The same id and version twice is an error.
    let mut dup = files.clone();
    dup.push(("again.toml", &newer));
    assert!(Catalogue::from_sources(&dup).expect_err("dup").reason.contains("defined twice"));
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

#[test]
fn openapi_schema_has_the_contract_fields_only() {
    use utoipa::PartialSchema;
    let s = serde_json::to_value(SectorQuestionnaire::schema()).expect("json");
    let props = s["properties"].as_object().expect("properties");
    for k in ["sector", "id", "version", "title", "sections"] {
        assert!(props.contains_key(k), "{k}");
    }
    assert!(!props.contains_key("index"));
    let q = serde_json::to_value(Question::schema()).expect("json");
    assert!(q["properties"].as_object().is_some_and(|p| p.contains_key("indicators") && p.contains_key("choices")));
}
