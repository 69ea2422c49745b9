//! Request limits in front of every route: what a public server must refuse or shed
//! rather than queue ([`layer`], the outermost layer of [`super::router`]).
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
use axum::http::Request;
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Paths that take no in-flight slot (cheap probes that must answer under load).
pub const UNCOUNTED: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// The limits of the module doc, as a layer around the whole router (routes and
/// fallback). A layer of its own rather than an axum `from_fn`, which would clone every
/// route below it and box a future per request.
#[derive(Clone)]
pub struct GuardLayer {
    in_flight: Arc<Semaphore>,
    max_uri_bytes: usize,
    timeout: Duration,
}

/// The guard of `limits`.
pub fn layer(limits: &LimitArgs) -> GuardLayer {
    GuardLayer {
        in_flight: Arc::new(Semaphore::new(usize::try_from(limits.max_in_flight).unwrap_or(usize::MAX).min(Semaphore::MAX_PERMITS))),
        max_uri_bytes: usize::try_from(limits.max_uri_bytes).unwrap_or(usize::MAX),
        timeout: limits.request_timeout(),
    }
}

impl<S> tower::Layer<S> for GuardLayer {
    type Service = Guard<S>;
    fn layer(&self, inner: S) -> Guard<S> {
        Guard { limits: self.clone(), inner }
    }
}

/// The service of [`GuardLayer`].
#[derive(Clone)]
pub struct Guard<S> {
    limits: GuardLayer,
    inner: S,
}

impl<S, B> tower::Service<Request<B>> for Guard<S>
where
    S: tower::Service<Request<B>, Response = Response, Error = Infallible>,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Guarded<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let limits = &self.limits;
        // Step 1.
        let target = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
        if target > limits.max_uri_bytes {
            let message = format!("the request target is {target} bytes; this server accepts at most {}", limits.max_uri_bytes);
            return Guarded::refused(ApiError::UriTooLong(message));
        }
        // Step 2.
        let slot = if UNCOUNTED.contains(&request.uri().path()) {
            None
        } else {
            match limits.in_flight.clone().try_acquire_owned() {
                Ok(slot) => Some(slot),
                Err(_) => return Guarded::refused(ApiError::Busy("the server is at its limit of requests in flight; retry shortly".into())),
            }
        };
        // Step 3: the timer is made and armed only if the answer is not ready at its first
        // poll (a point answer or a cached tile is; reading the clock and registering a
        // timer would cost it more than the answer itself).
        Guarded::Running { answer: self.inner.call(request), deadline: None, slot, timeout: limits.timeout }
    }
}

pin_project_lite::pin_project! {
    /// A request under the limits: refused at once, or running with its slot and timeout.
    #[project = GuardedProj]
    pub enum Guarded<F> {
        Refused { answer: Option<Response> },
        Running {
            #[pin]
            answer: F,
            // Made at the first poll that finds the answer not ready.
            deadline: Option<Pin<Box<tokio::time::Sleep>>>,
            // Held until the answer starts (dropped with the future).
            slot: Option<OwnedSemaphorePermit>,
            timeout: Duration,
        },
    }
}

impl<F> Guarded<F> {
    fn refused(error: ApiError) -> Self {
        Guarded::Refused { answer: Some(error.into_response()) }
    }
}

impl<F: Future<Output = Result<Response, Infallible>>> Future for Guarded<F> {
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            GuardedProj::Refused { answer } => Poll::Ready(Ok(answer.take().expect("a refused request is answered once"))),
            GuardedProj::Running { answer, deadline, timeout, .. } => {
                if let Poll::Ready(answered) = answer.poll(cx) {
                    return Poll::Ready(answered);
                }
                let deadline = deadline.get_or_insert_with(|| Box::pin(tokio::time::sleep(*timeout)));
                std::task::ready!(deadline.as_mut().poll(cx));
                let message = format!("the answer did not start within {} s; retry shortly", timeout.as_secs());
                Poll::Ready(Ok(ApiError::Busy(message).into_response()))
            }
        }
    }
}
