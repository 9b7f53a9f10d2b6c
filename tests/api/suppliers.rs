//! ERP supplier API: upsert by ref (validation, 201/200, idempotency), list filters and
//! pagination, risk and history, networks, audit log.

use crate::helpers::*;
use serde_json::{json, Value};

fn put(app: &TestApp, key: &str, r: &str, body: &Value, idem: Option<&str>) -> Resp {
    let auth = format!("Bearer {key}");
    let mut h = vec![("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    if let Some(k) = idem {
        h.push(("Idempotency-Key", k));
    }
    app.send("PUT", &format!("/api/v1/suppliers/by-ref/{r}"), &h, body.to_string().as_bytes())
}

#[test]
fn upsert_by_ref_creates_then_updates_and_scores() {
    let app = TestApp::spawn();
    let integ = app.key("integration");
    let body = json!({"legal_name": "Lotus Works Ltd.", "country": "Malaysia", "sector": "manufacturing",
                      "commodity": "electronic components", "employee_count": 525, "migrant_worker_pct": 60,
                      "passports_held_by_employer": "Yes", "recruitment_fees_paid_by_workers": "yes",
                      "directors": ["Tan Ah Kow", "Lim Mei"]});
    let r = put(&app, &integ, "SUP-001", &body, None);
    assert_eq!(r.status, 201, "{}", r.text());
    let s = r.json();
    assert_eq!(s["external_ref"], "SUP-001");
    assert_eq!(s["country"], "MY");
    assert_eq!(s["fields"]["directors"], json!(["Tan Ah Kow", "Lim Mei"]));
    let risk = &s["risk"];
    for f in [
        "supplier_id",
        "assessment_id",
        "tier",
        "overall",
        "forced_labour",
        "front_business",
        "inherent",
        "forced_labour_likely",
        "top_findings",
        "assessed_at",
        "methodology_version",
    ] {
        assert!(!risk[f].is_null(), "{f} missing: {risk}");
    }
    assert!(["high", "critical"].contains(&risk["tier"].as_str().unwrap()), "{risk}");
    let ev = risk["top_findings"].to_string();
    assert!(ev.contains("retention_of_identity_documents"), "{ev}");
    let id = s["id"].as_str().unwrap().to_string();
    // The finding's evidence says the value came through the API.
    let a = app.get(&format!("/api/v1/assessments/{}", risk["assessment_id"].as_str().unwrap()), &app.admin_key).json();
    let f = a["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["indicator"] == "retention_of_identity_documents")
        .unwrap()
        .clone();
    assert_eq!(f["evidence"][0]["source"], "api");
    assert_eq!(f["evidence"][0]["column"], "passports_held_by_employer");
    assert!(a["components"]["inherent"]["tier"].is_string());
    assert!(!a["recommended_actions"].as_array().unwrap().is_empty());
    assert_eq!(a["methodology_version"], manumit::scoring::METHODOLOGY_VERSION);
    assert_eq!(a["basis"], "evidence");
    assert!(a["components"]["child_labour"]["tier"].is_string());

    // Update: 200, only the fields sent change; a new assessment is added, the old one kept.
    let r = put(&app, &integ, "SUP-001", &json!({"employee_count": 600}), None);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["id"], id.as_str());
    assert_eq!(r.json()["fields"]["employee_count"], 600);
    assert_eq!(r.json()["fields"]["commodity"], "electronic components");
    let h = app.get(&format!("/api/v1/suppliers/{id}/assessments"), &integ).json();
    assert_eq!(h["total"], 2);
    assert_ne!(h["items"][0]["assessment_id"], h["items"][1]["assessment_id"]);
    assert_eq!(app.get("/api/v1/suppliers", &integ).json()["total"], 1);
}

#[test]
fn upsert_validation_names_each_field_and_refuses_unknown_ones() {
    let app = TestApp::spawn();
    let r = put(
        &app,
        &app.admin_key,
        "X1",
        &json!({"legal_name": "A", "country": "Narnia", "sector": "mining", "employee_count": -3}),
        None,
    );
    let j = r.assert_problem(422, "validation_failed");
    let fields: Vec<&str> = j["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in ["country", "sector", "employee_count"] {
        assert!(fields.contains(&f), "{f}: {j}");
    }
    let r = put(
        &app,
        &app.admin_key,
        "X1",
        &json!({"legal_name": "A", "country": "DE", "sector": "construction", "org_id": "x", "tier": "low"}),
        None,
    );
    let j = r.assert_problem(422, "validation_failed");
    assert!(j["errors"].to_string().contains("org_id") && j["errors"].to_string().contains("tier"), "{j}");
    let r = put(&app, &app.admin_key, "X1", &json!({"legal_name": "A"}), None);
    r.assert_problem(422, "validation_failed");
    let r = put(
        &app,
        &app.admin_key,
        "X1",
        &json!({"external_ref": "X2", "legal_name": "A", "country": "DE", "sector": "construction"}),
        None,
    );
    r.assert_problem(422, "validation_failed");
    assert_eq!(app.get("/api/v1/suppliers", &app.admin_key).json()["total"], 0, "nothing written");
    let auditor = app.key("auditor");
    put(&app, &auditor, "X1", &json!({"legal_name": "A", "country": "DE", "sector": "construction"}), None)
        .assert_problem(403, "forbidden");
}

/// Notes come through the ERP upsert as written and are stored with the supplier; longer than
/// 10,000 characters is refused. Unreadable optional values refuse the body (the sender can
/// resend), unlike a supplier list, where the row is kept.
#[test]
fn upsert_carries_notes() {
    let app = TestApp::spawn();
    let note = "Passports held by employer for safekeeping.\nFees reimbursed in 2022.";
    let body = json!({"legal_name": "Lotus Works Ltd.", "country": "MY", "sector": "Cleaning services", "notes": note});
    let r = put(&app, &app.admin_key, "N1", &body, None);
    assert_eq!(r.status, 201, "{}", r.text());
    let s = r.json();
    assert_eq!(s["fields"]["notes"], note);
    assert_eq!(s["sector"], "hospitality");
    let id = s["id"].as_str().unwrap().to_string();
    assert_eq!(app.get(&format!("/api/v1/suppliers/{id}"), &app.admin_key).json()["fields"]["notes"], note);
    let long = json!({"legal_name": "A", "country": "MY", "sector": "hotel", "notes": "x".repeat(10_001)});
    let j = put(&app, &app.admin_key, "N2", &long, None).assert_problem(422, "validation_failed");
    assert_eq!(j["errors"][0]["field"], "notes", "{j}");
    let bad = json!({"legal_name": "A", "country": "MY", "sector": "hotel", "address_type": "Penthouse"});
    let j = put(&app, &app.admin_key, "N3", &bad, None).assert_problem(422, "validation_failed");
    assert_eq!(j["errors"][0]["code"], "unknown_address_type", "{j}");
}

#[test]
fn idempotency_key_replays_and_refuses_reuse() {
    let app = TestApp::spawn();
    let body = json!({"legal_name": "Delta Farms", "country": "KE", "sector": "agriculture"});
    let a = put(&app, &app.admin_key, "D1", &body, Some("upsert-retry-0001"));
    assert_eq!(a.status, 201);
    assert!(a.header("idempotent-replayed").is_none());
    let b = put(&app, &app.admin_key, "D1", &body, Some("upsert-retry-0001"));
    assert_eq!(b.status, 201, "the replay has the first status");
    assert_eq!(b.header("idempotent-replayed"), Some("true"));
    assert_eq!(a.json(), b.json());
    assert_eq!(
        app.get(&format!("/api/v1/suppliers/{}/assessments", a.json()["id"].as_str().unwrap()), &app.admin_key).json()
            ["total"],
        1
    );
    let c = put(
        &app,
        &app.admin_key,
        "D1",
        &json!({"legal_name": "Delta Farms 2", "country": "KE", "sector": "agriculture"}),
        Some("upsert-retry-0001"),
    );
    c.assert_problem(422, "idempotency_key_reused");
    // Another organisation may use the same key for its own request.
    let other = app.other_org_admin("globex");
    let d = put(&app, &other, "D1", &body, Some("upsert-retry-0001"));
    assert_eq!(d.status, 201);
    assert!(d.header("idempotent-replayed").is_none());
    assert_ne!(d.json()["id"], a.json()["id"]);
}

#[test]
fn list_filters_and_pagination() {
    let app = TestApp::spawn();
    let rows = [
        ("A1", "Alpha Farms", "KE", "agriculture"),
        ("A2", "Beta Builders", "QA", "construction"),
        ("A3", "Gamma Hotels", "TH", "hospitality"),
        ("A4", "Delta Garments", "BD", "manufacturing"),
        ("A5", "Epsilon Farms", "KE", "agriculture"),
    ];
    for (r, n, c, s) in rows {
        assert_eq!(
            put(&app, &app.admin_key, r, &json!({"legal_name": n, "country": c, "sector": s}), None).status,
            201
        );
    }
    let q = |p: &str| app.get(&format!("/api/v1/suppliers{p}"), &app.admin_key).json();
    assert_eq!(q("?sector=agriculture")["total"], 2);
    assert_eq!(q("?country=KE&sector=agriculture")["total"], 2);
    assert_eq!(q("?country=ke")["total"], 2);
    assert_eq!(q("?q=farms")["total"], 2);
    assert_eq!(q("?q=GAMMA")["items"][0]["legal_name"], "Gamma Hotels");
    let tier = q("")["items"][0]["tier"].as_str().unwrap().to_string();
    let by_tier = q(&format!("?tier={tier}"));
    assert!(by_tier["items"].as_array().unwrap().iter().all(|s| s["tier"] == tier.as_str()));
    // Pages are stable and complete.
    let p1 = q("?per_page=2&page=1");
    let p2 = q("?per_page=2&page=2");
    let p3 = q("?per_page=2&page=3");
    assert_eq!((p1["total"].as_i64(), p1["page"].as_i64(), p1["per_page"].as_i64()), (Some(5), Some(1), Some(2)));
    let names: Vec<String> = [&p1, &p2, &p3]
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().iter().map(|s| s["legal_name"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(names, vec!["Alpha Farms", "Beta Builders", "Delta Garments", "Epsilon Farms", "Gamma Hotels"]);
    for bad in ["?per_page=501", "?per_page=0", "?page=0", "?tier=extreme", "?sector=mining", "?country=Kenya"] {
        app.get(&format!("/api/v1/suppliers{bad}"), &app.admin_key).assert_problem(422, "invalid_query");
    }
    let j =
        app.get("/api/v1/suppliers?tier=extreme&sector=mining", &app.admin_key).assert_problem(422, "invalid_query");
    assert_eq!(j["errors"].as_array().unwrap().len(), 2);
}

#[test]
fn shared_bank_account_and_phone_form_a_network() {
    let app = TestApp::spawn();
    let base = |n: &str, extra: Value| {
        let mut b = json!({"legal_name": n, "country": "TH", "sector": "agriculture"});
        b.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        b
    };
    put(
        &app,
        &app.admin_key,
        "N1",
        &base("Siam Fresh Co", json!({"bank_account": "TH12 3456 7890", "phone": "+66 2 123 4567"})),
        None,
    );
    put(&app, &app.admin_key, "N2", &base("Bangkok Produce", json!({"bank_account": "th1234567890"})), None);
    put(&app, &app.admin_key, "N3", &base("Chiang Mai Fruit", json!({"phone": "0066-2-1234567"})), None);
    put(&app, &app.admin_key, "N4", &base("Unrelated Rice", json!({"phone": "+66 2 999 0000"})), None);
    let n = app.get("/api/v1/networks", &app.admin_key).json();
    let items = n["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{n}");
    let members: Vec<&str> =
        items[0]["suppliers"].as_array().unwrap().iter().map(|s| s["external_ref"].as_str().unwrap()).collect();
    assert_eq!(members.len(), 3, "{members:?}");
    assert!(!members.contains(&"N4"));
    let kinds: Vec<&str> = items[0]["shared"].as_array().unwrap().iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"bank_account") && kinds.contains(&"phone"), "{kinds:?}");
    // The first member's latest assessment lists the others (it was rescored when they joined).
    let id = app.get("/api/v1/suppliers?q=siam", &app.admin_key).json()["items"][0]["id"].as_str().unwrap().to_string();
    let aid = app.get(&format!("/api/v1/suppliers/{id}/risk"), &app.admin_key).json()["assessment_id"]
        .as_str()
        .unwrap()
        .to_string();
    let a = app.get(&format!("/api/v1/assessments/{aid}"), &app.admin_key).json();
    let text = a["findings"].to_string();
    assert!(text.contains("Bangkok Produce") && text.contains("Chiang Mai Fruit"), "{text}");
    // Another organisation sees no network.
    let other = app.other_org_admin("globex");
    assert_eq!(app.get("/api/v1/networks", &other).json()["items"].as_array().unwrap().len(), 0);
}

#[test]
fn rescoring_makes_new_assessments_and_audit_log_records_actions() {
    let app = TestApp::spawn();
    let s = put(
        &app,
        &app.admin_key,
        "R1",
        &json!({"legal_name": "Rescore Me", "country": "IN", "sector": "construction"}),
        None,
    )
    .json();
    let id = s["id"].as_str().unwrap();
    let r = app.post("/api/v1/assessments", &app.admin_key, &json!({"supplier_ids": [id]}));
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["assessment_ids"].as_array().unwrap().len(), 1);
    let r = app.post("/api/v1/assessments", &app.admin_key, &json!({}));
    assert_eq!(r.json()["assessment_ids"].as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("/api/v1/suppliers/{id}/assessments"), &app.admin_key).json()["total"], 3);
    app.post("/api/v1/assessments", &app.admin_key, &json!({"supplier_ids": ["nope"]}))
        .assert_problem(404, "not_found");
    app.post("/api/v1/assessments", &app.admin_key, &json!({"score": 1})).assert_problem(422, "invalid_json");
    let log = app.get("/api/v1/audit-log?per_page=50", &app.admin_key).json();
    let actions: Vec<&str> = log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"supplier.create")
            && actions.contains(&"assessment.rescore")
            && actions.contains(&"key.create"),
        "{actions:?}"
    );
    assert!(log["items"][0]["request_id"].is_string(), "{log}");
    assert!(!log.to_string().contains(&app.admin_key), "a key leaked into the audit log");
    // A wrong key is logged as an auth failure; integration keys cannot read the log.
    app.get("/api/v1/keys", &format!("mnm_{}", "Z".repeat(40))).assert_problem(401, "unauthorized");
    let integ = app.key("integration");
    app.get("/api/v1/audit-log", &integ).assert_problem(403, "forbidden");
    let auditor = app.key("auditor");
    assert_eq!(app.get("/api/v1/audit-log", &auditor).status, 200);
}
