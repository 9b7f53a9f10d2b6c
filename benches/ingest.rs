//! Ingest benchmark (harness = false): generates 1k/10k/100k-row supplier lists with
//! benches/gen_suppliers.py at run time and prints, per size, calamine's bare streaming read,
//! our read_workbook, our map_supplier_list, and the ratio of ours to calamine's.
//!
//! Run: `cargo bench --bench ingest` (sizes from INGEST_BENCH_ROWS, default "1000,10000,100000").

use calamine::{Reader, Xlsx};
use manumit::ingest::{map_supplier_list, read_workbook, Limits, RowOutcome};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn generate(dir: &Path, rows: usize) -> Option<(PathBuf, PathBuf)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/gen_suppliers.py");
    let xlsx = dir.join(format!("suppliers_{rows}.xlsx"));
    let csv = dir.join(format!("suppliers_{rows}.csv"));
    let out = Command::new("python3")
        .arg(&script)
        .args(["--rows", &rows.to_string(), "--out"])
        .arg(&xlsx)
        .arg("--csv")
        .arg(&csv)
        .output();
    match out {
        Ok(o) if o.status.success() => Some((xlsx, csv)),
        Ok(o) => {
            println!(
                "skip {rows} rows: generator failed ({}); pip install xlsxwriter",
                String::from_utf8_lossy(&o.stderr).trim()
            );
            None
        }
        Err(e) => {
            println!("skip {rows} rows: python3 not available ({e})");
            None
        }
    }
}

/// calamine alone: open from memory and stream every cell of every sheet.
fn calamine_bare(bytes: &[u8]) -> usize {
    let mut wb: Xlsx<_> = match Xlsx::new(Cursor::new(bytes)) {
        Ok(wb) => wb,
        Err(e) => {
            println!("calamine failed: {e}");
            return 0;
        }
    };
    let names = wb.sheet_names();
    let mut n = 0;
    for name in names {
        if let Ok(mut r) = wb.worksheet_cells_reader(&name) {
            while let Ok(Some(_)) = r.next_cell() {
                n += 1;
            }
        }
    }
    n
}

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed());
        last = Some(v);
    }
    (best, last.expect("runs >= 1"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let sizes: Vec<usize> = std::env::var("INGEST_BENCH_ROWS")
        .unwrap_or_else(|_| "1000,10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            println!("no temp dir: {e}");
            return;
        }
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).expect("valid date");
    let limits = Limits::default();
    println!(
        "{:>7} {:>6} {:>9} {:>10} {:>10} {:>10} {:>7} | {:>9} {:>9}",
        "rows", "MB", "calamine", "read_wb", "map", "read+map", "ratio", "csv read", "csv map"
    );
    for rows in sizes {
        let Some((xlsx, csv)) = generate(dir.path(), rows) else {
            continue;
        };
        let (Ok(xb), Ok(cb)) = (std::fs::read(&xlsx), std::fs::read(&csv)) else {
            println!("skip {rows}: generated files unreadable");
            continue;
        };
        let runs = if rows >= 100_000 { 1 } else { 3 };
        let (t_cal, cells) = best_of(runs, || calamine_bare(&xb));
        let (t_read, wb) = best_of(runs, || read_workbook(&xb, &limits));
        let wb = match wb {
            Ok(wb) => wb,
            Err(e) => {
                println!("{rows}: read_workbook failed: {e}");
                continue;
            }
        };
        let (t_map, list) = best_of(runs, || map_supplier_list(&wb, None, today));
        let accepted = match &list {
            Ok(l) => l.rows.iter().filter(|r| matches!(r.outcome, RowOutcome::Accepted { .. })).count(),
            Err(e) => {
                println!("{rows}: map failed: {e}");
                continue;
            }
        };
        let (t_cread, cwb) = best_of(runs, || read_workbook(&cb, &limits));
        let t_cmap = match cwb {
            Ok(cwb) => best_of(runs, || map_supplier_list(&cwb, None, today)).0,
            Err(e) => {
                println!("{rows}: csv failed: {e}");
                Duration::ZERO
            }
        };
        let ours = t_read + t_map;
        println!(
            "{:>7} {:>6.1} {:>8.0}ms {:>8.0}ms {:>8.0}ms {:>8.0}ms {:>6.2}x | {:>7.0}ms {:>7.0}ms   ({cells} cells, {accepted} accepted)",
            rows,
            xb.len() as f64 / 1e6,
            ms(t_cal),
            ms(t_read),
            ms(t_map),
            ms(ours),
            ours.as_secs_f64() / t_cal.as_secs_f64().max(1e-9),
            ms(t_cread),
            ms(t_cmap),
        );
    }
}
