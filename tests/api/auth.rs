//! Authentication, roles and tenant isolation.

use crate::helpers::*;
use serde_json::json;

#[test]
fn missing_malformed_wrong_and_revoked_keys_get_401() {
    let app = TestApp::spawn();
    app.req("GET", "/api/v1/keys", None, None).assert_problem(401, "unauthorized");
    let r = app.send("GET", "/api/v1/keys", &[("Authorization", "Basic abc")], b"");
    r.assert_problem(401, "unauthorized");
    let wrong = format!("mnm_{}", "A".repeat(40));
    app.get("/api/v1/keys", &wrong).assert_problem(401, "unauthorized");
    // Right prefix, wrong rest: still 401.
    let mut near = app.admin_key.clone();
    near.pop();
    near.push(if app.admin_key.ends_with('a') { 'b' } else { 'a' });
    app.get("/api/v1/keys", &near).assert_problem(401, "unauthorized");

    let k = app.key("procurement");
    let list = app.get("/api/v1/keys", &app.admin_key).json();
    let id = list.as_array().unwrap().iter().find(|x| x["role"] == "procurement").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.req("DELETE", &format!("/api/v1/keys/{id}"), Some(&app.admin_key), None).status, 204);
    app.get("/api/v1/keys", &k).assert_problem(401, "unauthorized");
}

#[test]
fn roles_are_enforced_with_403() {
    let app = TestApp::spawn();
    for role in ["procurement", "auditor", "integration"] {
        let k = app.key(role);
        app.get("/api/v1/keys", &k).assert_problem(403, "forbidden");
        app.post("/api/v1/keys", &k, &json!({"name": "x", "role": "admin"})).assert_problem(403, "forbidden");
    }
}

#[test]
fn another_organisations_key_is_404_with_the_same_body_as_a_missing_one() {
    let app = TestApp::spawn();
    let other = app.other_org_admin("globex");
    let r = app.post("/api/v1/keys", &other, &json!({"name": "globex ops", "role": "procurement"}));
    assert_eq!(r.status, 201);
    let other_id = r.json()["id"].as_str().unwrap().to_string();
    // Our admin cannot see or revoke it.
    let ours = app.get("/api/v1/keys", &app.admin_key).json();
    assert!(ours.as_array().unwrap().iter().all(|k| k["id"] != other_id.as_str()));
    let a = app.req("DELETE", &format!("/api/v1/keys/{other_id}"), Some(&app.admin_key), None);
    let b = app.req("DELETE", "/api/v1/keys/00000000-0000-0000-0000-000000000000", Some(&app.admin_key), None);
    let (ja, jb) = (a.assert_problem(404, "not_found"), b.assert_problem(404, "not_found"));
    assert_eq!(ja["detail"], jb["detail"]);
    assert_eq!(ja["title"], jb["title"]);
    // And the other org's key still works.
    assert_eq!(app.get("/api/v1/keys", &other).status, 200);
}
