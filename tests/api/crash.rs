//! Crash safety (issue 7 item 7): kill -9 the server at random moments while uploads stream
//! in, restart it on the same SQLite file, 20+ times; then every acknowledged upload is
//! complete, no upload is half-written, the file passes `PRAGMA integrity_check`, and every
//! restart simply started (no repair step exists or is needed).

use crate::helpers::*;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel::{Connection, QueryableByName, RunQueryDsl};
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ROUNDS: usize = 20;
const SEED: u64 = 0x006d_616e_756d_6974;

/// An upload the server acknowledged with 201.
#[derive(Debug, Clone)]
struct Acked {
    id: String,
    sha256: String,
    rows: usize,
}

#[derive(QueryableByName)]
struct UploadCheck {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Integer)]
    rows_total: i32,
    #[diesel(sql_type = BigInt)]
    stored_rows: i64,
    #[diesel(sql_type = Text)]
    report_json: String,
}

#[derive(QueryableByName)]
struct JournalMode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// A CSV nobody sent before: `rows` suppliers with refs unique to (round, stream, n).
fn unique_csv(tag: &str, rows: usize) -> Vec<u8> {
    let mut s = String::from("Vendor No.,Supplier Name,Country,Sector\n");
    for i in 0..rows {
        s.push_str(&format!("{tag}-{i},Crash Test {tag} {i} Co,Thailand,Fishing\n"));
    }
    s.into_bytes()
}

/// Posts uploads one after another until the server dies (transport error) or `stop` is set.
fn stream(base: &str, key: &str, tag: &str, rows_of: &[usize], stop: &AtomicBool, acked: &Mutex<Vec<Acked>>) {
    for (n, &rows) in rows_of.iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let bytes = unique_csv(&format!("{tag}-{n}"), rows);
        let (ct, body) = multipart(&[("file", Some("crash.csv"), &bytes)]);
        let res = ureq::post(&format!("{base}/api/v1/uploads"))
            .timeout(Duration::from_secs(30))
            .set("Authorization", &format!("Bearer {key}"))
            .set("Content-Type", &ct)
            .send_bytes(&body);
        let resp = match res {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) => {
                let text = r.into_string().unwrap_or_default();
                panic!("upload answered {code} before the crash: {text}");
            }
            // The server was killed mid-request: not acknowledged, so nothing is promised.
            Err(ureq::Error::Transport(_)) => return,
        };
        assert_eq!(resp.status(), 201);
        let Ok(text) = resp.into_string() else { return };
        let rep: serde_json::Value = serde_json::from_str(&text).expect("report JSON");
        let sha = hex::encode(Sha256::digest(&bytes));
        assert_eq!(rep["sha256"], sha.as_str());
        let id = rep["id"].as_str().expect("id").to_string();
        acked.lock().expect("lock").push(Acked { id, sha256: sha, rows });
    }
}

#[test]
fn kill_9_during_uploads_loses_no_acknowledged_upload_and_leaves_no_half_written_one() {
    if backend_is_pg() {
        eprintln!("skipped: the crash test runs on SQLite (PostgreSQL's own WAL is not under test)");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db_path = dir.path().join("manumit.db");
    let url = format!("sqlite://{}", db_path.display());
    let mut rng = rand::rngs::StdRng::seed_from_u64(SEED);
    let acked = Arc::new(Mutex::new(Vec::<Acked>::new()));
    let started = Instant::now();
    let mut key = String::new();
    let kills = AtomicUsize::new(0);
    for round in 0..ROUNDS {
        let (child, base, printed) = start_server(&url, &[]);
        let mut guard = ServerGuard(child);
        match (round, printed) {
            (0, Some(k)) => key = k,
            (0, None) => panic!("a fresh database prints an admin key"),
            (_, Some(_)) => panic!("round {round}: the server bootstrapped again: the database looked empty"),
            (_, None) => {}
        }
        // The restart needs nothing: the server answers at once with the data of earlier rounds.
        let ready = ureq::get(&format!("{base}/readyz")).call().map(|r| r.status()).unwrap_or(0);
        assert_eq!(ready, 200, "round {round}: not ready after restart");

        let stop = Arc::new(AtomicBool::new(false));
        let kill_after = Duration::from_millis(rng.gen_range(50..900));
        let plans: Vec<Vec<usize>> = (0..2).map(|_| (0..200).map(|_| rng.gen_range(1..=12)).collect()).collect();
        std::thread::scope(|s| {
            for (t, plan) in plans.iter().enumerate() {
                let (base, key, stop, acked) = (&base, &key, &stop, &acked);
                s.spawn(move || stream(base, key, &format!("K{round}-{t}"), plan, stop, acked));
            }
            std::thread::sleep(kill_after);
            // SIGKILL, whatever the server is doing.
            let _ = guard.0.kill();
            let _ = guard.0.wait();
            kills.fetch_add(1, Ordering::SeqCst);
            stop.store(true, Ordering::SeqCst);
        });
    }
    assert_eq!(kills.load(Ordering::SeqCst), ROUNDS);

    // A last start, then verify through the API.
    let (child, base, printed) = start_server(&url, &[]);
    let guard = ServerGuard(child);
    assert!(printed.is_none());
    let get = |path: &str| {
        into_resp(
            ureq::get(&format!("{base}{path}"))
                .timeout(Duration::from_secs(60))
                .set("Authorization", &format!("Bearer {key}"))
                .call(),
        )
    };
    let acked = acked.lock().expect("lock").clone();
    assert!(acked.len() >= ROUNDS, "too few uploads were acknowledged to prove anything: {}", acked.len());
    for a in &acked {
        let r = get(&format!("/api/v1/uploads/{}", a.id));
        assert_eq!(r.status, 200, "acknowledged upload {} is missing: {}", a.id, r.text());
        let rep = r.json();
        assert_eq!(rep["rows_total"], a.rows, "{rep}");
        assert_eq!(rep["rows_accepted"], a.rows, "{rep}");
        assert_eq!(rep["sha256"], a.sha256.as_str());
        let f = get(&format!("/api/v1/uploads/{}/file", a.id));
        assert_eq!(f.status, 200);
        assert_eq!(hex::encode(Sha256::digest(&f.body)), a.sha256, "bytes of {} differ", a.id);
    }
    // Every upload that exists (acknowledged or committed just before a kill) is whole.
    let list = get("/api/v1/uploads?per_page=500").json();
    let total = list["total"].as_u64().expect("total") as usize;
    assert!(total >= acked.len() && total <= 500, "{total}");
    let mut rows_everywhere = 0usize;
    for u in list["items"].as_array().expect("items") {
        let id = u["id"].as_str().expect("id");
        let rep = get(&format!("/api/v1/uploads/{id}")).json();
        assert_eq!(rep["id"], id, "upload {id} has no report: half-written");
        let n = rep["rows_total"].as_u64().expect("rows_total") as usize;
        assert_eq!(rep["supplier_ids"].as_array().expect("supplier_ids").len(), n, "{rep}");
        assert_eq!(rep["suppliers_created"], n, "{rep}");
        rows_everywhere += n;
    }
    // Every row of every stored upload made exactly one supplier; no supplier without its upload.
    let suppliers = get("/api/v1/suppliers?per_page=1").json();
    assert_eq!(suppliers["total"].as_u64().expect("total") as usize, rows_everywhere);
    drop(guard);

    // The file itself, with the server stopped.
    let mut c = diesel::SqliteConnection::establish(&db_path.to_string_lossy()).expect("open the SQLite file");
    // WAL is what makes a kill -9 lose nothing committed and block no reader (persistent).
    let mode: Vec<JournalMode> = diesel::sql_query("PRAGMA journal_mode").load(&mut c).expect("journal_mode");
    assert_eq!(mode.first().map(|m| m.journal_mode.as_str()), Some("wal"));
    let lines: Vec<Line> = diesel::sql_query("PRAGMA integrity_check").load(&mut c).expect("integrity_check");
    assert_eq!(lines.iter().map(|l| l.integrity_check.as_str()).collect::<Vec<_>>(), vec!["ok"]);
    let checks: Vec<UploadCheck> = diesel::sql_query(
        "SELECT u.id AS id, u.rows_total AS rows_total, u.report_json AS report_json, \
         (SELECT COUNT(*) FROM upload_rows r WHERE r.upload_id = u.id) AS stored_rows FROM uploads u",
    )
    .load(&mut c)
    .expect("uploads");
    assert_eq!(checks.len(), total);
    let by_id: BTreeMap<&str, &UploadCheck> = checks.iter().map(|u| (u.id.as_str(), u)).collect();
    for u in &checks {
        assert_eq!(u.stored_rows, i64::from(u.rows_total), "upload {} has {} of its rows", u.id, u.stored_rows);
        assert_ne!(u.report_json, "{}", "upload {} has no report", u.id);
    }
    for a in &acked {
        assert!(by_id.contains_key(a.id.as_str()));
    }
    eprintln!(
        "crash test: {ROUNDS} kills, {} acknowledged uploads, {total} stored, {rows_everywhere} suppliers, {:.1} s",
        acked.len(),
        started.elapsed().as_secs_f64()
    );
}
