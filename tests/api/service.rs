//! Probes, OpenAPI, docs page, problem+json shape, request ids.

use crate::helpers::*;

#[test]
fn health_ready_openapi_and_docs_are_served_without_a_key() {
    let app = TestApp::spawn();
    let r = app.req("GET", "/healthz", None, None);
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["status"], "ok");
    let r = app.req("GET", "/readyz", None, None);
    assert_eq!(r.status, 200, "{}", r.text());

    let r = app.req("GET", "/api/v1/openapi.json", None, None);
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    assert_eq!(doc["info"]["title"], "Manumit API");
    for p in ["/keys", "/keys/{id}"] {
        assert!(doc["paths"][p].is_object(), "path {p} missing from OpenAPI");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());

    // The docs page and its assets come from the binary: no CDN.
    let r = app.req("GET", "/docs/", None, None);
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(html.contains("swagger"), "{html}");
    assert!(!html.contains("cdn.") && !html.contains("unpkg.com"), "docs page loads from a CDN");
    let r = app.req("GET", "/docs/swagger-ui-bundle.js", None, None);
    assert_eq!(r.status, 200);
    assert!(r.body.len() > 100_000);
    let r = app.req("GET", "/docs/swagger-initializer.js", None, None);
    assert!(r.text().contains("/api/v1/openapi.json"), "{}", r.text());
}

#[test]
fn unknown_routes_and_errors_are_problem_json_with_request_id() {
    let app = TestApp::spawn();
    let r = app.req("GET", "/nope", None, None);
    r.assert_problem(404, "not_found");
    let r = app.req("GET", "/api/v1/nope", Some(&app.admin_key), None);
    let j = r.assert_problem(404, "not_found");
    // The request id in the body is the one in the header.
    assert_eq!(j["request_id"].as_str(), r.header("x-request-id"));

    // Bad JSON, unknown fields and invalid values are 422 naming the field.
    let r = app.send(
        "POST",
        "/api/v1/keys",
        &[("Authorization", &format!("Bearer {}", app.admin_key)), ("Content-Type", "application/json")],
        b"{not json",
    );
    assert_eq!(r.status, 422, "{}", r.text());
    let r =
        app.post("/api/v1/keys", &app.admin_key, &serde_json::json!({"name": "x", "role": "admin", "org_id": "other"}));
    let j = r.assert_problem(422, "invalid_json");
    assert!(j["detail"].as_str().unwrap().contains("org_id"), "{j}");
    let r = app.post("/api/v1/keys", &app.admin_key, &serde_json::json!({"name": "", "role": "wizard"}));
    let j = r.assert_problem(422, "validation_failed");
    let fields: Vec<_> =
        j["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
    assert!(fields.contains(&"name".to_string()), "{j}");

    // JSON bodies over the limit are refused.
    let big = serde_json::json!({"name": "x".repeat(2 * 1024 * 1024), "role": "admin"});
    let r = app.post("/api/v1/keys", &app.admin_key, &big);
    r.assert_problem(413, "body_too_large");
}

#[test]
fn unreachable_postgres_url_is_refused_not_mistaken_for_sqlite() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_manumit"))
        .args(["migrate"])
        .env("DATABASE_URL", "mysql://nobody@127.0.0.1:1/x")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DATABASE_URL must start with"));
}

#[test]
fn restart_keeps_data_and_prints_no_second_key() {
    let mut app = TestApp::spawn();
    let k = app.key("auditor");
    app.kill();
    let (child, base, key) = start_server(&app.database_url, &[]);
    let _guard = ServerGuard(child);
    assert!(key.is_none(), "a second admin key was printed on a non-empty database");
    let r = into_resp(
        ureq::get(&format!("{base}/api/v1/keys")).set("Authorization", &format!("Bearer {}", app.admin_key)).call(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json().as_array().unwrap().len(), 2);
    let r = into_resp(ureq::get(&format!("{base}/api/v1/keys")).set("Authorization", &format!("Bearer {k}")).call());
    assert_eq!(r.status, 403);
}
