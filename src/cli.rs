//! Command-line actions that touch the store (keys, re-assessment), kept out of main.rs so
//! tests can call them.

use crate::domain::{Role, Tier};
use crate::scoring::METHODOLOGY_VERSION;
use crate::service::assess::{assess_and_store, Cause};
use crate::store::{audit, keys, orgs, suppliers, write_tx, Store};
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

/// What `manumit assess` did: the organisation, how many suppliers were assessed, per tier.
#[derive(Debug, Clone, PartialEq)]
pub struct Reassessed {
    pub org_id: String,
    pub org_name: String,
    pub methodology_version: String,
    pub assessed: usize,
    /// Critical, high, medium, low: how many of the new assessments have each tier.
    pub tiers: [(Tier, usize); 4],
}

/// Re-assesses every supplier of organisation `org` (its id or name) under the current
/// methodology, through the service the API's rescore uses, in one write transaction; audited
/// as `assessment.rescore` by `cli`.
pub fn reassess(store: &Store, org: &str, today: chrono::NaiveDate) -> anyhow::Result<Reassessed> {
    let org = org.trim();
    anyhow::ensure!(!org.is_empty(), "--org must name an organisation (its id or name)");
    let mut conn = store.conn().map_err(|e| anyhow::anyhow!("{e}"))?;
    let found = orgs::find(&mut conn, org).map_err(|e| anyhow::anyhow!("{e}"))?;
    let o = found.ok_or_else(|| anyhow::anyhow!("no organisation with id or name `{org}`"))?;
    let (assessed, tiers) = write_tx(&mut conn, |c| {
        let stored = assess_and_store(c, &o.id, None, None, Cause::Rescore, today)?;
        let new: std::collections::HashSet<&str> = stored.iter().map(|(_, a)| a.as_str()).collect();
        let mut tiers = [(Tier::Critical, 0), (Tier::High, 0), (Tier::Medium, 0), (Tier::Low, 0)];
        for l in suppliers::latest_all(c, &o.id)?.values().filter(|l| new.contains(l.assessment_id.as_str())) {
            if let Some(t) = tiers.iter_mut().find(|(t, _)| t.as_str() == l.tier) {
                t.1 += 1;
            }
        }
        audit::record(
            c,
            audit::AuditEvent {
                org_id: Some(o.id.clone()),
                key_id: None,
                actor: "cli".into(),
                action: "assessment.rescore",
                target: None,
                detail: json!({"count": stored.len(), "methodology_version": METHODOLOGY_VERSION}),
                request_id: None,
            },
        )?;
        Ok((stored.len(), tiers))
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Reassessed {
        org_id: o.id,
        org_name: o.name,
        methodology_version: METHODOLOGY_VERSION.to_string(),
        assessed,
        tiers,
    })
}

/// The lines `manumit assess` prints.
pub fn render_reassessed(r: &Reassessed) -> String {
    let tiers: Vec<String> = r.tiers.iter().map(|(t, n)| format!("{} {n}", t.as_str())).collect();
    format!(
        "Assessed {} suppliers of {} ({}) under methodology {}\nTiers: {}\n",
        r.assessed,
        r.org_name,
        r.org_id,
        r.methodology_version,
        tiers.join(", ")
    )
}
