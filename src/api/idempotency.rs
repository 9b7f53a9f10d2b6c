//! The `Idempotency-Key` protocol for write endpoints: claim, do the work (recording the
//! response in the same transaction), replay on retry with `Idempotent-Replayed: true`.

use crate::auth::Principal;
use crate::error::{Error, ProblemItem, Result};
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

/// Shortest Idempotency-Key accepted: a key must be unguessable and unique per request, and
/// short ones ("1", "retry") collide between a client's own writes.
pub const MIN_KEY_LEN: usize = 16;
/// Longest Idempotency-Key accepted.
pub const MAX_KEY_LEN: usize = 255;

fn key_of(req: &HttpRequest) -> Result<Option<String>> {
    let Some(v) = req.headers().get("idempotency-key") else { return Ok(None) };
    let bad = || {
        Error::bad_request(
            "invalid_idempotency_key",
            format!("Idempotency-Key must be {MIN_KEY_LEN} to {MAX_KEY_LEN} visible ASCII characters."),
        )
    };
    let s = v.to_str().map_err(|_| bad())?.trim();
    if s.len() > MAX_KEY_LEN {
        return Err(bad());
    }
    if s.len() < MIN_KEY_LEN {
        return Err(Error::invalid(
            "idempotency_key_too_short",
            format!(
                "Idempotency-Key must be at least {MIN_KEY_LEN} characters (this one has {}): send a new random \
                 value, e.g. a UUID, for each new request.",
                s.chars().count()
            ),
            vec![ProblemItem {
                field: Some("Idempotency-Key".into()),
                code: "too_short".into(),
                message: format!("at least {MIN_KEY_LEN} characters"),
                ..Default::default()
            }],
        ));
    }
    Ok(Some(s.to_string()))
}

/// A claim this request holds, passed to `work` and on to [`record`].
pub struct Claimed {
    token: Token,
}

/// Runs `work` at most once per Idempotency-Key. `work` gets the claim (None without a key) and
/// must call [`record`] (or [`record_without_secret`]) inside its write transaction.
pub async fn run<F>(store: &Store, p: &Principal, req: &HttpRequest, hash: String, work: F) -> Result<HttpResponse>
where
    F: FnOnce(&mut DbConn, Option<&Claimed>) -> Result<Recorded> + Send + 'static,
{
    let Some(key) = key_of(req)? else {
        let r = store.run(move |c| work(c, None)).await?;
        return Ok(respond(r.status, r.body, false));
    };
    let org = p.org_id.clone();
    let claimed = store.run(move |c| idempotency::claim(c, &org, &key, &hash)).await?;
    let claim = match claimed {
        Claim::Replay { status, body } => return Ok(respond(status, body, true)),
        Claim::Fresh(token) => Claimed { token },
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

/// Records the response for replay (inside the work's transaction).
pub fn record(conn: &mut DbConn, claim: Option<&Claimed>, status: u16, body: serde_json::Value) -> Result<Recorded> {
    record_text(conn, claim, status, body.to_string())
}

/// [`record`] for a response that holds a secret (a new API key): the client gets `body` this
/// once; a replay gets `replay`, the same response without the secret. The secret is never
/// stored, sealed or not, so a replay cannot hand it out again (also not after it is revoked).
pub fn record_without_secret(
    conn: &mut DbConn,
    claim: Option<&Claimed>,
    status: u16,
    body: serde_json::Value,
    replay: serde_json::Value,
) -> Result<Recorded> {
    if let Some(c) = claim {
        idempotency::finish(conn, &c.token, status, &replay.to_string())?;
    }
    Ok(Recorded { status, body: body.to_string() })
}

/// [`record`] for a body that is already JSON text (an upload's report, which is stored as
/// text and can run to megabytes).
pub fn record_text(conn: &mut DbConn, claim: Option<&Claimed>, status: u16, body: String) -> Result<Recorded> {
    if let Some(c) = claim {
        idempotency::finish(conn, &c.token, status, &body)?;
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
