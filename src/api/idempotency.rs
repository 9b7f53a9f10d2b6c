//! The `Idempotency-Key` protocol for write endpoints: claim, do the work (recording the
//! response in the same transaction), replay on retry with `Idempotent-Replayed: true`.

use crate::auth::Principal;
use crate::error::{Error, Result};
use crate::store::idempotency::{self, Claim, Token};
use crate::store::{DbConn, Store};
use actix_web::{http::StatusCode, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

/// The response a write produces, recorded for replay.
pub struct Recorded {
    pub status: u16,
    /// The response body, JSON text.
    pub body: String,
}

/// Hash of what makes two requests "the same": method, path and body.
pub fn request_hash(req: &HttpRequest, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(req.method().as_str().as_bytes());
    h.update(b"\n");
    h.update(req.path().as_bytes());
    h.update(b"\n");
    h.update(body);
    hex::encode(h.finalize())
}

fn key_of(req: &HttpRequest) -> Result<Option<String>> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let s = v.to_str().unwrap_or("").trim();
            if s.is_empty() || s.len() > 255 {
                return Err(Error::bad_request(
                    "invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 255 visible characters.",
                ));
            }
            Ok(Some(s.to_string()))
        }
    }
}

/// A claim this request holds, passed to `work` and on to [`record`].
pub struct Claimed {
    token: Token,
    /// For a sealed write (see [`run_sealed`]): the key its replay is encrypted with.
    seal: Option<[u8; 32]>,
}

/// Runs `work` at most once per Idempotency-Key. `work` gets the claim (None without a key) and
/// must call [`record`] inside its write transaction.
pub async fn run<F>(store: &Store, p: &Principal, req: &HttpRequest, hash: String, work: F) -> Result<HttpResponse>
where
    F: FnOnce(&mut DbConn, Option<&Claimed>) -> Result<Recorded> + Send + 'static,
{
    run_claimed(store, p, req, hash, false, work).await
}

/// [`run`] for a write whose response holds a secret (a new API key): the claim is stored under
/// a hash of the Idempotency-Key and the response encrypted (ChaCha20-Poly1305) with a key
/// derived from it. The database never holds the secret readable; only a client presenting the
/// same Idempotency-Key can have the response replayed.
pub async fn run_sealed<F>(
    store: &Store,
    p: &Principal,
    req: &HttpRequest,
    hash: String,
    work: F,
) -> Result<HttpResponse>
where
    F: FnOnce(&mut DbConn, Option<&Claimed>) -> Result<Recorded> + Send + 'static,
{
    run_claimed(store, p, req, hash, true, work).await
}

async fn run_claimed<F>(
    store: &Store,
    p: &Principal,
    req: &HttpRequest,
    hash: String,
    sealed: bool,
    work: F,
) -> Result<HttpResponse>
where
    F: FnOnce(&mut DbConn, Option<&Claimed>) -> Result<Recorded> + Send + 'static,
{
    let Some(key) = key_of(req)? else {
        let r = store.run(move |c| work(c, None)).await?;
        return Ok(respond(r.status, r.body, false));
    };
    let (stored_key, seal) = if sealed {
        let (k, s) = sealed_keys(&key);
        (k, Some(s))
    } else {
        (key, None)
    };
    let org = p.org_id.clone();
    let claimed = store.run(move |c| idempotency::claim(c, &org, &stored_key, &hash)).await?;
    let claim = match claimed {
        Claim::Replay { status, body } => {
            let body = match &seal {
                Some(k) => unseal(k, &body)?,
                None => body,
            };
            return Ok(respond(status, body, true));
        }
        Claim::Fresh(token) => Claimed { token, seal },
    };
    let (result, claim) = store
        .run(move |c| {
            let r = work(c, Some(&claim));
            Ok((r, claim))
        })
        .await?;
    match result {
        Ok(r) => Ok(respond(r.status, r.body, false)),
        Err(e) => {
            let _ = store.run(move |c| idempotency::release(c, &claim.token)).await;
            Err(e)
        }
    }
}

/// Records the response for replay (inside the work's transaction), sealed when the claim is.
pub fn record(conn: &mut DbConn, claim: Option<&Claimed>, status: u16, body: serde_json::Value) -> Result<Recorded> {
    record_text(conn, claim, status, body.to_string())
}

/// [`record`] for a body that is already JSON text (an upload's report, which is stored as
/// text and can run to megabytes).
pub fn record_text(conn: &mut DbConn, claim: Option<&Claimed>, status: u16, body: String) -> Result<Recorded> {
    if let Some(c) = claim {
        match &c.seal {
            Some(k) => idempotency::finish(conn, &c.token, status, &seal(k, &body)?)?,
            None => idempotency::finish(conn, &c.token, status, &body)?,
        }
    }
    Ok(Recorded { status, body })
}

fn respond(status: u16, body: String, replayed: bool) -> HttpResponse {
    let mut b = HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::OK));
    b.content_type("application/json");
    if replayed {
        b.insert_header(("Idempotent-Replayed", "true"));
    }
    b.body(body)
}

/// Stored bodies of sealed replays start with this.
const SEALED_PREFIX: &str = "sealed:v1:";

/// Derives (storage key, seal key) from the client's Idempotency-Key: two different hashes, so
/// the stored row names neither the key nor the secret that decrypts its response.
fn sealed_keys(key: &str) -> (String, [u8; 32]) {
    let h = |domain: &[u8]| -> [u8; 32] {
        let mut s = Sha256::new();
        s.update(domain);
        s.update(key.as_bytes());
        s.finalize().into()
    };
    (format!("sealed:{}", hex::encode(h(b"manumit idempotency id\0"))), h(b"manumit idempotency seal\0"))
}

fn seal(key: &[u8; 32], plain: &str) -> Result<String> {
    use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(key.into());
    let nonce = chacha20poly1305::ChaCha20Poly1305::generate_nonce(&mut OsRng);
    let ct = cipher.encrypt(&nonce, plain.as_bytes()).map_err(|_| Error::internal("sealing a replay failed"))?;
    Ok(format!("{SEALED_PREFIX}{}{}", hex::encode(nonce), hex::encode(ct)))
}

fn unseal(key: &[u8; 32], stored: &str) -> Result<String> {
    use chacha20poly1305::aead::{Aead, KeyInit};
    let bad = || Error::internal("a sealed replay could not be opened");
    let raw = hex::decode(stored.strip_prefix(SEALED_PREFIX).ok_or_else(bad)?).map_err(|_| bad())?;
    if raw.len() < 12 {
        return Err(bad());
    }
    let (nonce, ct) = raw.split_at(12);
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(key.into());
    let plain = cipher.decrypt(nonce.into(), ct).map_err(|_| bad())?;
    String::from_utf8(plain).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bodies_open_only_with_the_same_key() {
        let (id_a, seal_a) = sealed_keys("retry-1");
        let (id_b, seal_b) = sealed_keys("retry-2");
        assert_ne!(id_a, id_b);
        assert!(!id_a.contains("retry-1"));
        let body = r#"{"key":"mnm_secret"}"#;
        let s = seal(&seal_a, body).unwrap();
        assert!(!s.contains("mnm_secret"));
        assert_eq!(unseal(&seal_a, &s).unwrap(), body);
        assert!(unseal(&seal_b, &s).is_err());
        assert!(unseal(&seal_a, "sealed:v1:00").is_err());
        assert!(unseal(&seal_a, "plain").is_err());
    }
}
