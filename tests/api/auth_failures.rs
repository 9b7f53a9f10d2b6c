//! Failed authentication is counted per client address and minute, not written row by row, and a
//! client past the limit gets 429 with Retry-After, while a valid key from it is still served.

use crate::helpers::*;

/// The `auth.failure` rows' targets, read from the database (they belong to no organisation, so
/// the audit-log endpoint does not list them).
fn failure_targets(app: &TestApp) -> Vec<String> {
    let store = manumit::store::Store::open(&app.database_url, 1).unwrap();
    let mut conn = store.conn().unwrap();
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        target: Option<String>,
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail_json: String,
    }
    let rows: Vec<Row> = diesel::RunQueryDsl::load(
        diesel::sql_query("SELECT target, detail_json FROM audit_log WHERE action = 'auth.failure'"),
        &mut *conn,
    )
    .unwrap();
    rows.into_iter()
        .map(|r| {
            assert!(r.detail_json.len() < 1024, "{}", r.detail_json);
            r.target.unwrap_or_default()
        })
        .collect()
}

fn wrong_key() -> String {
    format!("mnm_{}", "Z".repeat(40))
}

/// 300 wrong-key requests with a 30 KB path: two audit rows (the first failure and the one that
/// reaches the limit), each path cut to 256 characters; every request past the 20th is a 429.
#[test]
fn a_flood_of_wrong_keys_with_long_paths_adds_two_short_audit_rows() {
    let app = TestApp::spawn();
    let path = format!("/api/v1/suppliers/{}", "a".repeat(30 * 1024));
    let mut statuses = Vec::new();
    for _ in 0..300 {
        statuses.push(app.get(&path, &wrong_key()).status);
    }
    assert!(statuses[..20].iter().all(|s| *s == 401), "{:?}", &statuses[..20]);
    assert!(statuses[20..].iter().all(|s| *s == 429), "{:?}", &statuses[20..40]);
    let targets = failure_targets(&app);
    assert_eq!(targets.len(), 2, "{} audit rows for 300 failures", targets.len());
    assert!(
        targets.iter().all(|t| t.chars().count() == 256),
        "{:?}",
        targets.iter().map(|t| t.len()).collect::<Vec<_>>()
    );
}

/// The 21st failure within a minute is 429 `too_many_auth_failures` with Retry-After; a valid key
/// from the same address is still served, and a request with no key at all is an ordinary 401.
#[test]
fn the_21st_failure_is_429_but_a_valid_key_is_still_served() {
    let app = TestApp::spawn();
    for i in 0..20 {
        app.get("/api/v1/keys", &wrong_key()).assert_problem(401, "unauthorized");
        assert_eq!(app.get("/api/v1/keys", &app.admin_key).status, 200, "valid key after {i} failures");
    }
    let r = app.get("/api/v1/keys", &wrong_key());
    r.assert_problem(429, "too_many_auth_failures");
    let wait: u64 = r.header("retry-after").and_then(|v| v.parse().ok()).expect("Retry-After in seconds");
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    // A malformed header counts as a failure too.
    app.send("GET", "/api/v1/keys", &[("Authorization", "Basic dXNlcjpwYXNz")], b"")
        .assert_problem(429, "too_many_auth_failures");
    // Never lock out a good key.
    let ok = app.get("/api/v1/keys", &app.admin_key);
    assert_eq!(ok.status, 200, "{}", ok.text());
    // No credential at all is not counted (browsers, probes): still 401.
    app.req("GET", "/api/v1/keys", None, None).assert_problem(401, "unauthorized");

    // The document lists the 429 where it applies, with its code.
    let doc = app.req("GET", "/api/v1/openapi.json", None, None).json();
    let too_many = &doc["components"]["responses"]["TooManyRequests"];
    assert!(too_many["description"].as_str().unwrap_or_default().contains("too_many_auth_failures"), "{too_many}");
    assert!(too_many["headers"]["Retry-After"].is_object(), "{too_many}");
    assert!(doc["paths"]["/keys"]["get"]["responses"]["429"].is_object());
}

/// The limit is a setting; 0 turns the 429 off (the audit rows stay one per client and window).
#[test]
fn a_zero_auth_failure_limit_never_refuses() {
    let app = TestApp::spawn_with(&[("MANUMIT_AUTH_FAILURE_LIMIT", "0")]);
    for _ in 0..40 {
        app.get("/api/v1/keys", &wrong_key()).assert_problem(401, "unauthorized");
    }
    assert_eq!(failure_targets(&app).len(), 1);
}
