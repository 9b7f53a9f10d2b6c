//! Screening over HTTP: built-in entity lists, an organisation's own watchlist, and decisions
//! that are remembered by later assessments.

use crate::helpers::*;
use serde_json::{json, Value};

fn put(app: &TestApp, r: &str, body: Value) -> Value {
    let resp = app.req("PUT", &format!("/api/v1/suppliers/by-ref/{r}"), Some(&app.admin_key), Some(&body));
    assert!(resp.status == 201 || resp.status == 200, "{}", resp.text());
    resp.json()
}

#[test]
fn listed_entity_is_critical_until_a_person_decides() {
    let app = TestApp::spawn();
    let s = put(
        &app,
        "U1",
        json!({"legal_name": "HETIAN HAOLIN HAIR ACCESSORIES CO LTD", "country": "CN", "sector": "manufacturing"}),
    );
    assert_eq!(s["risk"]["tier"], "critical", "{}", s["risk"]);
    let id = s["id"].as_str().unwrap();
    let a = app
        .get(&format!("/api/v1/assessments/{}", s["risk"]["assessment_id"].as_str().unwrap()), &app.admin_key)
        .json();
    let m = a["screening_matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["list"].as_str().unwrap().contains("UFLPA"))
        .expect("UFLPA match")
        .clone();
    assert_eq!(m["status"], "needs_review");
    assert!(m["edition"].as_str().is_some_and(|e| !e.is_empty()));
    // A clean, unrelated name does not match.
    let clean =
        put(&app, "U2", json!({"legal_name": "Xinjiang Textile Trading", "country": "DE", "sector": "manufacturing"}));
    let ca = app
        .get(&format!("/api/v1/assessments/{}", clean["risk"]["assessment_id"].as_str().unwrap()), &app.admin_key)
        .json();
    assert!(
        ca["screening_matches"].as_array().unwrap().iter().all(|m| m["strength"] != "strong"),
        "{}",
        ca["screening_matches"]
    );

    // Every match gets a decision: false positive. Later assessments remember it.
    let matches = a["screening_matches"].as_array().unwrap().clone();
    let mut last = Value::Null;
    for m in &matches {
        let r = app.post(
            "/api/v1/screening-decisions",
            &app.admin_key,
            &json!({"supplier_id": id, "list": m["list"], "matched_entity": m["matched_entity"], "decision": "false_positive",
                    "reason": "Different company: registration numbers differ"}),
        );
        assert_eq!(r.status, 201, "{}", r.text());
        last = r.json();
    }
    let a2 =
        app.get(&format!("/api/v1/assessments/{}", last["assessment_id"].as_str().unwrap()), &app.admin_key).json();
    assert!(
        a2["screening_matches"].as_array().unwrap().iter().all(|m| m["status"] == "false_positive"),
        "{}",
        a2["screening_matches"]
    );
    assert_ne!(a2["components"]["screening"]["tier"], "critical");
    let r = app.post("/api/v1/assessments", &app.admin_key, &json!({"supplier_ids": [id]}));
    let a3 = app
        .get(&format!("/api/v1/assessments/{}", r.json()["assessment_ids"][0].as_str().unwrap()), &app.admin_key)
        .json();
    assert_eq!(a3["components"]["screening"]["tier"], a2["components"]["screening"]["tier"]);

    let bad = json!({"supplier_id": id, "list": "x", "matched_entity": "y", "decision": "maybe", "reason": "r"});
    let j = app.post("/api/v1/screening-decisions", &app.admin_key, &bad).assert_problem(422, "validation_failed");
    assert_eq!(j["errors"][0]["field"], "decision");
    let other = app.other_org_admin("globex");
    let d = json!({"supplier_id": id, "list": "x", "matched_entity": "y", "decision": "confirmed", "reason": "r"});
    app.post("/api/v1/screening-decisions", &other, &d).assert_problem(404, "not_found");
}

#[test]
fn own_watchlist_is_screened_with_its_edition() {
    let app = TestApp::spawn();
    let csv = "Entity name;Aliases;Country\nBlue Lagoon Seafood Processing Co Ltd;Blue Lagoon Fisheries;TH\n;;\nSomeone;;Narnia\n";
    let (ct, body) = multipart(&[
        ("file", Some("list.csv"), csv.as_bytes()),
        ("name", None, b"NGO alert list"),
        ("edition", None, b"2026-10"),
    ]);
    let auth = format!("Bearer {}", app.admin_key);
    let r = app.send("POST", "/api/v1/watchlists", &[("Authorization", &auth), ("Content-Type", &ct)], &body);
    assert_eq!(r.status, 201, "{}", r.text());
    let w = r.json();
    assert_eq!(w["entries"], 1);
    assert_eq!(w["errors"][0]["code"], "unknown_country");
    let again = app.send("POST", "/api/v1/watchlists", &[("Authorization", &auth), ("Content-Type", &ct)], &body);
    again.assert_problem(409, "watchlist_exists");
    let lists = app.get("/api/v1/watchlists", &app.admin_key).json();
    assert_eq!(lists["items"].as_array().unwrap().len(), 3, "two built-in lists + ours: {lists}");

    let s = put(
        &app,
        "W1",
        json!({"legal_name": "BLUE LAGOON SEAFOOD PROCESSING COMPANY LIMITED", "country": "TH", "sector": "agriculture"}),
    );
    let a = app
        .get(&format!("/api/v1/assessments/{}", s["risk"]["assessment_id"].as_str().unwrap()), &app.admin_key)
        .json();
    let m = a["screening_matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["list"] == "NGO alert list")
        .expect("own list matched")
        .clone();
    assert_eq!(m["edition"], "2026-10");
    assert!(["high", "critical"].contains(&a["tier"].as_str().unwrap()));
    // Another organisation's suppliers are not screened against our list.
    let other = app.other_org_admin("globex");
    let r = app.req("PUT", "/api/v1/suppliers/by-ref/W1", Some(&other),
        Some(&json!({"legal_name": "BLUE LAGOON SEAFOOD PROCESSING COMPANY LIMITED", "country": "TH", "sector": "agriculture"})));
    let oa =
        app.get(&format!("/api/v1/assessments/{}", r.json()["risk"]["assessment_id"].as_str().unwrap()), &other).json();
    assert!(oa["screening_matches"].as_array().unwrap().iter().all(|m| m["list"] != "NGO alert list"));
    let proc_key = app.key("auditor");
    let r = app.send(
        "POST",
        "/api/v1/watchlists",
        &[("Authorization", &format!("Bearer {proc_key}")), ("Content-Type", &ct)],
        &body,
    );
    r.assert_problem(403, "forbidden");
}
