//! Hostile and broken files over HTTP: each is refused whole with a 4xx problem+json in
//! seconds, nothing is written, and the server stays up.

use crate::helpers::*;
use crate::uploads::upload;
use std::io::{Cursor, Write};
use std::time::{Duration, Instant};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const CT: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WB: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Suppliers" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WB_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const SST: &str = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>Supplier name</t></si><si><t>Country</t></si><si><t>Sector</t></si></sst>"#;

fn sheet(cells: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/><sheetData>{cells}</sheetData></worksheet>"#
    )
}

fn xlsx(sheet1: &str, sst: &str) -> Vec<u8> {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for (name, data) in [
        ("[Content_Types].xml", CT),
        ("_rels/.rels", RELS),
        ("xl/workbook.xml", WB),
        ("xl/_rels/workbook.xml.rels", WB_RELS),
        ("xl/worksheets/sheet1.xml", sheet1),
        ("xl/sharedStrings.xml", sst),
    ] {
        z.start_file(name, o).unwrap();
        z.write_all(data.as_bytes()).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn zip_bomb() -> Vec<u8> {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated).large_file(true);
    for (name, data) in [("[Content_Types].xml", CT), ("xl/workbook.xml", WB)] {
        z.start_file(name, o).unwrap();
        z.write_all(data.as_bytes()).unwrap();
    }
    z.start_file("xl/worksheets/sheet1.xml", o).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        z.write_all(&chunk).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn encrypted() -> Vec<u8> {
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cf.create_stream("/EncryptionInfo").unwrap().write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]).unwrap();
    cf.create_stream("/EncryptedPackage").unwrap().write_all(&[0u8; 4096]).unwrap();
    cf.flush().unwrap();
    cf.into_inner().into_inner()
}

#[test]
fn hostile_files_are_refused_whole_and_the_server_survives() {
    let app = TestApp::spawn();
    let good = xlsx(
        &sheet(
            r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>Acme</t></is></c><c r="B2" t="inlineStr"><is><t>Kenya</t></is></c><c r="C2" t="inlineStr"><is><t>agri</t></is></c></row>"#,
        ),
        SST,
    );
    let mut truncated = good.clone();
    truncated.truncate(good.len() / 2);
    let mut random = vec![0u8; 4096];
    let mut x: u32 = 12345;
    for b in random.iter_mut() {
        x = x.wrapping_mul(1103515245).wrapping_add(12345);
        *b = (x >> 16) as u8;
    }
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("zip bomb", zip_bomb(), 422, "archive_bomb"),
        (
            "dense range bomb",
            xlsx(
                &sheet(
                    r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#,
                ),
                SST,
            ),
            422,
            "too_many_columns",
        ),
        (
            "shared strings count bomb",
            xlsx(
                &sheet(""),
                r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="100000000000000"><si><t>a</t></si></sst>"#,
            ),
            422,
            "too_many_strings",
        ),
        (
            // No spreadsheet program writes rows out of order; a streaming reader cannot merge them.
            "rows out of order",
            xlsx(
                &sheet(
                    r#"<row r="2"><c r="A2" t="inlineStr"><is><t>Acme</t></is></c></row><row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
                ),
                SST,
            ),
            422,
            "unreadable_file",
        ),
        ("truncated zip", truncated, 422, "unreadable_file"),
        ("random bytes", random, 415, "unsupported_format"),
        ("pdf renamed", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec(), 415, "unsupported_format"),
        ("encrypted workbook", encrypted(), 422, "password_protected"),
    ];
    for (what, bytes, status, code) in cases {
        let t = Instant::now();
        let r = upload(&app, &app.admin_key, "suppliers.xlsx", &bytes, &[]);
        let j = r.assert_problem(status, code);
        assert!(t.elapsed() < Duration::from_secs(20), "{what} took {:?}", t.elapsed());
        assert!(!j["detail"].as_str().unwrap().is_empty(), "{what}");
        assert_eq!(app.req("GET", "/healthz", None, None).status, 200, "server died on {what}");
    }
    let r = upload(&app, &app.admin_key, "empty.csv", b"", &[]);
    r.assert_problem(422, "empty_file");
    assert_eq!(app.get("/api/v1/uploads", &app.admin_key).json()["total"], 0, "a refused file wrote something");
    assert_eq!(app.get("/api/v1/suppliers", &app.admin_key).json()["total"], 0);
    // And a good file still goes through afterwards.
    assert_eq!(upload(&app, &app.admin_key, "ok.xlsx", &good, &[]).status, 201);
}

/// Rows are stored as they are read, a chunk at a time: a file refused after the first chunks
/// were written (here a row far down with data beyond the column cap) must still leave no trace.
#[test]
fn a_file_refused_part_way_through_leaves_no_trace() {
    let app = TestApp::spawn();
    let mut csv = String::from("Supplier name,Country,Sector\n");
    for i in 0..4500 {
        csv.push_str(&format!("Supplier {i} Ltd,Kenya,agri\n"));
    }
    csv.push_str(&format!("Late row,Kenya,agri{}x\n", ",".repeat(250)));
    let r = upload(&app, &app.admin_key, "late.csv", csv.as_bytes(), &[]);
    r.assert_problem(422, "too_many_columns");
    assert_eq!(app.get("/api/v1/uploads", &app.admin_key).json()["total"], 0, "the upload row stayed");
    assert_eq!(app.get("/api/v1/suppliers", &app.admin_key).json()["total"], 0, "suppliers of the first chunks stayed");
    // Without the bad row the same list goes through whole.
    let good: String = csv.lines().take(4501).map(|l| format!("{l}\n")).collect();
    let r = upload(&app, &app.admin_key, "good.csv", good.as_bytes(), &[]);
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["rows_accepted"], 4500);
    assert_eq!(app.get("/api/v1/suppliers", &app.admin_key).json()["total"], 4500);
}

#[test]
fn over_size_upload_is_413_before_the_body_is_read() {
    let app = TestApp::spawn_with(&[("MANUMIT_MAX_UPLOAD_BYTES", "100000")]);
    let big = vec![b'a'; 400_000];
    let r = upload(&app, &app.admin_key, "big.csv", &big, &[]);
    r.assert_problem(413, "file_too_large");
    // Declared length over the limit: refused from the headers alone, without a body.
    let r = app.send(
        "POST",
        "/api/v1/uploads",
        &[
            ("Authorization", &format!("Bearer {}", app.admin_key)),
            ("Content-Type", "multipart/form-data; boundary=x"),
            ("Content-Length", "999999999"),
        ],
        b"",
    );
    assert!(r.status == 413 || r.status == 400, "{}", r.status);
    assert_eq!(app.get("/api/v1/uploads", &app.admin_key).json()["total"], 0);
    // Not multipart: 415.
    let r = app.send(
        "POST",
        "/api/v1/uploads",
        &[("Authorization", &format!("Bearer {}", app.admin_key)), ("Content-Type", "text/csv")],
        b"a,b",
    );
    r.assert_problem(415, "unsupported_media_type");
    // Multipart without a file part.
    let (ct, body) = multipart(&[("kind", None, b"supplier_list")]);
    let r = app.send(
        "POST",
        "/api/v1/uploads",
        &[("Authorization", &format!("Bearer {}", app.admin_key)), ("Content-Type", &ct)],
        &body,
    );
    let j = r.assert_problem(422, "missing_file");
    assert_eq!(j["errors"][0]["field"], "file");
}
