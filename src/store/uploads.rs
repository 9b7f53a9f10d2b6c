//! Uploads: the original bytes (with SHA-256), every row as it came in, and the upload report.

use super::schema::{upload_files, upload_rows, uploads};
use super::DbConn;
use crate::error::{Error, Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = uploads)]
pub struct UploadRow {
    pub id: String,
    pub org_id: String,
    pub sha256: String,
    pub size: i64,
    pub filename: String,
    pub format: String,
    pub kind: String,
    pub sheet: Option<String>,
    pub uploaded_by: String,
    pub created_at: NaiveDateTime,
    pub rows_total: i32,
    pub rows_accepted: i32,
    pub rows_rejected: i32,
    pub report_json: String,
}

/// An upload's original bytes, kept apart from its row (which is updated at the end of the
/// upload; a row with the bytes in it would be rewritten whole).
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = upload_files)]
pub struct UploadFile<'a> {
    pub upload_id: &'a str,
    pub content: &'a [u8],
}

/// An upload without its bytes, for listings.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = uploads)]
pub struct UploadMeta {
    pub id: String,
    pub sha256: String,
    pub size: i64,
    pub filename: String,
    pub format: String,
    pub kind: String,
    pub uploaded_by: String,
    pub created_at: NaiveDateTime,
    pub rows_total: i32,
    pub rows_accepted: i32,
    pub rows_rejected: i32,
    pub report_json: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = upload_rows)]
#[diesel(treat_none_as_default_value = false)]
pub struct UploadRowRecord {
    pub upload_id: String,
    pub row_number: i32,
    pub status: String,
    pub raw_json: String,
    pub errors_json: String,
    pub supplier_id: Option<String>,
}

/// The report of an earlier upload of the same bytes by this organisation, if any.
pub fn find_by_sha(conn: &mut DbConn, org_id: &str, sha256: &str) -> Result<Option<UploadMeta>> {
    Ok(uploads::table
        .filter(uploads::org_id.eq(org_id))
        .filter(uploads::sha256.eq(sha256))
        .select(UploadMeta::as_select())
        .first(conn)
        .optional()?)
}

/// Inserts a new upload's row and its bytes, in a savepoint. False when the organisation has
/// stored the same bytes already (a unique violation: a concurrent request was first), and
/// then nothing is written.
pub fn insert_new(conn: &mut DbConn, row: &UploadRow, bytes: &[u8]) -> Result<bool> {
    let inserted = conn.transaction(|c| {
        diesel::insert_into(uploads::table).values(row).execute(c)?;
        diesel::insert_into(upload_files::table).values(UploadFile { upload_id: &row.id, content: bytes }).execute(c)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(e) if super::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// The counts and sheet of an upload whose rows were stored as they were read.
/// Sets an upload's sheet, row counts and report in one statement: an update rewrites the
/// whole row (its report included; the file's bytes are in `upload_files`, untouched).
pub fn set_outcome(conn: &mut DbConn, id: &str, sheet: &str, counts: [usize; 3], report_json: &str) -> Result<()> {
    let [total, accepted, rejected] = counts;
    diesel::update(uploads::table.find(id))
        .set((
            uploads::sheet.eq(sheet),
            uploads::rows_total.eq(total as i32),
            uploads::rows_accepted.eq(accepted as i32),
            uploads::rows_rejected.eq(rejected as i32),
            uploads::report_json.eq(report_json),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_report(conn: &mut DbConn, id: &str, report_json: &str) -> Result<()> {
    diesel::update(uploads::table.find(id)).set(uploads::report_json.eq(report_json)).execute(conn)?;
    Ok(())
}

/// Stores rows in batches on the concrete backend (batch inserts don't go through MultiConnection).
pub fn insert_rows(conn: &mut DbConn, rows: &[UploadRowRecord]) -> Result<()> {
    match conn {
        // Multi-row inserts on the raw handle (see `raw_sqlite::insert_rows`).
        DbConn::Sqlite(c) => super::raw_sqlite::insert_upload_rows(c, rows)?,
        DbConn::Pg(c) => {
            for chunk in rows.chunks(1000) {
                diesel::insert_into(upload_rows::table).values(chunk).execute(c)?;
            }
        }
    }
    Ok(())
}

pub fn meta(conn: &mut DbConn, org_id: &str, id: &str) -> Result<UploadMeta> {
    uploads::table
        .filter(uploads::id.eq(id))
        .filter(uploads::org_id.eq(org_id))
        .select(UploadMeta::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound("upload"))
}

pub fn content(conn: &mut DbConn, org_id: &str, id: &str) -> Result<(String, Vec<u8>)> {
    uploads::table
        .inner_join(upload_files::table)
        .filter(uploads::id.eq(id))
        .filter(uploads::org_id.eq(org_id))
        .select((uploads::filename, upload_files::content))
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound("upload"))
}

/// A page of the organisation's uploads, newest first.
pub fn list(conn: &mut DbConn, org_id: &str, offset: i64, limit: i64) -> Result<(Vec<UploadMeta>, i64)> {
    let total = uploads::table.filter(uploads::org_id.eq(org_id)).count().get_result(conn)?;
    let rows = uploads::table
        .filter(uploads::org_id.eq(org_id))
        .order((uploads::created_at.desc(), uploads::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(UploadMeta::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn rows_with_status(conn: &mut DbConn, upload_id: &str, status: &str) -> Result<Vec<UploadRowRecord>> {
    Ok(upload_rows::table
        .filter(upload_rows::upload_id.eq(upload_id))
        .filter(upload_rows::status.eq(status))
        .order(upload_rows::row_number.asc())
        .select(UploadRowRecord::as_select())
        .load(conn)?)
}

/// (upload id, filename, row number, raw cells JSON, uploaded at)
pub type SourceRow = (String, String, i32, String, NaiveDateTime);
/// (upload id, filename, sha256, uploaded at, uploaded by key id)
pub type SourceFileRow = (String, String, String, NaiveDateTime, String);

/// The rows a supplier came from, oldest first: (upload id, filename, row number, raw cells JSON).
pub fn supplier_sources(conn: &mut DbConn, supplier_id: &str) -> Result<Vec<SourceRow>> {
    Ok(upload_rows::table
        .inner_join(uploads::table)
        .filter(upload_rows::supplier_id.eq(supplier_id))
        .order((uploads::created_at.asc(), upload_rows::row_number.asc()))
        .select((uploads::id, uploads::filename, upload_rows::row_number, upload_rows::raw_json, uploads::created_at))
        .load(conn)?)
}

/// Every source file of the organisation (for the workbook's Methodology sheet).
pub fn sources(conn: &mut DbConn, org_id: &str) -> Result<Vec<SourceFileRow>> {
    Ok(uploads::table
        .filter(uploads::org_id.eq(org_id))
        .order(uploads::created_at.asc())
        .select((uploads::id, uploads::filename, uploads::sha256, uploads::created_at, uploads::uploaded_by))
        .load(conn)?)
}

/// The suppliers an upload created or updated.
pub fn supplier_ids_of(conn: &mut DbConn, upload_id: &str) -> Result<Vec<String>> {
    let mut ids: Vec<String> = upload_rows::table
        .filter(upload_rows::upload_id.eq(upload_id))
        .filter(upload_rows::supplier_id.is_not_null())
        .select(upload_rows::supplier_id.assume_not_null())
        .load(conn)?;
    ids.sort();
    ids.dedup();
    Ok(ids)
}
