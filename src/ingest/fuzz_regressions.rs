//! Regression tests for inputs kept from the `read_workbook` fuzz target (fuzz/run.sh): every
//! file in tests/fixtures/fuzz/ must be sniffed, read and mapped in-process without a panic
//! escaping or the process aborting, and be refused with a 4xx error or read.

use super::*;
use std::path::PathBuf;

fn fuzz_fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_none_or(|x| x != "md"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Runs the same pipeline as the fuzz target; returns the read outcome.
fn pipeline(bytes: &[u8]) -> Result<(), IngestError> {
    let _ = sniff(bytes);
    let wb = read_workbook(bytes, &Limits::default())?;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
    map_supplier_list(&wb, None, today).map(|_| ())
}

#[test]
fn every_kept_fuzz_input_is_handled_without_panic() {
    let files = fuzz_fixtures();
    assert!(!files.is_empty(), "tests/fixtures/fuzz/ holds the kept inputs");
    for (name, bytes) in files {
        let got = std::panic::catch_unwind(|| pipeline(&bytes));
        match got {
            Ok(Ok(())) => {}
            Ok(Err(e)) => assert!((400..500).contains(&e.status()), "{name}: {e:?}"),
            Err(_) => panic!("{name}: a panic escaped read_workbook/map_supplier_list"),
        }
    }
}

/// Found by the fuzzer (mutated suppliers_messy_utf8.xls): a CFB sector id past the end of the
/// file makes calamine 0.38 panic ("slice index starts at 7168 but ends at 7157", cfb.rs:320).
/// The panic must stay inside `read_workbook`'s `catch_unwind` and come back as a 422.
#[test]
fn xls_cfb_sector_past_eof_is_unreadable_not_a_panic() {
    let bytes = include_bytes!("../../tests/fixtures/fuzz/xls_cfb_sector_past_eof_calamine_slice_panic.xls");
    assert_eq!(sniff(bytes).unwrap(), crate::domain::FileFormat::Xls);
    let err = read_workbook(bytes, &Limits::default()).unwrap_err();
    assert_eq!(err.code(), "unreadable_file", "{err:?}");
}

/// Found by the fuzzer (mutated suppliers_percent_formats.xls): a MULRK record whose last column
/// is before its first makes calamine 0.38 compute `col_last - col_first + 1` in u16 (xls.rs:987):
/// a panic where overflow checks are on (debug and fuzz builds), a wrapped length that its own
/// length check refuses in release. Either way a 422; and the xls percent side-reader, which
/// reads the same MULRK records, handles the file without a panic of its own.
#[test]
fn xls_mulrk_last_column_before_first_is_unreadable_not_a_panic() {
    let bytes = include_bytes!("../../tests/fixtures/fuzz/xls_mulrk_last_column_before_first_calamine_overflow.xls");
    assert_eq!(sniff(bytes).unwrap(), crate::domain::FileFormat::Xls);
    let err = read_workbook(bytes, &Limits::default()).unwrap_err();
    assert_eq!(err.code(), "unreadable_file", "{err:?}");
    let side = std::panic::catch_unwind(|| super::xls_percent::percent_cells(bytes, 1000));
    assert!(side.is_ok(), "the percent side-reader panicked");
}
