//! Key management: create (plain key once), list (never the plain key), revoke; all audited.

use crate::helpers::*;
use serde_json::json;

#[test]
fn create_list_revoke() {
    let app = TestApp::spawn();
    assert!(app.admin_key.starts_with("mnm_") && app.admin_key.len() >= 36);
    let r = app.post("/api/v1/keys", &app.admin_key, &json!({"name": "SAP connector", "role": "integration"}));
    assert_eq!(r.status, 201, "{}", r.text());
    let created = r.json();
    for f in ["id", "name", "role", "key", "created_at"] {
        assert!(created[f].is_string(), "{f} missing: {created}");
    }
    assert_eq!(created["role"], "integration");
    let plain = created["key"].as_str().unwrap();
    assert!(plain.starts_with("mnm_") && plain.len() >= 36);
    chrono::DateTime::parse_from_rfc3339(created["created_at"].as_str().unwrap()).expect("RFC 3339");

    let list = app.get("/api/v1/keys", &app.admin_key);
    assert_eq!(list.status, 200);
    let text = list.text();
    assert!(!text.contains(plain) && !text.contains(&app.admin_key), "a plain key was listed");
    let items = list.json();
    assert_eq!(items.as_array().unwrap().len(), 2);

    let id = created["id"].as_str().unwrap();
    assert_eq!(app.req("DELETE", &format!("/api/v1/keys/{id}"), Some(&app.admin_key), None).status, 204);
    app.get("/api/v1/keys", plain).assert_problem(401, "unauthorized");
    let items = app.get("/api/v1/keys", &app.admin_key).json();
    let revoked = items.as_array().unwrap().iter().find(|k| k["id"] == id).unwrap();
    assert!(revoked["revoked_at"].is_string());
}
