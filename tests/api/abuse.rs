//! Input that costs more than it should: oversized query text, thousands of wrong fields, NUL
//! characters, bidirectional controls. Each is refused or cleaned with a bounded, named answer.

use crate::helpers::*;
use serde_json::{json, Map, Value};

/// A body of 10,000 unknown fields gets a short answer: the first 100 items and the count.
#[test]
fn a_problem_lists_at_most_100_items_and_counts_the_rest() {
    let app = TestApp::spawn();
    let mut body = Map::new();
    body.insert("legal_name".into(), json!("Lotus Works Ltd."));
    for i in 0..10_000 {
        body.insert(format!("unknown_{i:05}"), json!(1));
    }
    let body = Value::Object(body);
    let sent = body.to_string().len();
    assert!(sent > 100_000, "{sent}");
    let r = app.req("PUT", "/api/v1/suppliers/by-ref/MANY", Some(&app.admin_key), Some(&body));
    let text = r.text();
    assert!(text.len() < 32 * 1024, "{} bytes answered for {sent} sent", text.len());
    let j = r.assert_problem(422, "validation_failed");
    let errors = j["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 100);
    assert_eq!(errors[0]["code"], "unknown_field");
    assert_eq!(j["errors_total"], 10_000);
    // A few wrong fields are all listed, with no count.
    let r = app.req("PUT", "/api/v1/suppliers/by-ref/FEW", Some(&app.admin_key), Some(&json!({"a": 1, "b": 2})));
    let j = r.assert_problem(422, "validation_failed");
    assert_eq!(j["errors"].as_array().unwrap().len(), 2);
    assert!(j.get("errors_total").is_none(), "{j}");
}
