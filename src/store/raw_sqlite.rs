//! The bulk inserts of an upload on SQLite, run on the connection's own handle through
//! SQLite's C interface instead of diesel: same connection, same transaction, prepared
//! statements, without diesel's work per row (walking the query to collect its binds,
//! formatting every timestamp, looking up the statement cache, dropping the bound statement).
//! That work was a sixth of the time the connection's thread spent inserting, and that thread
//! bounds an upload. Text and blobs are bound in place ([`statement::Insert`]): bound as copies (as
//! rusqlite binds them), SQLite copied every row's 2-3 KB once more before writing it.
//! Suppliers and upload rows go in a hundred rows per statement ([`insert_rows`]), prepared
//! once per upload ([`kept`]).
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
use statement::{Arg, Raw};
use std::cell::Cell;
use std::ffi::{c_char, c_int};
use timestamps::Timestamps;

mod kept;
mod statement;
mod timestamps;

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
    let raw = Raw::new(h.handle as *mut ffi::sqlite3);
    let autocommit = raw.autocommit();
    let out = f(&raw)?;
    if raw.autocommit() != autocommit {
        return Err(Error::internal("a raw SQLite write began or ended a transaction"));
    }
    Ok(out)
}

/// Runs `f` with the bulk inserts' statements on `c` prepared once and kept until `f` returns
/// (see [`kept`]); an upload runs inside it (`store::with_bulk_cache`).
/// PostgreSQL runs `f` as it is.
pub(super) fn keeping_statements<T>(
    conn: &mut super::DbConn,
    f: impl FnOnce(&mut super::DbConn) -> Result<T>,
) -> Result<T> {
    let db = match conn {
        super::DbConn::Sqlite(c) => with_raw(c, |raw| Ok(raw.db))?,
        super::DbConn::Pg(_) => return f(conn),
    };
    kept::keeping(db, || f(conn))
}

/// Rows per run of a multi-row insert, and the smaller runs that take what is left (so that at
/// most eight statements of each insert are prepared).
const RUNS: [usize; 8] = [100, 64, 32, 16, 8, 4, 2, 1];

/// `rows` cut into runs of the sizes in [`RUNS`], largest first.
fn runs<T>(mut rows: &[T]) -> impl Iterator<Item = &[T]> {
    std::iter::from_fn(move || {
        let n = RUNS.into_iter().find(|&n| n <= rows.len())?;
        let (run, rest) = rows.split_at(n);
        rows = rest;
        Some(run)
    })
}

/// Runs `insert` for `rows` rows with `args` (`insert.width` per row), and refuses the batch
/// unless every row was inserted. Call inside a transaction: rows inserted before a refused one
/// stay until it rolls back.
///
/// Multi-row and `OR IGNORE` for speed: one run inserts a hundred rows on the same open cursors,
/// so each index insert that lands after the previous one (time-ordered ids, row numbers,
/// references in order) starts where that one ended instead of from the index's root, and the
/// statement is set up once instead of per row. `OR IGNORE`, and foreign keys declared
/// `DEFERRABLE INITIALLY DEFERRED` (migration `2026-12-03-000001_deferred_foreign_keys`), mean
/// no constraint can stop the statement half-way, so SQLite keeps no statement journal for it
/// (with one, every page the statement touched was copied to a temporary file first). A row a
/// constraint refuses is skipped by SQLite and counted here: the whole write is then an error,
/// and the caller's transaction rolls back as if the insert had failed.
fn insert_rows(raw: &Raw<'_>, insert: &Multi, rows: usize, args: &[Arg<'_>]) -> Result<()> {
    let inserted = raw.prepare_rows(insert.head, insert.width, rows)?.run(args)?;
    if inserted != rows {
        return Err(Error::Internal(format!(
            "database: {} of {rows} {} were not inserted: a UNIQUE, NOT NULL or CHECK constraint failed",
            rows - inserted.min(rows),
            insert.what
        )));
    }
    Ok(())
}

/// A multi-row insert: its SQL up to `VALUES`, its parameters per row, what its rows are.
struct Multi {
    head: &'static str,
    width: usize,
    what: &'static str,
}

const SUPPLIERS: Multi = Multi {
    head: "INSERT OR IGNORE INTO suppliers (id, org_id, match_key, external_ref, legal_name, name_key, country, \
           sector, commodity, registration_number, fields_json, extra_json, source_json, created_at, updated_at)",
    width: 15,
    what: "suppliers",
};

/// Inserts new suppliers, a hundred rows per run of a multi-row insert ([`insert_rows`]).
pub(super) fn insert_suppliers(c: &mut SqliteConnection, rows: &[super::suppliers::SupplierRow]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    with_raw(c, |raw| {
        let mut stamps = Timestamps::default();
        for run in runs(rows) {
            stamps.clear();
            for r in run {
                stamps.push(r.created_at);
                stamps.push(r.updated_at);
            }
            let mut args: Vec<Arg<'_>> = Vec::with_capacity(run.len() * SUPPLIERS.width);
            for (i, r) in run.iter().enumerate() {
                args.extend::<[Arg<'_>; 15]>([
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
                    stamps.get(2 * i).into(),
                    stamps.get(2 * i + 1).into(),
                ]);
            }
            insert_rows(raw, &SUPPLIERS, run.len(), &args)?;
        }
        Ok(())
    })
}

const UPLOAD_ROWS: Multi = Multi {
    head: "INSERT OR IGNORE INTO upload_rows (upload_id, row_number, status, raw_json, errors_json, supplier_id)",
    width: 6,
    what: "upload rows",
};

/// Inserts the rows of an upload, a hundred per run of a multi-row insert ([`insert_rows`]).
pub(super) fn insert_upload_rows(c: &mut SqliteConnection, rows: &[super::uploads::UploadRowRecord]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    with_raw(c, |raw| {
        for run in runs(rows) {
            let mut args: Vec<Arg<'_>> = Vec::with_capacity(run.len() * UPLOAD_ROWS.width);
            for r in run {
                args.extend::<[Arg<'_>; 6]>([
                    (&r.upload_id).into(),
                    r.row_number.into(),
                    (&r.status).into(),
                    (&r.raw_json).into(),
                    (&r.errors_json).into(),
                    (&r.supplier_id).into(),
                ]);
            }
            insert_rows(raw, &UPLOAD_ROWS, run.len(), &args)?;
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
        // ran every such statement under a statement journal, copying each page it
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

    /// Inside a bulk write each multi-row insert is prepared once and kept, then finalized when
    /// the write ends (were one left, closing the connection would panic); rows cut into runs of
    /// every size read back whole and in order.
    #[test]
    fn bulk_inserts_are_prepared_once_per_write_and_finalized_after() {
        let (_dir, store, org) = store();
        let mut c = store.conn().unwrap();
        let at = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap().and_hms_micro_opt(8, 0, 0, 5).unwrap();
        let rows: Vec<SupplierRow> = (0..500).map(|n| supplier(&org, n, at)).collect();
        // 250 rows run as 100 + 100 + 32 + 16 + 2: four statements.
        assert_eq!(super::runs(&rows[..250]).map(<[_]>::len).collect::<Vec<_>>(), [100, 100, 32, 16, 2]);
        crate::store::write_tx(&mut c, |c| {
            crate::store::with_bulk_cache(c, |c| {
                super::insert_suppliers(sqlite(c), &rows[..250])?;
                assert_eq!(super::kept::count(), 4);
                super::insert_suppliers(sqlite(c), &rows[250..])?;
                assert_eq!(super::kept::count(), 4, "the same four, not prepared again");
                Ok(())
            })
        })
        .unwrap();
        assert_eq!(super::kept::count(), 0, "finalized when the write ended");
        // Time-ordered ids: in the order made.
        let back: Vec<SupplierRow> =
            suppliers::table.select(SupplierRow::as_select()).order(suppliers::id).load(&mut *c).unwrap();
        assert_eq!(format!("{back:?}"), format!("{rows:?}"));
        // Outside a bulk write nothing is kept: each insert prepares and finalizes its own.
        super::insert_suppliers(sqlite(&mut c), &[supplier(&org, 900, at)]).unwrap();
        assert_eq!(super::kept::count(), 0);
        drop(c);
        drop(store);
    }

    /// A row a constraint refuses in the middle of a multi-row run fails the insert; the
    /// transaction it ran in rolls back whole, the rows of the run before it included.
    #[test]
    fn a_refused_row_in_a_run_fails_the_insert_and_its_transaction_rolls_back() {
        let (_dir, store, org) = store();
        let mut c = store.conn().unwrap();
        let at = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap().and_hms_opt(9, 0, 0).unwrap();
        let taken = supplier(&org, 7, at);
        super::insert_suppliers(sqlite(&mut c), std::slice::from_ref(&taken)).unwrap();
        // Row 120 has supplier 7's match key: the second run (rows 100-149) loses one row.
        let mut rows: Vec<SupplierRow> = (1000..1150).map(|n| supplier(&org, n, at)).collect();
        rows[120].match_key = taken.match_key.clone();
        let failed = crate::store::write_tx(&mut c, |c| {
            crate::store::with_bulk_cache(c, |c| super::insert_suppliers(sqlite(c), &rows))
        });
        let e = format!("{:?}", failed.unwrap_err());
        assert!(e.contains("1 of 32 suppliers were not inserted: a UNIQUE"), "{e}");
        assert_eq!(suppliers::table.count().get_result::<i64>(&mut *c).unwrap(), 1, "only the supplier from before");
        // Upload rows alike: a row number taken twice in one run.
        let up = crate::store::new_id();
        diesel::sql_query(format!(
            "INSERT INTO uploads (id, org_id, sha256, size, filename, format, kind, uploaded_by, created_at, \
             rows_total, rows_accepted, rows_rejected, report_json) \
             SELECT '{up}', org_id, 'h', 1, 'f.csv', 'csv', 'supplier_list', id, '2026-01-01 00:00:00', 0, 0, 0, '{{}}' \
             FROM api_keys LIMIT 1"
        ))
        .execute(&mut *c)
        .unwrap();
        let row = |n: i32| crate::store::uploads::UploadRowRecord {
            upload_id: up.clone(),
            row_number: n,
            status: "rejected".into(),
            raw_json: "[]".into(),
            errors_json: "[]".into(),
            supplier_id: None,
        };
        let rows: Vec<_> = (2..66).map(|n| row(if n == 40 { 39 } else { n })).collect();
        let failed = crate::store::write_tx(&mut c, |c| super::insert_upload_rows(sqlite(c), &rows));
        let e = format!("{:?}", failed.unwrap_err());
        assert!(e.contains("1 of 64 upload rows were not inserted"), "{e}");
        let n: i64 = crate::store::schema::upload_rows::table.count().get_result(&mut *c).unwrap();
        assert_eq!(n, 0);
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
        assert!(format!("{e:?}").contains("1 of 1 suppliers were not inserted: a UNIQUE"), "{e:?}");
        let mut other = store.conn().unwrap();
        let handle = |c: &mut DbConn| super::with_raw(sqlite(c), |r| Ok(r.db as usize)).unwrap();
        assert_ne!(handle(&mut c), handle(&mut other));
        assert_eq!(suppliers::table.count().get_result::<i64>(&mut *other).unwrap(), 1, "committed");
        // Beginning a transaction behind diesel's back is refused.
        let began = super::with_raw(sqlite(&mut other), |r| r.exec("BEGIN"));
        assert!(format!("{:?}", began.unwrap_err()).contains("began or ended a transaction"));
        diesel::connection::SimpleConnection::batch_execute(&mut *other, "ROLLBACK").unwrap();
    }
}
