//! Real responses, success and error, against the document.

use super::*;

fn form(app: &TestApp, path: &str, key: &str, parts: &[(&str, Option<&str>, &[u8])], idem: Option<&str>) -> Resp {
    let (ct, body) = multipart(parts);
    let auth = format!("Bearer {key}");
    let mut h = vec![("Authorization", auth.as_str()), ("Content-Type", ct.as_str())];
    if let Some(k) = idem {
        h.push(("Idempotency-Key", k));
    }
    app.send("POST", path, &h, &body)
}

fn json_send(app: &TestApp, method: &str, path: &str, key: &str, body: &Value, idem: Option<&str>) -> Resp {
    let auth = format!("Bearer {key}");
    let mut h = vec![("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    if let Some(k) = idem {
        h.push(("Idempotency-Key", k));
    }
    app.send(method, path, &h, body.to_string().as_bytes())
}

#[test]
fn real_responses_match_the_documented_schemas() {
    let app = TestApp::spawn();
    let doc = Doc::fetch(&app);
    let admin = app.admin_key.clone();
    let v1 = |p: &str| format!("/api/v1{p}");
    let get = |p: &str, key: &str| app.get(&v1(p), key);

    // Service probes.
    doc.check("get", "/healthz", &app.req("GET", "/healthz", None, None));
    doc.check("get", "/readyz", &app.req("GET", "/readyz", None, None));

    // Keys: created, listed, refused, revoked.
    let r = app.post(&v1("/keys"), &admin, &json!({"name": "schema check", "role": "auditor"}));
    let created = doc.check("post", "/keys", &r);
    assert_eq!(r.status, 201);
    let auditor = created["key"].as_str().unwrap().to_string();
    doc.check("get", "/keys", &get("/keys", &admin));
    // A replay of a key's creation: the same schema, without the plain key.
    let body = json!({"name": "replayed", "role": "auditor"});
    doc.check("post", "/keys", &json_send(&app, "POST", &v1("/keys"), &admin, &body, Some("key-retry-0000001")));
    let r = json_send(&app, "POST", &v1("/keys"), &admin, &body, Some("key-retry-0000001"));
    assert!(doc.check("post", "/keys", &r).get("key").is_none());
    let r = json_send(&app, "POST", &v1("/keys"), &admin, &body, Some("short"));
    assert_eq!(doc.check("post", "/keys", &r)["code"], "idempotency_key_too_short");
    doc.check("post", "/keys", &app.post(&v1("/keys"), &auditor, &json!({"name": "x", "role": "admin"})));
    let r = app.post(&v1("/keys"), &admin, &json!({"name": "", "role": "wizard"}));
    assert_eq!(doc.check("post", "/keys", &r)["errors"][0]["code"], "length");
    let r = app.send("POST", &v1("/keys"), &[("Authorization", &format!("Bearer {admin}"))], b"name=x");
    assert_eq!(r.status, 415);
    doc.check("post", "/keys", &r);
    let big = json!({"name": "x".repeat(2 * 1024 * 1024), "role": "admin"});
    doc.check("post", "/keys", &app.post(&v1("/keys"), &admin, &big));
    let r = app.req("GET", &v1("/keys"), None, None);
    assert_eq!(r.status, 401);
    doc.check("get", "/keys", &r);
    let integration = app.key("integration");
    let r = app.post(&v1("/keys"), &admin, &json!({"name": "short-lived", "role": "integration"}));
    let gone = r.json()["id"].as_str().unwrap().to_string();
    let r = app.req("DELETE", &v1(&format!("/keys/{gone}")), Some(&admin), None);
    assert_eq!(r.status, 204);
    doc.check("delete", "/keys/{id}", &r);
    doc.check("delete", "/keys/{id}", &app.req("DELETE", &v1(&format!("/keys/{gone}")), Some(&admin), None));

    // Uploads: a list with a rejected row, the same bytes again, the report, the files.
    let csv = b"Vendor No.,Supplier Name,Country,Sector,Phone\nS-1,Alpha Fishing Co,Thailand,Fishing,+66 2 555 0101\n\
S-2,Beta Textiles,Narnia,Textiles,\nS-3,Gamma Farms,Viet Nam,Agriculture,+66 2 555 0101\n";
    let r = form(&app, &v1("/uploads"), &admin, &[("file", Some("list.csv"), csv)], Some("upload-retry-0001"));
    assert_eq!(r.status, 201, "{}", r.text());
    let report = doc.check("post", "/uploads", &r);
    assert!(report["rows_rejected"].as_u64().unwrap() >= 1, "{report}");
    // The same bytes again (also under the same Idempotency-Key): 200 with the first report.
    let again = form(&app, &v1("/uploads"), &admin, &[("file", Some("list.csv"), csv)], Some("upload-retry-0001"));
    assert_eq!(again.status, 200);
    assert_eq!(doc.check("post", "/uploads", &again)["id"], report["id"]);
    let r = form(&app, &v1("/uploads"), &admin, &[("file", Some("again.csv"), csv)], None);
    assert_eq!(r.status, 200);
    doc.check("post", "/uploads", &r);
    doc.check("post", "/uploads", &form(&app, &v1("/uploads"), &admin, &[("file", Some("e.csv"), b"")], None));
    doc.check("post", "/uploads", &form(&app, &v1("/uploads"), &auditor, &[("file", Some("a.csv"), csv)], None));
    let r = app.send("POST", &v1("/uploads"), &[("Authorization", &format!("Bearer {admin}"))], b"{}");
    assert_eq!(r.status, 415);
    doc.check("post", "/uploads", &r);
    let upload_id = report["id"].as_str().unwrap().to_string();
    doc.check("get", "/uploads", &get("/uploads", &admin));
    doc.check("get", "/uploads", &get("/uploads?per_page=0", &admin));
    doc.check("get", "/uploads/{id}", &get(&format!("/uploads/{upload_id}"), &admin));
    doc.check("get", "/uploads/{id}", &get("/uploads/nope", &admin));
    let r = get(&format!("/uploads/{upload_id}/file"), &admin);
    doc.check("get", "/uploads/{id}/file", &r);
    assert_eq!(r.body, csv);
    let filled = std::fs::read(format!(
        "{}/tests/fixtures/questionnaire/hospitality-filled-openpyxl.xlsx",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let r = form(&app, &v1("/uploads"), &admin, &[("file", Some("filled.xlsx"), &filled)], None);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(doc.check("post", "/uploads", &r)["kind"], "questionnaire");
    let r = get(&format!("/uploads/{upload_id}/rejected.xlsx"), &admin);
    assert_eq!(r.header("content-type"), Some(XLSX));
    doc.check("get", "/uploads/{id}/rejected.xlsx", &r);

    // Suppliers: list, one, risk, history, filters refused.
    let sid = report["supplier_ids"][0].as_str().unwrap().to_string();
    let aid = report["assessment_ids"][0].as_str().unwrap().to_string();
    doc.check("get", "/suppliers", &get("/suppliers?per_page=2", &admin));
    doc.check("get", "/suppliers", &get("/suppliers?tier=bogus&country=Narnia", &admin));
    let s = doc.check("get", "/suppliers/{id}", &get(&format!("/suppliers/{sid}"), &admin));
    assert!(s["sources"][0]["raw"].is_array(), "{s}");
    doc.check("get", "/suppliers/{id}", &get("/suppliers/nope", &admin));
    doc.check("get", "/suppliers/{id}/risk", &get(&format!("/suppliers/{sid}/risk"), &integration));
    doc.check("get", "/suppliers/{id}/assessments", &get(&format!("/suppliers/{sid}/assessments"), &admin));
    doc.check("get", "/assessments/{id}", &get(&format!("/assessments/{aid}"), &auditor));
    doc.check("get", "/assessments/{id}", &get("/assessments/nope", &auditor));

    // ERP upsert: created, updated, refused.
    let body = json!({"legal_name": "Delta Works", "country": "MY", "sector": "manufacturing",
                      "phone": "+66 2 555 0101", "directors": ["A. Person"], "employee_count": 40});
    let r = json_send(&app, "PUT", &v1("/suppliers/by-ref/ERP-1"), &admin, &body, Some("upsert-retry-0001"));
    assert_eq!(r.status, 201, "{}", r.text());
    doc.check("put", "/suppliers/by-ref/{external_ref}", &r);
    let r = json_send(&app, "PUT", &v1("/suppliers/by-ref/ERP-1"), &admin, &body, Some("upsert-retry-0001"));
    assert_eq!((r.status, r.header("idempotent-replayed")), (201, Some("true")));
    doc.check("put", "/suppliers/by-ref/{external_ref}", &r);
    let r = json_send(&app, "PUT", &v1("/suppliers/by-ref/ERP-1"), &admin, &json!({"commodity": "bolts"}), None);
    assert_eq!(r.status, 200, "{}", r.text());
    doc.check("put", "/suppliers/by-ref/{external_ref}", &r);
    let r = json_send(
        &app,
        "PUT",
        &v1("/suppliers/by-ref/ERP-1"),
        &admin,
        &json!({"colour": "red"}),
        Some("upsert-retry-0001"),
    );
    assert_eq!(r.status, 422);
    doc.check("put", "/suppliers/by-ref/{external_ref}", &r);
    let long_key = "k".repeat(300);
    let r = json_send(&app, "PUT", &v1("/suppliers/by-ref/ERP-2"), &admin, &body, Some(&long_key));
    assert_eq!(r.status, 400);
    doc.check("put", "/suppliers/by-ref/{external_ref}", &r);

    // Questionnaires and JSON answers.
    doc.check("get", "/questionnaires", &get("/questionnaires", &auditor));
    let def = doc.check("get", "/questionnaires/{sector}", &get("/questionnaires/agriculture", &auditor));
    doc.check("get", "/questionnaires/{sector}", &get("/questionnaires/fishing", &auditor));
    doc.check(
        "get",
        "/questionnaires/{sector}/template.xlsx",
        &get(&format!("/questionnaires/agriculture/template.xlsx?supplier_id={sid}"), &admin),
    );
    let answers = json!({"questionnaire_id": def["id"], "version": def["version"], "answers": {}});
    let r = json_send(&app, "POST", &v1(&format!("/suppliers/{sid}/responses")), &admin, &answers, None);
    assert_eq!(r.status, 201, "{}", r.text());
    doc.check("post", "/suppliers/{id}/responses", &r);
    let bad = json!({"questionnaire_id": def["id"], "version": def["version"], "answers": {"ZZ9": "Yes"}});
    let r = json_send(&app, "POST", &v1(&format!("/suppliers/{sid}/responses")), &admin, &bad, None);
    doc.check("post", "/suppliers/{id}/responses", &r);

    // Rescore, networks, screening, reports, audit log.
    let r = json_send(
        &app,
        "POST",
        &v1("/assessments"),
        &admin,
        &json!({"supplier_ids": [sid]}),
        Some("rescore-retry-0001"),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    doc.check("post", "/assessments", &r);
    let r = json_send(&app, "POST", &v1("/assessments"), &admin, &json!({}), Some("rescore-retry-0001"));
    assert_eq!(r.status, 422);
    doc.check("post", "/assessments", &r);
    let r = json_send(&app, "POST", &v1("/assessments"), &admin, &json!({"upload_id": "nope"}), None);
    doc.check("post", "/assessments", &r);
    let nets = doc.check("get", "/networks", &get("/networks", &admin));
    assert!(nets["total"].as_u64().unwrap() >= 1, "the shared phone links suppliers: {nets}");
    doc.check("get", "/watchlists", &get("/watchlists", &admin));
    let list = b"name,aliases,country\nBad Actor Trading,BAT Ltd|B.A.T.,CN\n,,\n";
    let parts: [(&str, Option<&str>, &[u8]); 3] =
        [("file", Some("wl.csv"), list), ("name", None, b"Own list"), ("edition", None, b"2025-01")];
    let r = form(&app, &v1("/watchlists"), &admin, &parts, None);
    assert_eq!(r.status, 201, "{}", r.text());
    doc.check("post", "/watchlists", &r);
    doc.check("post", "/watchlists", &form(&app, &v1("/watchlists"), &admin, &parts, None));
    doc.check("get", "/watchlists", &get("/watchlists", &admin));
    let decision = json!({"supplier_id": sid, "list": "Own list", "matched_entity": "Bad Actor Trading",
                          "decision": "false_positive", "reason": "different company"});
    let r = app.post(&v1("/screening-decisions"), &admin, &decision);
    assert_eq!(r.status, 201, "{}", r.text());
    doc.check("post", "/screening-decisions", &r);
    let mut wrong = decision.clone();
    wrong["decision"] = json!("maybe");
    doc.check("post", "/screening-decisions", &app.post(&v1("/screening-decisions"), &admin, &wrong));
    let r = get("/reports/workbook.xlsx", &auditor);
    assert_eq!(r.header("content-type"), Some(XLSX));
    doc.check("get", "/reports/workbook.xlsx", &r);
    doc.check("get", "/reports/workbook.xlsx", &get("/reports/workbook.xlsx?supplier_id=nope", &auditor));
    doc.check("get", "/reports/workbook.xlsx", &get("/reports/workbook.xlsx?tier=x", &auditor));
    doc.check("get", "/audit-log", &get("/audit-log", &auditor));
    doc.check("get", "/audit-log", &get("/audit-log", &integration));

    // Organisation settings: read, changed, replayed, refused.
    doc.check("get", "/organisation", &get("/organisation", &integration));
    let change = json!({"markets": ["US", "EU"], "paper_size": "Letter"});
    let r = json_send(&app, "PATCH", &v1("/organisation"), &admin, &change, Some("settings-retry-0001"));
    assert_eq!(r.status, 200, "{}", r.text());
    doc.check("patch", "/organisation", &r);
    let r = json_send(&app, "PATCH", &v1("/organisation"), &admin, &change, Some("settings-retry-0001"));
    assert_eq!((r.status, r.header("idempotent-replayed")), (200, Some("true")));
    doc.check("patch", "/organisation", &r);
    doc.check("patch", "/organisation", &json_send(&app, "PATCH", &v1("/organisation"), &auditor, &change, None));
    let r = json_send(&app, "PATCH", &v1("/organisation"), &admin, &json!({"markets": ["XX"]}), None);
    assert_eq!(r.status, 422);
    doc.check("patch", "/organisation", &r);
    let r = doc.check("get", "/organisation", &get("/organisation", &auditor));
    assert_eq!(r["markets"], json!(["EU", "US"]));
}

#[test]
fn rate_limited_responses_match_the_document() {
    let app = TestApp::spawn_with(&[("MANUMIT_RATE_LIMIT", "2")]);
    let doc = Doc::fetch(&app);
    let mut last = None;
    for _ in 0..4 {
        last = Some(app.get("/api/v1/networks", &app.admin_key));
    }
    let r = last.unwrap();
    assert_eq!(r.status, 429, "{}", r.text());
    doc.check("get", "/networks", &r);
    let secs: u64 = r.header("retry-after").expect("Retry-After").parse().unwrap();
    assert!(secs >= 1);
    assert!(doc.response("get", "/networks", 429).unwrap()["headers"]["Retry-After"].is_object());
}
