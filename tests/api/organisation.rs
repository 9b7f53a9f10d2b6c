//! Organisation settings (GET/PATCH /organisation): defaults, admin-only changes, validation,
//! Idempotency-Key, audit, tenant isolation; the markets reaching the scoring and the workbook;
//! `manumit assess --org` re-assessing an organisation under the current methodology.

use crate::helpers::*;
use crate::uploads::{fixture, upload};
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use serde_json::{json, Value};
use std::process::Command;

fn patch(app: &TestApp, key: &str, body: &Value, idem: Option<&str>) -> Resp {
    let auth = format!("Bearer {key}");
    let mut h = vec![("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    if let Some(k) = idem {
        h.push(("Idempotency-Key", k));
    }
    app.send("PATCH", "/api/v1/organisation", &h, body.to_string().as_bytes())
}

fn settings(app: &TestApp, key: &str) -> Value {
    let r = app.get("/api/v1/organisation", key);
    assert_eq!(r.status, 200, "{}", r.text());
    r.json()
}

#[test]
fn settings_default_then_change_by_admin_only_validated_idempotent_and_audited() {
    let app = TestApp::spawn();
    let (procurement, auditor, integration) = (app.key("procurement"), app.key("auditor"), app.key("integration"));

    // Every role reads the defaults: all markets, threshold 10, A4.
    for key in [&app.admin_key, &procurement, &auditor, &integration] {
        let s = settings(&app, key);
        assert_eq!(s["name"], "default");
        assert_eq!(
            (&s["markets"], &s["common_value_threshold"], &s["paper_size"], &s["updated_at"]),
            (&json!([]), &json!(10), &json!("A4"), &Value::Null),
            "{s}"
        );
    }

    // Only an admin changes them.
    let change = json!({"markets": ["us", "EU", "DE", "US"], "common_value_threshold": 25, "paper_size": "Letter"});
    for key in [&procurement, &auditor, &integration] {
        patch(&app, key, &change, None).assert_problem(403, "forbidden");
    }
    assert_eq!(settings(&app, &auditor)["markets"], json!([]), "a refused change changed nothing");
    let r = patch(&app, &app.admin_key, &change, None);
    assert_eq!(r.status, 200, "{}", r.text());
    let s = r.json();
    assert_eq!(s["markets"], json!(["DE", "EU", "US"]), "upper case, sorted, once each");
    assert_eq!((&s["common_value_threshold"], &s["paper_size"]), (&json!(25), &json!("Letter")));
    chrono::DateTime::parse_from_rfc3339(s["updated_at"].as_str().expect("updated_at")).expect("RFC 3339");
    assert_eq!(settings(&app, &procurement), s, "what was stored is what every role reads");

    // Bad values: 422 naming the field and the value; nothing changes.
    let r = patch(&app, &app.admin_key, &json!({"markets": ["US", "XX"]}), None);
    let j = r.assert_problem(422, "validation_failed");
    assert_eq!((&j["errors"][0]["field"], &j["errors"][0]["value"]), (&json!("markets"), &json!("XX")), "{j}");
    let r = patch(&app, &app.admin_key, &json!({"common_value_threshold": 1, "paper_size": "A3"}), None);
    let j = r.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = j["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["common_value_threshold", "paper_size"], "{j}");
    assert_eq!(patch(&app, &app.admin_key, &json!({"common_value_threshold": 1001}), None).status, 422);
    patch(&app, &app.admin_key, &json!({"timezone": "UTC"}), None).assert_problem(422, "invalid_json");
    assert_eq!(settings(&app, &auditor), s);

    // A field left out stays; an empty list is every market again.
    let r = patch(&app, &app.admin_key, &json!({"markets": []}), None);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!((&r.json()["markets"], &r.json()["common_value_threshold"]), (&json!([]), &json!(25)));

    // Idempotency-Key: a retry replays, another body with the same key is refused.
    let first = patch(&app, &app.admin_key, &json!({"markets": ["GB"]}), Some("settings-retry-0001"));
    assert_eq!(first.status, 200, "{}", first.text());
    let again = patch(&app, &app.admin_key, &json!({"markets": ["GB"]}), Some("settings-retry-0001"));
    assert_eq!((again.status, again.header("Idempotent-Replayed")), (200, Some("true")));
    assert_eq!(again.json(), first.json());
    patch(&app, &app.admin_key, &json!({"markets": ["AU"]}), Some("settings-retry-0001"))
        .assert_problem(422, "idempotency_key_reused");
    assert_eq!(settings(&app, &auditor)["markets"], json!(["GB"]));

    // Each change is audited with what it was before and after; refused ones are not.
    let log = app.get("/api/v1/audit-log?per_page=100", &auditor).json();
    let changes: Vec<&Value> =
        log["items"].as_array().unwrap().iter().filter(|e| e["action"] == "organisation.update").collect();
    assert_eq!(changes.len(), 3, "{log}");
    let latest = changes[0];
    assert_eq!(latest["detail"]["before"]["markets"], json!([]));
    assert_eq!(latest["detail"]["after"]["markets"], json!(["GB"]));
    assert_eq!(changes[2]["detail"]["before"]["paper_size"], "A4");
    assert_eq!(changes[2]["detail"]["after"]["paper_size"], "Letter");
}

#[test]
fn one_organisation_never_sees_or_changes_anothers_settings() {
    let app = TestApp::spawn();
    let other = app.other_org_admin("Globex");
    let r = patch(&app, &other, &json!({"markets": ["CA"], "common_value_threshold": 3}), None);
    assert_eq!(r.status, 200, "{}", r.text());
    let theirs = settings(&app, &other);
    let ours = settings(&app, &app.admin_key);
    assert_eq!((theirs["name"].as_str(), theirs["markets"].clone()), (Some("Globex"), json!(["CA"])));
    assert_ne!(theirs["id"], ours["id"]);
    assert_eq!((&ours["markets"], &ours["common_value_threshold"]), (&json!([]), &json!(10)));
    let r = patch(&app, &app.admin_key, &json!({"paper_size": "Letter"}), None);
    assert_eq!(r.status, 200);
    assert_eq!(settings(&app, &other)["paper_size"], "A4");
    // Each organisation's audit log holds only its own change.
    let log = app.get("/api/v1/audit-log?per_page=100", &other).json();
    let changes: Vec<&Value> =
        log["items"].as_array().unwrap().iter().filter(|e| e["action"] == "organisation.update").collect();
    assert_eq!(changes.len(), 1, "{log}");
    assert_eq!(changes[0]["detail"]["after"]["markets"], json!(["CA"]));
}

/// Runs `manumit assess --org ORG` against the app's database.
fn assess_cli(app: &TestApp, org: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_manumit"))
        .args(["assess", "--org", org])
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "error")
        .output()
        .expect("run manumit assess")
}

fn regulatory_laws(xlsx: &[u8]) -> (Vec<String>, String) {
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(xlsx.to_vec())).expect("an xlsx");
    let r = wb.worksheet_range("Regulatory map").expect("sheet");
    let text = |row: u32, col: u32| match r.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        _ => String::new(),
    };
    let mut laws: Vec<String> =
        (1..r.height() as u32).take_while(|&i| !text(i, 0).is_empty()).map(|i| text(i, 1)).collect();
    laws.sort();
    laws.dedup();
    let line = (1..r.height() as u32).find(|&i| text(i, 0) == "Markets").map(|i| text(i, 1)).unwrap_or_default();
    (laws, line)
}

#[test]
fn rescoring_and_manumit_assess_use_the_current_methodology_and_the_markets() {
    let app = TestApp::spawn();
    let key = app.admin_key.clone();
    let r = upload(&app, &key, "suppliers.csv", &fixture("suppliers_messy_utf8.csv"), &[]);
    assert_eq!(r.status, 201, "{}", r.text());
    let suppliers = app.get("/api/v1/suppliers?per_page=500", &key).json();
    let total = suppliers["total"].as_u64().expect("total") as usize;
    assert!(total > 3, "{suppliers}");
    let sid = suppliers["items"][0]["id"].as_str().unwrap().to_string();

    // The API's rescore: new ids, scored under the current methodology.
    let r = app.post("/api/v1/assessments", &key, &json!({}));
    assert_eq!(r.status, 201, "{}", r.text());
    let ids = r.json()["assessment_ids"].as_array().unwrap().clone();
    assert_eq!(ids.len(), total);
    let a = app.get(&format!("/api/v1/assessments/{}", ids[0].as_str().unwrap()), &key).json();
    assert_eq!(a["methodology_version"], manumit::scoring::METHODOLOGY_VERSION);
    let before = app.get(&format!("/api/v1/suppliers/{sid}/risk"), &key).json()["assessment_id"].clone();
    // Methodology 2 assessments say their basis and child-labour score; version 1 ones omit both.
    let risk = app.get(&format!("/api/v1/suppliers/{sid}/risk"), &key).json();
    if manumit::scoring::METHODOLOGY_VERSION.starts_with("1.") {
        assert!(risk.get("basis").is_none() && risk.get("child_labour").is_none(), "{risk}");
        assert!(a["components"].get("child_labour").is_none(), "{a}");
    } else {
        assert!(risk["basis"] == "evidence" || risk["basis"] == "context", "{risk}");
        assert!(risk["child_labour"].is_number() && a["components"]["child_labour"]["score"].is_number(), "{a}");
        assert!(a["basis"] == "evidence" || a["basis"] == "context", "{a}");
    }

    // The markets are the organisation's: the scoring is handed them, the workbook shows them.
    assert_eq!(patch(&app, &key, &json!({"markets": ["GB"]}), None).status, 200);
    let org_id = settings(&app, &key)["id"].as_str().unwrap().to_string();
    {
        let store = manumit::store::Store::open(&app.database_url, 1).unwrap();
        let mut conn = store.conn().unwrap();
        let data = manumit::service::assess::load_org(&mut conn, &org_id).unwrap();
        assert_eq!(data.markets, ["GB"]);
    }
    let wb = app.get("/api/v1/reports/workbook.xlsx", &key);
    assert_eq!(wb.status, 200);
    assert_eq!(regulatory_laws(&wb.body), (vec!["UK Modern Slavery Act 2015".to_string()], "GB".to_string()));

    // `manumit assess --org NAME`: every supplier, once, counted per tier.
    let out = assess_cli(&app, "default");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let first = stdout.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!(
            "Assessed {total} suppliers of default ({org_id}) under methodology {}",
            manumit::scoring::METHODOLOGY_VERSION
        )
    );
    let tiers = stdout.lines().nth(1).and_then(|l| l.strip_prefix("Tiers: ")).expect("tier line");
    let counted: usize = tiers.split(", ").map(|t| t.rsplit(' ').next().unwrap().parse::<usize>().unwrap()).sum();
    assert_eq!(counted, total, "{stdout}");
    // The counts are the suppliers' tiers now.
    for tier in ["critical", "high", "medium", "low"] {
        let n = app.get(&format!("/api/v1/suppliers?tier={tier}&per_page=1"), &key).json()["total"].as_u64().unwrap();
        assert!(tiers.contains(&format!("{tier} {n}")), "{tier}: {n} vs {tiers}");
    }
    let risk = app.get(&format!("/api/v1/suppliers/{sid}/risk"), &key).json();
    assert_ne!(risk["assessment_id"], before, "a new assessment");
    assert_eq!(risk["methodology_version"], manumit::scoring::METHODOLOGY_VERSION);
    let log = app.get("/api/v1/audit-log?per_page=100", &key).json();
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "assessment.rescore" && e["actor"] == "cli" && e["detail"]["count"] == total),
        "{log}"
    );

    // By id too; another organisation's suppliers are not touched; an unknown one is an error.
    let other = app.other_org_admin("Globex");
    let out = assess_cli(&app, &org_id);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&format!("Assessed {total} suppliers")));
    let out = assess_cli(&app, "Globex");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("Assessed 0 suppliers of Globex"));
    assert_eq!(app.get("/api/v1/suppliers", &other).json()["total"], 0);
    let out = assess_cli(&app, "Initech");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no organisation with id or name `Initech`"));
}
