//! Access to the admin routes: every path under `/api/v1/admin/` needs
//! `Authorization: Bearer <token>`, the token of `--admin-token-file`.
//!
//! Steps per request (a middleware over the whole router, so an admin route added later
//! is covered without anyone remembering to protect it):
//!   1. a path outside `/api/v1/admin/` passes untouched;
//!   2. no token configured: 404, as for a route that does not exist (the admin
//!      surface is invisible; SIGHUP still reloads);
//!   3. a missing, malformed or wrong token: 401 with `WWW-Authenticate: Bearer`;
//!   4. the right token: the route runs.
//!
//! The client's address plays no part: behind a reverse proxy every request comes
//! from 127.0.0.1, so "loopback only" would let the whole internet in.

use super::{ApiError, AppState};
use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The prefix of every admin route.
pub const ADMIN_PREFIX: &str = "/api/v1/admin/";

/// The admin bearer token. Its `Debug` never shows it, so it cannot reach a log.
#[derive(Clone)]
pub struct AdminToken(String);

impl AdminToken {
    pub fn new(token: String) -> AdminToken {
        AdminToken(token)
    }

    /// Whether `offered` is the token, in time that does not depend on where they differ.
    fn matches(&self, offered: &str) -> bool {
        constant_time_eq(self.0.as_bytes(), offered.as_bytes())
    }
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(<redacted>)")
    }
}

/// Byte comparison whose time depends only on the lengths: every byte pair is looked
/// at and the differences are OR-ed together, with no early exit. A length mismatch
/// returns at once, which reveals only the token's length (the `subtle` crate's slice
/// comparison does the same); a few lines here spare a dependency. `black_box` keeps
/// the optimiser from turning the loop back into an early-exit comparison.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= std::hint::black_box(x ^ y);
    }
    std::hint::black_box(diff) == 0
}

/// The middleware's state: the token, if one is configured. Only this is cloned per request
/// (one reference count), not the whole application state.
pub type AdminGate = Option<std::sync::Arc<AdminToken>>;

impl AppState {
    /// The state [`require_admin`] runs with.
    pub fn admin_gate(&self) -> AdminGate {
        self.admin_token.clone()
    }
}

/// Whether [`require_admin`] concerns `path` (the admin routes, and unknown paths under them).
pub fn concerns(path: &str) -> bool {
    path.starts_with(ADMIN_PREFIX)
}

/// The middleware of the module doc (steps 1–4).
pub async fn require_admin(State(gate): State<AdminGate>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !path.starts_with(ADMIN_PREFIX) {
        return next.run(request).await;
    }
    let Some(token) = gate.as_deref() else {
        return ApiError::NotFound(format!("no route for {path}")).into_response();
    };
    let offered = request.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(bearer);
    match offered {
        Some(offered) if token.matches(offered) => next.run(request).await,
        Some(_) => ApiError::Unauthorized("the bearer token is wrong".into()).into_response(),
        None => ApiError::Unauthorized("admin routes need `Authorization: Bearer <token>`".into()).into_response(),
    }
}

/// The credentials of `Bearer <token>` (the scheme is case-insensitive, RFC 9110 §11.1).
fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_whole_tokens_only() {
        let t = AdminToken::new("abc123".into());
        assert!(t.matches("abc123"));
        assert!(!t.matches("abc124"));
        assert!(!t.matches("abc12"));
        assert!(!t.matches("abc1234"));
        assert!(!t.matches(""));
    }

    #[test]
    fn reads_the_bearer_scheme_only() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearer "), None);
        assert_eq!(bearer("abc"), None);
    }

    #[test]
    fn debug_hides_the_token() {
        let shown = format!("{:?}", AdminToken::new("s3cret".into()));
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
