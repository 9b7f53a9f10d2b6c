//! Command-line actions that touch the store (keys), kept out of main.rs so tests can call them.

use crate::domain::Role;
use crate::store::{audit, keys, write_tx, Store};
use serde_json::json;

/// Creates a key for organisation `org` (created if absent) and returns the plain key.
pub fn create_key(store: &Store, org: &str, role: Role, name: &str) -> anyhow::Result<String> {
    let org = org.trim();
    anyhow::ensure!(!org.is_empty() && org.len() <= 100, "--org must be 1 to 100 characters");
    let mut conn = store.conn().map_err(|e| anyhow::anyhow!("{e}"))?;
    let plain = write_tx(&mut conn, |c| {
        let o = keys::org_by_name_or_create(c, org)?;
        let (_, plain) = keys::create_key(
            c,
            &o.id,
            name,
            role,
            audit::AuditEvent {
                org_id: None,
                key_id: None,
                actor: "cli".into(),
                action: "key.create",
                target: None,
                detail: json!({"name": name, "role": role.as_str()}),
                request_id: None,
            },
        )?;
        Ok(plain)
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(plain)
}
