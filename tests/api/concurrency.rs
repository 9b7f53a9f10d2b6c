//! Concurrency proof (issue 7 item 6): many writers at once on one database — two server
//! processes on one PostgreSQL, 16 writers on SQLite, and concurrent Idempotency-Key reuse —
//! never duplicate a supplier, never lose a count, never answer 5xx or "database is locked".

use crate::helpers::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Barrier};
use std::time::Duration;

/// Upload slots are a per-process limit with its own test; here every upload must be stored.
const ENV: &[(&str, &str)] = &[("MANUMIT_UPLOAD_CONCURRENCY", "64")];

/// One request to any server base URL (transport errors fail the test).
fn send(base: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
    let mut r = ureq::request(method, &format!("{base}{path}")).timeout(Duration::from_secs(120));
    for (k, v) in headers {
        r = r.set(k, v);
    }
    into_resp(r.send_bytes(body))
}

/// A small supplier-list CSV with these refs; `tag` makes the bytes differ between files.
fn csv_of(refs: &[String], tag: &str) -> Vec<u8> {
    let mut s = String::from("Vendor No.,Supplier Name,Country,Sector,Notes\n");
    for r in refs {
        s.push_str(&format!("{r},Supplier {r} Ltd,Viet Nam,Textiles,{tag}\n"));
    }
    s.into_bytes()
}

fn upload_to(base: &str, key: &str, name: &str, bytes: &[u8]) -> Resp {
    let (ct, body) = multipart(&[("file", Some(name), bytes)]);
    send(base, "POST", "/api/v1/uploads", &[("Authorization", &format!("Bearer {key}")), ("Content-Type", &ct)], &body)
}

fn upsert_to(base: &str, key: &str, r: &str, body: &Value, idem: Option<&str>) -> Resp {
    let auth = format!("Bearer {key}");
    let mut h = vec![("Authorization", auth.as_str()), ("Content-Type", "application/json")];
    if let Some(k) = idem {
        h.push(("Idempotency-Key", k));
    }
    send(base, "PUT", &format!("/api/v1/suppliers/by-ref/{r}"), &h, body.to_string().as_bytes())
}

fn upsert_body(r: &str, n: usize) -> Value {
    json!({"legal_name": format!("Supplier {r} Ltd"), "country": "VN", "sector": "textiles", "employee_count": 100 + n})
}

/// Every external_ref of the organisation, with how often it occurs.
fn refs_in_db(base: &str, key: &str) -> (i64, BTreeMap<String, usize>) {
    let r = send(base, "GET", "/api/v1/suppliers?per_page=500", &[("Authorization", &format!("Bearer {key}"))], b"");
    assert_eq!(r.status, 200, "{}", r.text());
    let j = r.json();
    let mut m = BTreeMap::new();
    for s in j["items"].as_array().expect("items") {
        *m.entry(s["external_ref"].as_str().unwrap_or("").to_string()).or_insert(0) += 1;
    }
    (j["total"].as_i64().expect("total"), m)
}

enum Job {
    Upload {
        refs: Vec<String>,
        bytes: Vec<u8>,
    },
    Upsert {
        r: String,
        body: Value,
    },
    /// Readers beside the writers: in rollback-journal mode they made writers fail with
    /// "database is locked"; in WAL mode neither waits for the other.
    Read,
}

fn assert_no_server_error(what: &str, r: &Resp) {
    assert!(r.status < 500, "{what}: {} {}", r.status, r.text());
    assert!(!r.text().contains("database is locked"), "{what}: {}", r.text());
}

/// Runs `jobs` at once (one thread each, released together) spread over `bases`; returns the
/// responses in job order.
fn run_all(bases: &[String], key: &str, jobs: &[Job]) -> Vec<Resp> {
    let barrier = Arc::new(Barrier::new(jobs.len()));
    std::thread::scope(|s| {
        let handles: Vec<_> = jobs
            .iter()
            .enumerate()
            .map(|(i, job)| {
                let base = bases[i % bases.len()].clone();
                let barrier = barrier.clone();
                s.spawn(move || {
                    barrier.wait();
                    match job {
                        Job::Upload { bytes, .. } => upload_to(&base, key, &format!("list-{i}.csv"), bytes),
                        Job::Upsert { r, body } => upsert_to(&base, key, r, body, None),
                        Job::Read => {
                            let auth = format!("Bearer {key}");
                            let mut last = None;
                            for _ in 0..25 {
                                let r = send(
                                    &base,
                                    "GET",
                                    "/api/v1/suppliers?per_page=100",
                                    &[("Authorization", &auth)],
                                    b"",
                                );
                                let bad = r.status != 200;
                                last = Some(r);
                                if bad {
                                    break;
                                }
                            }
                            last.expect("at least one read")
                        }
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("request thread")).collect()
    })
}

/// 25 uploads of overlapping supplier lists and 25 upserts of the same refs.
fn mixed_jobs(prefix: &str, n: usize) -> (Vec<Job>, BTreeSet<String>) {
    let pool: Vec<String> = (0..30).map(|i| format!("{prefix}-{i:03}")).collect();
    let mut jobs = Vec::new();
    let mut all = BTreeSet::new();
    for i in 0..n {
        if i % 2 == 0 {
            // 8 refs, overlapping the neighbouring files, in a rotating order (lock-order stress).
            let mut refs: Vec<String> = (0..8).map(|k| pool[(i * 3 + k * 2) % pool.len()].clone()).collect();
            refs.rotate_left(i % 8);
            all.extend(refs.iter().cloned());
            jobs.push(Job::Upload { bytes: csv_of(&refs, &format!("file {i}")), refs });
        } else {
            let r = pool[(i * 7) % pool.len()].clone();
            all.insert(r.clone());
            jobs.push(Job::Upsert { body: upsert_body(&r, i), r });
        }
    }
    (jobs, all)
}

/// Checks statuses, the one-supplier-per-ref invariant and every count.
fn check_outcome(base: &str, key: &str, jobs: &[Job], resps: &[Resp], distinct: &BTreeSet<String>) {
    let mut created = 0usize;
    for (job, r) in jobs.iter().zip(resps) {
        match job {
            Job::Upload { refs, .. } => {
                assert_no_server_error("upload", r);
                assert_eq!(r.status, 201, "upload: {}", r.text());
                let rep = r.json();
                let n = refs.len() as u64;
                assert_eq!(rep["rows_total"], n, "{rep}");
                assert_eq!(rep["rows_accepted"], n, "{rep}");
                let (c, u) = (rep["suppliers_created"].as_u64().unwrap(), rep["suppliers_updated"].as_u64().unwrap());
                assert_eq!(c + u, n, "created + updated = accepted rows: {rep}");
                assert_eq!(rep["supplier_ids"].as_array().unwrap().len(), refs.len(), "{rep}");
                created += c as usize;
                let id = rep["id"].as_str().unwrap();
                let stored = send(
                    base,
                    "GET",
                    &format!("/api/v1/uploads/{id}"),
                    &[("Authorization", &format!("Bearer {key}"))],
                    b"",
                );
                assert_eq!(stored.json(), rep, "the stored report is the one answered");
            }
            Job::Read => assert_eq!(r.status, 200, "read beside writers: {}", r.text()),
            Job::Upsert { r: rf, .. } => {
                assert_no_server_error("upsert", r);
                assert!(r.status == 201 || r.status == 200, "upsert {rf}: {} {}", r.status, r.text());
                assert_eq!(r.json()["external_ref"], rf.as_str());
                if r.status == 201 {
                    created += 1;
                }
            }
        }
    }
    let (total, refs) = refs_in_db(base, key);
    assert_eq!(total as usize, distinct.len(), "one supplier per distinct ref");
    assert_eq!(refs.keys().cloned().collect::<BTreeSet<_>>(), *distinct);
    assert!(refs.values().all(|&n| n == 1), "duplicated refs: {refs:?}");
    assert_eq!(created, distinct.len(), "exactly one creation per ref across uploads and upserts");
}

#[test]
fn two_processes_on_one_postgres_never_duplicate_or_lose_a_supplier() {
    if !backend_is_pg() {
        eprintln!("skipped: two_processes_on_one_postgres needs TEST_DATABASE_URL (PostgreSQL)");
        return;
    }
    let app = TestApp::spawn_with(ENV);
    let (second, base2, key2) = start_server(&app.database_url, ENV);
    let _second = ServerGuard(second);
    assert!(key2.is_none(), "the second instance must not bootstrap again");
    let bases = vec![app.base.clone(), base2];
    let (jobs, distinct) = mixed_jobs("PG", 50);
    let resps = run_all(&bases, &app.admin_key, &jobs);
    // Checked through the other process than the one most writes went to.
    check_outcome(&bases[1], &app.admin_key, &jobs, &resps, &distinct);
}

#[test]
fn sixteen_concurrent_writers_never_see_database_is_locked() {
    let app = TestApp::spawn_with(ENV);
    let (mut jobs, distinct) = mixed_jobs("SQ", 16);
    jobs.extend((0..8).map(|_| Job::Read));
    let resps = run_all(std::slice::from_ref(&app.base), &app.admin_key, &jobs);
    check_outcome(&app.base, &app.admin_key, &jobs, &resps, &distinct);
    // And a second wave that only updates.
    let (jobs, _) = mixed_jobs("SQ", 16);
    let jobs: Vec<Job> = jobs
        .into_iter()
        .enumerate()
        .map(|(i, j)| match j {
            Job::Upload { refs, .. } => Job::Upload { bytes: csv_of(&refs, &format!("wave 2 file {i}")), refs },
            j => j,
        })
        .chain((0..8).map(|_| Job::Read))
        .collect();
    for r in run_all(std::slice::from_ref(&app.base), &app.admin_key, &jobs) {
        assert_no_server_error("second wave", &r);
        assert!(r.status == 201 || r.status == 200, "{}", r.text());
    }
    assert_eq!(refs_in_db(&app.base, &app.admin_key).0 as usize, distinct.len());
}

#[test]
fn same_idempotency_key_at_once_creates_once_and_orgs_never_collide() {
    let app = TestApp::spawn_with(ENV);
    let other = app.other_org_admin("globex");
    let mut bases = vec![app.base.clone()];
    let _second = if backend_is_pg() {
        let (child, base2, _) = start_server(&app.database_url, ENV);
        bases.push(base2);
        Some(ServerGuard(child))
    } else {
        None
    };
    for round in 0..6 {
        let idem = format!("erp-retry-round-{round:04}");
        let r = format!("IDEM-{round}");
        // Two copies for our organisation, one (same key, another body) for the other one.
        let calls: Vec<(String, String, Value)> = vec![
            (bases[0].clone(), app.admin_key.clone(), upsert_body(&r, 1)),
            (bases[bases.len() - 1].clone(), app.admin_key.clone(), upsert_body(&r, 1)),
            (bases[0].clone(), other.clone(), upsert_body(&r, 2)),
        ];
        let barrier = Arc::new(Barrier::new(calls.len()));
        let resps: Vec<Resp> = std::thread::scope(|s| {
            let hs: Vec<_> = calls
                .iter()
                .map(|(base, key, body)| {
                    let (barrier, idem, r) = (barrier.clone(), idem.clone(), r.clone());
                    s.spawn(move || {
                        barrier.wait();
                        upsert_to(base, key, &r, body, Some(&idem))
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().expect("thread")).collect()
        });
        let ours = &resps[..2];
        let fresh: Vec<&Resp> =
            ours.iter().filter(|x| x.status == 201 && x.header("idempotent-replayed").is_none()).collect();
        assert_eq!(fresh.len(), 1, "exactly one creation: {:?}", ours.iter().map(Resp::text).collect::<Vec<_>>());
        for x in ours {
            assert_no_server_error("idempotent upsert", x);
            if x.status == 201 && x.header("idempotent-replayed") == Some("true") {
                assert_eq!(x.json(), fresh[0].json(), "a replay is the stored response");
            } else if x.status != 201 {
                x.assert_problem(409, "idempotency_in_progress");
                assert!(x.header("retry-after").is_some());
            }
        }
        // The other organisation's identical key is its own: a fresh creation, not a 422 or a replay.
        assert_eq!(resps[2].status, 201, "{}", resps[2].text());
        assert!(resps[2].header("idempotent-replayed").is_none());
        assert_eq!(resps[2].json()["fields"]["employee_count"], 102);
        // A retry after the dust settles replays, and changes nothing.
        let again = upsert_to(&bases[0], &app.admin_key, &r, &upsert_body(&r, 1), Some(&idem));
        assert_eq!(again.status, 201, "{}", again.text());
        assert_eq!(again.header("idempotent-replayed"), Some("true"));
    }
    assert_eq!(refs_in_db(&app.base, &app.admin_key).0, 6);
    assert_eq!(refs_in_db(&app.base, &other).0, 6);
}
