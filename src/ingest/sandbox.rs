//! Sandboxed reading: the server runs `<exe> worker parse` as a child with a memory limit
//! (RLIMIT_AS) and a wall-clock timeout; the file goes in on stdin and the rows come back on
//! stdout as they are read, one frame each, so neither process holds a large sheet whole. A
//! parser abort or stack overflow kills only the child, never the server.
//!
//! A frame is a kind byte, a length (u32, little-endian) and that many bytes: `R` a row in the
//! binary form of [`row_codec`](super::row_codec), `J` any other [`Frame`] as JSON.

use super::stream::{Collect, Flow, RowSink};
use super::{sniff, stream_workbook, IngestError, Limits};
use crate::domain::{FileFormat, SheetRow, Workbook};
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

/// The size asked for the worker's pipes (see [`SandboxStream::spawn`]).
const PIPE_BYTES: libc::c_int = 1 << 20;

/// Environment variable through which the parent passes [`Limits`] (JSON) to the worker.
pub const LIMITS_ENV: &str = "MANUMIT_INGEST_LIMITS";

/// Environment variable with the size in bytes of the file on the worker's stdin: the worker
/// makes room for it at once instead of growing its buffer as the bytes arrive (for 15 MB,
/// ten copies of what it had read so far, and their page faults).
const INPUT_BYTES_ENV: &str = "MANUMIT_INPUT_BYTES";

/// Longest frame (one row) accepted from the worker: 200 columns of 32,767 characters.
const MAX_FRAME: usize = 64 * 1024 * 1024;

/// Frame kinds: a row in binary form, or a [`Frame`] as JSON.
const ROW: u8 = b'R';
const JSON: u8 = b'J';

/// One line of the worker's output.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Frame {
    /// First frame: the format and every sheet (name, hidden).
    Start {
        format: FileFormat,
        sheets: Vec<(String, bool)>,
    },
    Begin {
        name: String,
        hidden: bool,
    },
    /// The sheet just begun: how many rows it says it spans (see [`RowSink::rows_hint`]).
    RowsHint(u64),
    Row(SheetRow),
    End,
    /// Last frame of a file read to the end.
    Done,
    Err(IngestError),
}

fn crashed(detail: String) -> IngestError {
    IngestError::UnreadableFile {
        detail: format!(
            "the spreadsheet reader stopped on this file ({detail}); it is probably damaged or built to attack parsers"
        ),
    }
}

/// A file being read by the worker process: the format and sheet list are known once it is
/// spawned; [`SandboxStream::feed`] hands the rows to a sink as they arrive. Dropping it kills
/// the worker.
pub struct SandboxStream {
    child: Child,
    out: BufReader<ChildStdout>,
    format: FileFormat,
    sheets: Vec<(String, bool)>,
    timed_out: Arc<AtomicBool>,
    timeout_secs: u64,
    /// Dropping this wakes the watchdog thread, which then exits.
    watchdog: Option<mpsc::Sender<()>>,
    /// The frame being read (kept: most rows fit the last one's buffer).
    buf: Vec<u8>,
}

impl SandboxStream {
    /// Starts `<exe> worker parse` on the bytes and reads up to the sheet list. A file the
    /// worker refuses at once (not a spreadsheet, a zip bomb...) is refused here.
    pub fn spawn(bytes: &[u8], limits: &Limits, exe: &Path) -> Result<SandboxStream, IngestError> {
        if bytes.len() as u64 > limits.max_bytes {
            return Err(IngestError::FileTooLarge { size: bytes.len() as u64, limit: limits.max_bytes });
        }
        let limits_json =
            serde_json::to_string(limits).map_err(|e| IngestError::unreadable(format!("internal: {e}")))?;
        let mut child = Command::new(exe)
            .args(["worker", "parse"])
            .env(LIMITS_ENV, limits_json)
            .env(INPUT_BYTES_ENV, bytes.len().to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| IngestError::unreadable(format!("the reader process could not start ({e})")))?;
        let stdout = child.stdout.take();
        widen_pipes(&child, stdout.as_ref());
        // The watchdog kills the worker at the deadline, whatever the parent is doing.
        let timed_out = Arc::new(AtomicBool::new(false));
        let (tx, rx) = mpsc::channel::<()>();
        let pid = child.id() as libc::pid_t;
        let flag = timed_out.clone();
        let timeout = Duration::from_secs(limits.worker_timeout_secs.max(1));
        std::thread::spawn(move || {
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(timeout) {
                flag.store(true, Ordering::SeqCst);
                // SAFETY: kill only sends a signal; the child is not reaped until the stream
                // is dropped, so the pid cannot have been reused.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
        });
        // The worker reads all of its input before it writes anything: no deadlock. A worker
        // that dies early closes the pipe; its exit status tells why.
        if let Some(mut w) = child.stdin.take() {
            let _ = w.write_all(bytes);
        }
        let Some(stdout) = stdout else {
            return Err(IngestError::unreadable("the reader process has no output"));
        };
        let mut s = SandboxStream {
            child,
            out: BufReader::with_capacity(PIPE_BYTES as usize, stdout),
            format: FileFormat::Csv,
            sheets: Vec::new(),
            timed_out,
            timeout_secs: limits.worker_timeout_secs,
            watchdog: Some(tx),
            buf: Vec::new(),
        };
        match s.next_frame()? {
            Frame::Start { format, sheets } => {
                s.format = format;
                s.sheets = sheets;
                Ok(s)
            }
            Frame::Err(e) => Err(e),
            other => Err(crashed(format!("it began with {other:?}"))),
        }
    }

    pub fn format(&self) -> FileFormat {
        self.format
    }

    /// Every sheet of the file (name, hidden), in file order.
    pub fn sheets(&self) -> &[(String, bool)] {
        &self.sheets
    }

    /// Why the worker stopped without finishing its answer.
    fn failure(&mut self) -> IngestError {
        let status = self.child.wait();
        if self.timed_out.load(Ordering::SeqCst) {
            return IngestError::Timeout { seconds: self.timeout_secs };
        }
        use std::os::unix::process::ExitStatusExt;
        match status {
            Ok(st) => match st.signal() {
                Some(sig) => crashed(format!("signal {sig}")),
                None => crashed(format!("exit code {}", st.code().unwrap_or(-1))),
            },
            Err(e) => IngestError::unreadable(format!("the reader process was lost ({e})")),
        }
    }

    fn next_frame(&mut self) -> Result<Frame, IngestError> {
        match self.out.fill_buf() {
            // The worker's output ended between frames: its exit status says why.
            Ok([]) => return Err(self.failure()),
            Ok(_) => {}
            Err(e) => return Err(crashed(format!("its answer was not readable: {e}"))),
        }
        let mut head = [0u8; 5];
        if self.out.read_exact(&mut head).is_err() {
            return Err(self.cut_short());
        }
        let [kind, len @ ..] = head;
        let len = u32::from_le_bytes(len) as usize;
        if len > MAX_FRAME {
            return Err(self.cut_short());
        }
        self.buf.clear();
        if !matches!((&mut self.out).take(len as u64).read_to_end(&mut self.buf), Ok(n) if n == len) {
            return Err(self.cut_short());
        }
        match kind {
            ROW => super::row_codec::decode(&self.buf)
                .map(Frame::Row)
                .ok_or_else(|| crashed("its answer was not readable: a damaged row".into())),
            JSON => serde_json::from_slice(&self.buf).map_err(|e| crashed(format!("its answer was not readable: {e}"))),
            other => Err(crashed(format!("its answer was not readable: a frame of kind {other}"))),
        }
    }

    /// The worker died mid-frame, or sent one over the cap: it is stopped and its end reported.
    fn cut_short(&mut self) -> IngestError {
        let _ = self.child.kill();
        self.failure()
    }

    /// Hands every sheet and row to `sink` as the worker reads them. Stops early when the sink
    /// says so (the worker is then killed).
    pub fn feed(mut self, sink: &mut dyn RowSink) -> Result<FileFormat, IngestError> {
        let format = self.format;
        if sink.sheets(&self.sheets)? == Flow::Stop {
            return Ok(format);
        }
        let mut skipping = false;
        loop {
            match self.next_frame()? {
                Frame::Begin { name, hidden } => match sink.begin_sheet(&name, hidden)? {
                    Flow::Stop => return Ok(format),
                    Flow::SkipSheet => skipping = true,
                    Flow::Continue => skipping = false,
                },
                Frame::Row(r) if !skipping => match sink.row(r)? {
                    Flow::Stop => return Ok(format),
                    Flow::SkipSheet => skipping = true,
                    Flow::Continue => {}
                },
                Frame::Row(_) => {}
                Frame::RowsHint(n) if !skipping => sink.rows_hint(n),
                Frame::RowsHint(_) => {}
                Frame::End => {
                    if sink.end_sheet()? == Flow::Stop {
                        return Ok(format);
                    }
                    skipping = false;
                }
                Frame::Done => {
                    return match self.child.wait() {
                        Ok(st) if st.success() => Ok(format),
                        _ => Err(self.failure()),
                    }
                }
                Frame::Err(e) => return Err(e),
                Frame::Start { .. } => return Err(crashed("it began twice".into())),
            }
        }
    }

    /// The whole workbook.
    pub fn collect(self) -> Result<Workbook, IngestError> {
        let mut c = Collect::default();
        let format = self.feed(&mut c)?;
        Ok(c.into_workbook(format))
    }
}

impl Drop for SandboxStream {
    fn drop(&mut self) {
        // Stop the watchdog before the child is reaped, so it never signals a reused pid.
        drop(self.watchdog.take());
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Reads the file in a child process `<exe> worker parse` and returns the whole workbook. A
/// child killed by a signal (abort, memory limit) or exiting badly → 422 `unreadable_file`; a
/// child still running after `limits.worker_timeout_secs` is killed → 422 `parse_timeout`.
pub fn read_workbook_sandboxed(bytes: &[u8], limits: &Limits, exe: &Path) -> Result<Workbook, IngestError> {
    SandboxStream::spawn(bytes, limits, exe)?.collect()
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

/// The worker's sink: every event becomes a frame on `out`.
struct FrameWriter<W: Write> {
    out: W,
    format: FileFormat,
    /// The frame being written.
    buf: Vec<u8>,
}

impl<W: Write> FrameWriter<W> {
    fn send(&mut self, f: &Frame) -> Result<Flow, IngestError> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let made = match f {
            Frame::Row(r) => {
                super::row_codec::encode(r, &mut buf);
                Ok(ROW)
            }
            _ => serde_json::to_writer(&mut buf, f).map(|_| JSON),
        };
        let sent = made.map_err(std::io::Error::other).and_then(|kind| {
            let len = u32::try_from(buf.len()).map_err(std::io::Error::other)?;
            let [a, b, c, d] = len.to_le_bytes();
            self.out.write_all(&[kind, a, b, c, d])?;
            self.out.write_all(&buf)
        });
        self.buf = buf;
        sent.map_err(|e| IngestError::unreadable(format!("the reader could not answer ({e})")))?;
        Ok(Flow::Continue)
    }
}

impl<W: Write> RowSink for FrameWriter<W> {
    fn sheets(&mut self, sheets: &[(String, bool)]) -> Result<Flow, IngestError> {
        self.send(&Frame::Start { format: self.format, sheets: sheets.to_vec() })
    }
    fn begin_sheet(&mut self, name: &str, hidden: bool) -> Result<Flow, IngestError> {
        self.send(&Frame::Begin { name: name.to_string(), hidden })
    }
    fn rows_hint(&mut self, rows: u64) {
        // A failed write fails the next frame too, which reports it.
        let _ = self.send(&Frame::RowsHint(rows));
    }
    fn row(&mut self, row: SheetRow) -> Result<Flow, IngestError> {
        self.send(&Frame::Row(row))
    }
    fn end_sheet(&mut self) -> Result<Flow, IngestError> {
        self.send(&Frame::End)
    }
}

/// The worker's job without process concerns: bytes in, frames out. A file refused before its
/// sheets are known gets one `Err` frame.
fn worker_write(input: &[u8], limits: &Limits, out: impl Write) -> std::io::Result<()> {
    let mut w = FrameWriter { out, format: FileFormat::Csv, buf: Vec::new() };
    let last = match sniff(input) {
        Err(e) => Frame::Err(e),
        Ok(format) => {
            w.format = format;
            match stream_workbook(input, limits, &mut w) {
                Ok(_) => Frame::Done,
                Err(e) => Frame::Err(e),
            }
        }
    };
    let _ = w.send(&last);
    w.out.flush()
}

/// Pipes of 1 MiB instead of Linux's 64 KiB (the most an unprivileged process may ask; a
/// refusal, for example once the user's pipe allowance is spent, keeps the default): the file
/// crosses in 15 writes instead of 230 for a list of 100,000 rows, and the worker runs ahead of
/// the rows' reader by a thousand rows instead of a hundred, so the two switch places less often.
#[cfg(target_os = "linux")]
fn widen_pipes(child: &Child, stdout: Option<&ChildStdout>) {
    use std::os::fd::AsRawFd;
    for fd in [child.stdin.as_ref().map(|p| p.as_raw_fd()), stdout.map(|p| p.as_raw_fd())].into_iter().flatten() {
        // SAFETY: fcntl on a pipe this process owns; F_SETPIPE_SZ takes an int and touches no
        // memory of ours.
        unsafe {
            libc::fcntl(fd, libc::F_SETPIPE_SZ, PIPE_BYTES);
        }
    }
}

/// Elsewhere pipes keep their size.
#[cfg(not(target_os = "linux"))]
fn widen_pipes(_: &Child, _: Option<&ChildStdout>) {}

/// Entry point of `manumit worker parse`: reads the file from stdin, writes the frames to
/// stdout, returns the process exit code (0 when the answer was written).
pub fn worker_main() -> i32 {
    let limits = limits_from_env();
    limit_memory(limits.worker_memory_bytes);
    let most = limits.max_bytes.saturating_add(1);
    // A hint only: the read stops at the end of the input or at `most`, whatever it says.
    let hint = std::env::var(INPUT_BYTES_ENV).ok().and_then(|n| n.parse::<u64>().ok()).unwrap_or(0);
    let mut input = Vec::with_capacity(usize::try_from(hint.min(most)).unwrap_or(0));
    if std::io::stdin().lock().take(most).read_to_end(&mut input).is_err() {
        return 2;
    }
    // Written a pipe's worth at a time (see PIPE_BYTES).
    let so = std::io::BufWriter::with_capacity(PIPE_BYTES as usize, std::io::stdout().lock());
    if worker_write(&input, &limits, so).is_err() {
        return 2;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Cell;
    use std::os::unix::fs::PermissionsExt;
    use std::time::Instant;

    fn script(dir: &Path, name: &str, body: &str) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        p
    }

    fn worker_reply(input: &[u8], limits: &Limits) -> Vec<u8> {
        let mut out = Vec::new();
        worker_write(input, limits, &mut out).unwrap();
        out
    }

    /// The frames of a reply, each with its bytes (header included).
    fn split(reply: &[u8]) -> Vec<&[u8]> {
        let mut frames = Vec::new();
        let mut rest = reply;
        while let Some((head, _)) = rest.split_first_chunk::<5>() {
            let len = 5 + u32::from_le_bytes([head[1], head[2], head[3], head[4]]) as usize;
            frames.push(&rest[..len]);
            rest = &rest[len..];
        }
        assert!(rest.is_empty(), "a reply is whole frames");
        frames
    }

    fn frame(bytes: &[u8]) -> Frame {
        match bytes[0] {
            ROW => Frame::Row(crate::ingest::row_codec::decode(&bytes[5..]).unwrap()),
            _ => serde_json::from_slice(&bytes[5..]).unwrap(),
        }
    }

    #[test]
    fn frames_round_trip() {
        let reply = worker_reply(b"Name,Country,Sector\nAcme,TH,agri\n", &Limits::default());
        let raw = split(&reply);
        // Rows go in binary form, the rest as JSON.
        assert_eq!(raw.iter().map(|f| f[0]).collect::<Vec<_>>(), b"JJRRJJ".to_vec());
        let frames: Vec<Frame> = raw.iter().map(|f| frame(f)).collect();
        assert!(matches!(&frames[0], Frame::Start { format: FileFormat::Csv, sheets } if sheets.len() == 1));
        assert!(matches!(&frames[1], Frame::Begin { name, .. } if name == "csv"));
        assert!(matches!(&frames[2], Frame::Row(r) if r.row == 1 && r.cells[0] == Cell::Text("Name".into())));
        assert!(matches!(&frames[3], Frame::Row(r) if r.row == 2 && r.cells[2] == Cell::Text("agri".into())));
        assert!(matches!(frames[4], Frame::End));
        assert!(matches!(frames[5], Frame::Done));
        let reply = worker_reply(b"%PDF-1.4", &Limits::default());
        assert!(matches!(frame(&reply), Frame::Err(IngestError::UnsupportedFormat { .. })));
    }

    /// A sink that keeps the rows hints it is given and counts the rows.
    #[derive(Default)]
    struct Hints {
        hints: Vec<u64>,
        rows: u64,
    }

    impl RowSink for Hints {
        fn begin_sheet(&mut self, _: &str, _: bool) -> Result<Flow, IngestError> {
            Ok(Flow::Continue)
        }
        fn rows_hint(&mut self, rows: u64) {
            self.hints.push(rows);
        }
        fn row(&mut self, _: SheetRow) -> Result<Flow, IngestError> {
            self.rows += 1;
            Ok(Flow::Continue)
        }
        fn end_sheet(&mut self) -> Result<Flow, IngestError> {
            Ok(Flow::Continue)
        }
    }

    /// An xlsx sheet's `<dimension ref="A1:W301">` reaches the server's sink as a hint of 301
    /// rows, right after the sheet begins; the hint never exceeds the row limit; a csv has none.
    #[test]
    fn the_rows_hint_crosses_from_the_worker() {
        let xlsx =
            std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ingest/suppliers_300.xlsx")).unwrap();
        let reply = worker_reply(&xlsx, &Limits::default());
        let frames: Vec<Frame> = split(&reply).iter().map(|f| frame(f)).collect();
        assert!(matches!(frames[1], Frame::Begin { .. }));
        assert!(matches!(frames[2], Frame::RowsHint(301)), "{:?}", frames[2]);
        let reply = worker_reply(&xlsx, &Limits { max_rows: 50, ..Limits::default() });
        assert!(split(&reply).iter().any(|f| matches!(frame(f), Frame::RowsHint(50))));
        // ods and xls are read whole: the hint is the range's height, every row in it.
        let ods = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ingest/suppliers_messy_utf8.ods"))
            .unwrap();
        let frames: Vec<Frame> = split(&worker_reply(&ods, &Limits::default())).iter().map(|f| frame(f)).collect();
        let rows = frames.iter().filter(|f| matches!(f, Frame::Row(_))).count() as u64;
        assert!(frames.iter().any(|f| matches!(f, Frame::RowsHint(n) if *n >= rows && rows > 10)), "{rows}");
        let csv = worker_reply(b"a,b\n1,2\n", &Limits::default());
        assert!(!split(&csv).iter().any(|f| matches!(frame(f), Frame::RowsHint(_))));

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("reply"), worker_reply(&xlsx, &Limits::default())).unwrap();
        let child = script(dir.path(), "xlsx", &format!("cat >/dev/null; cat {}", dir.path().join("reply").display()));
        let mut sink = Hints::default();
        SandboxStream::spawn(b"x", &Limits::default(), &child).unwrap().feed(&mut sink).unwrap();
        assert_eq!((sink.hints, sink.rows), (vec![301], 301));
    }

    #[test]
    fn child_outcomes() {
        let dir = tempfile::tempdir().unwrap();
        let l = Limits { worker_timeout_secs: 1, ..Limits::default() };
        let canned = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p.display().to_string()
        };
        // A child that answers: it echoes a canned reply after draining stdin.
        let reply = worker_reply(b"a,b\n1,2\n", &l);
        let ok = script(dir.path(), "ok", &format!("cat >/dev/null; cat {}", canned("reply", &reply)));
        assert_eq!(read_workbook_sandboxed(b"x", &l, &ok).unwrap().sheets[0].rows.len(), 2);
        // One that dies after the first row, like a reader aborting mid-file.
        let first = split(&reply)[..3].concat();
        let dies =
            script(dir.path(), "dies", &format!("cat >/dev/null; cat {}; kill -ABRT $$", canned("first", &first)));
        let e = read_workbook_sandboxed(b"x", &l, &dies).unwrap_err();
        assert!(e.to_string().contains("signal 6"), "{e}");
        // One that dies in the middle of a frame.
        let half = &reply[..split(&reply)[..2].concat().len() + 7];
        let mid = script(dir.path(), "mid", &format!("cat >/dev/null; cat {}; kill -ABRT $$", canned("half", half)));
        let e = read_workbook_sandboxed(b"x", &l, &mid).unwrap_err();
        assert!(e.to_string().contains("signal"), "{e}");
        // A damaged row frame, and a frame over the cap, from a child that then exits cleanly.
        let mut bad = split(&reply)[..2].concat();
        bad.extend_from_slice(&[ROW, 3, 0, 0, 0, 1, 2, 3]);
        let damaged = script(dir.path(), "damaged", &format!("cat >/dev/null; cat {}", canned("bad", &bad)));
        let e = read_workbook_sandboxed(b"x", &l, &damaged).unwrap_err();
        assert!(e.to_string().contains("damaged row"), "{e}");
        let mut over = split(&reply)[..2].concat();
        over.extend_from_slice(&[ROW, 0xff, 0xff, 0xff, 0xff]);
        let big = script(dir.path(), "big", &format!("cat >/dev/null; cat {}", canned("over", &over)));
        assert_eq!(read_workbook_sandboxed(b"x", &l, &big).unwrap_err().code(), "unreadable_file");
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
