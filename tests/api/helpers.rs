//! Test harness: starts the real `manumit` binary on a random port against a fresh database
//! (a temp SQLite file, or a new PostgreSQL database when TEST_DATABASE_URL is set) and speaks HTTP.

#![allow(dead_code)] // not every helper is used by every backend run
use diesel::{Connection, RunQueryDsl};
use serde_json::Value;
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub struct TestApp {
    pub base: String,
    pub admin_key: String,
    pub database_url: String,
    child: Option<Child>,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

/// A response, whatever its status.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// Asserts the status and that an error body is problem+json with the given code.
    pub fn assert_problem(&self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text());
        assert_eq!(self.header("content-type"), Some("application/problem+json"), "body: {}", self.text());
        let j = self.json();
        assert_eq!(j["code"], code, "body: {j}");
        assert_eq!(j["status"], status);
        assert!(j["title"].is_string() && j["detail"].is_string() && j["type"].is_string(), "{j}");
        assert!(j["request_id"].as_str().is_some_and(|s| !s.is_empty()), "request id missing: {j}");
        j
    }
}

fn pg_base() -> Option<String> {
    std::env::var("TEST_DATABASE_URL").ok().filter(|s| !s.is_empty())
}

pub fn backend_is_pg() -> bool {
    pg_base().is_some()
}

/// A fresh, empty database URL for one test (and, for PostgreSQL, what to drop afterwards).
pub fn fresh_database(dir: &std::path::Path) -> (String, Option<(String, String)>) {
    match pg_base() {
        Some(base) => {
            let name = format!("mnm_t_{}", uuid::Uuid::new_v4().simple());
            let mut c = diesel::PgConnection::establish(&base).expect("TEST_DATABASE_URL must be reachable");
            diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut c).expect("create test database");
            let (prefix, _) = base.rsplit_once('/').expect("TEST_DATABASE_URL needs a /dbname");
            (format!("{prefix}/{name}"), Some((base, name)))
        }
        None => (format!("sqlite://{}", dir.join("manumit.db").display()), None),
    }
}

pub fn drop_database(pg: &Option<(String, String)>) {
    if let Some((base, name)) = pg {
        if let Ok(mut c) = diesel::PgConnection::establish(base) {
            let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut c);
        }
    }
}

/// Starts `manumit serve` on `database_url`; returns the child, its base URL and the admin key
/// it printed (None when the database was not empty).
pub fn start_server(database_url: &str, extra_env: &[(&str, &str)]) -> (Child, String, Option<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_manumit"));
    cmd.args(["serve", "--bind", "127.0.0.1:0"])
        .env("DATABASE_URL", database_url)
        .env("MANUMIT_WORKERS", "2")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn manumit");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let mut base = None;
        let mut key = None;
        while let Some(Ok(line)) = lines.next() {
            if let Some(rest) = line.strip_prefix("Manumit is listening on ") {
                base = Some(rest.trim().to_string());
            }
            if line.starts_with("mnm_") {
                key = Some(line.trim().to_string());
            }
            if line.starts_with("API docs") {
                let _ = tx.send((base.take(), key.take()));
                // Keep draining so the server never blocks on a full pipe.
                for _ in lines.by_ref() {}
                return;
            }
        }
        let _ = tx.send((None, None));
    });
    let (base, key) = rx.recv_timeout(Duration::from_secs(60)).expect("server did not start in 60 s");
    let base = base.expect("server printed no address");
    (child, base, key)
}

impl TestApp {
    pub fn spawn() -> TestApp {
        Self::spawn_with(&[])
    }

    pub fn spawn_with(extra_env: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().expect("tempdir");
        let (database_url, pg) = fresh_database(dir.path());
        let (child, base, key) = start_server(&database_url, extra_env);
        TestApp {
            base,
            admin_key: key.expect("a fresh database prints an admin key"),
            database_url,
            child: Some(child),
            pg,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn req(&self, method: &str, path: &str, key: Option<&str>, body: Option<&Value>) -> Resp {
        let mut r = ureq::request(method, &self.url(path)).timeout(Duration::from_secs(120));
        if let Some(k) = key {
            r = r.set("Authorization", &format!("Bearer {k}"));
        }
        let res = match body {
            Some(b) => r.send_json(b.clone()),
            None => r.call(),
        };
        into_resp(res)
    }

    pub fn get(&self, path: &str, key: &str) -> Resp {
        self.req("GET", path, Some(key), None)
    }
    pub fn post(&self, path: &str, key: &str, body: &Value) -> Resp {
        self.req("POST", path, Some(key), Some(body))
    }

    /// Sends raw bytes with headers.
    pub fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let mut r = ureq::request(method, &self.url(path)).timeout(Duration::from_secs(120));
        for (k, v) in headers {
            r = r.set(k, v);
        }
        into_resp(r.send_bytes(body))
    }

    /// Creates a key with `role` in the admin's organisation.
    pub fn key(&self, role: &str) -> String {
        let r = self.post(
            "/api/v1/keys",
            &self.admin_key,
            &serde_json::json!({"name": format!("{role} key"), "role": role}),
        );
        assert_eq!(r.status, 201, "{}", r.text());
        r.json()["key"].as_str().expect("key").to_string()
    }

    /// An admin key of a second organisation, made with the CLI against the same database.
    pub fn other_org_admin(&self, org: &str) -> String {
        let out = Command::new(env!("CARGO_BIN_EXE_manumit"))
            .args(["keys", "create", "--org", org, "--role", "admin"])
            .env("DATABASE_URL", &self.database_url)
            .env("RUST_LOG", "error")
            .output()
            .expect("run keys create");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let s = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert!(s.starts_with("mnm_"), "{s}");
        s
    }

    /// Stops the server (SIGKILL) without dropping the database.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Kills a server process when dropped, also when a test panics.
pub struct ServerGuard(pub Child);

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.kill();
        drop_database(&self.pg);
    }
}

pub fn into_resp(res: Result<ureq::Response, ureq::Error>) -> Resp {
    let resp = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let status = resp.status();
    let headers =
        resp.headers_names().into_iter().filter_map(|n| resp.header(&n).map(|v| (n.clone(), v.to_string()))).collect();
    let mut body = Vec::new();
    resp.into_reader().take(512 * 1024 * 1024).read_to_end(&mut body).expect("read body");
    Resp { status, headers, body }
}

/// A multipart/form-data body: (name, filename, bytes) parts. Returns (content type, body).
pub fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = format!("----manumit{}", uuid::Uuid::new_v4().simple());
    let mut body = Vec::new();
    for (name, filename, bytes) in parts {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}
