//! The bulk inserts of an upload on SQLite, run on the connection's own handle through
//! SQLite's C interface instead of diesel: same connection, same transaction, prepared
//! statements, without diesel's work per row (walking the query to collect its binds,
//! formatting every timestamp, looking up the statement cache, dropping the bound statement).
//! That work was a sixth of the time the connection's thread spent inserting, and that thread
//! bounds an upload. Text and blobs are bound in place ([`Insert`]): bound as copies (as
//! rusqlite binds them), SQLite copied every row's 2-3 KB once more before writing it.
//!
//! Diesel 2.3 does not give out a connection's `sqlite3` handle, so the store notes it when the
//! connection opens (an auto extension: SQLite calls it with the handle of every connection
//! opened in the process, on the opening thread) and registers it on that connection as the SQL
//! function `manumit_connection_handle`. [`with_raw`] asks the connection for it, so the handle
//! it uses is always the connection's own, and holds `&mut` on the connection while the handle
//! is used, so diesel cannot use it at the same time.

use crate::error::{Error, Result};
use diesel::sql_types::{BigInt, Integer};
use diesel::{RunQueryDsl, SqliteConnection};
use libsqlite3_sys as ffi;
use std::cell::Cell;
use std::ffi::{c_char, c_int};

thread_local! {
    /// The handle of the connection this thread opened last.
    static OPENED: Cell<usize> = const { Cell::new(0) };
}

/// SQLite's auto-extension entry point: notes the new connection's handle for [`open`].
unsafe extern "C" fn note_opened(
    db: *mut ffi::sqlite3,
    _err: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // try_with: never panic inside SQLite (a thread being torn down just notes nothing).
    let _ = OPENED.try_with(|o| o.set(db as usize));
    ffi::SQLITE_OK
}

/// Makes SQLite note every connection's handle as it opens. Called once, before the first
/// connection opens and after `sqlite3_config` (`store::configure_sqlite_library`): registering
/// initializes SQLite, after which it refuses configuration. Should it fail, [`open`] refuses
/// every connection (it finds no handle) rather than guess one.
pub(super) fn note_handles() {
    // SAFETY: registers a function pointer with the signature SQLite expects; the function
    // only stores an integer in a thread-local and never fails.
    unsafe {
        ffi::sqlite3_auto_extension(Some(note_opened));
    }
}

/// The SQL function that answers a connection's own handle.
const HANDLE_FN: &str = "manumit_connection_handle";

/// Opens a connection and registers its handle on it (see the module's comment).
pub(super) fn open(url: &str) -> Result<SqliteConnection, diesel::r2d2::Error> {
    use diesel::Connection;
    OPENED.with(|o| o.set(0));
    let mut c = SqliteConnection::establish(url).map_err(diesel::r2d2::Error::ConnectionError)?;
    let handle = OPENED.with(|o| o.replace(0)) as i64;
    if handle == 0 {
        let e = diesel::result::Error::QueryBuilderError("SQLite did not report the new connection's handle".into());
        return Err(diesel::r2d2::Error::QueryError(e));
    }
    c.register_sql_function::<Integer, BigInt, _, _, _>(HANDLE_FN, true, move |_: i32| handle)
        .map_err(diesel::r2d2::Error::QueryError)?;
    Ok(c)
}

#[derive(diesel::QueryableByName)]
struct Handle {
    #[diesel(sql_type = BigInt)]
    handle: i64,
}

/// Runs `f` on `c`'s own handle, inside whatever transaction `c` has open. `f` prepares and
/// runs statements only: a transaction begun or ended here would be invisible to diesel's
/// bookkeeping, so a change of the handle's autocommit state is refused as an error.
fn with_raw<T>(c: &mut SqliteConnection, f: impl FnOnce(&Raw<'_>) -> Result<T>) -> Result<T> {
    let h: Handle = diesel::sql_query(format!("SELECT {HANDLE_FN}(0) AS handle")).get_result(c)?;
    if h.handle == 0 {
        return Err(Error::internal("the SQLite connection has no handle"));
    }
    // `c` stays open and mutably borrowed while `raw` lives: nothing else uses the handle.
    let raw = Raw { db: h.handle as *mut ffi::sqlite3, _conn: std::marker::PhantomData };
    let autocommit = raw.autocommit();
    let out = f(&raw)?;
    if raw.autocommit() != autocommit {
        return Err(Error::internal("a raw SQLite write began or ended a transaction"));
    }
    Ok(out)
}

/// A connection's handle, borrowed from the diesel connection it belongs to (see [`with_raw`]).
struct Raw<'c> {
    db: *mut ffi::sqlite3,
    _conn: std::marker::PhantomData<&'c mut SqliteConnection>,
}

impl Raw<'_> {
    fn autocommit(&self) -> bool {
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
    fn prepare(&self, sql: &str) -> Result<Insert<'_>> {
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
        Ok(Insert { raw: self, stmt })
    }

    #[cfg(test)]
    fn exec(&self, sql: &str) -> Result<()> {
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
enum Arg<'a> {
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
struct Insert<'r> {
    raw: &'r Raw<'r>,
    stmt: *mut ffi::sqlite3_stmt,
}

impl Insert<'_> {
    /// Binds `args` to parameters 1.., runs the statement to its end, and answers the rows it
    /// changed.
    fn run(&mut self, args: &[Arg<'_>]) -> Result<usize> {
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
        // SAFETY: `stmt` was prepared on this handle and is finalized once, here.
        unsafe {
            ffi::sqlite3_finalize(self.stmt);
        }
    }
}

/// A timestamp as diesel stores it in SQLite (chrono's `%F %T%.f`: the fraction with 3, 6 or 9
/// digits, none when it is zero), so that diesel reads back exactly what was written here.
/// Written by hand: chrono parsed the format string again for every value, and each row has
/// its own timestamp (that was 7 % of inserting a supplier).
#[derive(Default)]
struct Timestamps {
    buf: String,
}

impl Timestamps {
    fn text(&mut self, t: chrono::NaiveDateTime) -> &str {
        use chrono::{Datelike, Timelike};
        self.buf.clear();
        let (y, nanos) = (t.year(), t.nanosecond() % 1_000_000_000);
        // A leap second is second 60, as chrono writes it.
        let sec = t.second() + u32::from(t.nanosecond() >= 1_000_000_000);
        let b = &mut self.buf;
        // Years 0-9999 have four digits; chrono writes others with a sign and 5+ digits. The
        // digits are written by hand: `write!` was two thirds of this function's time.
        match u32::try_from(y) {
            Ok(y) if y <= 9999 => digits(b, y, 4),
            _ => {
                use std::fmt::Write;
                let _ = write!(b, "{y:+05}");
            }
        }
        for (sep, v) in [('-', t.month()), ('-', t.day()), (' ', t.hour()), (':', t.minute()), (':', sec)] {
            b.push(sep);
            digits(b, v, 2);
        }
        if nanos == 0 {
        } else if nanos % 1_000_000 == 0 {
            b.push('.');
            digits(b, nanos / 1_000_000, 3);
        } else if nanos % 1_000 == 0 {
            b.push('.');
            digits(b, nanos / 1_000, 6);
        } else {
            b.push('.');
            digits(b, nanos, 9);
        }
        &self.buf
    }
}

/// Appends `v` in decimal, zero-padded to `width` digits (more when it has more).
fn digits(b: &mut String, v: u32, width: usize) {
    let mut d = [b'0'; 10];
    let (mut v, mut i) = (v, d.len());
    while v > 0 {
        i -= 1;
        d[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let from = i.min(d.len() - width.min(d.len()));
    b.extend(d[from..].iter().map(|&c| char::from(c)));
}

/// Inserts new suppliers, one run of one prepared statement per row (a multi-row insert needs
/// a statement journal, see `store::with_bulk_cache`).
pub(super) fn insert_suppliers(c: &mut SqliteConnection, rows: &[super::suppliers::SupplierRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    with_raw(c, |raw| {
        let mut st = raw.prepare(
            "INSERT INTO suppliers (id, org_id, match_key, external_ref, legal_name, name_key, country, sector, \
             commodity, registration_number, fields_json, extra_json, source_json, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        )?;
        let (mut created, mut updated) = (Timestamps::default(), Timestamps::default());
        for r in rows {
            st.run(&[
                (&r.id).into(),
                (&r.org_id).into(),
                (&r.match_key).into(),
                (&r.external_ref).into(),
                (&r.legal_name).into(),
                (&r.name_key).into(),
                (&r.country).into(),
                (&r.sector).into(),
                (&r.commodity).into(),
                (&r.registration_number).into(),
                (&r.fields_json).into(),
                (&r.extra_json).into(),
                (&r.source_json).into(),
                created.text(r.created_at).into(),
                updated.text(r.updated_at).into(),
            ])?;
        }
        Ok(())
    })
}

/// Inserts the rows of an upload, one run of one prepared statement per row.
pub(super) fn insert_upload_rows(c: &mut SqliteConnection, rows: &[super::uploads::UploadRowRecord]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    with_raw(c, |raw| {
        let mut st = raw.prepare(
            "INSERT INTO upload_rows (upload_id, row_number, status, raw_json, errors_json, supplier_id) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        for r in rows {
            st.run(&[
                (&r.upload_id).into(),
                r.row_number.into(),
                (&r.status).into(),
                (&r.raw_json).into(),
                (&r.errors_json).into(),
                (&r.supplier_id).into(),
            ])?;
        }
        Ok(())
    })
}

/// Inserts assessments and makes each its supplier's latest (`supplier_latest`, inserted or updated).
pub(super) fn insert_assessments(c: &mut SqliteConnection, rows: &[super::assessments::AssessmentRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    with_raw(c, |raw| {
        let mut add = raw.prepare(
            "INSERT INTO assessments (id, org_id, supplier_id, methodology_version, tier, overall, \
             forced_labour_likely, completeness, inputs_hash, upload_id, cause, body_json, created_at, body_zstd) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?;
        // Not one upsert (`ON CONFLICT DO UPDATE`): its update changes a foreign key, so SQLite
        // ran every such statement under a statement journal, copying each 16 KiB page it
        // touched to a temporary file first, about 29 KB a row (0.6 s of this thread at 100k
        // suppliers). A plain insert of a new row needs no journal; a supplier that has a
        // latest row already is updated.
        let mut latest = raw.prepare(
            "INSERT OR IGNORE INTO supplier_latest (supplier_id, org_id, assessment_id, tier, overall) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut newer = raw
            .prepare("UPDATE supplier_latest SET assessment_id = ?2, tier = ?3, overall = ?4 WHERE supplier_id = ?1")?;
        let mut created = Timestamps::default();
        for r in rows {
            add.run(&[
                (&r.id).into(),
                (&r.org_id).into(),
                (&r.supplier_id).into(),
                (&r.methodology_version).into(),
                (&r.tier).into(),
                r.overall.into(),
                r.forced_labour_likely.into(),
                r.completeness.into(),
                (&r.inputs_hash).into(),
                (&r.upload_id).into(),
                (&r.cause).into(),
                (&r.body_json).into(),
                created.text(r.created_at).into(),
                r.body_zstd.as_deref().into(),
            ])?;
            let key: [Arg<'_>; 5] =
                [(&r.supplier_id).into(), (&r.org_id).into(), (&r.id).into(), (&r.tier).into(), r.overall.into()];
            if latest.run(&key)? == 0 {
                // Ignored: the supplier has its row (the only other conflict, a NULL, cannot be
                // bound from these types; should one be, no row is updated, and that is an error).
                if newer.run(&[key[0], key[2], key[3], key[4]])? != 1 {
                    return Err(Error::internal(format!(
                        "supplier {}: its latest assessment was not stored",
                        r.supplier_id
                    )));
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::Timestamps;
    use crate::store::schema::{assessments, organisations, supplier_latest, suppliers};
    use crate::store::{assessments::AssessmentRow, suppliers::Latest, suppliers::SupplierRow, DbConn, Store};
    use chrono::{NaiveDate, NaiveDateTime};
    use diesel::prelude::*;

    fn store() -> (tempfile::TempDir, Store, String) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display()), 2).unwrap();
        crate::app::bootstrap(&store).unwrap();
        let org = organisations::table.select(organisations::id).first(&mut *store.conn().unwrap()).unwrap();
        (dir, store, org)
    }

    fn supplier(org: &str, n: u32, at: NaiveDateTime) -> SupplierRow {
        SupplierRow {
            id: crate::store::new_id(),
            org_id: org.into(),
            match_key: format!("ref:R-{n}"),
            external_ref: n.is_multiple_of(2).then(|| format!("R-{n}")),
            legal_name: format!("Acme \"Ünïcode\" {n}"),
            name_key: format!("acme unicode {n}"),
            country: "TH".into(),
            sector: "agriculture".into(),
            commodity: None,
            registration_number: Some(String::new()),
            fields_json: r#"{"legal_name":"Acme"}"#.into(),
            extra_json: "{}".into(),
            source_json: "{}".into(),
            created_at: at,
            updated_at: at + chrono::TimeDelta::microseconds(7),
        }
    }

    fn sqlite(c: &mut DbConn) -> &mut diesel::SqliteConnection {
        match c {
            DbConn::Sqlite(c) => c,
            DbConn::Pg(_) => unreachable!("the test opens SQLite"),
        }
    }

    /// Rows written on the raw handle read back through diesel exactly as they were given:
    /// every column, NULL and empty text, quotes and non-ASCII, timestamps with and without a
    /// fraction, a blob, booleans and doubles.
    #[test]
    fn raw_inserts_read_back_through_diesel_unchanged() {
        let (_dir, store, org) = store();
        let mut c = store.conn().unwrap();
        let at = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap().and_hms_micro_opt(23, 59, 1, 250_001).unwrap();
        let rows: Vec<SupplierRow> = (0..3).map(|n| supplier(&org, n, at)).collect();
        super::insert_suppliers(sqlite(&mut c), &rows).unwrap();
        let back: Vec<SupplierRow> =
            suppliers::table.select(SupplierRow::as_select()).order(suppliers::id).load(&mut *c).unwrap();
        assert_eq!(format!("{back:?}"), format!("{rows:?}"));
        let whole = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap().and_hms_opt(3, 4, 5).unwrap();
        let assessment = |i: usize, body: Option<Vec<u8>>| AssessmentRow {
            id: crate::store::new_id(),
            org_id: org.clone(),
            supplier_id: rows[i].id.clone(),
            methodology_version: "1.0.0".into(),
            tier: "high".into(),
            overall: 61.25 + i as f64,
            forced_labour_likely: i == 0,
            completeness: 0.125,
            inputs_hash: "ab".repeat(32),
            upload_id: None,
            cause: "api".into(),
            body_json: String::new(),
            created_at: if i == 0 { whole } else { at },
            body_zstd: body,
        };
        let made = vec![assessment(0, Some(vec![1, 0, 255])), assessment(1, None)];
        super::insert_assessments(sqlite(&mut c), &made).unwrap();
        let back: Vec<AssessmentRow> =
            assessments::table.select(AssessmentRow::as_select()).order(assessments::id).load(&mut *c).unwrap();
        assert_eq!(format!("{back:?}"), format!("{made:?}"));
        // In one batch, a newer assessment of the first supplier takes its latest row (updated)
        // and the third supplier gets its first (inserted); the second keeps its own.
        let newer = AssessmentRow { tier: "low".into(), overall: 5.5, ..assessment(0, None) };
        let third = assessment(2, None);
        super::insert_assessments(sqlite(&mut c), &[newer.clone(), third.clone()]).unwrap();
        let latest: Vec<Latest> = supplier_latest::table
            .select(Latest::as_select())
            .order(supplier_latest::supplier_id)
            .load(&mut *c)
            .unwrap();
        let want = |r: &AssessmentRow| Latest {
            supplier_id: r.supplier_id.clone(),
            org_id: org.clone(),
            assessment_id: r.id.clone(),
            tier: r.tier.clone(),
            overall: r.overall,
        };
        assert_eq!(latest, [want(&newer), want(&made[1]), want(&third)]);
        // Empty text and an empty blob are stored as empty, not NULL.
        let empty = AssessmentRow { methodology_version: String::new(), ..assessment(1, Some(Vec::new())) };
        super::insert_assessments(sqlite(&mut c), std::slice::from_ref(&empty)).unwrap();
        let back: AssessmentRow =
            assessments::table.find(&empty.id).select(AssessmentRow::as_select()).first(&mut *c).unwrap();
        assert_eq!(format!("{back:?}"), format!("{empty:?}"));
    }

    /// The raw writes are the diesel transaction's: rolled back with it, committed with it; and
    /// each pooled connection answers its own handle.
    #[test]
    fn raw_inserts_share_the_connections_transaction() {
        let (_dir, store, org) = store();
        let mut c = store.conn().unwrap();
        let at = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap().and_hms_opt(1, 2, 3).unwrap();
        let failed: Result<(), diesel::result::Error> = sqlite(&mut c).transaction(|t| {
            super::insert_suppliers(t, &[supplier(&org, 1, at)]).unwrap();
            assert_eq!(suppliers::table.count().get_result::<i64>(t).unwrap(), 1, "visible inside");
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(failed.is_err());
        assert_eq!(suppliers::table.count().get_result::<i64>(&mut *c).unwrap(), 0, "rolled back");
        // A constraint the raw insert breaks is an error, not a panic, and names the database.
        let one = supplier(&org, 2, at);
        super::insert_suppliers(sqlite(&mut c), std::slice::from_ref(&one)).unwrap();
        let e = super::insert_suppliers(sqlite(&mut c), &[one]).unwrap_err();
        assert!(format!("{e:?}").contains("UNIQUE constraint failed"), "{e:?}");
        let mut other = store.conn().unwrap();
        let handle = |c: &mut DbConn| super::with_raw(sqlite(c), |r| Ok(r.db as usize)).unwrap();
        assert_ne!(handle(&mut c), handle(&mut other));
        assert_eq!(suppliers::table.count().get_result::<i64>(&mut *other).unwrap(), 1, "committed");
        // Beginning a transaction behind diesel's back is refused.
        let began = super::with_raw(sqlite(&mut other), |r| r.exec("BEGIN"));
        assert!(format!("{:?}", began.unwrap_err()).contains("began or ended a transaction"));
        diesel::connection::SimpleConnection::batch_execute(&mut *other, "ROLLBACK").unwrap();
    }

    /// The hand-written format is chrono's `%F %T%.f`, which diesel writes and reads.
    #[test]
    fn timestamps_are_written_as_diesel_writes_them() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let cases: Vec<NaiveDateTime> = vec![
            day(2026, 11, 29).and_hms_opt(23, 40, 52).unwrap(),
            day(2026, 1, 2).and_hms_milli_opt(3, 4, 5, 60).unwrap(),
            day(2026, 12, 31).and_hms_micro_opt(0, 0, 0, 123_456).unwrap(),
            day(2026, 12, 31).and_hms_micro_opt(0, 0, 0, 1).unwrap(),
            day(1999, 2, 28).and_hms_nano_opt(12, 0, 9, 7).unwrap(),
            day(2024, 2, 29).and_hms_nano_opt(23, 59, 59, 1_999_999_999).unwrap(),
            day(12, 3, 4).and_hms_opt(1, 2, 3).unwrap(),
            day(-44, 3, 15).and_hms_opt(12, 0, 0).unwrap(),
            day(12345, 6, 7).and_hms_opt(8, 9, 10).unwrap(),
            day(0, 1, 1).and_hms_opt(0, 0, 0).unwrap(),
            day(9999, 12, 31).and_hms_nano_opt(23, 59, 59, 999_999_999).unwrap(),
            day(2026, 10, 20).and_hms_micro_opt(10, 10, 10, 100_000).unwrap(),
        ];
        let mut ts = Timestamps::default();
        for t in cases {
            assert_eq!(ts.text(t), t.format("%F %T%.f").to_string(), "{t:?}");
        }
    }

    proptest::proptest! {
        /// Any instant from year 0 to 9999, at any precision, as chrono writes it.
        #[test]
        fn any_timestamp_is_written_as_chrono_writes_it(secs in -62_167_219_200i64..253_402_300_800, nanos in 0u32..1_000_000_000, cut in 0u32..4) {
            let nanos = [nanos, nanos / 1_000 * 1_000, nanos / 1_000_000 * 1_000_000, 0][cut as usize];
            let t = chrono::DateTime::from_timestamp(secs, nanos).unwrap().naive_utc();
            let mut ts = Timestamps::default();
            proptest::prop_assert_eq!(ts.text(t), t.format("%F %T%.f").to_string());
        }
    }
}
