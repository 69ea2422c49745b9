//! What a warm vector tile costs over HTTP, in process (no socket): `GET
//! /tiles/ntm/{z}/{x}/{y}.mvt` with `Accept-Encoding: gzip` for tiles already in the
//! tile cache, through the router as served (request limits, security headers, metrics
//! into a Prometheus recorder, CORS) and through the bare routes, in the same run; then
//! from two threads at once, one router each as the server's worker threads
//! ([`api::worker_routers`]), sharing the one tile cache.
//!
//!   cargo bench --bench tile_route
//!
//! Data: the embedded atlas's default view (edition 2025) and up to 500 non-empty tiles
//! at z8–z12 over Vietnam, each requested once before timing so that every timed request
//! is a cache hit (checked: `Server-Timing: cache;desc=hit`); the same tiles are also
//! asked as TileJSON gives their URLs, naming the version (`?v=`). The sockets, hyper and the
//! kernel come on top (`benches/compare/warm_tiles_vs_nginx.sh` measures those against
//! nginx serving the same bytes).

mod common;

use axum::body::Body;
use axum::http::header::ACCEPT_ENCODING;
use axum::http::Request;
use bando::api::{self, AppState};
use bando::snapshot::SharedSnapshot;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tower::ServiceExt;

fn get_gzip(path: &str) -> Request<Body> {
    Request::get(path).header(ACCEPT_ENCODING, "gzip").body(Body::empty()).expect("request")
}

/// Up to `n` tile paths at z8–z12 over Vietnam (lon 102–110, lat 8.5–23.5) that the
/// router answers 200, each requested once so that the cache holds it.
async fn warmed_targets(router: &axum::Router, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    for z in 8u32..=12 {
        let scale = f64::from(1u32 << z);
        let col = |lon: f64| ((lon + 180.0) / 360.0 * scale) as u32;
        let row = |lat: f64| {
            let r = lat.to_radians();
            ((1.0 - (r.tan() + 1.0 / r.cos()).ln() / std::f64::consts::PI) / 2.0 * scale) as u32
        };
        let (x0, x1, y0, y1) = (col(102.0), col(110.0), row(23.5), row(8.5));
        // A fixed stride through the grid, so every zoom contributes spread-out tiles.
        let cells = u64::from(x1 - x0 + 1) * u64::from(y1 - y0 + 1);
        let mut k = 0u64;
        let mut taken = 0;
        while k < cells && taken < n / 5 {
            let (x, y) = (x0 + (k % u64::from(x1 - x0 + 1)) as u32, y0 + (k / u64::from(x1 - x0 + 1)) as u32);
            k += 7;
            let path = format!("/tiles/ntm/{z}/{x}/{y}.mvt");
            let response = router.clone().oneshot(get_gzip(&path)).await.expect("infallible");
            if response.status() == 200 {
                out.push(path);
                taken += 1;
            }
        }
    }
    out
}

/// The `v=` parameter of the tile URLs the router's TileJSON gives.
async fn tiles_version_param(router: &axum::Router) -> String {
    let response = router.clone().oneshot(get_gzip("/tiles/ntm.json")).await.expect("infallible");
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("TileJSON body");
    let tilejson: serde_json::Value = serde_json::from_slice(&body).expect("TileJSON");
    let template = tilejson["tiles"][0].as_str().expect("a tile URL template");
    template.split_once('?').map(|(_, query)| query.to_string()).expect("the template names the version")
}

fn tile_route(c: &mut Criterion) {
    let shared = SharedSnapshot::new(common::embedded_atlas());
    let state = AppState::new(shared, bando::atlas::Inputs::embedded(bando::config::EMBEDDED_GEODATA));
    let limits = bando::config::LimitArgs::default();
    let served = api::router(state.clone(), &limits);
    let per_worker = api::worker_routers(&state, &limits, 2);
    let bare: axum::Router = api::routes().finish().0.with_state(state);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let recorder = api::metrics::builder().expect("buckets").build_recorder();
    let paths = runtime.block_on(warmed_targets(&served, 500));
    assert!(paths.len() >= 100, "only {} tiles", paths.len());
    let first = runtime.block_on(served.clone().oneshot(get_gzip(&paths[0]))).expect("infallible");
    assert_eq!(first.headers()["server-timing"], "cache;desc=hit", "the tiles are not in the cache");
    let version = runtime.block_on(tiles_version_param(&served));
    let versioned: Vec<String> = paths.iter().map(|p| format!("{p}?{version}")).collect();
    let answer = runtime.block_on(served.clone().oneshot(get_gzip(&versioned[0]))).expect("infallible");
    assert!(answer.headers()["cache-control"].to_str().unwrap_or("").contains("immutable"), "{version} is not the version in force");

    let mut group = c.benchmark_group("tile_route/warm");
    group.throughput(Throughput::Elements(paths.len() as u64));
    group.sample_size(20);
    metrics::with_local_recorder(&recorder, || {
        for (name, router, paths) in [("every layer", &served, &paths), ("every layer, v= as TileJSON gives", &served, &versioned), ("bare routes", &bare, &paths)] {
            group.bench_function(name, |b| {
                b.iter(|| runtime.block_on(common::answer_each(router, paths, get_gzip)))
            });
        }
    });
    group.finish();

    let mut group = c.benchmark_group("tile_route/two_threads");
    group.throughput(Throughput::Elements(2 * paths.len() as u64));
    group.sample_size(20);
    let one_each = [per_worker[0].clone(), per_worker[1].clone()];
    group.bench_function("one router per thread", |b| b.iter_custom(|iters| common::two_threads(&one_each, &paths, get_gzip, &recorder, iters)));
    group.finish();
}

criterion_group!(benches, tile_route);
criterion_main!(benches);
