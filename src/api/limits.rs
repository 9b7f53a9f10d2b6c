//! Per-key rate limit (token bucket, per process), slots for heavy work (per process and per
//! organisation), and the request timeout.

use crate::error::Error;
use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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

/// Slots for one kind of heavy work (building a workbook): at most `max` at once in this
/// process and `per_org` at once for one organisation, so one tenant cannot take them all.
/// More get 503 with Retry-After at once (a build holds a blocking thread and hundreds of MB:
/// queueing them would only move the exhaustion).
pub struct Slots {
    /// The problem code a refusal carries, e.g. `too_many_workbooks`.
    code: &'static str,
    what: &'static str,
    max: usize,
    per_org: usize,
    used: Arc<Mutex<Used>>,
}

#[derive(Debug, Default)]
struct Used {
    total: usize,
    by_org: HashMap<String, usize>,
}

/// A slot held until dropped (also when the request is cancelled: the handler's future is
/// dropped with it).
#[derive(Debug)]
pub struct SlotGuard {
    used: Arc<Mutex<Used>>,
    org: String,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        let mut u = self.used.lock().unwrap_or_else(|p| p.into_inner());
        u.total = u.total.saturating_sub(1);
        if let Some(n) = u.by_org.get_mut(&self.org) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                u.by_org.remove(&self.org);
            }
        }
    }
}

impl Slots {
    pub fn new(code: &'static str, what: &'static str, max: usize, per_org: usize) -> Slots {
        let max = max.max(1);
        Slots { code, what, max, per_org: per_org.clamp(1, max), used: Arc::default() }
    }

    /// Takes a slot for `org`, or says when to retry.
    pub fn try_acquire(&self, org: &str) -> Result<SlotGuard, Error> {
        let mut u = self.used.lock().unwrap_or_else(|p| p.into_inner());
        let mine = u.by_org.get(org).copied().unwrap_or(0);
        if mine >= self.per_org {
            return Err(Error::problem(
                503,
                self.code,
                format!(
                    "Your organisation is already building {mine} {} at once (the most allowed); retry shortly.",
                    self.what
                ),
            )
            .with_retry_after(10));
        }
        if u.total >= self.max {
            return Err(Error::problem(
                503,
                self.code,
                format!("The server is building as many {} as it can; retry shortly.", self.what),
            )
            .with_retry_after(10));
        }
        u.total += 1;
        *u.by_org.entry(org.to_string()).or_insert(0) += 1;
        Ok(SlotGuard { used: self.used.clone(), org: org.to_string() })
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

    #[test]
    fn slots_are_shared_per_process_and_capped_per_organisation() {
        let s = Slots::new("too_many_workbooks", "workbooks", 2, 1);
        let a = s.try_acquire("org-a").expect("first");
        match s.try_acquire("org-a") {
            Err(Error::Problem { status: 503, code, retry_after: Some(_), .. }) => {
                assert_eq!(code, "too_many_workbooks")
            }
            other => panic!("one organisation holds one slot: {other:?}"),
        }
        let b = s.try_acquire("org-b").expect("another organisation still gets one");
        assert!(s.try_acquire("org-c").is_err(), "the process holds two at most");
        drop(a);
        let c = s.try_acquire("org-c").expect("a released slot is free again");
        drop((b, c));
        let again = s.try_acquire("org-a").expect("free again");
        assert_eq!(s.used.lock().map(|u| (u.total, u.by_org.len())).unwrap_or_default(), (1, 1));
        drop(again);
        assert_eq!(s.used.lock().map(|u| (u.total, u.by_org.len())).unwrap_or_default(), (0, 0), "nothing left behind");
    }
}
