//! The login limiter: after `MAX_FAILURES` failed logins within `WINDOW`
//! for one name, or from one client address, further attempts are
//! answered 429 until the oldest failure leaves the window. Kept in
//! memory: a restart forgets it (documented in docs/server.md).

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

pub const MAX_FAILURES: usize = 10;
pub const WINDOW_MINUTES: i64 = 15;

#[derive(Debug, Default)]
pub struct Limiter {
    failures: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
}

impl Limiter {
    fn keys(name: &str, client: &str) -> [String; 2] {
        [format!("name:{name}"), format!("client:{client}")]
    }

    /// Is either the name or the client over the limit at `now`? Drops
    /// their failures that left the window (and a key with none left, so
    /// that names tried once do not pile up).
    pub fn blocked(&self, name: &str, client: &str, now: DateTime<Utc>) -> bool {
        let mut f = self.failures.lock().expect("limiter lock");
        let mut over = false;
        for k in Self::keys(name, client) {
            if let Some(v) = f.get_mut(&k) {
                v.retain(|t| now - *t < Duration::minutes(WINDOW_MINUTES));
                over |= v.len() >= MAX_FAILURES;
                if v.is_empty() {
                    f.remove(&k);
                }
            }
        }
        over
    }

    pub fn fail(&self, name: &str, client: &str, now: DateTime<Utc>) {
        let mut f = self.failures.lock().expect("limiter lock");
        for k in Self::keys(name, client) {
            f.entry(k).or_default().push(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_block_for_fifteen_minutes() {
        let l = Limiter::default();
        let t0 = Utc::now();
        for i in 0..MAX_FAILURES {
            assert!(!l.blocked("a", "1.2.3.4", t0), "blocked after {i}");
            l.fail("a", "1.2.3.4", t0);
        }
        assert!(l.blocked("a", "9.9.9.9", t0), "same name, other client");
        assert!(l.blocked("b", "1.2.3.4", t0), "same client, other name");
        assert!(!l.blocked("b", "9.9.9.9", t0));
        assert!(!l.blocked("a", "1.2.3.4", t0 + Duration::minutes(15)));
        assert!(
            l.failures.lock().unwrap().is_empty(),
            "expired keys are dropped"
        );
    }
}
