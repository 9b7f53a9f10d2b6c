//! Failed authentication, counted per client (peer IP) and per one-minute window: decides which
//! failures are written to the audit log (at most two rows per client per window) and answers
//! 429 once a client is over the limit.
//!
//! Per process and in memory: with several instances behind one PostgreSQL, each counts its own
//! clients, so the disk grows by at most two rows per client, window and instance, and a client
//! may make `limit` failures per instance. Nothing is written per failed request, so a flood of
//! wrong keys costs no database write after the first. The table of clients is capped; at the
//! cap, expired windows go first, then the oldest window.

use crate::error::Error;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a client's count lasts.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Clients tracked at once per process.
const MAX_CLIENTS: usize = 10_000;
/// Longest path kept in an audit row.
pub const MAX_PATH_CHARS: usize = 256;

/// What to do with one failed attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Write an audit row: the client's first failure in this window (`count` 1), or the one that
    /// reaches the limit.
    Log { count: u32, window_secs_left: u64 },
    /// Counted, not written.
    Counted,
    /// Over the limit: answer 429, retry after this many seconds.
    Limited { retry_after: u64 },
}

pub struct AuthFailures {
    /// Failures a client may make per window before 429 (0 = never refuse).
    limit: u32,
    max_clients: usize,
    clients: Mutex<HashMap<String, (Instant, u32)>>,
}

impl AuthFailures {
    pub fn new(limit: u32) -> AuthFailures {
        AuthFailures { limit, max_clients: MAX_CLIENTS, clients: Mutex::new(HashMap::new()) }
    }

    /// Counts one failed attempt by `client` at `now`.
    pub fn fail(&self, client: &str, now: Instant) -> Verdict {
        let mut map = self.clients.lock().unwrap_or_else(|p| p.into_inner());
        if !map.contains_key(client) && map.len() >= self.max_clients {
            map.retain(|_, (start, _)| now.saturating_duration_since(*start) < WINDOW);
            if map.len() >= self.max_clients {
                if let Some(oldest) = map.iter().min_by_key(|(_, (start, _))| *start).map(|(k, _)| k.clone()) {
                    map.remove(&oldest);
                }
            }
        }
        let entry = map.entry(client.to_string()).or_insert((now, 0));
        if now.saturating_duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        let left = WINDOW.saturating_sub(now.saturating_duration_since(entry.0));
        let secs_left = left.as_secs() + u64::from(left.subsec_nanos() > 0);
        let count = entry.1;
        if self.limit > 0 && count > self.limit {
            Verdict::Limited { retry_after: secs_left.max(1) }
        } else if count == 1 || count == self.limit {
            Verdict::Log { count, window_secs_left: secs_left }
        } else {
            Verdict::Counted
        }
    }

    /// The 429 for a client over the limit.
    pub fn refusal(&self, retry_after: u64) -> Error {
        Error::problem(
            429,
            "too_many_auth_failures",
            format!(
                "Too many requests with a missing or wrong API key from this address ({} a minute); retry in {retry_after} s.",
                self.limit
            ),
        )
        .with_retry_after(retry_after)
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.clients.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// The client a failure is counted against: an IPv4 address, or an IPv6 address's /64 (one
/// host is usually given a whole /64, so counting single IPv6 addresses would let it rotate).
pub fn client_of(ip: std::net::IpAddr) -> String {
    match ip.to_canonical() {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// The first [`MAX_PATH_CHARS`] characters of a path.
pub fn cut_path(path: &str) -> String {
    path.chars().take(MAX_PATH_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_first_and_limit_then_refuses_until_the_window_ends() {
        let f = AuthFailures::new(3);
        let t0 = Instant::now();
        assert!(matches!(f.fail("a", t0), Verdict::Log { count: 1, window_secs_left: 60 }));
        assert_eq!(f.fail("a", t0), Verdict::Counted);
        assert!(matches!(f.fail("a", t0), Verdict::Log { count: 3, .. }));
        assert_eq!(f.fail("a", t0 + Duration::from_secs(50)), Verdict::Limited { retry_after: 10 });
        // Another client is not affected.
        assert!(matches!(f.fail("b", t0), Verdict::Log { count: 1, .. }));
        // A new window starts afresh.
        assert!(matches!(f.fail("a", t0 + WINDOW), Verdict::Log { count: 1, .. }));
    }

    #[test]
    fn zero_limit_never_refuses_but_still_logs_once() {
        let f = AuthFailures::new(0);
        let t0 = Instant::now();
        assert!(matches!(f.fail("a", t0), Verdict::Log { count: 1, .. }));
        for _ in 0..100 {
            assert_eq!(f.fail("a", t0), Verdict::Counted);
        }
    }

    #[test]
    fn tracked_clients_are_capped_evicting_the_oldest() {
        let mut f = AuthFailures::new(5);
        f.max_clients = 3;
        let t0 = Instant::now();
        for (i, c) in ["a", "b", "c", "d"].iter().enumerate() {
            f.fail(c, t0 + Duration::from_secs(i as u64));
        }
        assert_eq!(f.tracked(), 3);
        // "a" was evicted: it starts a new count.
        assert!(matches!(f.fail("a", t0 + Duration::from_secs(5)), Verdict::Log { count: 1, .. }));
    }

    #[test]
    fn ipv6_clients_are_counted_per_64() {
        let a: std::net::IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: std::net::IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_of(a), "2001:db8:1:2::/64");
        assert_eq!(client_of(a), client_of(b));
        let mapped: std::net::IpAddr = "::ffff:10.0.0.7".parse().unwrap();
        assert_eq!(client_of(mapped), "10.0.0.7");
        assert_eq!(client_of(std::net::IpAddr::V4([127, 0, 0, 1].into())), "127.0.0.1");
    }

    #[test]
    fn paths_are_cut_by_characters() {
        assert_eq!(cut_path(&"é".repeat(1000)).chars().count(), 256);
        assert_eq!(cut_path("/api/v1/keys"), "/api/v1/keys");
    }
}
