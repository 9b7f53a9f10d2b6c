//! Write-back of a long SQLite write as it goes. A large upload writes hundreds of MB to the
//! WAL, which the kernel keeps in memory until the commit's fsync: that fsync then waited over
//! a second with the CPUs idle. While a bulk write runs, a thread asks the kernel every quarter
//! second to start writing the WAL's dirty pages out (`sync_file_range`, as PostgreSQL's
//! `*_flush_after` settings do), so the disk works while the upload computes and the commit
//! finds little left to flush. Durability is unchanged: the commit still fsyncs.

use super::DbConn;
use diesel::prelude::*;
use std::sync::mpsc;
use std::time::Duration;

/// Runs while alive; dropping it stops the thread.
pub struct Writeback {
    stop: Option<mpsc::Sender<()>>,
}

impl Writeback {
    /// Starts write-back of the connection's WAL; does nothing for PostgreSQL, an in-memory
    /// database, or where the system has no `sync_file_range`.
    pub fn start(conn: &mut DbConn) -> Writeback {
        let Some(wal) = wal_path(conn) else { return Writeback { stop: None } };
        let (tx, rx) = mpsc::channel::<()>();
        let run = move || {
            // The WAL exists once the connection has written; opened here, read-only.
            let Ok(file) = std::fs::File::open(&wal) else { return };
            while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(PERIOD) {
                start_write_out(&file);
            }
        };
        match std::thread::Builder::new().name("wal-writeback".into()).spawn(run) {
            Ok(_) => Writeback { stop: Some(tx) },
            Err(_) => Writeback { stop: None },
        }
    }

    #[cfg(test)]
    fn is_running(&self) -> bool {
        self.stop.is_some()
    }
}

impl Drop for Writeback {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
    }
}

const PERIOD: Duration = Duration::from_millis(250);

#[cfg(target_os = "linux")]
fn start_write_out(file: &std::fs::File) {
    use std::os::fd::AsRawFd;
    // SAFETY: sync_file_range only reads its arguments; the fd is open for this call's length.
    // Only SYNC_FILE_RANGE_WRITE: start write-out of dirty pages, do not wait for it.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_write_out(_file: &std::fs::File) {}

#[derive(QueryableByName)]
struct DbFile {
    #[diesel(sql_type = diesel::sql_types::Text)]
    file: String,
}

/// The WAL file of a SQLite connection's main database (None for PostgreSQL or in memory).
fn wal_path(conn: &mut DbConn) -> Option<std::path::PathBuf> {
    let DbConn::Sqlite(c) = conn else { return None };
    let f: DbFile =
        diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'").get_result(c).ok()?;
    (!f.file.is_empty()).then(|| std::path::PathBuf::from(format!("{}-wal", f.file)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_for_a_sqlite_file_and_stops_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::Store::open(&format!("sqlite://{}", dir.path().join("w.db").display()), 1).unwrap();
        let mut conn = store.conn().unwrap();
        assert_eq!(wal_path(&mut conn), Some(dir.path().join("w.db-wal")));
        let w = Writeback::start(&mut conn);
        assert!(w.is_running());
        std::thread::sleep(PERIOD * 2);
        drop(w);
    }
}
