//! Sandboxed reading: the server runs `<exe> worker parse` as a child with a memory limit
//! (RLIMIT_AS) and a wall-clock timeout; the file goes in on stdin, JSON comes back on stdout.
//! A parser abort or stack overflow then kills only the child, never the server.

use super::{read_workbook, IngestError, Limits};
use crate::domain::Workbook;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Environment variable through which the parent passes [`Limits`] (JSON) to the worker.
pub const LIMITS_ENV: &str = "MANUMIT_INGEST_LIMITS";

/// What the worker writes on stdout.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WorkerReply {
    Ok(Workbook),
    Err(IngestError),
}

fn crashed(detail: String) -> IngestError {
    IngestError::UnreadableFile {
        detail: format!(
            "the spreadsheet reader stopped on this file ({detail}); it is probably damaged or built to attack parsers"
        ),
    }
}

/// Reads the file in a child process `<exe> worker parse` and returns its result. A child
/// killed by a signal (abort, memory limit) or exiting badly → 422 `unreadable_file`; a child
/// still running after `limits.worker_timeout_secs` is killed → 422 `parse_timeout`.
pub fn read_workbook_sandboxed(bytes: &[u8], limits: &Limits, exe: &Path) -> Result<Workbook, IngestError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(IngestError::FileTooLarge { size: bytes.len() as u64, limit: limits.max_bytes });
    }
    let limits_json = serde_json::to_string(limits).map_err(|e| IngestError::unreadable(format!("internal: {e}")))?;
    let mut child = Command::new(exe)
        .args(["worker", "parse"])
        .env(LIMITS_ENV, limits_json)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| IngestError::unreadable(format!("the reader process could not start ({e})")))?;
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    let deadline = Instant::now() + Duration::from_secs(limits.worker_timeout_secs.max(1));
    let out_cap = limits.worker_memory_bytes.max(1 << 20);
    let (status, out) = std::thread::scope(|s| {
        s.spawn(move || {
            if let Some(mut w) = stdin.take() {
                let _ = w.write_all(bytes); // a child that dies early closes the pipe: ignore
            }
        });
        let reader = s.spawn(move || {
            let mut buf = Vec::new();
            if let Some(r) = stdout.take() {
                let _ = r.take(out_cap).read_to_end(&mut buf);
            }
            buf
        });
        let status = loop {
            match child.try_wait() {
                Ok(Some(st)) => break Ok(st),
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(IngestError::Timeout { seconds: limits.worker_timeout_secs });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break Err(IngestError::unreadable(format!("the reader process was lost ({e})")));
                }
            }
        };
        (status, reader.join().unwrap_or_default())
    });
    let status = status?;
    if !status.success() {
        use std::os::unix::process::ExitStatusExt;
        return Err(match status.signal() {
            Some(sig) => crashed(format!("signal {sig}")),
            None => crashed(format!("exit code {}", status.code().unwrap_or(-1))),
        });
    }
    match serde_json::from_slice::<WorkerReply>(&out) {
        Ok(WorkerReply::Ok(wb)) => Ok(wb),
        Ok(WorkerReply::Err(e)) => Err(e),
        Err(e) => Err(crashed(format!("its answer was not readable: {e}"))),
    }
}

/// Limits from the environment (defaults when absent or invalid).
fn limits_from_env() -> Limits {
    std::env::var(LIMITS_ENV).ok().and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default()
}

/// Sets RLIMIT_AS for this process (the worker) so that a runaway allocation fails here.
fn limit_memory(bytes: u64) {
    let lim = libc::rlimit { rlim_cur: bytes as libc::rlim_t, rlim_max: bytes as libc::rlim_t };
    // SAFETY: setrlimit only reads the struct we pass; failure leaves the limit unchanged.
    unsafe {
        libc::setrlimit(libc::RLIMIT_AS, &lim);
    }
}

/// The worker's job without process concerns: bytes in, JSON reply out.
fn worker_reply(input: &[u8], limits: &Limits) -> Vec<u8> {
    let reply = match read_workbook(input, limits) {
        Ok(wb) => WorkerReply::Ok(wb),
        Err(e) => WorkerReply::Err(e),
    };
    serde_json::to_vec(&reply).unwrap_or_else(|_| br#"{"err":{"code":"unreadable_file","detail":"internal"}}"#.to_vec())
}

/// Entry point of `manumit worker parse`: reads the file from stdin, writes the JSON reply
/// to stdout, returns the process exit code (0 when a reply was written).
pub fn worker_main() -> i32 {
    let limits = limits_from_env();
    limit_memory(limits.worker_memory_bytes);
    let mut input = Vec::new();
    if std::io::stdin().lock().take(limits.max_bytes.saturating_add(1)).read_to_end(&mut input).is_err() {
        return 2;
    }
    let out = worker_reply(&input, &limits);
    let mut so = std::io::stdout().lock();
    if so.write_all(&out).and_then(|_| so.flush()).is_err() {
        return 2;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn script(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    #[test]
    fn reply_round_trip() {
        let reply = worker_reply(b"Name,Country,Sector\nAcme,TH,agri\n", &Limits::default());
        match serde_json::from_slice::<WorkerReply>(&reply).unwrap() {
            WorkerReply::Ok(wb) => assert_eq!(wb.sheets[0].rows.len(), 2),
            WorkerReply::Err(e) => panic!("{e}"),
        }
        let reply = worker_reply(b"%PDF-1.4", &Limits::default());
        assert!(matches!(
            serde_json::from_slice::<WorkerReply>(&reply).unwrap(),
            WorkerReply::Err(IngestError::UnsupportedFormat { .. })
        ));
    }

    #[test]
    fn child_outcomes() {
        let dir = tempfile::tempdir().unwrap();
        let l = Limits { worker_timeout_secs: 1, ..Limits::default() };
        // A child that answers: it echoes a canned reply after draining stdin.
        let reply = String::from_utf8(worker_reply(b"a,b\n1,2\n", &l)).unwrap();
        let ok = script(dir.path(), "ok", &format!("cat >/dev/null; printf '%s' '{reply}'"));
        assert_eq!(read_workbook_sandboxed(b"x", &l, &ok).unwrap().sheets[0].rows.len(), 2);
        // A child that aborts like calamine on an allocation failure.
        let abort = script(dir.path(), "abort", "kill -ABRT $$");
        let e = read_workbook_sandboxed(b"x", &l, &abort).unwrap_err();
        assert_eq!((e.code(), e.status()), ("unreadable_file", 422));
        assert!(e.to_string().contains("signal 6"), "{e}");
        // A child that hangs is killed at the deadline.
        let hang = script(dir.path(), "hang", "exec sleep 30");
        let t = Instant::now();
        assert_eq!(read_workbook_sandboxed(b"x", &l, &hang).unwrap_err().code(), "parse_timeout");
        assert!(t.elapsed() < Duration::from_secs(10));
        // Garbage on stdout.
        let junk = script(dir.path(), "junk", "echo nonsense");
        assert_eq!(read_workbook_sandboxed(b"x", &l, &junk).unwrap_err().code(), "unreadable_file");
        // Too large is refused before spawning anything.
        let small = Limits { max_bytes: 1, ..l };
        assert_eq!(read_workbook_sandboxed(b"xx", &small, &ok).unwrap_err().status(), 413);
    }
}
