//! Fuzz target over the upload parser: sniff + pre-checks + read + supplier-list mapping.
//! Run: `cargo +nightly fuzz run read_workbook ../tests/fixtures/ingest -- -max_total_time=600 -rss_limit_mb=2048`
#![no_main]

use libfuzzer_sys::fuzz_target;
use manumit::ingest::{map_supplier_list, read_workbook, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_cells: 200_000,
        max_rows: 20_000,
        ..Limits::default()
    };
    if let Ok(wb) = read_workbook(data, &limits) {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
        let _ = map_supplier_list(&wb, None, today);
    }
});
