//! Request limits in front of every route: what a public server must refuse or shed
//! rather than queue.
//!
//! Steps per request:
//!   1. a request target (path and query) longer than `--max-uri-bytes` answers 414;
//!   2. one in-flight slot of `--max-in-flight` is taken without waiting; when none is
//!      free the request answers 503 with `Retry-After: 1` at once, so a burst costs
//!      a short answer each instead of an unbounded queue of waiting requests. Health
//!      and metrics probes ([`UNCOUNTED`]) take no slot: they must answer while the
//!      server sheds load;
//!   3. the route runs under `--request-timeout-secs`: when its answer has not started
//!      by then it answers 503 with `Retry-After` (the server was too slow, not the
//!      client: 408 would blame the client). The slot is held until the answer starts;
//!      a streamed body (exports, batch answers) then goes on without one.
//!
//! The limits on the connection itself (header read timeout, header size) are applied
//! where connections are served ([`crate::server`]).

use super::ApiError;
use crate::config::LimitArgs;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Paths that take no in-flight slot (cheap probes that must answer under load).
pub const UNCOUNTED: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

#[derive(Clone)]
struct Guard {
    in_flight: Arc<Semaphore>,
    max_uri_bytes: usize,
    timeout: Duration,
}

/// Wraps the whole router (routes and fallback) in the limits of the module doc.
pub fn apply(router: Router, limits: &LimitArgs) -> Router {
    let guard = Guard {
        in_flight: Arc::new(Semaphore::new(usize::try_from(limits.max_in_flight).unwrap_or(usize::MAX).min(Semaphore::MAX_PERMITS))),
        max_uri_bytes: usize::try_from(limits.max_uri_bytes).unwrap_or(usize::MAX),
        timeout: limits.request_timeout(),
    };
    router.layer(axum::middleware::from_fn_with_state(guard, check))
}

async fn check(State(guard): State<Guard>, request: Request, next: Next) -> Response {
    let target = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > guard.max_uri_bytes {
        let message = format!("the request target is {target} bytes; this server accepts at most {}", guard.max_uri_bytes);
        return ApiError::UriTooLong(message).into_response();
    }
    let _slot = if UNCOUNTED.contains(&request.uri().path()) {
        None
    } else {
        match guard.in_flight.clone().try_acquire_owned() {
            Ok(slot) => Some(slot),
            Err(_) => return ApiError::Busy("the server is at its limit of requests in flight; retry shortly".into()).into_response(),
        }
    };
    match tokio::time::timeout(guard.timeout, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let message = format!("the answer did not start within {} s; retry shortly", guard.timeout.as_secs());
            ApiError::Busy(message).into_response()
        }
    }
}
