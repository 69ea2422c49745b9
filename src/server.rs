//! Serving the API's routers on TCP connections (HTTP/1.1): one single-threaded runtime per
//! worker thread, the limits a public server needs on each connection, and a graceful stop.
//!
//! Most answers (a point query, a cached tile) take a few microseconds of work. With a
//! work-stealing runtime each ready connection is handed to whichever worker is free,
//! waking parked workers through the kernel; for such small answers the hand-off costs as
//! much as the answer, and on a busy machine a worker the OS has preempted holds up the
//! connections queued on it. Hence:
//!   1. the caller's runtime accepts connections and deals them round robin to the
//!      workers, so N clients spread over N cores; a connection lives on one worker thread
//!      from accept to close;
//!   2. each worker serves its connections with its own router (`api::worker_routers`: a
//!      request clones the router and the state it holds, and a reference count that two
//!      cores change for every request passes between them each time) and hyper's HTTP/1
//!      connection: a header read timeout (a client that sends its request head too
//!      slowly, or keeps an idle connection open, is disconnected: slowloris), a bound on
//!      the size of the request head (431 beyond it), no Nagle delay, and the peer address
//!      as axum's `ConnectInfo<SocketAddr>`. `axum::serve` exposes neither limit, hence
//!      this module;
//!   3. on the stop signal the listener is closed (new connections are refused), idle
//!      connections are closed, and requests in flight are finished, answers included;
//!   4. after `grace`, the connections still open are left behind and [`serve`] returns
//!      anyway.
//!
//! Blocking work (tiles, batch answers, reloads) goes to each worker runtime's blocking
//! pool; a render still running when the grace ends is not waited for.

use axum::extract::connect_info::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

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

/// One accepted connection on its way to a worker (a std socket: a tokio socket belongs
/// to the runtime that registered it, so the worker registers it with its own).
type Dealt = (std::net::TcpStream, SocketAddr);

/// Steps 1–4 of the module doc with one worker thread per router (at least one);
/// returns once `stop` has resolved and the connections have drained (or the grace has
/// run out).
pub async fn serve(
    listener: TcpListener,
    routers: Vec<Router>,
    limits: &ConnectionLimits,
    stop: impl Future<Output = ()>,
) -> std::io::Result<Stopped> {
    if routers.is_empty() {
        return Err(std::io::Error::other("no router to serve"));
    }
    let (stopping, stopped) = watch::channel(false);
    let mut queues = Vec::with_capacity(routers.len());
    let mut threads = Vec::with_capacity(routers.len());
    for (n, router) in routers.into_iter().enumerate() {
        let (queue, incoming) = mpsc::unbounded_channel();
        let (limits, stopped) = (limits.clone(), stopped.clone());
        // Built here so that a failure stops the start instead of silently losing a worker.
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let thread = std::thread::Builder::new().name(format!("bando-http-{n}")).spawn(move || {
            let ended = runtime.block_on(worker(incoming, router, &limits, stopped));
            // Renders still running on the blocking pool are not waited for.
            runtime.shutdown_timeout(Duration::from_millis(100));
            ended
        })?;
        queues.push(queue);
        threads.push(thread);
    }

    tokio::pin!(stop);
    let mut next = 0;
    loop {
        tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    // `into_std` keeps the socket non-blocking, as the worker's runtime needs.
                    if let Ok(tcp) = tcp.into_std() {
                        let _ = queues[next].send((tcp, peer));
                        next = (next + 1) % queues.len();
                    }
                }
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!("accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
        }
    }
    drop(listener);
    tracing::info!(grace_secs = limits.shutdown_grace.as_secs_f64(), "stopping: no new connections; finishing requests in flight");
    let _ = stopping.send(true);
    drop(queues);
    let joined = tokio::task::spawn_blocking(move || threads.into_iter().map(|t| t.join()).collect::<Vec<_>>())
        .await
        .map_err(std::io::Error::other)?;
    let mut outcome = Stopped::Drained;
    for ended in joined {
        match ended.map_err(|_| std::io::Error::other("an HTTP worker thread panicked"))? {
            Stopped::Drained => {}
            Stopped::GraceExpired => outcome = Stopped::GraceExpired,
        }
    }
    Ok(outcome)
}

/// One worker: serves the connections dealt to it until the stop, then drains them.
async fn worker(mut incoming: mpsc::UnboundedReceiver<Dealt>, router: Router, limits: &ConnectionLimits, mut stopped: watch::Receiver<bool>) -> Stopped {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(limits.max_header_bytes)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    loop {
        tokio::select! {
            dealt = incoming.recv() => {
                let Some((tcp, peer)) = dealt else { break };
                let tcp = match TcpStream::from_std(tcp) {
                    Ok(tcp) => tcp,
                    Err(e) => {
                        tracing::warn!("cannot register a connection: {e}");
                        continue;
                    }
                };
                // No Nagle delay: a tile's headers and body leave at once (without this a
                // client waiting for a 50 KB PNG sat ~20 ms on delayed ACKs).
                let _ = tcp.set_nodelay(true);
                let router = router.clone();
                let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    tower::ServiceExt::oneshot(router.clone(), request)
                });
                let connection = graceful.watch(http.serve_connection(TokioIo::new(tcp), service));
                tokio::spawn(async move {
                    // Errors here are the client's (reset, header timeout, bad request):
                    // worth a debug line, not a warning.
                    if let Err(e) = connection.await {
                        tracing::debug!(%peer, "connection ended: {e}");
                    }
                });
            }
            _ = stopped.wait_for(|&s| s) => break,
        }
    }
    tokio::select! {
        () = graceful.shutdown() => Stopped::Drained,
        () = tokio::time::sleep(limits.shutdown_grace) => Stopped::GraceExpired,
    }
}
