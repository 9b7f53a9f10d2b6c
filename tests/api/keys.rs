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

/// An ERP that timed out creating a key retries with the same Idempotency-Key: it learns which
/// key was made (id, name, role, prefix) but never gets the plain key again, also not after the
/// key is revoked; the database holds no replay of the plain key, sealed or not.
#[test]
fn key_creation_replay_returns_the_key_metadata_never_the_plain_key() {
    let app = TestApp::spawn();
    let auth = format!("Bearer {}", app.admin_key);
    let create = |idem: &str, name: &str| {
        let h = [("Authorization", auth.as_str()), ("Content-Type", "application/json"), ("Idempotency-Key", idem)];
        app.send("POST", "/api/v1/keys", &h, json!({"name": name, "role": "integration"}).to_string().as_bytes())
    };
    let first = create("erp-retry-7f3a9c21", "Coupa");
    assert_eq!(first.status, 201, "{}", first.text());
    assert!(first.header("Idempotent-Replayed").is_none());
    assert_eq!(first.header("Cache-Control"), Some("no-store"), "a plain key must not be cached");
    let created = first.json();
    let plain = created["key"].as_str().expect("the first response has the plain key").to_string();
    assert_eq!(created["prefix"].as_str(), Some(&plain[..created["prefix"].as_str().unwrap().len()]));

    let again = create("erp-retry-7f3a9c21", "Coupa");
    assert_eq!(again.status, 201, "{}", again.text());
    assert_eq!(again.header("Idempotent-Replayed"), Some("true"));
    assert_eq!(again.header("Cache-Control"), Some("no-store"));
    let replay = again.json();
    assert!(replay.get("key").is_none() && !again.text().contains(&plain[4..]), "the replay repeats the key: {replay}");
    for f in ["id", "name", "role", "prefix", "created_at"] {
        assert_eq!(replay[f], created[f], "{f}");
    }
    // One key was made, and it works.
    let keys = app.get("/api/v1/keys", &app.admin_key).json();
    assert_eq!(keys.as_array().unwrap().iter().filter(|k| k["name"] == "Coupa").count(), 1);
    assert_eq!(app.get("/api/v1/keys", &plain).status, 403, "an integration key is known but may not manage keys");
    // Revoked, the replay still names the key and still never shows it.
    let id = created["id"].as_str().unwrap();
    assert_eq!(app.req("DELETE", &format!("/api/v1/keys/{id}"), Some(&app.admin_key), None).status, 204);
    let late = create("erp-retry-7f3a9c21", "Coupa");
    assert_eq!((late.status, late.json()["id"].as_str()), (201, Some(id)));
    assert!(late.json().get("key").is_none(), "{}", late.text());
    // Same Idempotency-Key, other body: refused; a new key name needs a new Idempotency-Key.
    create("erp-retry-7f3a9c21", "Ariba").assert_problem(422, "idempotency_key_reused");
    assert_eq!(create("erp-retry-8b1c4d52", "Ariba").status, 201);

    // What the database holds for the replays never has a plain key.
    let store = manumit::store::Store::open(&app.database_url, 1).unwrap();
    let mut conn = store.conn().unwrap();
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        response_json: Option<String>,
    }
    let rows: Vec<Row> =
        diesel::RunQueryDsl::load(diesel::sql_query("SELECT response_json FROM idempotency_keys"), &mut *conn).unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        let body = r.response_json.unwrap_or_default();
        assert!(!body.contains("\"key\"") && !body.contains(&plain[4..]), "{body}");
    }
}

/// An organisation always keeps one active admin key (else only the command line could manage
/// keys again), and a revoked key cannot be revoked again.
#[test]
fn the_last_admin_key_cannot_be_revoked_and_revoking_twice_is_404() {
    let app = TestApp::spawn();
    let admin_id = |key: &str| {
        let list = app.get("/api/v1/keys", key).json();
        let ids: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["role"] == "admin" && k["revoked_at"].is_null())
            .map(|k| k["id"].as_str().unwrap().to_string())
            .collect();
        ids
    };
    let first = admin_id(&app.admin_key);
    assert_eq!(first.len(), 1);
    let p = app.req("DELETE", &format!("/api/v1/keys/{}", first[0]), Some(&app.admin_key), None);
    let j = p.assert_problem(409, "last_admin_key");
    assert!(j["detail"].as_str().unwrap().contains("last active admin key"), "{j}");
    assert_eq!(app.get("/api/v1/keys", &app.admin_key).status, 200, "the key still works");

    let second = app.key("admin");
    assert_eq!(app.req("DELETE", &format!("/api/v1/keys/{}", first[0]), Some(&second), None).status, 204);
    app.req("DELETE", &format!("/api/v1/keys/{}", first[0]), Some(&second), None).assert_problem(404, "not_found");
    let left = admin_id(&second);
    assert_eq!(left.len(), 1);
    app.req("DELETE", &format!("/api/v1/keys/{}", left[0]), Some(&second), None).assert_problem(409, "last_admin_key");
    // Other roles are not protected.
    let r = app.post("/api/v1/keys", &second, &json!({"name": "audit", "role": "auditor"}));
    let (auditor, aid) = (r.json()["key"].as_str().unwrap().to_string(), r.json()["id"].as_str().unwrap().to_string());
    assert_eq!(app.req("DELETE", &format!("/api/v1/keys/{aid}"), Some(&second), None).status, 204);
    app.get("/api/v1/keys", &auditor).assert_problem(401, "unauthorized");
}

/// Two admins revoking each other's key at the same moment: one wins, the other is refused, and
/// the organisation keeps an admin key (the check runs in the revoke's own transaction).
#[test]
fn concurrent_revocations_leave_an_admin_key() {
    let app = TestApp::spawn();
    let mut admin = app.admin_key.clone();
    for round in 0..10 {
        let make = |name: String| {
            let r = app.post("/api/v1/keys", &admin, &json!({"name": name, "role": "admin"}));
            assert_eq!(r.status, 201, "{}", r.text());
            (r.json()["key"].as_str().unwrap().to_string(), r.json()["id"].as_str().unwrap().to_string())
        };
        let (a_key, a_id) = make(format!("a{round}"));
        let (b_key, b_id) = make(format!("b{round}"));
        // Leave only a and b active.
        for k in app.get("/api/v1/keys", &a_key).json().as_array().unwrap() {
            let id = k["id"].as_str().unwrap();
            if k["role"] == "admin" && k["revoked_at"].is_null() && id != a_id && id != b_id {
                assert_eq!(app.req("DELETE", &format!("/api/v1/keys/{id}"), Some(&a_key), None).status, 204);
            }
        }
        let (ra, rb) = std::thread::scope(|s| {
            let ta = s.spawn(|| app.req("DELETE", &format!("/api/v1/keys/{b_id}"), Some(&a_key), None).status);
            let tb = s.spawn(|| app.req("DELETE", &format!("/api/v1/keys/{a_id}"), Some(&b_key), None).status);
            (ta.join().unwrap(), tb.join().unwrap())
        });
        let mut statuses = [ra, rb];
        statuses.sort();
        // The loser is refused as the last admin (409) or, its own key revoked first, with 401.
        assert!(statuses == [204, 401] || statuses == [204, 409], "round {round}: {statuses:?}");
        admin = if ra == 204 { a_key } else { b_key };
        let left = app.get("/api/v1/keys", &admin).json();
        let admins =
            left.as_array().unwrap().iter().filter(|k| k["role"] == "admin" && k["revoked_at"].is_null()).count();
        assert_eq!(admins, 1, "round {round}");
    }
}
