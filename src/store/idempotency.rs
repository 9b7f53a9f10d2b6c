//! Idempotency keys: a claim row per (organisation, key), finished with the stored response
//! inside the same transaction as the work, so a committed write always has its replay.

use super::schema::idempotency_keys;
use super::{now, DbConn};
use crate::error::{Error, Result};
use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

/// How long a stored response is replayed.
pub const RETENTION_HOURS: i64 = 24;
/// A claim with no response after this long is taken to be abandoned (its process died).
pub const ABANDONED_AFTER_SECS: i64 = 600;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
struct IdemRow {
    org_id: String,
    idem_key: String,
    request_hash: String,
    status: Option<i32>,
    response_json: Option<String>,
    created_at: NaiveDateTime,
}

/// A claim this request holds; pass it to [`finish`] inside the work's transaction.
#[derive(Debug, Clone)]
pub struct Token {
    pub org_id: String,
    pub key: String,
}

pub enum Claim {
    /// First use of the key: do the work.
    Fresh(Token),
    /// Seen before with the same request: replay this.
    Replay { status: u16, body: String },
}

pub fn claim(conn: &mut DbConn, org_id: &str, key: &str, request_hash: &str) -> Result<Claim> {
    let existing: Option<IdemRow> =
        idempotency_keys::table.find((org_id, key)).select(IdemRow::as_select()).first(conn).optional()?;
    let t = now();
    if let Some(row) = existing {
        let age = t - row.created_at;
        let expired = age > TimeDelta::hours(RETENTION_HOURS);
        let abandoned = row.status.is_none() && age > TimeDelta::seconds(ABANDONED_AFTER_SECS);
        if !(expired || abandoned) {
            if row.request_hash != request_hash {
                return Err(Error::invalid(
                    "idempotency_key_reused",
                    "This Idempotency-Key was already used with a different request. Use a new key for a new request.",
                    Vec::new(),
                ));
            }
            return match (row.status, row.response_json) {
                (Some(s), Some(body)) => Ok(Claim::Replay { status: s as u16, body }),
                _ => Err(Error::problem(
                    409,
                    "idempotency_in_progress",
                    "A request with this Idempotency-Key is still being processed; retry when it has finished.",
                )
                .with_retry_after(1)),
            };
        }
        diesel::delete(idempotency_keys::table.find((org_id, key))).execute(conn)?;
    }
    let row = IdemRow {
        org_id: org_id.into(),
        idem_key: key.into(),
        request_hash: request_hash.into(),
        status: None,
        response_json: None,
        created_at: t,
    };
    match diesel::insert_into(idempotency_keys::table).values(&row).execute(conn) {
        Ok(_) => Ok(Claim::Fresh(Token { org_id: org_id.into(), key: key.into() })),
        // Another request claimed it between our read and insert.
        Err(e) if super::is_unique_violation(&e) => Err(Error::problem(
            409,
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still being processed; retry when it has finished.",
        )
        .with_retry_after(1)),
        Err(e) => Err(e.into()),
    }
}

/// Records the response (call inside the work's transaction).
pub fn finish(conn: &mut DbConn, token: &Token, status: u16, body: &str) -> Result<()> {
    diesel::update(idempotency_keys::table.find((&token.org_id, &token.key)))
        .set((idempotency_keys::status.eq(Some(status as i32)), idempotency_keys::response_json.eq(Some(body))))
        .execute(conn)?;
    Ok(())
}

/// Drops an unfinished claim after the work failed, so the client can retry.
pub fn release(conn: &mut DbConn, token: &Token) -> Result<()> {
    diesel::delete(
        idempotency_keys::table.find((&token.org_id, &token.key)).filter(idempotency_keys::status.is_null()),
    )
    .execute(conn)?;
    Ok(())
}
