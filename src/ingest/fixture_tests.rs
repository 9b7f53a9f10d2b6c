//! Fixture tests: real files from LibreOffice, openpyxl, Aspose.Cells (xlsb), Python's csv and the
//! sample generator, read end to end. tests/fixtures/ingest/make_fixtures.py remakes them.

use super::*;
use chrono::NaiveDate;

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ingest").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

fn list(name: &str) -> SupplierList {
    let wb = read_workbook(&fixture(name), &Limits::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
    map_supplier_list(&wb, None, today()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
#[ignore]
fn dump() {
    for n in [
        "suppliers_messy_utf8.csv",
        "suppliers_messy_utf8.xlsx",
        "suppliers_messy_utf8.xls",
        "suppliers_messy_utf8.ods",
        "suppliers_cp1252_semicolon.csv",
        "suppliers_utf16le_tab.tsv",
    ] {
        let l = list(n);
        println!("== {n} sheet={} header={} cols={:?}", l.sheet, l.header_row, l.columns);
        for r in &l.rows {
            match &r.outcome {
                RowOutcome::Accepted { fields, extra, warnings } => {
                    println!("{} OK {:?} {:?} {:?} | {:?}", r.row, fields, extra, warnings, r.raw)
                }
                RowOutcome::Rejected { errors } => println!("{} REJ {:?}", r.row, errors),
            }
        }
        println!("skipped {:?}", l.skipped);
    }
}

fn accepted(l: &SupplierList, row: u32) -> &crate::domain::SupplierFields {
    match l.rows.iter().find(|r| r.row == row).map(|r| &r.outcome) {
        Some(RowOutcome::Accepted { fields, .. }) => fields,
        o => panic!("row {row}: {o:?}"),
    }
}

fn rejected(l: &SupplierList, row: u32) -> Vec<(String, Option<String>)> {
    match l.rows.iter().find(|r| r.row == row).map(|r| &r.outcome) {
        Some(RowOutcome::Rejected { errors }) => errors.iter().map(|e| (e.code.clone(), e.column.clone())).collect(),
        o => panic!("row {row}: {o:?}"),
    }
}

/// The warnings of an accepted row: (code, column).
fn warned(l: &SupplierList, row: u32) -> Vec<(String, Option<String>)> {
    match l.rows.iter().find(|r| r.row == row).map(|r| &r.outcome) {
        Some(RowOutcome::Accepted { warnings, .. }) => {
            warnings.iter().map(|e| (e.code.clone(), e.column.clone())).collect()
        }
        o => panic!("row {row}: {o:?}"),
    }
}

fn d(y: i32, m: u32, dd: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, dd)
}

/// The same messy list as csv (UTF-8 BOM, comma), as LibreOffice's xlsx, xls and ods, and as
/// Aspose.Cells' xlsb of that xlsx.
#[test]
fn messy_list_in_every_format() {
    use crate::domain::{FileFormat, Sector, YesNo};
    for (name, fmt) in [
        ("suppliers_messy_utf8.csv", FileFormat::Csv),
        ("suppliers_messy_utf8.xlsx", FileFormat::Xlsx),
        ("suppliers_messy_utf8.xls", FileFormat::Xls),
        ("suppliers_messy_utf8.ods", FileFormat::Ods),
        ("suppliers_messy_utf8.xlsb", FileFormat::Xlsb),
    ] {
        assert_eq!(sniff(&fixture(name)).unwrap(), fmt, "{name}");
        let l = list(name);
        assert_eq!(l.header_row, 3, "{name}: two title rows above the header");
        let mapped: Vec<Option<&str>> = l.columns.iter().map(|c| c.field.as_deref()).collect();
        assert_eq!(mapped[0], Some("external_ref"));
        assert_eq!(mapped[4], Some("employee_count"));
        assert_eq!(mapped[8], Some("annual_revenue"));
        assert_eq!(mapped[10], Some("notes"), "{name}: Notes is a field");
        // Blank rows 6, 17 and 19 are skipped silently; the footer on row 20 is reported.
        let rows: Vec<u32> = l.rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, vec![4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18], "{name}");
        assert_eq!(l.skipped.len(), 1);
        assert_eq!((l.skipped[0].row, l.skipped[0].reason.as_str()), (20, "footer row"));

        let f = accepted(&l, 4);
        assert_eq!(f.legal_name, "Golden Harvest Co.");
        assert_eq!(f.country.as_ref().map(|c| c.as_str()), Some("VN"));
        assert_eq!(f.employee_count, Some(1250), "{name}: 1,250 as text or number");
        assert_eq!(f.migrant_worker_pct, Some(35.0));
        assert_eq!(f.incorporation_date, d(2001, 3, 12), "{name}: dotted date is day-first");
        assert_eq!((f.annual_revenue, f.currency.as_deref()), (Some(2_500_000.0), Some("EUR")));
        let f = accepted(&l, 5);
        assert_eq!(f.legal_name, "Société Générale Textiles");
        assert_eq!(f.country.as_ref().map(|c| c.as_str()), Some("CI"));
        assert_eq!(f.sector, Some(Sector::Manufacturing));
        assert_eq!(f.migrant_worker_pct, Some(20.0), "0.2 is a fraction");
        assert_eq!(f.annual_revenue, Some(1_200_000.0), "EUR 1.2m");
        assert_eq!(f.last_audit_date, d(2023, 3, 15), "15 Mar 2023");
        assert_eq!(f.uses_labour_agency, Some(YesNo::No));
        assert_eq!(accepted(&l, 8).employee_count, Some(12500));
        assert_eq!(accepted(&l, 9).country.as_ref().map(|c| c.as_str()), Some("TR"));
        assert_eq!(accepted(&l, 10).country.as_ref().map(|c| c.as_str()), Some("GB"));
        assert_eq!(accepted(&l, 11).sector, Some(Sector::Hospitality));
        assert_eq!(accepted(&l, 18).country.as_ref().map(|c| c.as_str()), Some("CI"));
        assert_eq!(accepted(&l, 11).notes.as_deref(), Some("multi\nline note"));

        let col = |s: &str| Some(s.to_string());
        assert_eq!(rejected(&l, 12), vec![("unknown_country".into(), col("Country/Region"))]);
        assert_eq!(rejected(&l, 13), vec![("missing_required".into(), col("Supplier Name"))]);
        // Unreadable optional values keep the supplier, with the field unknown and a warning.
        assert_eq!(warned(&l, 14), vec![("out_of_range".into(), col("No. of Employees"))]);
        assert_eq!(accepted(&l, 14).employee_count, None);
        assert_eq!(warned(&l, 16), vec![("future_date".into(), col("Date of incorporation"))]);
        assert_eq!(accepted(&l, 16).incorporation_date, None);
        if fmt == FileFormat::Csv {
            // As text, 03/04/2022 is ambiguous.
            assert_eq!(warned(&l, 7), vec![("ambiguous_date".into(), col("Last audit"))]);
            assert_eq!(accepted(&l, 7).last_audit_date, None);
        } else {
            // LibreOffice (en-US) stored 03/04/2022 as a real date, so it is not ambiguous.
            assert_eq!(accepted(&l, 7).last_audit_date, d(2022, 3, 4));
        }
        // As text "150%", or the number 1.5 formatted as a percentage: out of range.
        assert_eq!(warned(&l, 15), vec![("out_of_range".into(), col("Migrant workers (%)"))], "{name}");
        assert_eq!(accepted(&l, 15).migrant_worker_pct, None);
    }
}

/// The messy xlsx as converted to xlsb by Aspose.Cells (a real xlsb producer; LibreOffice
/// cannot write xlsb): its evaluation mode appends an "Evaluation Warning" sheet, which the
/// header search passes over. Every row, value, error and skipped footer is the xlsx's.
#[test]
fn messy_list_xlsb_from_aspose_reads_as_the_xlsx() {
    use crate::domain::FileFormat;
    let bytes = fixture("suppliers_messy_utf8.xlsb");
    assert_eq!(sniff(&bytes).unwrap(), FileFormat::Xlsb);
    let wb = read_workbook(&bytes, &Limits::default()).unwrap();
    let names: Vec<&str> = wb.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[1].contains("Evaluation"), "{names:?}");
    let b = list("suppliers_messy_utf8.xlsb");
    let x = list("suppliers_messy_utf8.xlsx");
    assert_eq!(b.sheet, names[0]);
    assert_eq!((b.header_row, &b.columns), (x.header_row, &x.columns));
    assert_eq!(b.rows.len(), 13);
    for (rb, rx) in b.rows.iter().zip(&x.rows) {
        assert_eq!(rb, rx, "row {}", rx.row);
    }
    assert_eq!(b.skipped, x.skipped);
    assert_eq!(warned(&b, 15), vec![("out_of_range".to_string(), Some("Migrant workers (%)".to_string()))]);
}

/// Percent-formatted numbers (stored 0.35, shown 35%) from four producers: openpyxl's xlsx,
/// LibreOffice's xlsx, ods and xls, Aspose's xlsb. They are read on the scale they show; a literal
/// `0"%"` format does not scale; a headcount formatted as a percentage is refused.
#[test]
fn percent_formats_from_every_producer() {
    use crate::domain::FileFormat;
    for (name, fmt) in [
        ("suppliers_percent_formats.xlsx", FileFormat::Xlsx),
        ("suppliers_percent_formats_libreoffice.xlsx", FileFormat::Xlsx),
        ("suppliers_percent_formats.ods", FileFormat::Ods),
        ("suppliers_percent_formats.xls", FileFormat::Xls),
        ("suppliers_percent_formats.xlsb", FileFormat::Xlsb),
    ] {
        assert_eq!(sniff(&fixture(name)).unwrap(), fmt, "{name}");
        let l = list(name);
        let by_header = |h: &str| l.columns.iter().find(|c| c.header == h).and_then(|c| c.field.clone());
        assert_eq!(by_header("Migrant workers %").as_deref(), Some("migrant_worker_pct"), "{name}");
        assert_eq!(by_header("Agency workers %").as_deref(), Some("agency_worker_pct"), "{name}");
        assert_eq!(by_header("Cash sales %").as_deref(), Some("cash_revenue_pct"), "{name}");
        let pcts = |row: u32| {
            let f = accepted(&l, row);
            (f.migrant_worker_pct, f.agency_worker_pct, f.cash_revenue_pct)
        };
        // 35% (0%), bare 0.2 (General: the fraction rule), 12.5% (0.0%).
        assert_eq!(pcts(2), (Some(35.0), Some(20.0), Some(12.5)), "{name}");
        assert_eq!(accepted(&l, 2).notes.as_deref(), Some("25%"), "{name}: notes keep what the sheet shows");
        // 100% is 100 (not 1 %), bare 40, 0.5% (0.00%) is 0.5.
        assert_eq!(pcts(3), (Some(100.0), Some(40.0), Some(0.5)), "{name}");
        let col = |s: &str| Some(s.to_string());
        assert_eq!(warned(&l, 4), vec![("out_of_range".into(), col("Migrant workers %"))], "{name}: 150%");
        assert_eq!(warned(&l, 5), vec![("invalid_number".into(), col("Employees"))], "{name}: 3500% staff");
        assert_eq!((accepted(&l, 4).migrant_worker_pct, accepted(&l, 5).employee_count), (None, None));
        // 35 under the literal format 0"%" (LibreOffice writes 0\%) is 35; text "15%"; 0%.
        assert_eq!(pcts(6), (Some(35.0), Some(15.0), Some(0.0)), "{name}");
        // 0.07 → 7 exactly; a custom two-section format with a colour.
        assert_eq!(pcts(7), (Some(7.0), Some(62.0), None), "{name}");
    }
}

#[test]
fn windows_1252_semicolon_csv() {
    let l = list("suppliers_cp1252_semicolon.csv");
    assert_eq!(l.header_row, 1);
    let f = accepted(&l, 3);
    assert_eq!(f.legal_name, "Société Agricole du Sénégal");
    assert_eq!(f.city.as_deref(), Some("Thiès"));
    assert_eq!(f.country.as_ref().map(|c| c.as_str()), Some("SN"));
    assert_eq!(f.annual_revenue, Some(1_234_567.0), "European 1.234.567,00");
    assert_eq!(f.incorporation_date, d(2004, 9, 15));
    assert_eq!(accepted(&l, 4).legal_name, "Café Açaí Ltda");
    assert_eq!(accepted(&l, 4).annual_revenue, Some(980_000.0));
    assert_eq!(warned(&l, 2), vec![("ambiguous_number".to_string(), Some("Employees".to_string()))]);
    assert_eq!(warned(&l, 5), vec![("invalid_date".to_string(), Some("Founded".to_string()))]);
    assert_eq!(accepted(&l, 5).incorporation_date, None);
}

#[test]
fn utf16le_tab_with_quoted_newline() {
    use crate::domain::YesNo;
    let l = list("suppliers_utf16le_tab.tsv");
    assert_eq!(l.rows.len(), 2);
    let f = accepted(&l, 2);
    assert_eq!(f.legal_name, "Penang Gloves Sdn Bhd");
    assert_eq!(f.country.as_ref().map(|c| c.as_str()), Some("MY"));
    assert_eq!(f.directors, vec!["A. Tan", "B. Lim"]);
    assert_eq!(f.address.as_deref(), Some("12 Jalan Besar\nPenang"));
    assert_eq!(f.migrant_worker_pct, Some(62.0));
    assert_eq!(f.beneficial_owners_disclosed, Some(YesNo::No));
    let f = accepted(&l, 3);
    assert_eq!(f.directors, vec!["C. Khan", "D. Rahman"]);
    assert_eq!(f.migrant_worker_pct, Some(95.0));
}

/// The generator's sample, as xlsx and csv: snake_case headers, same rows both ways.
#[test]
fn generated_sample_300() {
    let x = list("suppliers_300.xlsx");
    let c = list("suppliers_300.csv");
    for l in [&x, &c] {
        assert_eq!(l.header_row, 1);
        assert_eq!(l.rows.len(), 300);
        let by_header = |h: &str| l.columns.iter().find(|c| c.header == h).and_then(|c| c.field.clone());
        assert_eq!(by_header("supplier_id").as_deref(), Some("external_ref"));
        assert_eq!(by_header("address_line").as_deref(), Some("address"));
        assert_eq!(by_header("uses_labor_agency").as_deref(), Some("uses_labour_agency"));
        assert_eq!(
            by_header("recruitment_fees_charged_to_workers").as_deref(),
            Some("recruitment_fees_paid_by_workers")
        );
        assert_eq!(by_header("annual_revenue_usd").as_deref(), Some("annual_revenue"));
        assert_eq!(by_header("beneficial_owner_disclosed").as_deref(), Some("beneficial_owners_disclosed"));
        assert_eq!(by_header("notes").as_deref(), Some("notes"));
        let f = accepted(l, 2);
        assert_eq!(f.external_ref.as_deref(), Some("SUP-0000001"));
        assert_eq!(f.legal_name, "Lotus Works Ltd.");
        assert_eq!(f.country.as_ref().map(|c| c.as_str()), Some("MY"));
        assert_eq!(f.employee_count, Some(525));
        assert_eq!(f.currency.as_deref(), Some("USD"));
        assert_eq!(f.annual_revenue, Some(15_620_182.84));
        assert_eq!(f.last_audit_date, d(2021, 8, 20));
        assert!(f.notes.as_deref().is_some_and(|n| n.starts_with("Recruitment fees reimbursed")), "{:?}", f.notes);
    }
    let ok = |l: &SupplierList| l.rows.iter().filter(|r| matches!(r.outcome, RowOutcome::Accepted { .. })).count();
    // Only the 3 rows without a country are refused; the 6 ambiguous founding dates are warnings.
    assert_eq!(ok(&x), 297, "xlsx accepted");
    assert_eq!(ok(&c), 297, "csv accepted");
}

/// Prints how the 300-row sample reads: rows accepted, rejected and warned, by reason
/// (`cargo test --lib sample_300_summary -- --ignored --nocapture`).
#[test]
#[ignore]
fn sample_300_summary() {
    use std::collections::BTreeMap;
    for name in ["suppliers_300.xlsx", "suppliers_300.csv"] {
        let l = list(name);
        let (mut rejected, mut warned) = (0, 0);
        let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
        for r in &l.rows {
            let (kind, list) = match &r.outcome {
                RowOutcome::Accepted { warnings, .. } => ("warning", warnings),
                RowOutcome::Rejected { errors } => ("error", errors),
            };
            match (kind, list.is_empty()) {
                ("error", _) => rejected += 1,
                (_, false) => warned += 1,
                _ => {}
            }
            for e in list {
                let key = format!("{kind} {} {:?} {:?}", e.code, e.column, e.value);
                *reasons.entry(key).or_default() += 1;
            }
        }
        println!("== {name}: rows {} rejected {rejected} warned {warned}", l.rows.len());
        for (k, n) in reasons {
            println!("  {n:>3} {k}");
        }
    }
}

/// Methodology 2's input rules on one hand-written csv (`suppliers_v2_rules.csv`): the
/// questionnaire's own address labels, sector words inside longer labels, the currency of a
/// `Turnover THB` header or of a currency column, notes; unreadable optional values are
/// warnings, and only the row whose sector names none is refused.
#[test]
fn methodology_2_input_rules() {
    use crate::domain::{AddressType as A, Sector as S};
    let l = list("suppliers_v2_rules.csv");
    let by_header = |h: &str| l.columns.iter().find(|c| c.header == h).and_then(|c| c.field.clone());
    assert_eq!(by_header("Turnover THB").as_deref(), Some("annual_revenue"));
    assert_eq!(by_header("Remarks").as_deref(), Some("notes"));
    let col = |s: &str| Some(s.to_string());
    let f = accepted(&l, 2);
    assert_eq!((f.sector, f.address_type), (Some(S::Hospitality), Some(A::LeasedIndustrial)));
    assert_eq!((f.annual_revenue, f.currency.as_deref()), (Some(12e6), Some("THB")), "the header's currency");
    assert_eq!(f.notes.as_deref(), Some("Dormitory on site."));
    assert_eq!(warned(&l, 2), vec![]);
    let f = accepted(&l, 3);
    assert_eq!((f.sector, f.address_type, f.incorporation_date), (Some(S::Hospitality), Some(A::Own), None));
    assert_eq!(f.currency.as_deref(), Some("THB"));
    assert_eq!(warned(&l, 3), vec![("invalid_date".into(), col("Founded"))]);
    let f = accepted(&l, 4);
    assert_eq!((f.sector, f.address_type), (Some(S::Manufacturing), Some(A::VirtualOffice)));
    assert_eq!((f.currency.as_deref(), f.employee_count), (Some("MYR"), None), "the currency column wins");
    assert_eq!(
        warned(&l, 4),
        vec![("mixed_sector".into(), col("Industry")), ("invalid_number".into(), col("Employees"))]
    );
    let f = accepted(&l, 5);
    assert_eq!(
        (f.sector, f.address_type, f.currency.as_deref()),
        (Some(S::Construction), Some(A::RegisteredAgent), Some("QAR"))
    );
    assert_eq!(warned(&l, 5), vec![("mixed_sector".into(), col("Industry"))]);
    let f = accepted(&l, 6);
    assert_eq!(
        (f.sector, f.address_type, f.currency.as_deref()),
        (Some(S::Agriculture), Some(A::Residential), Some("CNY"))
    );
    assert_eq!(rejected(&l, 7), vec![("unknown_sector".into(), col("Industry"))]);
    let f = accepted(&l, 8);
    assert_eq!((f.sector, f.address_type), (Some(S::Manufacturing), Some(A::VirtualOffice)));
    assert_eq!(
        (f.annual_revenue, f.currency.as_deref()),
        (None, None),
        "an unknown currency leaves the amount unknown"
    );
    assert_eq!(
        warned(&l, 8),
        vec![("mixed_sector".into(), col("Industry")), ("unknown_currency".into(), col("Currency"))]
    );
}
