//! A middleware that runs only for the requests whose path it concerns.
//!
//! axum's `from_fn` middleware clones the whole service below it and boxes a future on
//! every request it sees. The management sign-in and the admin token check concern a few
//! paths each, yet sat in front of every route: the point query, which clients call by the
//! thousand, paid their clones and allocations for nothing. [`only_for`] wraps such a
//! middleware so that:
//!   1. at build time, the service below is kept twice: as is, and wrapped in the middleware;
//!   2. per request, the path decides: a path the middleware concerns goes through it, any
//!      other straight to the service below (no clone, no box).
//!
//! The middleware still sees every request it concerns, exactly as before.

use axum::http::Request;
use futures_util::future::Either;
use std::task::{Context, Poll};
use tower::{Layer, Service};

/// `layer`, applied only where `concerns(path)` holds.
pub fn only_for<L>(concerns: fn(&str) -> bool, layer: L) -> OnlyFor<L> {
    OnlyFor { concerns, layer }
}

/// The layer of [`only_for`].
#[derive(Clone)]
pub struct OnlyFor<L> {
    concerns: fn(&str) -> bool,
    layer: L,
}

impl<S: Clone, L: Layer<S>> Layer<S> for OnlyFor<L> {
    type Service = Scoped<S, L::Service>;
    fn layer(&self, inner: S) -> Self::Service {
        Scoped { concerns: self.concerns, plain: inner.clone(), layered: self.layer.layer(inner) }
    }
}

/// The service below, with and without the middleware (step 1).
#[derive(Clone)]
pub struct Scoped<S, M> {
    concerns: fn(&str) -> bool,
    plain: S,
    layered: M,
}

impl<S, M, B> Service<Request<B>> for Scoped<S, M>
where
    S: Service<Request<B>>,
    M: Service<Request<B>, Response = S::Response, Error = S::Error>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Either<S::Future, M::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Which of the two a request takes is known only in `call`, so both must be ready.
        match self.plain.poll_ready(cx)? {
            Poll::Ready(()) => self.layered.poll_ready(cx),
            Poll::Pending => Poll::Pending,
        }
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if (self.concerns)(request.uri().path()) {
            Either::Right(self.layered.call(request))
        } else {
            Either::Left(self.plain.call(request))
        }
    }
}
