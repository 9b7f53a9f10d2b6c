//! Supplier-list uploads over HTTP: every format, the row-error contract, idempotent re-upload,
//! the original bytes, rejected.xlsx round trip, tenant isolation.

use crate::helpers::*;
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use serde_json::Value;

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/fixtures/ingest/{name}", env!("CARGO_MANIFEST_DIR"))).expect("fixture")
}

pub fn upload(app: &TestApp, key: &str, filename: &str, bytes: &[u8], extra: &[(&str, &str)]) -> Resp {
    let mut parts: Vec<(&str, Option<&str>, &[u8])> = vec![("file", Some(filename), bytes)];
    for (k, v) in extra {
        parts.push((k, None, v.as_bytes()));
    }
    let (ct, body) = multipart(&parts);
    app.send("POST", "/api/v1/uploads", &[("Authorization", &format!("Bearer {key}")), ("Content-Type", &ct)], &body)
}

fn errors_by_row(report: &Value) -> Vec<(u64, String, String)> {
    problems_by_row(report, "errors")
}

fn warnings_by_row(report: &Value) -> Vec<(u64, String, String)> {
    problems_by_row(report, "warnings")
}

fn problems_by_row(report: &Value, key: &str) -> Vec<(u64, String, String)> {
    let mut v: Vec<_> = report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap_or("").to_string(),
                e["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn messy_csv_report_names_rows_and_columns_and_scores_accepted_rows() {
    let app = TestApp::spawn();
    let bytes = fixture("suppliers_messy_utf8.csv");
    let r = upload(&app, &app.admin_key, "acme_master.csv", &bytes, &[]);
    assert_eq!(r.status, 201, "{}", r.text());
    let rep = r.json();
    assert_eq!(rep["format"], "csv");
    assert_eq!(rep["kind"], "supplier_list");
    assert_eq!(rep["filename"], "acme_master.csv");
    assert_eq!(rep["rows_total"], 13);
    // Only a missing or unreadable name, country or sector refuses a row (DOMAIN.md §2).
    assert_eq!(rep["rows_accepted"], 11);
    assert_eq!(rep["rows_rejected"], 2);
    assert_eq!(rep["suppliers_created"], 11);
    assert_eq!(rep["suppliers_updated"], 0);
    assert_eq!(rep["assessment_ids"].as_array().unwrap().len(), 11);
    assert_eq!(rep["sha256"].as_str().unwrap().len(), 64);
    let cols = rep["columns"].as_array().unwrap();
    assert_eq!(cols[0]["header"], "Vendor No.");
    assert_eq!(cols[0]["field"], "external_ref");
    assert_eq!(cols[10]["header"], "Notes");
    assert_eq!(cols[10]["field"], "notes");
    assert_eq!(
        errors_by_row(&rep),
        vec![
            (12, "Country/Region".into(), "unknown_country".into()),
            (13, "Supplier Name".into(), "missing_required".into()),
        ]
    );
    // Unreadable optional values: the supplier is kept, the field left unknown, the cell named.
    assert_eq!(
        warnings_by_row(&rep),
        vec![
            (7, "Last audit".into(), "ambiguous_date".into()),
            (14, "No. of Employees".into(), "out_of_range".into()),
            (15, "Migrant workers (%)".into(), "out_of_range".into()),
            (16, "Date of incorporation".into(), "future_date".into()),
        ]
    );
    let w15 = rep["warnings"].as_array().unwrap().iter().find(|e| e["row"] == 15).unwrap();
    assert_eq!(w15["value"], "150%");
    let e12 = rep["errors"].as_array().unwrap().iter().find(|e| e["row"] == 12).unwrap();
    assert_eq!(e12["value"], "Atlantis");
    assert!(e12["message"].as_str().unwrap().len() > 10);

    // The suppliers exist with their fields, extra attributes and source row.
    let list = app.get("/api/v1/suppliers?q=golden", &app.admin_key).json();
    assert_eq!(list["total"], 1);
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let s = app.get(&format!("/api/v1/suppliers/{id}"), &app.admin_key).json();
    assert_eq!(s["external_ref"], "V-001");
    assert_eq!(s["country"], "VN");
    assert_eq!(s["sector"], "agriculture");
    assert_eq!(s["fields"]["employee_count"], 1250);
    assert_eq!(s["fields"]["migrant_worker_pct"], 35.0);
    assert_eq!(s["fields"]["notes"], "ok");
    assert_eq!(s["sources"][0]["row"], 4);
    assert_eq!(s["sources"][0]["filename"], "acme_master.csv");
    assert!(s["latest_assessment"]["tier"].is_string());

    // Findings cite the cell as written: the header of the file and the raw cell text. A
    // re-score reads the supplier back from the database (where a supplier-list row keeps only
    // its upload and row: the cells are the upload row's, the column map the upload's) and
    // cites the same cells.
    let upload_evidence = |aid: &str| -> Vec<(String, String, String)> {
        let a = app.get(&format!("/api/v1/assessments/{aid}"), &app.admin_key).json();
        let mut ev: Vec<(String, String, String)> = a["findings"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|f| f["evidence"].as_array().unwrap().clone())
            .filter(|e| e["source"] == "upload")
            .map(|e| (e["column"].as_str().unwrap().into(), e["value"].as_str().unwrap().into(), e["row"].to_string()))
            .collect();
        ev.sort();
        ev
    };
    let first = upload_evidence(s["latest_assessment"]["assessment_id"].as_str().unwrap());
    assert!(first.contains(&("Migrant workers (%)".into(), "35%".into(), "4".into())), "{first:?}");
    let r = app.post("/api/v1/assessments", &app.admin_key, &serde_json::json!({"supplier_ids": [id]}));
    assert_eq!(r.status, 201, "{}", r.text());
    let again = upload_evidence(r.json()["assessment_ids"][0].as_str().unwrap());
    assert_eq!(again, first, "the re-score cites other cells");

    // Same bytes again: 200 and the first report, nothing new written.
    let again = upload(&app, &app.admin_key, "renamed.csv", &bytes, &[]);
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["id"], rep["id"]);
    assert_eq!(app.get("/api/v1/uploads", &app.admin_key).json()["total"], 1);
    assert_eq!(app.get("/api/v1/suppliers", &app.admin_key).json()["total"], 11);

    // The original bytes come back exactly.
    let f = app.get(&format!("/api/v1/uploads/{}/file", rep["id"].as_str().unwrap()), &app.admin_key);
    assert_eq!(f.status, 200);
    assert_eq!(f.body, bytes);
    assert_eq!(f.header("x-content-type-options"), Some("nosniff"));
    // And the report.
    let g = app.get(&format!("/api/v1/uploads/{}", rep["id"].as_str().unwrap()), &app.admin_key).json();
    assert_eq!(g["rows_rejected"], 2);
}

#[test]
fn rejected_rows_round_trip_fix_and_reupload() {
    let app = TestApp::spawn();
    let rep = upload(&app, &app.admin_key, "acme.csv", &fixture("suppliers_messy_utf8.csv"), &[]).json();
    let id = rep["id"].as_str().unwrap();
    let r = app.get(&format!("/api/v1/uploads/{id}/rejected.xlsx"), &app.admin_key);
    assert_eq!(r.status, 200);
    assert!(r.header("content-disposition").unwrap().contains("acme-rejected.xlsx"));
    let mut x: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(r.body.clone())).unwrap();
    let range = x.worksheet_range("Rejected rows").unwrap();
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
    assert_eq!(rows[0][0], "Vendor No.");
    assert_eq!(rows[0][1], "Supplier Name");
    assert_eq!(rows[0][11], "Why rejected (Manumit)");
    assert_eq!(rows.len(), 3, "header + 2 rejected rows");
    let atl = rows.iter().find(|r| r[0] == "V-008").unwrap();
    assert_eq!(atl[2], "Atlantis");
    assert!(atl[11].contains("Country/Region"), "{atl:?}");
    assert_eq!(range.get_value((1, 12)), Some(&Data::Float(12.0)));

    // Fix every row the way an analyst would, write it back, upload: all accepted.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (ri, row) in rows.iter().enumerate() {
        for (ci, v) in row.iter().enumerate() {
            let mut v = v.clone();
            if ri > 0 {
                match (ci, v.as_str()) {
                    (1, "") => v = "Siam Rice Co".into(),
                    (2, "Atlantis") => v = "Greece".into(),
                    (4, "-5") => v = "5".into(),
                    (5, "150%") => v = "15%".into(),
                    (6, "2031-01-01") => v = "2011-01-01".into(),
                    (9, "03/04/2022") => v = "2022-04-03".into(),
                    _ => {}
                }
            }
            ws.write_string(ri as u32, ci as u16, &v).unwrap();
        }
    }
    let fixed = wb.save_to_buffer().unwrap();
    let r = upload(&app, &app.admin_key, "acme-fixed.xlsx", &fixed, &[]);
    assert_eq!(r.status, 201, "{}", r.text());
    let rep2 = r.json();
    assert_eq!(rep2["rows_rejected"], 0, "{}", rep2["errors"]);
    assert_eq!(rep2["rows_accepted"], 2);
    assert_eq!(app.get("/api/v1/suppliers", &app.admin_key).json()["total"], 13);
}

/// The messy list as Aspose.Cells' xlsb (with its evaluation-warning sheet) gives the xlsx's
/// report row for row, and matches the suppliers the xlsx created.
#[test]
fn xlsb_upload_reports_as_the_xlsx() {
    let app = TestApp::spawn();
    let x = upload(&app, &app.admin_key, "acme.xlsx", &fixture("suppliers_messy_utf8.xlsx"), &[]);
    assert_eq!(x.status, 201, "{}", x.text());
    let x = x.json();
    let b = upload(&app, &app.admin_key, "acme.xlsb", &fixture("suppliers_messy_utf8.xlsb"), &[]);
    assert_eq!(b.status, 201, "{}", b.text());
    let b = b.json();
    assert_eq!(b["format"], "xlsb");
    for k in ["rows_total", "rows_accepted", "rows_rejected", "columns"] {
        assert_eq!(b[k], x[k], "{k}");
    }
    assert_eq!((b["rows_accepted"].as_u64(), b["rows_rejected"].as_u64()), (Some(11), Some(2)));
    assert_eq!(errors_by_row(&b), errors_by_row(&x));
    assert_eq!(warnings_by_row(&b), warnings_by_row(&x));
    assert!(warnings_by_row(&b).contains(&(15, "Migrant workers (%)".into(), "out_of_range".into())));
    assert_eq!((b["suppliers_created"].as_u64(), b["suppliers_updated"].as_u64()), (Some(0), Some(11)));
}

/// Percent-formatted cells through the whole upload: 35% is stored as 35, 150% is not read,
/// a headcount formatted as 3500% is not read (warnings; the suppliers are kept).
#[test]
fn percent_formatted_cells_upload_as_shown() {
    let app = TestApp::spawn();
    let r = upload(&app, &app.admin_key, "pct.xlsx", &fixture("suppliers_percent_formats.xlsx"), &[]);
    assert_eq!(r.status, 201, "{}", r.text());
    let rep = r.json();
    assert_eq!(errors_by_row(&rep), vec![]);
    assert_eq!(
        warnings_by_row(&rep),
        vec![(4, "Migrant workers %".into(), "out_of_range".into()), (5, "Employees".into(), "invalid_number".into())]
    );
    let list = app.get("/api/v1/suppliers?q=alpha", &app.admin_key).json();
    let id = list["items"][0]["id"].as_str().unwrap().to_string();
    let s = app.get(&format!("/api/v1/suppliers/{id}"), &app.admin_key).json();
    assert_eq!(s["fields"]["migrant_worker_pct"], 35.0);
    assert_eq!(s["fields"]["cash_revenue_pct"], 12.5);
    assert_eq!(s["fields"]["notes"], "25%");
}

#[test]
fn every_format_reads() {
    let app = TestApp::spawn();
    // Rows 12 (unknown country) and 13 (no name) are refused in every format.
    for (name, format, accepted) in [
        ("suppliers_messy_utf8.xlsx", "xlsx", 11),
        ("suppliers_messy_utf8.xls", "xls", 11),
        ("suppliers_messy_utf8.ods", "ods", 11),
        ("suppliers_messy_utf8.xlsb", "xlsb", 11),
        ("suppliers_cp1252_semicolon.csv", "csv", -1),
        ("suppliers_utf16le_tab.tsv", "csv", -1),
        ("suppliers_300.xlsx", "xlsx", -1),
    ] {
        let r = upload(&app, &app.admin_key, name, &fixture(name), &[]);
        assert!(r.status == 201, "{name}: {}", r.text());
        let rep = r.json();
        assert_eq!(rep["format"], format, "{name}");
        if accepted >= 0 {
            assert_eq!(rep["rows_accepted"], accepted, "{name}: {}", rep["errors"]);
        } else {
            assert!(rep["rows_accepted"].as_u64().unwrap() > 0, "{name}: {rep}");
        }
    }
    // The three LibreOffice conversions describe the same suppliers: matched, not duplicated.
    let rep = upload(&app, &app.admin_key, "again.csv", &fixture("suppliers_messy_utf8.csv"), &[]).json();
    assert_eq!(rep["suppliers_created"], 0, "{rep}");
    assert_eq!(rep["suppliers_updated"], 11);
}

#[test]
fn mapping_part_overrides_headers() {
    let app = TestApp::spawn();
    let csv = "Firm,Land,Branch,Staff\nAcme Farms,Kenya,agriculture,40\n";
    let r = upload(&app, &app.admin_key, "x.csv", csv.as_bytes(), &[]);
    r.assert_problem(422, "no_header_row");
    let mapping = r#"{"Firm": "legal_name", "Land": "country", "Branch": "sector", "Staff": "employee_count"}"#;
    let r = upload(&app, &app.admin_key, "x.csv", csv.as_bytes(), &[("mapping", mapping)]);
    assert_eq!(r.status, 201, "{}", r.text());
    assert_eq!(r.json()["rows_accepted"], 1);
    let r = upload(&app, &app.admin_key, "y.csv", b"a,b\n1,2\n", &[("mapping", "{not json")]);
    let j = r.assert_problem(422, "invalid_mapping");
    assert_eq!(j["errors"][0]["field"], "mapping");
    let r = upload(&app, &app.admin_key, "y.csv", b"a,b\n1,2\n", &[("kind", "invoice")]);
    r.assert_problem(422, "invalid_kind");
}

#[test]
fn uploads_are_isolated_between_organisations_and_roles() {
    let app = TestApp::spawn();
    let rep = upload(&app, &app.admin_key, "a.csv", &fixture("suppliers_messy_utf8.csv"), &[]).json();
    let id = rep["id"].as_str().unwrap();
    let other = app.other_org_admin("globex");
    for path in [
        format!("/api/v1/uploads/{id}"),
        format!("/api/v1/uploads/{id}/file"),
        format!("/api/v1/uploads/{id}/rejected.xlsx"),
    ] {
        let a = app.get(&path, &other);
        let b = app.get(&path.replace(id, "0190a3c0-0000-7000-8000-000000000000"), &other);
        assert_eq!(a.assert_problem(404, "not_found")["detail"], b.assert_problem(404, "not_found")["detail"]);
    }
    assert_eq!(app.get("/api/v1/uploads", &other).json()["total"], 0);
    assert_eq!(app.get("/api/v1/suppliers", &other).json()["total"], 0);
    let sid = rep["supplier_ids"][0].as_str().unwrap();
    app.get(&format!("/api/v1/suppliers/{sid}"), &other).assert_problem(404, "not_found");
    app.get(&format!("/api/v1/suppliers/{sid}/risk"), &other).assert_problem(404, "not_found");
    let aid = rep["assessment_ids"][0].as_str().unwrap();
    app.get(&format!("/api/v1/assessments/{aid}"), &other).assert_problem(404, "not_found");
    // The same bytes in another organisation are a new upload there.
    let r = upload(&app, &other, "a.csv", &fixture("suppliers_messy_utf8.csv"), &[]);
    assert_eq!(r.status, 201);
    assert_ne!(r.json()["id"], rep["id"]);
    // Auditors read but cannot upload.
    let auditor = app.key("auditor");
    upload(&app, &auditor, "a.csv", b"x", &[]).assert_problem(403, "forbidden");
}
