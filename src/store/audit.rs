//! The audit log: who did what, when, with which request. Never holds a secret.

use super::schema::audit_log;
use super::{new_id, now, DbConn};
use crate::error::Result;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, serde::Serialize)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: String,
    pub org_id: Option<String>,
    pub key_id: Option<String>,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub detail_json: String,
    pub request_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// What happened, by whom: built by the shell, written by [`record`].
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub org_id: Option<String>,
    pub key_id: Option<String>,
    /// A person-readable actor: the key's name, or `cli`, `anonymous`.
    pub actor: String,
    /// e.g. `key.create`, `upload.create`, `report.download`, `auth.failure`.
    pub action: &'static str,
    pub target: Option<String>,
    pub detail: Value,
    pub request_id: Option<String>,
}

/// Writes one audit row (inside the caller's transaction when there is one).
pub fn record(conn: &mut DbConn, ev: AuditEvent) -> Result<()> {
    let row = AuditRow {
        id: new_id(),
        org_id: ev.org_id,
        key_id: ev.key_id,
        actor: ev.actor,
        action: ev.action.to_string(),
        target: ev.target,
        detail_json: ev.detail.to_string(),
        request_id: ev.request_id,
        created_at: now(),
    };
    diesel::insert_into(audit_log::table).values(&row).execute(conn)?;
    Ok(())
}

/// One page of an organisation's audit log, newest first.
pub fn list(conn: &mut DbConn, org_id: &str, offset: i64, limit: i64) -> Result<(Vec<AuditRow>, i64)> {
    let total = audit_log::table.filter(audit_log::org_id.eq(org_id)).count().get_result(conn)?;
    let rows = audit_log::table
        .filter(audit_log::org_id.eq(org_id))
        .order((audit_log::created_at.desc(), audit_log::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}
