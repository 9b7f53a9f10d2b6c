//! Prepared statements on a connection's raw SQLite handle that bind text and blobs in place
//! (`SQLITE_STATIC`): the bulk inserts of [`raw_sqlite`](super) run on them.

use crate::error::{Error, Result};
use diesel::SqliteConnection;
use libsqlite3_sys as ffi;
use std::ffi::{c_char, c_int};

/// A connection's handle, borrowed from the diesel connection it belongs to (see [`with_raw`](super::with_raw)).
pub(super) struct Raw<'c> {
    pub(super) db: *mut ffi::sqlite3,
    _conn: std::marker::PhantomData<&'c mut SqliteConnection>,
}

impl Raw<'_> {
    /// The handle of a connection that stays open and unused by anything else while this lives
    /// (see [`with_raw`](super::with_raw)).
    pub(super) fn new(db: *mut ffi::sqlite3) -> Self {
        Raw { db, _conn: std::marker::PhantomData }
    }

    pub(super) fn autocommit(&self) -> bool {
        // SAFETY: `db` is an open handle for the borrow's length (see `with_raw`).
        unsafe { ffi::sqlite3_get_autocommit(self.db) != 0 }
    }

    /// The handle's last error, as the store reports a database error.
    fn error(&self, code: c_int) -> Error {
        // SAFETY: `db` is open; errmsg returns a NUL-terminated string SQLite owns, valid until
        // the next call on the handle, and copied here at once.
        let msg = unsafe { std::ffi::CStr::from_ptr(ffi::sqlite3_errmsg(self.db)) };
        Error::Internal(format!("database: {} (code {code})", msg.to_string_lossy()))
    }

    /// Prepares one statement (SQL without NUL bytes, one statement).
    pub(super) fn prepare(&self, sql: &str) -> Result<Insert<'_>> {
        Ok(Insert { raw: self, stmt: self.prepare_raw(sql)?, kept: false })
    }

    /// `head` (`INSERT ... INTO t (columns)`) with a `VALUES` list of `rows` rows of `width`
    /// parameters each: the statement kept for it when statements are kept (see [`kept`](super::kept)),
    /// else one prepared for this use only.
    pub(super) fn prepare_rows(&self, head: &'static str, width: usize, rows: usize) -> Result<Insert<'_>> {
        let make = || {
            let one = format!("({})", vec!["?"; width].join(","));
            self.prepare_raw(&format!("{head} VALUES {}", vec![one; rows].join(",")))
        };
        Ok(match super::kept::get(self.db, (head, width, rows), make)? {
            Some(stmt) => Insert { raw: self, stmt, kept: true },
            None => Insert { raw: self, stmt: make()?, kept: false },
        })
    }

    fn prepare_raw(&self, sql: &str) -> Result<*mut ffi::sqlite3_stmt> {
        let mut stmt = std::ptr::null_mut();
        let len = c_int::try_from(sql.len()).map_err(Error::internal)?;
        // SAFETY: `db` is open; the SQL pointer and length describe `sql`, which SQLite reads
        // during the call only; `stmt` receives the statement or NULL.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                self.db,
                sql.as_ptr().cast::<c_char>(),
                len,
                ffi::SQLITE_PREPARE_PERSISTENT as std::ffi::c_uint,
                &mut stmt,
                std::ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK || stmt.is_null() {
            return Err(self.error(rc));
        }
        Ok(stmt)
    }

    #[cfg(test)]
    pub(super) fn exec(&self, sql: &str) -> Result<()> {
        let sql = std::ffi::CString::new(sql).map_err(Error::internal)?;
        // SAFETY: `db` is open; `sql` is NUL-terminated; no callback, no error string asked.
        let rc = unsafe { ffi::sqlite3_exec(self.db, sql.as_ptr(), None, std::ptr::null_mut(), std::ptr::null_mut()) };
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(self.error(rc))
        }
    }
}

/// One value bound to a statement's parameter for one run.
#[derive(Clone, Copy)]
pub(super) enum Arg<'a> {
    Null,
    Text(&'a str),
    Blob(&'a [u8]),
    Int(i64),
    Real(f64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(v: &'a str) -> Self {
        Arg::Text(v)
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(v: &'a String) -> Self {
        Arg::Text(v)
    }
}

impl<'a> From<&'a Option<String>> for Arg<'a> {
    fn from(v: &'a Option<String>) -> Self {
        v.as_deref().map_or(Arg::Null, Arg::Text)
    }
}

impl<'a> From<Option<&'a [u8]>> for Arg<'a> {
    fn from(v: Option<&'a [u8]>) -> Self {
        v.map_or(Arg::Null, Arg::Blob)
    }
}

impl From<i32> for Arg<'_> {
    fn from(v: i32) -> Self {
        Arg::Int(v.into())
    }
}

impl From<bool> for Arg<'_> {
    fn from(v: bool) -> Self {
        Arg::Int(v.into())
    }
}

impl From<f64> for Arg<'_> {
    fn from(v: f64) -> Self {
        Arg::Real(v)
    }
}

/// A prepared statement that binds text and blobs in place (`SQLITE_STATIC`): SQLite reads them
/// where they are instead of copying them first. Sound because [`Insert::run`] borrows the
/// values for the whole run, and clears the bindings before it returns, so the statement never
/// holds a pointer to a value after the borrow ends.
pub(super) struct Insert<'r> {
    raw: &'r Raw<'r>,
    stmt: *mut ffi::sqlite3_stmt,
    /// Kept for later uses (see [`kept`](super::kept)), which finalizes it: not finalized here.
    kept: bool,
}

impl Insert<'_> {
    /// Binds `args` to parameters 1.., runs the statement to its end, and answers the rows it
    /// changed.
    pub(super) fn run(&mut self, args: &[Arg<'_>]) -> Result<usize> {
        let out = self.bind_and_step(args);
        // SAFETY: `stmt` is a live statement of this handle. Reset ends the run (its error,
        // if any, is the step's, reported above); clearing drops every pointer bound above.
        unsafe {
            ffi::sqlite3_reset(self.stmt);
            ffi::sqlite3_clear_bindings(self.stmt);
        }
        out
    }

    fn bind_and_step(&mut self, args: &[Arg<'_>]) -> Result<usize> {
        // SQLite's "static" destructor: do not copy, do not free (a null function pointer).
        let keep: ffi::sqlite3_destructor_type = None;
        for (i, a) in args.iter().enumerate() {
            let at = c_int::try_from(i + 1).map_err(Error::internal)?;
            // SAFETY: `stmt` is live; the pointers and lengths describe values borrowed for this
            // run (see the type's comment); SQLite checks `at` against the parameter count.
            let rc = unsafe {
                match *a {
                    Arg::Null => ffi::sqlite3_bind_null(self.stmt, at),
                    // Empty values as rusqlite binds them: text pointing at a static "", a blob
                    // of zero bytes (an empty slice's pointer may dangle).
                    Arg::Text(t) => {
                        let p = if t.is_empty() { "".as_ptr() } else { t.as_ptr() };
                        ffi::sqlite3_bind_text64(self.stmt, at, p.cast(), t.len() as u64, keep, ffi::SQLITE_UTF8 as u8)
                    }
                    Arg::Blob([]) => ffi::sqlite3_bind_zeroblob(self.stmt, at, 0),
                    Arg::Blob(b) => ffi::sqlite3_bind_blob64(self.stmt, at, b.as_ptr().cast(), b.len() as u64, keep),
                    Arg::Int(v) => ffi::sqlite3_bind_int64(self.stmt, at, v),
                    Arg::Real(v) => ffi::sqlite3_bind_double(self.stmt, at, v),
                }
            };
            if rc != ffi::SQLITE_OK {
                return Err(self.raw.error(rc));
            }
        }
        // SAFETY: `stmt` is live and every parameter is bound to a value that outlives the step.
        match unsafe { ffi::sqlite3_step(self.stmt) } {
            ffi::SQLITE_DONE => {
                // SAFETY: `db` is open.
                let n = unsafe { ffi::sqlite3_changes64(self.raw.db) };
                Ok(usize::try_from(n).unwrap_or(0))
            }
            ffi::SQLITE_ROW => Err(Error::internal("a raw insert returned rows")),
            rc => Err(self.raw.error(rc)),
        }
    }
}

impl Drop for Insert<'_> {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        // SAFETY: `stmt` was prepared on this handle for this `Insert` alone and is finalized
        // once, here.
        unsafe {
            ffi::sqlite3_finalize(self.stmt);
        }
    }
}
