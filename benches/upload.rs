//! Whole-upload benchmark (harness = false): for generated supplier lists of 1k/10k/100k rows,
//! times in one run (a) calamine's bare streaming read, (b) parse + validate + persist to SQLite
//! (no scoring), (c) the whole upload as the server does it (parse, validate, persist, score
//! every supplier, store the assessments), each in its own child process so that peak memory
//! (VmHWM) is per case. Prints the ratios to (a). (b) and (c) read the file as the server does,
//! through the sandboxed worker process (`manumit worker parse`); the server's peak is printed,
//! and the worker's separately.
//!
//! Run: `cargo bench --bench upload` (sizes: UPLOAD_BENCH_ROWS, default "1000,10000,100000";
//! rounds of every case per size: UPLOAD_BENCH_ROUNDS, default 3, printed each and as medians).
//! Needs python3 with xlsxwriter (`pip install xlsxwriter`) for the generator.

use calamine::{Reader, Xlsx};
use manumit::service::uploads::{store_supplier_stream, Incoming, Kind, Outcome};
use manumit::store::{write_tx, Store};
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The server binary's allocator (see src/main.rs), so the figures are the server's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn peak_mb() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// The server binary whose `worker parse` reads the file: this build's, or UPLOAD_BENCH_WORKER
/// (to time an older build's bench binary against its own worker).
fn worker_exe() -> PathBuf {
    std::env::var_os("UPLOAD_BENCH_WORKER").map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_manumit")), PathBuf::from)
}

fn calamine_bare(bytes: &[u8]) -> usize {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).expect("calamine opens the file");
    let mut n = 0;
    for name in wb.sheet_names() {
        if let Ok(mut r) = wb.worksheet_cells_reader(&name) {
            while let Ok(Some(_)) = r.next_cell() {
                n += 1;
            }
        }
    }
    n
}

/// Runs one case in this process and prints `secs peak_mb detail`.
fn child(case: &str, file: &Path) {
    manumit::memory::return_freed_memory_soon();
    // UPLOAD_BENCH_PURGE_DELAY=MS tries another mimalloc purge delay than the server's
    // (`memory::PURGE_DELAY_MS`).
    if let Some(d) = std::env::var("UPLOAD_BENCH_PURGE_DELAY").ok().and_then(|v| v.parse::<std::ffi::c_long>().ok()) {
        // SAFETY: sets one option of the allocator; takes no pointers.
        unsafe { libmimalloc_sys::mi_option_set(manumit::memory::MI_OPTION_PURGE_DELAY, d) }
    }
    let bytes = std::fs::read(file).expect("read generated file");
    let t = Instant::now();
    let (secs, detail) = match case {
        "calamine" => {
            let n = calamine_bare(&bytes);
            (t.elapsed().as_secs_f64(), format!("{n} cells"))
        }
        "map" => {
            // Read through the sandboxed reader and map every row (header, values, validation),
            // storing nothing: what persisting adds is the difference.
            let exe = &worker_exe();
            let s = manumit::ingest::SandboxStream::spawn(&bytes, &manumit::ingest::Limits::default(), exe).unwrap();
            let mut n = 0usize;
            let today = chrono::Utc::now().date_naive();
            let mut m = manumit::ingest::ListMapper::new(None, today, |_, _| {
                n += 1;
                true
            });
            s.feed(&mut m).unwrap();
            m.finish().unwrap();
            (t.elapsed().as_secs_f64(), format!("{n} rows"))
        }
        "persist" | "full" => {
            let dir = tempfile::tempdir().unwrap();
            // UPLOAD_BENCH_KEEP=DIR keeps the database there, to look at what was stored.
            let db = match std::env::var("UPLOAD_BENCH_KEEP") {
                Ok(keep) => Path::new(&keep).join(format!("{case}.db")),
                Err(_) => dir.path().join("b.db"),
            };
            let store = Store::open(&format!("sqlite://{}", db.display()), 4).unwrap();
            manumit::app::bootstrap(&store).unwrap();
            let mut conn = store.conn().unwrap();
            let (org, key): (String, String) = {
                use diesel::prelude::*;
                use manumit::store::schema::api_keys::dsl::*;
                api_keys.select((org_id, id)).first(&mut *conn).unwrap()
            };
            if let Ok(pragmas) = std::env::var("UPLOAD_BENCH_PRAGMAS") {
                diesel::connection::SimpleConnection::batch_execute(&mut *conn, &pragmas).unwrap();
            }
            let t0 = Instant::now();
            // As the server does it: the file is read by the sandboxed worker process, which
            // streams the rows back as it reads them; each is mapped and stored on arrival.
            let exe = &worker_exe();
            let stream =
                manumit::ingest::SandboxStream::spawn(&bytes, &manumit::ingest::Limits::default(), exe).unwrap();
            let inc = Incoming {
                org_id: &org,
                key_id: &key,
                actor: "bench",
                request_id: None,
                filename: "bench.xlsx".into(),
                sha256: "x".repeat(64),
                // Moved, as the server moves the request's bytes into its upload: a clone here
                // counted the file twice in the peak (15 MB at 100k rows).
                bytes,
                kind: Kind::SupplierList,
                format: stream.format(),
                mapping: None,
                supplier_id: None,
                today: chrono::Utc::now().date_naive(),
            };
            // "persist" stores the same rows and suppliers without scoring them.
            let score = case == "full";
            let out =
                write_tx(&mut conn, |c| store_supplier_stream(c, &inc, |sink| stream.feed(sink).map(|_| ()), score))
                    .unwrap();
            // Timed from the read to the commit, as a request is: opening the database before
            // and closing it after (SQLite checkpoints its WAL on the last close; the server
            // does that on a background thread) are not part of an upload.
            let secs = t0.elapsed().as_secs_f64();
            // Only the count is read back: the rest of the report is skipped, not allocated.
            #[derive(serde::Deserialize)]
            struct Counted {
                rows_total: u64,
            }
            let n_rows = match out {
                Outcome::Created(r) => serde_json::from_str::<Counted>(&r).unwrap().rows_total,
                Outcome::Duplicate => 0,
            };
            // The worker's own peak (the largest child this process has waited for).
            let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
            // SAFETY: getrusage only writes the struct we pass.
            unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru) };
            (secs, format!("{n_rows} rows; reader process peak {:.0} MB", ru.ru_maxrss as f64 / 1024.0))
        }
        _ => unreachable!(),
    };
    println!("{secs:.3} {:.1} {detail}", peak_mb());
}

fn generate(dir: &Path, rows: usize) -> Option<PathBuf> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/gen_suppliers.py");
    let xlsx = dir.join(format!("suppliers_{rows}.xlsx"));
    let o =
        Command::new("python3").arg(&script).args(["--rows", &rows.to_string(), "--out"]).arg(&xlsx).output().ok()?;
    if o.status.success() {
        Some(xlsx)
    } else {
        println!(
            "skip {rows}: generator failed ({}); pip install xlsxwriter",
            String::from_utf8_lossy(&o.stderr).trim()
        );
        None
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() >= 4 && args[1] == "--child" {
        // On a thread of its own, as the server runs an upload on a thread of its blocking pool
        // (mimalloc reads some options when a thread's heap is made; see `manumit::memory`).
        let (case, file) = (args[2].clone(), PathBuf::from(&args[3]));
        std::thread::spawn(move || child(&case, &file)).join().expect("bench case");
        return;
    }
    let sizes = std::env::var("UPLOAD_BENCH_ROWS").unwrap_or_else(|_| "1000,10000,100000".into());
    let rounds = std::env::var("UPLOAD_BENCH_ROUNDS").ok().and_then(|r| r.parse::<usize>().ok()).unwrap_or(3).max(1);
    let dir = tempfile::tempdir().unwrap();
    let exe = std::env::current_exe().unwrap();
    println!(
        "{:>7} | {:>14} | {:>15} | {:>26} | {:>26}",
        "rows", "calamine bare", "read+map only", "parse+validate+persist", "whole upload (with scoring)"
    );
    for rows in sizes.split(',').filter_map(|s| s.trim().parse::<usize>().ok()) {
        let Some(file) = generate(dir.path(), rows) else { continue };
        let run = |case: &str| -> Case {
            let o = Command::new(&exe).args(["--child", case]).arg(&file).output().unwrap();
            let s = String::from_utf8_lossy(&o.stdout).to_string();
            let line = s.lines().last().unwrap_or("").to_string();
            let mut it = line.splitn(3, ' ');
            let secs = it.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
            let mb = it.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN);
            if !o.status.success() {
                eprintln!("{case} failed: {}", String::from_utf8_lossy(&o.stderr));
            }
            Case { secs, mb, detail: it.next().unwrap_or("").to_string() }
        };
        // Rounds of the four cases in turn, so that a slow spell of a shared machine falls on
        // every case alike; each round's ratios are to that round's calamine read.
        let mut all: Vec<[Case; 4]> = Vec::new();
        for round in 1..=rounds {
            let r = [run("calamine"), run("map"), run("persist"), run("full")];
            print_line(
                &format!("{rows} #{round}"),
                &r,
                [r[1].secs / r[0].secs, r[2].secs / r[0].secs, r[3].secs / r[0].secs],
            );
            all.push(r);
        }
        if rounds > 1 {
            let secs = |i: usize| median(all.iter().map(|r| r[i].secs).collect());
            let ratio = |i: usize| median(all.iter().map(|r| r[i].secs / r[0].secs).collect());
            let peak = |i: usize| all.iter().map(|r| r[i].mb).fold(f64::NAN, f64::max);
            let med: [Case; 4] = std::array::from_fn(|i| Case {
                secs: secs(i),
                mb: peak(i),
                detail: all.last().map(|r| r[i].detail.clone()).unwrap_or_default(),
            });
            print_line(&format!("{rows} med"), &med, [ratio(1), ratio(2), ratio(3)]);
        }
    }
    if rounds > 1 {
        println!(
            "(#n: one round; med: median time and median of the rounds' ratios; MB: the highest peak of any round)"
        );
    }
}

/// One case's figures: seconds, peak MB, and what it printed after them.
struct Case {
    secs: f64,
    mb: f64,
    detail: String,
}

fn print_line(label: &str, c: &[Case; 4], ratios: [f64; 3]) {
    println!(
        "{label:>10} | {:>6.2} s {:>4.0} MB | {:>6.2} s ({:>4.1}x) | {:>6.2} s ({:>4.1}x) {:>5.0} MB | {:>6.2} s ({:>4.1}x) {:>5.0} MB  {}",
        c[0].secs, c[0].mb, c[1].secs, ratios[0], c[2].secs, ratios[1], c[2].mb, c[3].secs, ratios[2], c[3].mb, c[3].detail
    );
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}
