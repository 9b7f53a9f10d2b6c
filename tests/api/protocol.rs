//! HTTP hygiene: security headers on every response, 405 with `Allow` for a wrong method, HEAD
//! wherever GET is, problem+json for protocol errors, and the Idempotency-Key floor.

use crate::helpers::*;
use serde_json::json;

fn assert_api_headers(what: &str, r: &Resp) {
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{what}: {:?}", r.headers);
    assert_eq!(r.header("cache-control"), Some("no-store"), "{what}: {:?}", r.headers);
    assert_eq!(r.header("x-frame-options"), Some("DENY"), "{what}");
    let csp = r.header("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
}

#[test]
fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn();
    let key = app.admin_key.clone();
    assert_api_headers("probe", &app.req("GET", "/healthz", None, None));
    assert_api_headers("openapi", &app.req("GET", "/api/v1/openapi.json", None, None));
    assert_api_headers("list", &app.get("/api/v1/keys", &key));
    assert_api_headers("401", &app.req("GET", "/api/v1/keys", None, None));
    assert_api_headers("404", &app.req("GET", "/nope", None, None));
    assert_api_headers("422", &app.post("/api/v1/keys", &key, &json!({"name": "", "role": "x"})));
    let created = app.post("/api/v1/keys", &key, &json!({"name": "ERP", "role": "integration"}));
    assert_eq!(created.status, 201);
    assert_api_headers("new key", &created);

    // The docs page: its own scripts and styles only, never framed.
    let page = app.req("GET", "/docs/", None, None);
    assert_eq!(page.status, 200);
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    let csp = page.header("content-security-policy").expect("CSP on /docs/");
    for part in ["default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "connect-src 'self'"] {
        assert!(csp.contains(part), "{part} missing: {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval") && !csp.contains('*'), "{csp}");
    // Nothing inline on the page that the policy would block.
    let html = page.text();
    assert!(!html.contains("<script>") && !html.contains("<style") && !html.contains(" style="), "{html}");
    // nosniff: every asset must say what it is, or the browser refuses it.
    for (asset, ty) in [
        ("swagger-ui-bundle.js", "javascript"),
        ("swagger-ui-standalone-preset.js", "javascript"),
        ("swagger-initializer.js", "javascript"),
        ("swagger-ui.css", "text/css"),
        ("index.css", "text/css"),
    ] {
        let r = app.req("GET", &format!("/docs/{asset}"), None, None);
        assert_eq!(r.status, 200, "{asset}");
        assert!(r.header("content-type").is_some_and(|t| t.contains(ty)), "{asset}: {:?}", r.header("content-type"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{asset}");
    }
}

#[test]
fn a_wrong_method_is_405_with_allow() {
    let app = TestApp::spawn();
    let key = app.admin_key.clone();
    let cases = [
        ("DELETE", "/api/v1/keys", "GET, HEAD, POST"),
        ("PUT", "/api/v1/keys/0190-some-id", "DELETE"),
        ("POST", "/api/v1/suppliers/by-ref/ERP-1", "PUT"),
        ("GET", "/api/v1/assessments", "POST"),
        ("POST", "/healthz", "GET, HEAD"),
        ("PATCH", "/api/v1/openapi.json", "GET, HEAD"),
        ("POST", "/docs/", "GET, HEAD"),
    ];
    for (method, path, allow) in cases {
        for auth in [Some(key.as_str()), None] {
            let r = app.req(method, path, auth, None);
            r.assert_problem(405, "method_not_allowed");
            assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
        }
    }
    // Unknown paths stay 404, and so do unknown resources on known paths.
    app.req("DELETE", "/api/v1/nope", Some(&key), None).assert_problem(404, "not_found");
    app.req("GET", "/api/v1/keys/", Some(&key), None).assert_problem(404, "not_found");
    app.get("/api/v1/suppliers/no-such-id", &key).assert_problem(404, "not_found");
    // The right method still works.
    assert_eq!(app.get("/api/v1/keys", &key).status, 200);
}

#[test]
fn head_is_answered_wherever_get_is() {
    let app = TestApp::spawn();
    let key = app.admin_key.clone();
    for (path, auth) in [
        ("/healthz", None),
        ("/readyz", None),
        ("/api/v1/openapi.json", None),
        ("/docs/", None),
        ("/docs/swagger-ui.css", None),
        ("/api/v1/keys", Some(key.as_str())),
        ("/api/v1/suppliers?per_page=5", Some(key.as_str())),
        ("/api/v1/organisation", Some(key.as_str())),
    ] {
        let get = app.req("GET", path, auth, None);
        let head = app.req("HEAD", path, auth, None);
        assert_eq!((head.status, get.status), (200, 200), "HEAD {path}: {}", head.text());
        assert!(head.body.is_empty(), "HEAD {path} sent a body");
        for h in ["content-type", "content-length", "cache-control", "x-content-type-options"] {
            assert_eq!(head.header(h), get.header(h), "HEAD {path}: {h}");
        }
    }
    // HEAD is checked like GET: no key, no answer.
    let r = app.req("HEAD", "/api/v1/keys", None, None);
    assert_eq!((r.status, r.body.len()), (401, 0));
    let r = app.req("HEAD", "/api/v1/nope", Some(&key), None);
    assert_eq!((r.status, r.header("content-type")), (404, Some("application/problem+json")));
}

#[test]
fn protocol_errors_are_problem_json() {
    let app = TestApp::spawn();
    let key = app.admin_key.clone();
    // An over-long URI and an over-large header block, below what the HTTP codec itself refuses
    // (65,534 bytes of URI, 128 KiB of head: those are answered by actix-http with no body).
    let long = format!("/api/v1/suppliers?q={}", "a".repeat(62 * 1024));
    app.get(&long, &key).assert_problem(414, "uri_too_long");
    let auth = format!("Bearer {key}");
    let filler = "f".repeat(1000);
    let names: Vec<String> = (0..70).map(|i| format!("X-Filler-{i}")).collect();
    let mut h: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), filler.as_str())).collect();
    h.push(("Authorization", auth.as_str()));
    app.send("GET", "/api/v1/keys", &h, b"").assert_problem(431, "headers_too_large");
    // Errors actix answers itself (here the Swagger UI's missing file) get a problem body too.
    app.req("GET", "/docs/no-such-asset.js", None, None).assert_problem(404, "not_found");
    // Extractor errors: JSON body, query string.
    let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    app.send("POST", "/api/v1/keys", &h, b"{not json").assert_problem(422, "invalid_json");
    app.get("/api/v1/suppliers?page=abc", &key).assert_problem(422, "invalid_query");
    let h = [("Authorization", auth.as_str()), ("Content-Type", "text/plain")];
    app.send("POST", "/api/v1/keys", &h, b"{}").assert_problem(415, "unsupported_media_type");
}

/// Idempotency-Key has a floor: short keys ("1", "retry") collide between a client's own writes.
#[test]
fn short_idempotency_keys_are_refused_before_any_write() {
    let app = TestApp::spawn();
    let auth = format!("Bearer {}", app.admin_key);
    let create = |idem: &str| {
        let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json"), ("Idempotency-Key", idem)];
        app.send("POST", "/api/v1/keys", &h, json!({"name": "Short", "role": "auditor"}).to_string().as_bytes())
    };
    for short in ["7f3c", "resp-1", "fifteen-chars-x", "   padded-key   "] {
        let p = create(short).assert_problem(422, "idempotency_key_too_short");
        assert!(p["detail"].as_str().unwrap().contains("16"), "{p}");
    }
    let keys = app.get("/api/v1/keys", &app.admin_key).json();
    assert!(keys.as_array().unwrap().iter().all(|k| k["name"] != "Short"), "a refused request made a key");
    assert_eq!(create("sixteen-chars-xx").status, 201);
    create(&"x".repeat(256)).assert_problem(400, "invalid_idempotency_key");
}
