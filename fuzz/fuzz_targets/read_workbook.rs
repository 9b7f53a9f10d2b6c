//! Fuzz target over the upload parser: `sniff`, then `read_workbook` (size cap, sniff, zip
//! pre-checks, calamine/csv reading) with the default `Limits`, then `map_supplier_list`.
//!
//! The parser is compiled from the service's own source files (`src/domain`, `src/ingest`)
//! through `#[path]` modules, so this is exactly `manumit::ingest::read_workbook` without the
//! service's web and database dependencies in the instrumented build.
//!
//! Run with `fuzz/run.sh [SECONDS]` (seeds the corpus from the test fixtures).
//!
//! Panics: `read_workbook` runs calamine under `catch_unwind` and turns a panic into a 422,
//! which is correct behaviour, not a bug. libfuzzer-sys installs a panic hook that aborts on
//! *every* panic, caught or not, so the target replaces it: the hook only records the panic
//! (printing each distinct location once, as "caught-or-escaped panic"), and a panic that
//! escapes our own code is re-raised as an abort here, with the recorded message and backtrace,
//! so that libFuzzer saves the input as a crash.
#![no_main]

#[allow(dead_code, unused_imports)]
#[path = "../../src/domain/mod.rs"]
mod domain;
#[allow(dead_code, unused_imports)]
#[path = "../../src/ingest/mod.rs"]
mod ingest;

use ingest::{map_supplier_list, read_workbook, sniff, Limits};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);
static LAST: Mutex<String> = Mutex::new(String::new());

fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let loc = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let bt = std::backtrace::Backtrace::force_capture();
        let text = format!("panic at {loc}: {info}\n{bt}");
        if let Ok(mut seen) = SEEN.lock() {
            if seen.get_or_insert_with(HashSet::new).insert(loc.clone()) {
                eprintln!("[fuzz] caught-or-escaped panic (first at this location) at {loc}: {info}");
            }
        }
        if let Ok(mut last) = LAST.lock() {
            *last = text;
        }
    }));
}

fuzz_target!(
    init: { install_hook(); },
    |data: &[u8]| {
        let run = catch_unwind(AssertUnwindSafe(|| {
            let _ = sniff(data);
            if let Ok(wb) = read_workbook(data, &Limits::default()) {
                let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
                let _ = map_supplier_list(&wb, None, today);
            }
        }));
        if run.is_err() {
            let last = LAST.lock().map(|l| l.clone()).unwrap_or_default();
            eprintln!("[fuzz] PANIC ESCAPED the parser (our bug):\n{last}");
            std::process::abort();
        }
    }
);
