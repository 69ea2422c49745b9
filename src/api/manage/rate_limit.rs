//! Login rate limit: failed logins are counted per account (the name typed) and per
//! client address over a sliding window; at the limit further attempts are refused with
//! 429 and `Retry-After` before any password is checked.
//!
//! The counts live in memory: a restart forgets them, and several bando processes
//! behind one proxy each count their own. Enough for one server; a shared limit would
//! go in the store. Steps: [`LoginLimiter::check`] before the password check;
//! [`LoginLimiter::failed`] after a failure; [`LoginLimiter::succeeded`] clears the
//! account's count (not the address's: one right password does not excuse guessing
//! others from that address).
//!
//! Counting the name typed lets anyone lock an account for a window by failing on
//! purpose; the window is short and an admin can still sign in from the command line
//! (`bando user reset-password`), which is the usual trade-off.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Limits of the login rate limit (`--login-failures-per-account` and the like).
#[derive(Debug, Clone, Copy)]
pub struct LoginLimits {
    pub per_account: u32,
    pub per_address: u32,
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        LoginLimits { per_account: 5, per_address: 20, window: Duration::from_secs(15 * 60) }
    }
}

/// Beyond this many keys, expired ones are swept on the next failure (bounds memory
/// under a spray of made-up names).
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Account(String),
    Address(String),
}

/// The failure counts.
#[derive(Debug, Default)]
pub struct LoginLimiter {
    limits: LoginLimits,
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> LoginLimiter {
        LoginLimiter { limits, failures: Mutex::default() }
    }

    fn keys(username: &str, address: &str) -> [(Key, u32); 2] {
        [(Key::Account(username.trim().to_lowercase()), 0), (Key::Address(address.to_string()), 1)]
    }

    fn limit(&self, which: u32) -> u32 {
        if which == 0 { self.limits.per_account } else { self.limits.per_address }
    }

    /// `Err(wait)` when the account or the address has reached its limit: how long until
    /// its oldest counted failure leaves the window.
    pub fn check(&self, username: &str, address: &str) -> Result<(), Duration> {
        self.check_at(username, address, Instant::now())
    }

    fn check_at(&self, username: &str, address: &str, now: Instant) -> Result<(), Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = Duration::ZERO;
        for (key, which) in Self::keys(username, address) {
            let Some(times) = failures.get_mut(&key) else { continue };
            while times.front().is_some_and(|t| now.duration_since(*t) >= self.limits.window) {
                times.pop_front();
            }
            if times.len() >= self.limit(which) as usize {
                let oldest = times[times.len() - self.limit(which) as usize];
                wait = wait.max(self.limits.window.saturating_sub(now.duration_since(oldest)));
            }
        }
        if wait.is_zero() { Ok(()) } else { Err(wait.max(Duration::from_secs(1))) }
    }

    /// Counts a failed login.
    pub fn failed(&self, username: &str, address: &str) {
        self.failed_at(username, address, Instant::now());
    }

    fn failed_at(&self, username: &str, address: &str, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > SWEEP_ABOVE {
            let window = self.limits.window;
            failures.retain(|_, times| times.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        for (key, _) in Self::keys(username, address) {
            failures.entry(key).or_default().push_back(now);
        }
    }

    /// Clears the account's count after a successful login.
    pub fn succeeded(&self, username: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&Key::Account(username.trim().to_lowercase()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_account_and_per_address_within_the_window() {
        let window = Duration::from_secs(900);
        let limiter = LoginLimiter::new(LoginLimits { per_account: 5, per_address: 20, window });
        let t0 = Instant::now();
        for i in 0..5 {
            assert!(limiter.check_at("Ha.Tinh", "10.0.0.1", t0).is_ok(), "attempt {i}");
            limiter.failed_at("Ha.Tinh", "10.0.0.1", t0 + Duration::from_secs(i));
        }
        let wait = limiter.check_at("ha.tinh", "10.0.0.2", t0 + Duration::from_secs(10)).unwrap_err();
        assert_eq!(wait, window - Duration::from_secs(10));
        // Another account from the same address is not yet limited; the window frees it.
        assert!(limiter.check_at("other", "10.0.0.1", t0 + Duration::from_secs(10)).is_ok());
        assert!(limiter.check_at("ha.tinh", "10.0.0.2", t0 + window + Duration::from_secs(1)).is_ok());
        // 20 failures from one address under many names block the address.
        for i in 0..15 {
            limiter.failed_at(&format!("name{i}"), "10.0.0.1", t0 + Duration::from_secs(20));
        }
        assert!(limiter.check_at("fresh", "10.0.0.1", t0 + Duration::from_secs(21)).is_err());
        assert!(limiter.check_at("fresh", "10.0.0.3", t0 + Duration::from_secs(21)).is_ok());
        limiter.succeeded("HA.TINH");
        assert!(limiter.check_at("ha.tinh", "10.0.0.2", t0 + Duration::from_secs(22)).is_ok());
    }
}
