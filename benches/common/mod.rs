//! Data the benches share: the embedded atlas (as a served snapshot), and the real 2025 communes when
//! ../shared/geodata holds them, and a driver that sends requests from two threads at once.
// Each bench uses part of this module.
#![allow(dead_code)]

use bando::atlas::{self, Inputs};
use bando::snapshot::Snapshot;
use bando::config::EMBEDDED_GEODATA;

pub fn embedded_atlas() -> Snapshot {
    Snapshot::new(atlas::build(&Inputs::embedded(EMBEDDED_GEODATA)).expect("embedded data").0)
}

/// The atlas with ../shared/geodata/communes-2025.fgb as edition 2025, or `None`
/// (with a printed reason) when the file is absent.
pub fn real_atlas() -> Option<Snapshot> {
    let real = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/geodata/communes-2025.fgb");
    if !real.exists() {
        eprintln!("SKIPPED real_communes_2025: {} is absent", real.display());
        return None;
    }
    let mut inputs = Inputs::embedded(EMBEDDED_GEODATA);
    inputs.boundaries.push(real);
    Some(Snapshot::new(atlas::build(&inputs).expect("real boundaries").0))
}

/// Sends one request per path (made by `request`) through `router`, each answered 200;
/// returns the bytes of the bodies.
pub async fn answer_each(router: &axum::Router, paths: &[String], request: fn(&str) -> axum::http::Request<axum::body::Body>) -> usize {
    use tower::ServiceExt;
    let mut bytes = 0;
    for path in paths {
        let response = router.clone().oneshot(request(path)).await.expect("infallible");
        assert_eq!(response.status(), 200, "{path}");
        bytes += axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body").len();
    }
    bytes
}

/// Sends `iters` passes over `paths` from each of two threads at once, each thread on
/// its own router of `routers` (as the server's worker threads), each request made by
/// `request` and answered 200; returns the wall time of the whole.
pub fn two_threads(
    routers: &[axum::Router; 2],
    paths: &[String],
    request: fn(&str) -> axum::http::Request<axum::body::Body>,
    recorder: &metrics_exporter_prometheus::PrometheusRecorder,
    iters: u64,
) -> std::time::Duration {
    let start = std::sync::Barrier::new(3);
    std::thread::scope(|s| {
        for (k, router) in routers.iter().enumerate() {
            let start = &start;
            s.spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                metrics::with_local_recorder(recorder, || {
                    start.wait();
                    // The threads walk the paths from different places.
                    let mut walk = paths.to_vec();
                    walk.rotate_left(k * paths.len() / 2);
                    runtime.block_on(async {
                        for _ in 0..iters {
                            answer_each(router, &walk, request).await;
                        }
                    })
                })
            });
        }
        start.wait();
        let t0 = std::time::Instant::now();
        // The scope joins both threads before it returns.
        t0
    })
    .elapsed()
}
