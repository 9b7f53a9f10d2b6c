//! Organisations and API keys. Only the SHA-256 of a key is stored.

use super::schema::{api_keys, organisations};
use super::{new_id, now, DbConn};
use crate::domain::Role;
use crate::error::{Error, Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
pub struct Organisation {
    pub id: String,
    pub name: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub role: String,
    pub key_prefix: String,
    pub key_hash: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// Finds an organisation by name, creating it if absent (a lost creation race re-reads).
pub fn org_by_name_or_create(conn: &mut DbConn, name: &str) -> Result<Organisation> {
    if let Some(o) = organisations::table
        .filter(organisations::name.eq(name))
        .select(Organisation::as_select())
        .first(conn)
        .optional()?
    {
        return Ok(o);
    }
    let org = Organisation { id: new_id(), name: name.to_string(), created_at: now() };
    match diesel::insert_into(organisations::table).values(&org).execute(conn) {
        Ok(_) => Ok(org),
        Err(e) if super::is_unique_violation(&e) => Ok(organisations::table
            .filter(organisations::name.eq(name))
            .select(Organisation::as_select())
            .first(conn)?),
        Err(e) => Err(e.into()),
    }
}

pub fn org_by_id(conn: &mut DbConn, id: &str) -> Result<Option<Organisation>> {
    Ok(organisations::table.find(id).select(Organisation::as_select()).first(conn).optional()?)
}

pub fn count_orgs(conn: &mut DbConn) -> Result<i64> {
    Ok(organisations::table.count().get_result(conn)?)
}

pub fn insert_key(conn: &mut DbConn, row: &ApiKeyRow) -> Result<()> {
    diesel::insert_into(api_keys::table).values(row).execute(conn)?;
    Ok(())
}

/// Active keys whose public prefix matches; the caller compares hashes in constant time.
pub fn active_keys_by_prefix(conn: &mut DbConn, prefix: &str) -> Result<Vec<ApiKeyRow>> {
    Ok(api_keys::table
        .filter(api_keys::key_prefix.eq(prefix))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .load(conn)?)
}

pub fn list_keys(conn: &mut DbConn, org_id: &str) -> Result<Vec<ApiKeyRow>> {
    Ok(api_keys::table
        .filter(api_keys::org_id.eq(org_id))
        .order((api_keys::created_at.asc(), api_keys::id.asc()))
        .select(ApiKeyRow::as_select())
        .load(conn)?)
}

/// Revokes an active key of this organisation. Another organisation's key and a key already
/// revoked are "not found". The organisation's last active admin key is refused (409
/// `last_admin_key`): without one, only the command line could manage keys again. Call it
/// inside a write transaction: on PostgreSQL the organisation row is locked first so that two
/// concurrent revocations of its last two admin keys cannot both pass the count (SQLite writers
/// are already serialised).
pub fn revoke_key(conn: &mut DbConn, org_id: &str, key_id: &str) -> Result<ApiKeyRow> {
    if let DbConn::Pg(pg) = conn {
        diesel::sql_query("SELECT id FROM organisations WHERE id = $1 FOR UPDATE")
            .bind::<diesel::sql_types::Text, _>(org_id)
            .execute(pg)?;
    }
    let key: ApiKeyRow = api_keys::table
        .filter(api_keys::id.eq(key_id))
        .filter(api_keys::org_id.eq(org_id))
        .filter(api_keys::revoked_at.is_null())
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound("key"))?;
    if key.role == Role::Admin.to_string() {
        let other_admins: i64 = api_keys::table
            .filter(api_keys::org_id.eq(org_id))
            .filter(api_keys::role.eq(&key.role))
            .filter(api_keys::revoked_at.is_null())
            .filter(api_keys::id.ne(key_id))
            .count()
            .get_result(conn)?;
        if other_admins == 0 {
            return Err(Error::problem(
                409,
                "last_admin_key",
                "This is the organisation's last active admin key: create another admin key before revoking it.",
            ));
        }
    }
    diesel::update(api_keys::table.find(key_id)).set(api_keys::revoked_at.eq(Some(now()))).execute(conn)?;
    Ok(key)
}

pub fn role_of(row: &ApiKeyRow) -> Result<Role> {
    Role::from_id(&row.role).ok_or_else(|| Error::internal(format!("stored key has unknown role {}", row.role)))
}

/// Makes a new key for an organisation, stores its hash and audits the creation; returns the
/// stored row and the plain key (shown once, never stored).
pub fn create_key(
    conn: &mut DbConn,
    org_id: &str,
    name: &str,
    role: Role,
    mut event: super::audit::AuditEvent,
) -> Result<(ApiKeyRow, String)> {
    let k = crate::auth::generate_key();
    let row = ApiKeyRow {
        id: new_id(),
        org_id: org_id.to_string(),
        name: name.to_string(),
        role: role.to_string(),
        key_prefix: k.prefix,
        key_hash: k.hash,
        created_at: now(),
        revoked_at: None,
    };
    insert_key(conn, &row)?;
    event.org_id = Some(org_id.to_string());
    event.target = Some(row.id.clone());
    super::audit::record(conn, event)?;
    Ok((row, k.plain))
}
