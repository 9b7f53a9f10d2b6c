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
    pub body: serde_json::Value,
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

/// Runs `work` at most once per Idempotency-Key. `work` gets the claim token (None without a
/// key) and must call [`record`] inside its write transaction.
pub async fn run<F>(store: &Store, p: &Principal, req: &HttpRequest, hash: String, work: F) -> Result<HttpResponse>
where
    F: FnOnce(&mut DbConn, Option<&Token>) -> Result<Recorded> + Send + 'static,
{
    let Some(key) = key_of(req)? else {
        let r = store.run(move |c| work(c, None)).await?;
        return Ok(respond(r.status, r.body.to_string(), false));
    };
    let org = p.org_id.clone();
    let claimed = store.run(move |c| idempotency::claim(c, &org, &key, &hash)).await?;
    let token = match claimed {
        Claim::Replay { status, body } => return Ok(respond(status, body, true)),
        Claim::Fresh(t) => t,
    };
    let t2 = token.clone();
    match store.run(move |c| work(c, Some(&t2))).await {
        Ok(r) => Ok(respond(r.status, r.body.to_string(), false)),
        Err(e) => {
            let _ = store.run(move |c| idempotency::release(c, &token)).await;
            Err(e)
        }
    }
}

/// Records the response for replay (inside the work's transaction).
pub fn record(conn: &mut DbConn, token: Option<&Token>, status: u16, body: serde_json::Value) -> Result<Recorded> {
    if let Some(t) = token {
        idempotency::finish(conn, t, status, &body.to_string())?;
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
