//! Limits: per-key rate limit (429 + Retry-After) and the upload concurrency limit (503 +
//! Retry-After rather than running out of memory).

use crate::helpers::*;
use crate::uploads::upload;

#[test]
fn rate_limit_per_key() {
    let app = TestApp::spawn_with(&[("MANUMIT_RATE_LIMIT", "5")]);
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(app.get("/api/v1/suppliers", &app.admin_key));
    }
    assert!(statuses[..5].iter().all(|r| r.status == 200));
    let limited = statuses.iter().find(|r| r.status == 429).expect("no 429 after the limit");
    limited.assert_problem(429, "rate_limited");
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&wait));
    // Another key has its own budget; unauthenticated probes are not limited.
    let other = {
        // Key creation itself is limited for the admin, so make it through the CLI.
        app.other_org_admin("globex")
    };
    assert_eq!(app.get("/api/v1/suppliers", &other).status, 200);
    assert_eq!(app.req("GET", "/healthz", None, None).status, 200);
}

#[test]
fn upload_concurrency_limit_answers_503_with_retry_after() {
    let app = TestApp::spawn_with(&[("MANUMIT_UPLOAD_CONCURRENCY", "1")]);
    let files: Vec<Vec<u8>> = (0..6)
        .map(|f| {
            let mut s = String::from("Supplier ID,Supplier name,Country,Sector,Employees\n");
            for i in 0..2000 {
                s.push_str(&format!("F{f}-{i},Company {f} {i} Ltd,Kenya,agriculture,{}\n", i % 500));
            }
            s.into_bytes()
        })
        .collect();
    let statuses: Vec<(u16, Option<String>)> = std::thread::scope(|sc| {
        let hs: Vec<_> = files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let app = &app;
                sc.spawn(move || {
                    let r = upload(app, &app.admin_key, &format!("f{i}.csv"), f, &[]);
                    (r.status, r.header("retry-after").map(str::to_string))
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|(s, _)| *s == 201 || *s == 503), "{statuses:?}");
    assert!(statuses.iter().any(|(s, _)| *s == 201), "{statuses:?}");
    let busy: Vec<_> = statuses.iter().filter(|(s, _)| *s == 503).collect();
    assert!(!busy.is_empty(), "six concurrent uploads with one slot: some must wait ({statuses:?})");
    assert!(busy.iter().all(|(_, ra)| ra.is_some()), "503 without Retry-After");
    let n_created = statuses.iter().filter(|(s, _)| *s == 201).count();
    assert_eq!(app.get("/api/v1/uploads", &app.admin_key).json()["total"], n_created as u64);
}
