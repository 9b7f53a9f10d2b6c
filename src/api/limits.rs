//! Per-key rate limit (token bucket, per process) and the request timeout.

use crate::error::Error;
use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A token bucket per API key: `per_minute` requests a minute, bursts up to the same number.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter { per_minute, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `key`; when none is left, the error says when to retry.
    pub fn check(&self, key: &str) -> Result<(), Error> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let cap = f64::from(self.per_minute);
        let rate = cap / 60.0;
        let now = Instant::now();
        let mut map = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, t)| now.duration_since(*t) < Duration::from_secs(120));
        }
        let (tokens, last) = map.entry(key.to_string()).or_insert((cap, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * rate).min(cap);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            let wait = ((1.0 - *tokens) / rate).ceil().max(1.0) as u64;
            Err(Error::problem(
                429,
                "rate_limited",
                format!("This API key is limited to {} requests a minute; retry in {wait} s.", self.per_minute),
            )
            .with_retry_after(wait))
        }
    }
}

/// Middleware: answers 503 `request_timeout` when a request takes longer than `secs`.
/// Work already committed stays committed; a retry with the same Idempotency-Key is safe.
pub async fn timeout(
    secs: u64,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    match tokio::time::timeout(Duration::from_secs(secs.max(1)), next.call(req)).await {
        Ok(res) => res,
        // Returned as an error: actix renders it with our problem+json (the request itself
        // was moved into the dropped future, so no response can be built from it here).
        Err(_) => Err(Error::problem(
            503,
            "request_timeout",
            format!("The request took longer than {secs} s and was stopped."),
        )
        .with_retry_after(5)
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refuses_past_the_limit_with_retry_after() {
        let r = RateLimiter::new(3);
        assert!(r.check("a").is_ok() && r.check("a").is_ok() && r.check("a").is_ok());
        match r.check("a") {
            Err(Error::Problem { status: 429, retry_after: Some(s), .. }) => assert!((1..=20).contains(&s)),
            other => panic!("{other:?}"),
        }
        assert!(r.check("b").is_ok(), "keys have their own buckets");
        assert!(RateLimiter::new(0).check("a").is_ok());
    }
}
