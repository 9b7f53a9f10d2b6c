//! Questionnaires over HTTP: definitions, the template, filled templates (ours and one re-saved
//! by LibreOffice) and JSON answers, scored by the ILO test.

use crate::helpers::*;
use crate::uploads::upload;
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Does `answer` meet a definition's `when`?
fn meets(when: &Value, answer: &str) -> bool {
    let num = answer.parse::<f64>().ok();
    match when {
        Value::String(s) => s.eq_ignore_ascii_case(answer),
        Value::Object(o) => o.iter().all(|(k, v)| match (k.as_str(), num, v.as_f64()) {
            ("in", _, _) => v.as_array().is_some_and(|a| a.iter().any(|x| x.as_str() == Some(answer))),
            ("gt", Some(n), Some(t)) => n > t,
            ("gte", Some(n), Some(t)) => n >= t,
            ("lt", Some(n), Some(t)) => n < t,
            ("lte", Some(n), Some(t)) => n <= t,
            ("within_days", _, _) => false,
            _ => false,
        }),
        _ => false,
    }
}

/// An answer to every question that meets none of its indicators: a supplier with good practices.
pub fn clean_answers(def: &Value) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for s in def["sections"].as_array().unwrap() {
        for q in s["questions"].as_array().unwrap() {
            let whens: Vec<&Value> = q["indicators"].as_array().unwrap().iter().map(|i| &i["when"]).collect();
            let candidates: Vec<String> = match q["answer_type"].as_str().unwrap() {
                "yes_no" => vec!["No".into(), "Yes".into()],
                "choice" => q["choices"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect(),
                "number" | "percent" => ["0", "1", "10", "40", "100"].iter().map(|s| s.to_string()).collect(),
                "date" => vec!["2001-05-01".into()],
                _ => vec!["n/a".into()],
            };
            let pick = candidates.iter().find(|c| !whens.iter().any(|w| meets(w, c))).unwrap_or(&candidates[0]);
            out.insert(q["id"].as_str().unwrap().to_string(), pick.clone());
        }
    }
    out
}

fn supplier(app: &TestApp, name: &str, sector: &str) -> String {
    let r = app.req(
        "PUT",
        &format!("/api/v1/suppliers/by-ref/{name}"),
        Some(&app.admin_key),
        Some(&json!({"legal_name": name, "country": "DE", "sector": sector, "employee_count": 50})),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_str().unwrap().to_string()
}

#[test]
fn definitions_are_served_per_sector() {
    let app = TestApp::spawn();
    let list = app.get("/api/v1/questionnaires", &app.admin_key).json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    for q in list {
        for f in ["sector", "id", "version", "title", "question_count"] {
            assert!(!q[f].is_null(), "{f}: {q}");
        }
        assert!(q["question_count"].as_u64().unwrap() >= 44);
    }
    let d = app.get("/api/v1/questionnaires/hospitality", &app.admin_key).json();
    assert_eq!(d["sector"], "hospitality");
    let qs: Vec<&Value> =
        d["sections"].as_array().unwrap().iter().flat_map(|s| s["questions"].as_array().unwrap()).collect();
    assert!(qs.len() >= 44);
    let dm1 = qs.iter().find(|q| q["id"] == "DM1").unwrap();
    assert_eq!(dm1["answer_type"], "choice");
    assert_eq!(dm1["indicators"][0]["indicator"], "retention_of_identity_documents");
    assert_eq!(dm1["indicators"][0]["dimension"], "menace_of_penalty");
    assert_eq!(dm1["indicators"][0]["severity"], "high");
    app.get("/api/v1/questionnaires/mining", &app.admin_key).assert_problem(404, "not_found");
}

#[test]
fn template_prefilled_then_filled_and_uploaded_is_scored() {
    let app = TestApp::spawn();
    let sid = supplier(&app, "Acme Garments", "manufacturing");
    let r = app.get(&format!("/api/v1/questionnaires/manufacturing/template.xlsx?supplier_id={sid}"), &app.admin_key);
    assert_eq!(r.status, 200);
    let mut x: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(r.body.clone())).unwrap();
    assert_eq!(x.sheet_names(), vec!["Instructions", "Supplier", "Questionnaire", "_manumit"]);
    let q = x.worksheet_range("Questionnaire").unwrap();
    let header: Vec<String> = q.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(header, vec!["Question ID", "Section", "Question", "Answer", "Evidence / comment"]);
    let meta = x.worksheet_range("_manumit").unwrap();
    let meta: Vec<Vec<String>> = meta.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert!(meta.iter().any(|r| r.contains(&"supplier_id".to_string()) && r.contains(&sid)), "{meta:?}");
    let sup = x.worksheet_range("Supplier").unwrap();
    assert!(sup.rows().any(|r| r.first() == Some(&Data::String("legal_name".into()))
        && r.get(1) == Some(&Data::String("Acme Garments".into()))));
    // Other organisations cannot pre-fill our supplier.
    let other = app.other_org_admin("globex");
    app.get(&format!("/api/v1/questionnaires/manufacturing/template.xlsx?supplier_id={sid}"), &other)
        .assert_problem(404, "not_found");

    // The supplier fills it in: passports held by the employer, and contract substitution.
    let def = app.get("/api/v1/questionnaires/manufacturing", &app.admin_key).json();
    let mut answers = clean_answers(&def);
    answers.insert("DM1".into(), "Employer".into());
    answers.insert("RF6".into(), "30".into());
    let cat = manumit::questionnaire::catalogue().unwrap();
    let qdef = cat.by_id_version(def["id"].as_str().unwrap(), def["version"].as_str().unwrap()).unwrap();
    let fields =
        serde_json::from_value(app.get(&format!("/api/v1/suppliers/{sid}"), &app.admin_key).json()["fields"].clone())
            .unwrap();
    let ts = manumit::questionnaire::TemplateSupplier { id: sid.clone(), fields };
    let filled = manumit::questionnaire::write_template_prefilled(qdef, Some(&ts), &answers).unwrap();
    let r = upload(&app, &app.admin_key, "acme-answers.xlsx", &filled, &[]);
    assert_eq!(r.status, 201, "{}", r.text());
    let rep = r.json();
    assert_eq!(rep["kind"], "questionnaire");
    assert_eq!(rep["rows_rejected"], 0, "{}", rep["errors"]);
    assert_eq!(rep["supplier_ids"][0], sid.as_str());
    let aid = rep["assessment_ids"][0].as_str().unwrap();
    let a = app.get(&format!("/api/v1/assessments/{aid}"), &app.admin_key).json();
    assert_eq!(a["tier"], "critical", "{a}");
    assert_eq!(a["forced_labour_likely"], true);
    let f = a["findings"].as_array().unwrap();
    let dm1 = f.iter().find(|x| x["indicator"] == "retention_of_identity_documents").expect("passport finding");
    assert_eq!(dm1["dimension"], "menace_of_penalty");
    let ev = &dm1["evidence"].as_array().unwrap().iter().find(|e| e["question_id"] == "DM1").unwrap().clone();
    assert_eq!(ev["source"], "upload");
    assert_eq!(ev["value"], "Employer");
    assert!(ev["row"].as_u64().unwrap() > 1);
    assert!(f.iter().any(|x| x["indicator"] == "deception" && x["dimension"] == "involuntariness"));
    assert_eq!(app.get(&format!("/api/v1/suppliers/{sid}/risk"), &app.admin_key).json()["assessment_id"], aid);

    // Clean answers from another supplier: not critical, no ILO test met.
    let sid2 = supplier(&app, "Good Works", "manufacturing");
    let ts2 = manumit::questionnaire::TemplateSupplier {
        id: sid2.clone(),
        fields: serde_json::from_value(
            app.get(&format!("/api/v1/suppliers/{sid2}"), &app.admin_key).json()["fields"].clone(),
        )
        .unwrap(),
    };
    let clean = manumit::questionnaire::write_template_prefilled(qdef, Some(&ts2), &clean_answers(&def)).unwrap();
    let rep = upload(&app, &app.admin_key, "good.xlsx", &clean, &[]).json();
    let a =
        app.get(&format!("/api/v1/assessments/{}", rep["assessment_ids"][0].as_str().unwrap()), &app.admin_key).json();
    assert_eq!(a["forced_labour_likely"], false, "{a}");
    assert_ne!(a["tier"], "critical");
    assert!(a["completeness"].as_f64().unwrap() > 0.8, "{}", a["completeness"]);
}

#[test]
fn libreoffice_resaved_template_is_read() {
    let app = TestApp::spawn();
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/questionnaire/manufacturing-filled-libreoffice.xlsx",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    // Its Supplier sheet names no country: refused whole, naming the sheet.
    let r = upload(&app, &app.admin_key, "lo.xlsx", &bytes, &[]);
    let j = r.assert_problem(422, "unknown_supplier");
    assert!(j["errors"].to_string().contains("country"), "{j}");
    assert_eq!(app.get("/api/v1/uploads", &app.admin_key).json()["total"], 0);
    // Naming the supplier in the form attaches the answers to it.
    let sid = supplier(&app, "Acme Components", "manufacturing");
    let r = upload(&app, &app.admin_key, "lo.xlsx", &bytes, &[("supplier_id", &sid)]);
    assert_eq!(r.status, 201, "{}", r.text());
    let rep = r.json();
    assert_eq!(rep["kind"], "questionnaire");
    assert_eq!(rep["rows_rejected"], 0, "{}", rep["errors"]);
    assert!(rep["rows_accepted"].as_u64().unwrap() > 20);
    assert_eq!(rep["supplier_ids"][0], sid.as_str());
    assert_eq!(rep["assessment_ids"].as_array().unwrap().len(), 1);
    // Another organisation's supplier id is not found.
    let other = app.other_org_admin("globex");
    upload(&app, &other, "lo.xlsx", &bytes, &[("supplier_id", &sid)]).assert_problem(404, "not_found");
}

#[test]
fn json_answers_are_validated_and_scored_idempotently() {
    let app = TestApp::spawn();
    let sid = supplier(&app, "Farm One", "agriculture");
    let def = app.get("/api/v1/questionnaires/agriculture", &app.admin_key).json();
    let mut answers: serde_json::Map<String, Value> = clean_answers(&def)
        .into_iter()
        .map(|(k, v)| (k, v.parse::<f64>().map(Value::from).unwrap_or(Value::String(v))))
        .collect();
    answers.insert("DM1".into(), json!("Labour agent"));
    answers.insert("RF6".into(), json!(25));
    let body = json!({"questionnaire_id": def["id"], "version": def["version"], "answers": answers});
    let path = format!("/api/v1/suppliers/{sid}/responses");
    let auth = format!("Bearer {}", app.admin_key);
    let headers = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
        ("Idempotency-Key", "answers-retry-0001"),
    ];
    let r = app.send("POST", &path, &headers, body.to_string().as_bytes());
    assert_eq!(r.status, 201, "{}", r.text());
    let a = r.json();
    assert_eq!(a["tier"], "critical");
    assert_eq!(a["forced_labour_likely"], true);
    let ev = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["evidence"].as_array().unwrap().clone())
        .find(|e| e["question_id"] == "DM1")
        .unwrap();
    assert_eq!(ev["source"], "response");
    // A retry replays; it writes nothing new.
    let r2 = app.send("POST", &path, &headers, body.to_string().as_bytes());
    assert_eq!(r2.status, 201);
    assert_eq!(r2.header("idempotent-replayed"), Some("true"));
    assert_eq!(r2.json()["assessment_id"], a["assessment_id"]);
    assert_eq!(app.get(&format!("/api/v1/suppliers/{sid}/assessments"), &app.admin_key).json()["total"], 2);

    // Wrong types and unknown questions name the question.
    let bad = json!({"questionnaire_id": def["id"], "version": def["version"], "answers": {"DM1": "Sometimes", "ZZ9": "Yes", "HR1": "many"}});
    let j = app.post(&path, &app.admin_key, &bad).assert_problem(422, "invalid_answers");
    let fields: Vec<&str> = j["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for q in ["answers.DM1", "answers.ZZ9", "answers.HR1"] {
        assert!(fields.contains(&q), "{q} not named: {j}");
    }
    let unknown = json!({"questionnaire_id": def["id"], "version": "9.9.9", "answers": {}});
    app.post(&path, &app.admin_key, &unknown).assert_problem(422, "unknown_questionnaire");
    app.post("/api/v1/suppliers/nope/responses", &app.admin_key, &body).assert_problem(404, "not_found");
}

#[test]
fn template_filled_with_openpyxl_and_resorted_is_read_by_question_id() {
    let app = TestApp::spawn();
    let bytes = std::fs::read(format!(
        "{}/tests/fixtures/questionnaire/hospitality-filled-openpyxl.xlsx",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let r = upload(&app, &app.admin_key, "seaside.xlsx", &bytes, &[]);
    assert_eq!(r.status, 201, "{}", r.text());
    let rep = r.json();
    assert_eq!(rep["rows_rejected"], 0, "{}", rep["errors"]);
    assert_eq!(rep["suppliers_created"], 1);
    let sid = rep["supplier_ids"][0].as_str().unwrap();
    let s = app.get(&format!("/api/v1/suppliers/{sid}"), &app.admin_key).json();
    assert_eq!(s["legal_name"], "Seaside Grand Hotel");
    assert_eq!(s["country"], "TH");
    assert_eq!(s["external_ref"], "HOT-77");
    let a =
        app.get(&format!("/api/v1/assessments/{}", rep["assessment_ids"][0].as_str().unwrap()), &app.admin_key).json();
    assert_eq!(a["tier"], "critical", "{a}");
    let dm1 = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["evidence"].as_array().unwrap().clone())
        .find(|e| e["question_id"] == "DM1")
        .expect("DM1 evidence");
    assert_eq!(dm1["value"], "Employer");
    assert_eq!(dm1["filename"], "seaside.xlsx");
}
