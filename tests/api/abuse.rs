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

/// A right-to-left override can make a name display as another; in a name it stays visible as
/// "[RLO]" with a warning, from a reference or a file name it is removed. Downloads carry the
/// exact file name as `filename*=UTF-8''…` beside an ASCII `filename=`.
#[test]
fn bidirectional_controls_are_marked_in_names_and_removed_from_identifiers() {
    let app = TestApp::spawn();
    let csv = "Vendor No.,Supplier Name,Country,Sector\n\
               \u{202E}V-1\u{200F},Acme \u{202E}dtL gnihsiF,Thailand,Fishing\n\
               V-2,Nowhere Ltd,Atlantis,Fishing\n";
    let r = crate::uploads::upload(&app, &app.admin_key, "Lieferanten Zürich\u{202E}.csv", csv.as_bytes(), &[]);
    assert_eq!(r.status, 201, "{}", r.text());
    let rep = r.json();
    assert_eq!(rep["filename"], "Lieferanten Zürich.csv");
    let warnings = rep["warnings"].as_array().unwrap();
    let w = warnings.iter().find(|w| w["code"] == "bidi_control").unwrap_or_else(|| panic!("{rep}"));
    assert_eq!((w["row"].as_u64(), w["column"].as_str()), (Some(2), Some("Supplier Name")), "{w}");
    assert_eq!(w["value"], "Acme [RLO]dtL gnihsiF");
    assert!(w["message"].as_str().unwrap().contains("[RLO]"), "{w}");
    assert_eq!(warnings.iter().filter(|w| w["code"] == "bidi_control").count(), 1, "the reference is cleaned silently");

    let list = app.get("/api/v1/suppliers", &app.admin_key).json();
    let s = &list["items"][0];
    assert_eq!(s["legal_name"], "Acme [RLO]dtL gnihsiF", "{list}");
    assert_eq!(s["external_ref"], "V-1", "{list}");

    let id = rep["id"].as_str().unwrap();
    let f = app.get(&format!("/api/v1/uploads/{id}/file"), &app.admin_key);
    assert_eq!(f.status, 200);
    assert_eq!(
        f.header("content-disposition"),
        Some("attachment; filename=\"Lieferanten Z_rich.csv\"; filename*=UTF-8''Lieferanten%20Z%C3%BCrich.csv")
    );
    let x = app.get(&format!("/api/v1/uploads/{id}/rejected.xlsx"), &app.admin_key);
    assert_eq!(x.status, 200);
    assert_eq!(
        x.header("content-disposition"),
        Some(
            "attachment; filename=\"Lieferanten Z_rich-rejected.xlsx\"; \
             filename*=UTF-8''Lieferanten%20Z%C3%BCrich-rejected.xlsx"
        )
    );
    let wb = app.get("/api/v1/reports/workbook.xlsx", &app.admin_key);
    assert_eq!(wb.status, 200);
    let cd = wb.header("content-disposition").unwrap();
    assert!(cd.starts_with("attachment; filename=\"") && cd.ends_with(".xlsx\""), "{cd}");
    // The auditor's workbook shows the marker, not a name that reads "Acme Fishing Ltd".
    let mut x: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(wb.body.clone())).unwrap();
    let mut cells = Vec::new();
    for name in calamine::Reader::sheet_names(&x) {
        let range = calamine::Reader::worksheet_range(&mut x, &name).unwrap();
        cells.extend(range.cells().map(|(_, _, c)| c.to_string()).filter(|c| c.contains("Acme")));
    }
    assert!(!cells.is_empty() && cells.iter().all(|c| c.contains("Acme [RLO]dtL gnihsiF")), "{cells:?}");
}

/// Free-text query parameters have a maximum: 50,000 characters of `q` used to be a 500 on
/// SQLite ("LIKE or GLOB pattern too complex").
#[test]
fn an_over_long_query_parameter_is_422_naming_it() {
    let app = TestApp::spawn();
    let r = app.get(&format!("/api/v1/suppliers?q={}", "a".repeat(50_000)), &app.admin_key);
    let j = r.assert_problem(422, "invalid_query");
    assert_eq!(j["errors"][0]["field"], "q", "{j}");
    assert!(j["detail"].as_str().unwrap().contains("200"), "{j}");
    assert_eq!(app.get(&format!("/api/v1/suppliers?q={}", "a".repeat(200)), &app.admin_key).status, 200);
    let r = app.get(
        &format!("/api/v1/questionnaires/manufacturing/template.xlsx?supplier_id={}", "x".repeat(201)),
        &app.admin_key,
    );
    assert_eq!(r.assert_problem(422, "invalid_query")["errors"][0]["field"], "supplier_id");
}

/// A NUL character in JSON text or in a query parameter is refused with 422 naming where it
/// is, on both backends (PostgreSQL used to answer 500, SQLite stored the text cut short).
#[test]
fn text_with_a_nul_character_is_422_naming_the_field() {
    let app = TestApp::spawn();
    let r = app.req(
        "PUT",
        "/api/v1/suppliers/by-ref/NUL-1",
        Some(&app.admin_key),
        Some(&json!({"legal_name": "Acme\u{0} Ltd", "country": "TH", "sector": "manufacturing"})),
    );
    let j = r.assert_problem(422, "nul_character");
    assert_eq!(j["errors"][0]["field"], "/legal_name", "{j}");
    let r = app.post(
        "/api/v1/screening-decisions",
        &app.admin_key,
        &json!({"supplier_id": "s", "list": "l", "matched_entity": "e", "decision": "confirmed", "reason": "x\u{0}y"}),
    );
    let j = r.assert_problem(422, "nul_character");
    assert_eq!(j["errors"][0]["field"], "/reason", "{j}");
    let r = app.post("/api/v1/keys", &app.admin_key, &json!({"name": ["ok", "n\u{0}"], "role": "admin"}));
    assert_eq!(r.assert_problem(422, "nul_character")["errors"][0]["field"], "/name/1");
    for path in [
        "/api/v1/suppliers?q=a%00b",
        "/api/v1/suppliers?country=T%00",
        "/api/v1/questionnaires/manufacturing/template.xlsx?supplier_id=%00",
        "/api/v1/reports/workbook.xlsx?supplier_id=a%00",
        "/api/v1/uploads?page=%00",
    ] {
        let r = app.get(path, &app.admin_key);
        let j = r.assert_problem(422, "nul_character");
        assert!(j["errors"][0]["field"].is_string(), "{path}: {j}");
    }
    // In a path, no resource has such an id.
    for path in ["/api/v1/suppliers/a%00b", "/api/v1/suppliers/%00/risk", "/api/v1/uploads/%00"] {
        app.get(path, &app.admin_key).assert_problem(404, "not_found");
    }
    let r = app.req("PUT", "/api/v1/suppliers/by-ref/N%00", Some(&app.admin_key), Some(&json!({"legal_name": "Acme"})));
    r.assert_problem(404, "not_found");
    // Nothing was written.
    assert_eq!(app.get("/api/v1/suppliers", &app.admin_key).json()["total"], 0);
}

/// Text parts of a form are text too: a NUL character in a watchlist's name, an upload's
/// supplier id or its mapping is a 422 naming the part.
#[test]
fn form_parts_with_a_nul_character_are_422_naming_the_part() {
    let app = TestApp::spawn();
    let auth = format!("Bearer {}", app.admin_key);
    let csv: &[u8] = b"name,aliases,country\nAcme,,TH\n";
    let (ct, body) =
        multipart(&[("file", Some("list.csv"), csv), ("name", None, b"Own\0list"), ("edition", None, b"2026")]);
    let r = app.send("POST", "/api/v1/watchlists", &[("Authorization", &auth), ("Content-Type", &ct)], &body);
    assert_eq!(r.assert_problem(422, "nul_character")["errors"][0]["field"], "name");
    let list: &[u8] = b"Supplier Name,Country,Sector\nAcme,Thailand,Fishing\n";
    let mapping = json!({"Supplier Name\u{0}": "legal_name"}).to_string();
    let (ct, body) = multipart(&[("file", Some("s.csv"), list), ("mapping", None, mapping.as_bytes())]);
    let r = app.send("POST", "/api/v1/uploads", &[("Authorization", &auth), ("Content-Type", &ct)], &body);
    assert_eq!(r.assert_problem(422, "nul_character")["errors"][0]["field"], "mapping/Supplier Name\u{0}");
    let (ct, body) = multipart(&[("file", Some("s.csv"), list), ("supplier_id", None, b"x\0")]);
    let r = app.send("POST", "/api/v1/uploads", &[("Authorization", &auth), ("Content-Type", &ct)], &body);
    assert_eq!(r.assert_problem(422, "nul_character")["errors"][0]["field"], "supplier_id");
    assert_eq!(app.get("/api/v1/uploads", &app.admin_key).json()["total"], 0);
}
