//! Serving the router over HTTP on one single-threaded runtime per worker thread.
//!
//! Most answers (a point query, a cached tile) take a few microseconds of work. With a
//! work-stealing runtime each ready connection is handed to whichever worker is free,
//! waking parked workers through the kernel; for such small answers the hand-off costs
//! as much as the answer, and on a busy machine a worker the OS has preempted holds up
//! the connections queued on it (in one measurement on a 2-core machine under load, one
//! worker answered twice the point queries per second of two). Here instead:
//!   1. the listener accepts on the caller's runtime and deals the connections round
//!      robin to the workers, so N clients spread over N cores;
//!   2. each worker thread runs its own current-thread runtime serving the router on the
//!      connections it was dealt (`axum::serve` over a channel of sockets, no Nagle
//!      delay): a connection lives on one thread from accept to close;
//!   3. on shutdown the acceptor stops, every worker finishes the requests in flight
//!      (axum's graceful shutdown) and the threads are joined.
//!
//! Blocking work (tiles, batch answers, reloads) goes to each runtime's blocking pool as
//! before.

use axum::serve::{Listener, ListenerExt};
use axum::Router;
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};

/// One accepted connection on its way to a worker (a std socket: a tokio socket belongs
/// to the runtime that registered it, so the worker registers it with its own).
type Dealt = (std::net::TcpStream, SocketAddr);

/// Serves `app` on `listener` with `workers` worker threads until `shutdown` resolves.
pub async fn serve(listener: TcpListener, app: Router, workers: usize, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
    let local = listener.local_addr()?;
    let (stop, stopped) = watch::channel(false);
    let mut queues = Vec::with_capacity(workers);
    let mut threads = Vec::with_capacity(workers);
    for n in 0..workers.max(1) {
        let (queue, incoming) = mpsc::unbounded_channel();
        let (app, mut stopped) = (app.clone(), stopped.clone());
        // Built here so that a failure stops the start instead of silently losing a worker.
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let thread = std::thread::Builder::new().name(format!("bando-http-{n}")).spawn(move || {
            runtime.block_on(async move {
                // No Nagle delay: a response's headers and body leave at once (with it, a
                // client waiting for the body of a 50 KB PNG sat ~20 ms on delayed ACKs).
                let listener = DealtListener { incoming, local }.tap_io(|tcp| {
                    let _ = tcp.set_nodelay(true);
                });
                let app = app.into_make_service_with_connect_info::<SocketAddr>();
                axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stopped.wait_for(|&s| s).await;
                    })
                    .await
            })
        })?;
        queues.push(queue);
        threads.push(thread);
    }

    tokio::pin!(shutdown);
    let mut next = 0;
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((tcp, peer)) => {
                    // `into_std` keeps the socket non-blocking, as the worker's runtime needs.
                    if let Ok(tcp) = tcp.into_std() {
                        let _ = queues[next].send((tcp, peer));
                        next = (next + 1) % queues.len();
                    }
                }
                // Out of file descriptors and the like: wait a little, as axum does.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    }
    let _ = stop.send(true);
    drop(queues);
    let joined = tokio::task::spawn_blocking(move || threads.into_iter().map(|t| t.join()).collect::<Vec<_>>())
        .await
        .map_err(std::io::Error::other)?;
    for result in joined {
        result.map_err(|_| std::io::Error::other("an HTTP worker thread panicked"))??;
    }
    Ok(())
}

/// The connections dealt to one worker, as an axum listener.
struct DealtListener {
    incoming: mpsc::UnboundedReceiver<Dealt>,
    local: SocketAddr,
}

impl Listener for DealtListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match self.incoming.recv().await {
                Some((tcp, peer)) => match TcpStream::from_std(tcp) {
                    Ok(tcp) => return (tcp, peer),
                    Err(e) => tracing::warn!(error = %e, "cannot register a connection"),
                },
                // The acceptor has stopped: graceful shutdown is under way and ends the serve.
                None => std::future::pending::<()>().await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local)
    }
}
