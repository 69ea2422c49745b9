//! Serving the API's router on TCP connections (HTTP/1.1), with the limits a public
//! server needs on the connection itself, and a graceful stop.
//!
//! Steps:
//!   1. accept connections until the stop signal; each is served by hyper's HTTP/1
//!      connection with a header read timeout (a client that sends its request head
//!      too slowly, or keeps an idle connection open, is disconnected: slowloris) and a
//!      bound on the size of the request head (431 beyond it). `axum::serve` exposes
//!      neither, hence this module;
//!   2. every request gets the peer address as axum's `ConnectInfo<SocketAddr>`;
//!   3. on the stop signal the listener is closed (new connections are refused), idle
//!      connections are closed, and requests in flight are finished, answers included;
//!   4. after `grace`, the connections still open are left behind and [`serve`]
//!      returns anyway.

use axum::extract::connect_info::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;

/// Limits of a connection and the shutdown grace.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub header_read_timeout: Duration,
    pub max_header_bytes: usize,
    pub shutdown_grace: Duration,
}

impl ConnectionLimits {
    pub fn from_config(limits: &crate::config::LimitArgs) -> ConnectionLimits {
        ConnectionLimits {
            header_read_timeout: limits.header_read_timeout(),
            max_header_bytes: usize::try_from(limits.max_header_bytes).unwrap_or(usize::MAX),
            shutdown_grace: limits.shutdown_grace(),
        }
    }
}

/// How serving ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// Every connection finished within the grace.
    Drained,
    /// The grace ran out with connections still open.
    GraceExpired,
}

/// Steps 1–4 of the module doc; returns once `stop` has resolved and the connections
/// have drained (or the grace has run out).
pub async fn serve(listener: TcpListener, router: Router, limits: &ConnectionLimits, stop: impl Future<Output = ()>) -> Stopped {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    // No Nagle delay: a tile's headers and body leave at once (without
                    // this a client waiting for a 50 KB PNG sat ~20 ms on delayed ACKs).
                    let _ = tcp.set_nodelay(true);
                    let router = router.clone();
                    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                        request.extensions_mut().insert(ConnectInfo(peer));
                        tower::ServiceExt::oneshot(router.clone(), request)
                    });
                    let connection = graceful.watch(http.serve_connection(TokioIo::new(tcp), service));
                    tokio::spawn(async move {
                        // Errors here are the client's (reset, header timeout, bad
                        // request): worth a debug line, not a warning.
                        if let Err(e) = connection.await {
                            tracing::debug!(%peer, "connection ended: {e}");
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            () = &mut stop => break,
        }
    }
    drop(listener);
    let open = graceful.count();
    tracing::info!(open, grace_secs = limits.shutdown_grace.as_secs_f64(), "stopping: no new connections; finishing requests in flight");
    tokio::select! {
        () = graceful.shutdown() => Stopped::Drained,
        () = tokio::time::sleep(limits.shutdown_grace) => Stopped::GraceExpired,
    }
}
