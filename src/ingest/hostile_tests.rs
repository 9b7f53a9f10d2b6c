//! Hostile and broken files built in code: each must be refused with the right code, and none
//! may abort or hang the process.

use super::*;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const CT: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;
const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WB: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Suppliers" sheetId="1" r:id="rId1"/><sheet name="_manumit" sheetId="2" state="hidden" r:id="rId2"/></sheets></workbook>"#;
const WB_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

fn sheet_xml(cells: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/><sheetData>{cells}</sheetData></worksheet>"#
    )
}

/// A minimal xlsx with the given sheet-1 cells, shared strings and extra entries.
fn xlsx(sheet1: &str, sst: &str, extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let sheet2 = sheet_xml(r#"<row r="1"><c r="A1" t="inlineStr"><is><t>v1</t></is></c></row>"#);
    let parts: [(&str, &[u8]); 7] = [
        ("[Content_Types].xml", CT.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("xl/workbook.xml", WB.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WB_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet1.as_bytes()),
        ("xl/worksheets/sheet2.xml", sheet2.as_bytes()),
        ("xl/sharedStrings.xml", sst.as_bytes()),
    ];
    for (name, data) in parts.iter().chain(extra.iter()) {
        z.start_file(*name, o).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

const SST_OK: &str = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>Supplier name</t></si><si><t>Country</t></si><si><t>Sector</t></si></sst>"#;

fn good_sheet() -> String {
    sheet_xml(
        r#"<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c></row>
           <row r="3"><c r="A3" t="inlineStr"><is><t> Acme </t></is></c><c r="B3" t="inlineStr"><is><t>Viet Nam</t></is></c><c r="C3" t="inlineStr"><is><t>agri</t></is></c><c r="D3"><v>12</v></c></row>"#,
    )
}

#[test]
fn minimal_xlsx_reads_with_hidden_sheet() {
    let bytes = xlsx(&good_sheet(), SST_OK, &[]);
    assert_eq!(sniff(&bytes).unwrap(), crate::domain::FileFormat::Xlsx);
    let wb = read_workbook(&bytes, &Limits::default()).unwrap();
    assert_eq!(wb.sheets.len(), 2);
    assert!(!wb.sheets[0].hidden);
    assert!(wb.sheets[1].hidden, "_manumit is hidden");
    assert_eq!(wb.sheets[0].rows[0].row, 2);
    assert_eq!(wb.sheets[0].rows[1].cells[0], crate::domain::Cell::Text("Acme".into()));
    assert_eq!(wb.sheets[0].rows[1].cells[3], crate::domain::Cell::Number(12.0));
}

#[test]
fn xlsm_by_content_type() {
    let ct = CT.replace("sheet.main+xml", "sheet.macroEnabled.main+xml");
    let mut bytes = xlsx(&good_sheet(), SST_OK, &[]);
    // Rebuild with the macro-enabled content type in place of the normal one.
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let mut src = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        if name == "[Content_Types].xml" {
            data = ct.as_bytes().to_vec();
        }
        z.start_file(name, SimpleFileOptions::default()).unwrap();
        z.write_all(&data).unwrap();
    }
    bytes = z.finish().unwrap().into_inner();
    assert_eq!(sniff(&bytes).unwrap(), crate::domain::FileFormat::Xlsm);
    assert_eq!(read_workbook(&bytes, &Limits::default()).unwrap().sheets[0].rows.len(), 2);
}

#[test]
fn zip_bomb_is_refused_before_parsing() {
    // 1 GB of zeros in one entry, streamed through the compressor (about 1 MB on disk).
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
    let bytes = z.finish().unwrap().into_inner();
    assert!(bytes.len() < 5 << 20, "{}", bytes.len());
    let e = read_workbook(&bytes, &Limits::default()).unwrap_err();
    assert_eq!((e.code(), e.status()), ("archive_bomb", 422), "{e}");
}

#[test]
fn dense_range_bomb_does_not_abort() {
    let sheet =
        sheet_xml(r#"<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>"#);
    let bytes = xlsx(&sheet, SST_OK, &[]);
    assert!(bytes.len() < 4096);
    let e = read_workbook(&bytes, &Limits::default()).unwrap_err();
    assert_eq!(e.code(), "too_many_columns");
    // With a wider column cap the streaming reader still reads it sparsely.
    let wide = Limits { max_cols: 20_000, ..Limits::default() };
    let wb = read_workbook(&bytes, &wide).unwrap();
    assert_eq!(wb.sheets[0].rows.iter().map(|r| r.row).collect::<Vec<_>>(), vec![1, 1048576]);
}

#[test]
fn shared_strings_count_bomb_refused_before_calamine() {
    let sst = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="100000000000000"><si><t>a</t></si></sst>"#;
    let bytes = xlsx(&good_sheet(), sst, &[]);
    let e = read_workbook(&bytes, &Limits::default()).unwrap_err();
    assert_eq!(e.code(), "too_many_strings", "{e}");
}

#[test]
fn row_and_cell_caps() {
    let bytes = xlsx(&good_sheet(), SST_OK, &[]);
    let e = read_workbook(&bytes, &Limits { max_rows: 1, ..Limits::default() }).unwrap_err();
    assert_eq!(e.code(), "too_many_rows");
    let e = read_workbook(&bytes, &Limits { max_cells: 5, ..Limits::default() }).unwrap_err();
    assert_eq!(e.code(), "too_many_cells");
    let e = read_workbook(&bytes, &Limits { max_bytes: 100, ..Limits::default() }).unwrap_err();
    assert_eq!((e.code(), e.status()), ("file_too_large", 413));
}

#[test]
fn nested_archive_and_entry_count() {
    let bytes = xlsx(&good_sheet(), SST_OK, &[("xl/embeddings/inner.zip", b"PK\x03\x04")]);
    assert_eq!(read_workbook(&bytes, &Limits::default()).unwrap_err().code(), "archive_bomb");
    let bytes = xlsx(&good_sheet(), SST_OK, &[]);
    let e = read_workbook(&bytes, &Limits { max_zip_entries: 3, ..Limits::default() }).unwrap_err();
    assert_eq!(e.code(), "archive_bomb");
}

#[test]
fn truncated_random_empty_pdf() {
    let good = xlsx(&good_sheet(), SST_OK, &[]);
    for cut in [good.len() / 2, good.len() - 10, 30] {
        let e = read_workbook(&good[..cut], &Limits::default()).unwrap_err();
        assert_eq!(e.code(), "unreadable_file", "cut at {cut}: {e}");
    }
    let mut x: u64 = 0x9E3779B97F4A7C15;
    let random: Vec<u8> = (0..100_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    assert_eq!(read_workbook(&random, &Limits::default()).unwrap_err().status(), 415);
    assert_eq!(read_workbook(b"", &Limits::default()).unwrap_err().code(), "empty_file");
    let e = read_workbook(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", &Limits::default()).unwrap_err();
    assert_eq!((e.code(), e.status()), ("unsupported_format", 415));
    assert!(e.to_string().contains("PDF"));
}

#[test]
fn encrypted_ooxml_is_password_protected() {
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cf.create_stream("/EncryptionInfo").unwrap().write_all(&[4, 0, 4, 0, 0x40, 0, 0, 0]).unwrap();
    cf.create_stream("/EncryptedPackage").unwrap().write_all(&[0u8; 4096]).unwrap();
    cf.flush().unwrap();
    let bytes = cf.into_inner().into_inner();
    let e = read_workbook(&bytes, &Limits::default()).unwrap_err();
    assert_eq!((e.code(), e.status()), ("password_protected", 422));
}

#[test]
fn damaged_xls_is_unreadable_not_a_crash() {
    let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
    cf.create_stream("/Workbook").unwrap().write_all(&[0xFFu8; 2048]).unwrap();
    cf.flush().unwrap();
    let bytes = cf.into_inner().into_inner();
    assert_eq!(sniff(&bytes).unwrap(), crate::domain::FileFormat::Xls);
    let e = read_workbook(&bytes, &Limits::default()).unwrap_err();
    assert_eq!(e.status(), 422, "{e}");
}

/// A small deterministic mutation fuzz over the real fixtures: flipped bytes in every format
/// must give a workbook or an error, never a panic or an abort.
#[test]
fn mutated_fixtures_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest");
    let limits = Limits { max_cells: 100_000, ..Limits::default() };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    let mut x: u64 = 0x2545F4914F6CDD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for name in [
        "suppliers_messy_utf8.xlsx",
        "suppliers_messy_utf8.xls",
        "suppliers_messy_utf8.ods",
        "suppliers_messy_utf8.csv",
        "suppliers_messy_utf8.xlsb",
        "suppliers_percent_formats.xlsb",
        "suppliers_percent_formats.ods",
        "suppliers_percent_formats.xls",
    ] {
        let orig = std::fs::read(dir.join(name)).unwrap();
        for _ in 0..60 {
            let mut b = orig.clone();
            for _ in 0..(1 + next() % 8) {
                let i = (next() as usize) % b.len();
                b[i] = next() as u8;
            }
            if next() % 4 == 0 {
                b.truncate((next() as usize) % b.len());
            }
            if let Ok(wb) = read_workbook(&b, &limits) {
                let _ = map_supplier_list(&wb, None, today);
            }
        }
    }
}

/// The entries of a real zip workbook, each passed through `edit(name, data)`, plus `extra`.
fn repack(bytes: &[u8], edit: impl Fn(&str, Vec<u8>) -> Vec<u8>, extra: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Read;
    let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut z = ZipWriter::new(Cursor::new(Vec::new()));
    let o = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        z.start_file(name.as_str(), o).unwrap();
        z.write_all(&edit(&name, data)).unwrap();
    }
    for (name, data) in extra {
        z.start_file(*name, o).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// xlsb goes through the same guards as xlsx: zip pre-checks (nested archives, entry count,
/// declared shared-string count), then the streaming reader under the row/cell caps.
#[test]
fn xlsb_is_guarded_like_xlsx() {
    let real = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest/suppliers_messy_utf8.xlsb"),
    )
    .unwrap();
    assert!(read_workbook(&real, &Limits::default()).is_ok());
    let keep = |_: &str, d: Vec<u8>| d;
    let e = read_workbook(&real, &Limits { max_rows: 3, ..Limits::default() }).unwrap_err();
    assert_eq!(e.code(), "too_many_rows");
    let e = read_workbook(&real, &Limits { max_cells: 20, ..Limits::default() }).unwrap_err();
    assert_eq!(e.code(), "too_many_cells");
    let e = read_workbook(&real, &Limits { max_cols: 5, ..Limits::default() }).unwrap_err();
    assert_eq!(e.code(), "too_many_columns");
    let e = read_workbook(&real, &Limits { max_zip_entries: 3, ..Limits::default() }).unwrap_err();
    assert_eq!(e.code(), "archive_bomb");
    let nested = repack(&real, keep, &[("xl/embeddings/inner.xlsx", b"PK\x03\x04")]);
    assert_eq!(read_workbook(&nested, &Limits::default()).unwrap_err().code(), "archive_bomb");
    // BrtBeginSst (type 0x9F, 0x01; length 8; cstTotal; cstUnique) declaring 4 billion strings.
    let sst_bomb = repack(
        &real,
        |name, mut d| {
            if name == "xl/sharedStrings.bin" {
                assert_eq!(&d[..3], &[0x9F, 0x01, 8]);
                d[7..11].copy_from_slice(&u32::MAX.to_le_bytes());
            }
            d
        },
        &[],
    );
    assert_eq!(read_workbook(&sst_bomb, &Limits::default()).unwrap_err().code(), "too_many_strings");
}
