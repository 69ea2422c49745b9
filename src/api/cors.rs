//! CORS: any origin may read every answer (web maps embed the tiles and call the API from
//! their own sites). The policy is fixed, every value `*`, so it is written out here
//! instead of going through a configurable CORS layer.
//!
//! Steps per request ([`any_origin`], a layer of [`super::router`]):
//!   1. an `OPTIONS` request is a preflight: it is answered at once, `200` with an empty
//!      body and `Access-Control-Allow-Origin`, `-Allow-Methods` and `-Allow-Headers`, all
//!      `*` (the routes below never see it);
//!   2. any other request goes to the routes; its answer gets
//!      `Access-Control-Allow-Origin: *` and `Access-Control-Expose-Headers: *`.
//!
//! No header depends on the request's `Origin` or preflight headers, so answers carry no
//! CORS `Vary`: a shared cache keeps one copy of a tile for every embedding site, not one
//! per origin (compressed answers still carry their own `Vary: Accept-Encoding`).
//!
//! Why by hand: the same headers through `tower_http::cors::CorsLayer::permissive()` cost
//! about 0.5 µs per answer (a header map built and merged per request, the `Vary` list
//! joined into a new string each time), a tenth of what bando spends on a point query in
//! user space (`cargo bench --bench point_route`); here it is two inserts of static values.

use axum::body::Body;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
};
use axum::http::{HeaderValue, Method, Request, Response};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

const ANY: HeaderValue = HeaderValue::from_static("*");

/// The layer of the module doc.
pub fn any_origin() -> AnyOriginLayer {
    AnyOriginLayer
}

/// See [`any_origin`].
#[derive(Clone, Copy)]
pub struct AnyOriginLayer;

impl<S> tower::Layer<S> for AnyOriginLayer {
    type Service = AnyOrigin<S>;
    fn layer(&self, inner: S) -> AnyOrigin<S> {
        AnyOrigin { inner }
    }
}

/// The service of [`any_origin`].
#[derive(Clone)]
pub struct AnyOrigin<S> {
    inner: S,
}

impl<S, B> tower::Service<Request<B>> for AnyOrigin<S>
where
    S: tower::Service<Request<B>, Response = Response<Body>>,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Answer<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        if request.method() == Method::OPTIONS {
            // Step 1.
            let mut preflight = Response::new(Body::empty());
            let headers = preflight.headers_mut();
            for name in [ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_HEADERS] {
                headers.insert(name, ANY);
            }
            return Answer::Preflight { answer: Some(preflight) };
        }
        Answer::Routed { answer: self.inner.call(request) }
    }
}

pin_project_lite::pin_project! {
    /// A preflight's answer, or the routes' answer on its way (step 2).
    #[project = AnswerProj]
    pub enum Answer<F> {
        Preflight { answer: Option<Response<Body>> },
        Routed { #[pin] answer: F },
    }
}

impl<F, E> Future for Answer<F>
where
    F: Future<Output = Result<Response<Body>, E>>,
{
    type Output = Result<Response<Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            AnswerProj::Preflight { answer } => Poll::Ready(Ok(answer.take().expect("a preflight is answered once"))),
            AnswerProj::Routed { answer } => {
                let mut response = std::task::ready!(answer.poll(cx))?;
                let headers = response.headers_mut();
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, ANY);
                headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, ANY);
                Poll::Ready(Ok(response))
            }
        }
    }
}
