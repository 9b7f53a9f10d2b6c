//! The methodology-2 scenario table over HTTP: every scenario's list row uploaded as one CSV,
//! its questionnaire answers posted as JSON, and the risk read back — the conclusion must be the
//! one the table states, on SQLite and on PostgreSQL.

use crate::helpers::*;
use crate::uploads::upload;
use manumit::domain::Sector;
use manumit::scoring::scenarios::{answers, list_csv, table};
use serde_json::{json, Value};
use std::collections::HashMap;

#[test]
fn scenario_table_conclusions_hold_over_http() {
    let app = TestApp::spawn();
    let key = app.admin_key.clone();
    let t = table();
    let r = upload(&app, &key, "scenarios.csv", list_csv(&t).as_bytes(), &[]);
    assert_eq!(r.status, 201, "{}", r.text());
    let listed = app.get("/api/v1/suppliers?per_page=500", &key).json();
    let by_ref: HashMap<String, Value> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|s| (s["external_ref"].as_str().unwrap_or_default().to_string(), s.clone()))
        .collect();
    let cat = manumit::questionnaire::catalogue().expect("questionnaires");
    let mut failed = Vec::new();
    for s in &t.scenario {
        let Some(sup) = by_ref.get(&s.id) else {
            failed.push(format!("{}: not accepted by the upload", s.id));
            continue;
        };
        let id = sup["id"].as_str().expect("id");
        if s.questionnaire != "none" {
            let sector = sup["sector"].as_str().and_then(Sector::from_id).expect("sector");
            let q = cat.for_sector(sector);
            let given: serde_json::Map<String, Value> = answers(s, q)
                .into_iter()
                .map(|(k, v)| (k, v.parse::<f64>().map(Value::from).unwrap_or(Value::String(v))))
                .collect();
            let body = json!({"questionnaire_id": q.id, "version": q.version, "answers": given});
            let r = app.post(&format!("/api/v1/suppliers/{id}/responses"), &key, &body);
            assert_eq!(r.status, 201, "{}: {}", s.id, r.text());
        }
        let risk = app.get(&format!("/api/v1/suppliers/{id}/risk"), &key).json();
        let e = &s.expect;
        let got = (risk["tier"].as_str(), risk["basis"].as_str(), risk["forced_labour_likely"].as_bool());
        if got != (Some(e.tier.as_str()), Some(e.basis.as_str()), Some(e.forced_labour_likely)) {
            failed.push(format!(
                "{} {}: got {got:?}, expected {} / {} / {}",
                s.id, s.name, e.tier, e.basis, e.forced_labour_likely
            ));
        }
        if risk["methodology_version"] != manumit::scoring::METHODOLOGY_VERSION {
            failed.push(format!("{}: methodology {}", s.id, risk["methodology_version"]));
        }
    }
    assert!(failed.is_empty(), "{} scenarios differ over HTTP:\n{}", failed.len(), failed.join("\n"));
}
