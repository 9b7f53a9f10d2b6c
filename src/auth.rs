//! API keys (generation, hashing), roles and what each may do, and the `Principal` extractor
//! that every `/api/v1` handler takes.

use crate::domain::Role;
use crate::error::Error;
use crate::store::{audit, keys, Store};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use rand::{distributions::Alphanumeric, Rng};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;
use subtle::ConstantTimeEq;

pub mod failures;

/// Characters after `mnm_`: 40 alphanumerics ≈ 238 bits of entropy.
const KEY_BODY_LEN: usize = 40;
/// The public lookup prefix: the first characters of the body (not secret on its own).
const PREFIX_LEN: usize = 8;

/// A freshly made key: the plain text (shown once) and what is stored.
pub struct NewKey {
    pub plain: String,
    pub prefix: String,
    pub hash: String,
}

pub fn generate_key() -> NewKey {
    let body: String = rand::rngs::OsRng.sample_iter(&Alphanumeric).take(KEY_BODY_LEN).map(char::from).collect();
    let plain = format!("mnm_{body}");
    NewKey { prefix: body[..PREFIX_LEN].to_string(), hash: hash_key(&plain), plain }
}

pub fn hash_key(plain: &str) -> String {
    hex::encode(Sha256::digest(plain.as_bytes()))
}

/// What a role may do. One table, checked by [`Principal::require`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Perm {
    ManageKeys,
    Read,
    Upload,
    WriteSuppliers,
    SubmitResponses,
    Rescore,
    DownloadReports,
    ReadAuditLog,
    DecideScreening,
    ManageWatchlists,
    ManageOrganisation,
}

const PERMISSIONS: &[(Perm, &[Role])] = {
    use Role::*;
    &[
        (Perm::ManageKeys, &[Admin]),
        (Perm::Read, &[Admin, Procurement, Auditor, Integration]),
        (Perm::Upload, &[Admin, Procurement, Integration]),
        (Perm::WriteSuppliers, &[Admin, Procurement, Integration]),
        (Perm::SubmitResponses, &[Admin, Procurement, Integration]),
        (Perm::Rescore, &[Admin, Procurement, Auditor]),
        (Perm::DownloadReports, &[Admin, Procurement, Auditor, Integration]),
        (Perm::ReadAuditLog, &[Admin, Auditor]),
        (Perm::DecideScreening, &[Admin, Procurement, Auditor]),
        (Perm::ManageWatchlists, &[Admin, Procurement]),
        (Perm::ManageOrganisation, &[Admin]),
    ]
};

pub fn allows(role: Role, perm: Perm) -> bool {
    PERMISSIONS.iter().any(|(p, roles)| *p == perm && roles.contains(&role))
}

/// The authenticated caller: organisation, key and role.
#[derive(Debug, Clone)]
pub struct Principal {
    pub org_id: String,
    pub key_id: String,
    pub key_name: String,
    pub role: Role,
    /// The id of the request this caller made (captured on the request's task, so audit
    /// events written on the blocking pool still carry it).
    pub request_id: Option<String>,
}

impl Principal {
    pub fn require(&self, perm: Perm) -> Result<(), Error> {
        if allows(self.role, perm) {
            Ok(())
        } else {
            Err(Error::Forbidden(self.role.to_string()))
        }
    }

    /// An audit event by this caller, stamped with the current request id.
    pub fn event(&self, action: &'static str, target: Option<String>, detail: serde_json::Value) -> audit::AuditEvent {
        audit::AuditEvent {
            org_id: Some(self.org_id.clone()),
            key_id: Some(self.key_id.clone()),
            actor: self.key_name.clone(),
            action,
            target,
            detail,
            request_id: self.request_id.clone(),
        }
    }
}

/// Splits `Bearer mnm_…` into (prefix, plain key) when the shape is right.
fn parse_bearer(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    let body = token.strip_prefix("mnm_")?;
    if body.len() < 32 || body.len() > 128 || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some((body[..PREFIX_LEN].to_string(), token.to_string()))
}

/// Recently verified keys, so a busy ERP client does not cost a database lookup per request.
/// Entries live `ttl`; revoking a key clears this process's cache at once, other instances
/// drop it within `ttl` (MANUMIT_KEY_CACHE_SECS, 0 turns the cache off).
pub struct KeyCache {
    ttl: std::time::Duration,
    map: std::sync::Mutex<std::collections::HashMap<String, (Principal, std::time::Instant)>>,
}

impl KeyCache {
    pub fn new(ttl_secs: u64) -> KeyCache {
        KeyCache { ttl: std::time::Duration::from_secs(ttl_secs), map: Default::default() }
    }
    fn get(&self, hash: &str) -> Option<Principal> {
        if self.ttl.is_zero() {
            return None;
        }
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(hash).filter(|(_, t)| t.elapsed() < self.ttl).map(|(p, _)| p.clone())
    }
    fn put(&self, hash: String, p: &Principal) {
        if self.ttl.is_zero() {
            return;
        }
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 10_000 {
            map.clear();
        }
        map.insert(hash, (p.clone(), std::time::Instant::now()));
    }
    /// Forgets every cached key (after a revocation).
    pub fn clear(&self) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

/// Looks a key up by prefix and compares its hash in constant time.
pub fn authenticate(conn: &mut crate::store::DbConn, prefix: &str, plain: &str) -> Result<Option<Principal>, Error> {
    let presented = hash_key(plain);
    for row in keys::active_keys_by_prefix(conn, prefix)? {
        if bool::from(row.key_hash.as_bytes().ct_eq(presented.as_bytes())) {
            let role = keys::role_of(&row)?;
            return Ok(Some(Principal {
                org_id: row.org_id,
                key_id: row.id,
                key_name: row.name,
                role,
                request_id: None,
            }));
        }
    }
    Ok(None)
}

impl FromRequest for Principal {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let store = req.app_data::<web::Data<Store>>().cloned();
        let limiter = req.app_data::<web::Data<crate::api::limits::RateLimiter>>().cloned();
        let cache = req.app_data::<web::Data<KeyCache>>().cloned();
        let bearer = parse_bearer(req);
        let failures = req.app_data::<web::Data<failures::AuthFailures>>().cloned();
        let path = req.path().to_string();
        let has_header = req.headers().contains_key("authorization");
        let malformed = has_header && bearer.is_none();
        // The TCP peer, never X-Forwarded-For: there is no trusted-proxy setting, and a header
        // the client writes would let it pick a fresh identity per request.
        let client = req.peer_addr().map(|a| failures::client_of(a.ip())).unwrap_or_else(|| "unknown".into());
        Box::pin(async move {
            let store = store.ok_or_else(|| Error::internal("store missing from app data"))?;
            let request_id = crate::telemetry::current_request_id();
            let found = match bearer {
                Some((prefix, plain)) => {
                    let hash = hash_key(&plain);
                    match cache.as_ref().and_then(|c| c.get(&hash)) {
                        Some(p) => Some(p),
                        None => {
                            let p = store.run(move |c| authenticate(c, &prefix, &plain)).await?;
                            if let (Some(p), Some(cache)) = (&p, &cache) {
                                cache.put(hash, p);
                            }
                            p
                        }
                    }
                }
                None => None,
            };
            match found {
                Some(p) => {
                    if let Some(limiter) = limiter {
                        limiter.check(&p.key_id)?;
                    }
                    Ok(Principal { request_id, ..p })
                }
                None => {
                    // Only failed attempts with a credential are counted: a missing header is
                    // ordinary (browsers, health probes) and costs nothing; a wrong key is worth
                    // an entry, but one per client and window, not one per request.
                    if let (true, Some(failures)) = (has_header, failures) {
                        match failures.fail(&client, std::time::Instant::now()) {
                            failures::Verdict::Limited { retry_after } => {
                                return Err(failures.refusal(retry_after).into());
                            }
                            failures::Verdict::Counted => {}
                            failures::Verdict::Log { count, window_secs_left } => {
                                let path = failures::cut_path(&path);
                                let reason = if malformed { "malformed_authorization" } else { "unknown_key" };
                                if count > 1 {
                                    // Once per client and window: the operator's signal that an
                                    // address is now refused (429) until the window ends.
                                    tracing::warn!(%client, count, "too many failed API keys from one address; refusing it for {window_secs_left} s");
                                }
                                let ev = audit::AuditEvent {
                                    org_id: None,
                                    key_id: None,
                                    actor: "anonymous".into(),
                                    action: "auth.failure",
                                    target: Some(path.clone()),
                                    detail: json!({
                                        "client": client,
                                        "last_path": path,
                                        "last_reason": reason,
                                        "failures_in_window": count,
                                        "window_seconds_left": window_secs_left,
                                    }),
                                    request_id,
                                };
                                let _ = store.run(move |c| audit::record(c, ev)).await;
                            }
                        }
                    }
                    Err(Error::Unauthorized.into())
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_the_documented_shape_and_differ() {
        let a = generate_key();
        let b = generate_key();
        assert!(a.plain.starts_with("mnm_"));
        assert_eq!(a.plain.len(), 4 + KEY_BODY_LEN);
        assert_ne!(a.plain, b.plain);
        assert_eq!(a.hash, hash_key(&a.plain));
        assert_eq!(a.hash.len(), 64);
        assert!(!a.hash.contains(&a.plain[4..]));
    }

    #[test]
    fn role_table() {
        assert!(allows(Role::Admin, Perm::ManageKeys));
        assert!(!allows(Role::Procurement, Perm::ManageKeys));
        assert!(!allows(Role::Auditor, Perm::Upload));
        assert!(allows(Role::Integration, Perm::WriteSuppliers));
        assert!(!allows(Role::Integration, Perm::ReadAuditLog));
        assert!(allows(Role::Auditor, Perm::ReadAuditLog));
    }
}
