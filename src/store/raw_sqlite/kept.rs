//! Prepared statements kept for the length of a bulk write ([`keeping`]), so that a multi-row
//! insert is prepared once per upload instead of once per batch. Preparing is not cheap: SQLite
//! parses and plans each row of a multi-row `VALUES` (about 5 µs a row, a quarter of a second
//! for a list of 100,000 suppliers if every batch prepared its own).
//!
//! The statements live in a thread-local, for the one connection handle [`keeping`] was given,
//! and are finalized when [`keeping`] returns (or unwinds): while it runs the caller holds the
//! connection, so the handle outlives every statement prepared on it. A statement is used by
//! one [`Insert`](super::statement::Insert) run at a time (runs bind, step and reset in one
//! call), so sharing it across runs is safe.

use libsqlite3_sys as ffi;
use std::cell::RefCell;
use std::collections::HashMap;

/// What identifies a kept statement: the SQL it was made from, given as the parts
/// [`super::statement::Raw::prepare_rows`] builds it from.
pub(super) type Key = (&'static str, usize, usize);

struct Kept {
    db: *mut ffi::sqlite3,
    stmts: HashMap<Key, *mut ffi::sqlite3_stmt>,
}

thread_local! {
    static KEPT: RefCell<Option<Kept>> = const { RefCell::new(None) };
}

/// Finalizes the kept statements when the scope that began keeping them ends.
struct Scope {
    began: bool,
}

impl Drop for Scope {
    fn drop(&mut self) {
        if !self.began {
            return;
        }
        // try_with: a thread being torn down has nothing left to finalize.
        let kept = KEPT.try_with(|k| k.borrow_mut().take()).ok().flatten();
        for stmt in kept.into_iter().flat_map(|k| k.stmts.into_values()) {
            // SAFETY: each statement was prepared on the handle `keeping` was given, which is
            // still open (see the module's comment), is not running (runs reset it), and is
            // finalized once: the map that held it is gone.
            unsafe {
                ffi::sqlite3_finalize(stmt);
            }
        }
    }
}

/// Runs `f` while this thread keeps the statements prepared on `db` through [`get`]. The caller
/// must hold the connection whose handle `db` is for the whole call (see the module's
/// comment). Nested calls share the outer scope's statements.
pub(super) fn keeping<R>(db: *mut ffi::sqlite3, f: impl FnOnce() -> R) -> R {
    let began = KEPT.with(|k| {
        let mut k = k.borrow_mut();
        if k.is_some() {
            return false;
        }
        *k = Some(Kept { db, stmts: HashMap::new() });
        true
    });
    let _scope = Scope { began };
    f()
}

/// The statement kept for `key` on `db`, made by `prepare` on first use. `Ok(None)` when this
/// thread keeps no statements of `db` (the caller then prepares and finalizes its own).
pub(super) fn get<E>(
    db: *mut ffi::sqlite3,
    key: Key,
    prepare: impl FnOnce() -> Result<*mut ffi::sqlite3_stmt, E>,
) -> Result<Option<*mut ffi::sqlite3_stmt>, E> {
    KEPT.with(|k| {
        let mut k = k.borrow_mut();
        let Some(kept) = k.as_mut().filter(|k| k.db == db) else {
            return Ok(None);
        };
        if let Some(&stmt) = kept.stmts.get(&key) {
            return Ok(Some(stmt));
        }
        let stmt = prepare()?;
        kept.stmts.insert(key, stmt);
        Ok(Some(stmt))
    })
}

/// How many statements this thread keeps (tests).
#[cfg(test)]
pub(super) fn count() -> usize {
    KEPT.with(|k| k.borrow().as_ref().map_or(0, |k| k.stmts.len()))
}
