//! What the HTTP layers cost a point answer, in process (no socket): the same
//! `GET /api/v1/communes/at` requests through the router as served (request limits,
//! security headers, metrics into a Prometheus recorder, CORS, the scoped sign-in and admin
//! checks) and through the bare routes without those layers, in the same run.
//!
//! A second group sends the same answers from two threads at once, as the server's two
//! worker threads do on two cores: through one router shared by both, and through one
//! router each ([`api::worker_routers`], as served). What a thread pays beyond the
//! one-thread figure is the cache lines both cores write for every request (reference
//! counts, locks, shared counters).
//!
//!   cargo bench --bench point_route
//!
//! Data: the embedded atlas (edition 2024, generated) and up to 500 points inside its communes. The
//! difference of the two figures is what the layers add per request; the sockets, hyper
//! and the kernel come on top (`benches/compare/point_vs_postgis.sh` measures those).

mod common;

use axum::body::Body;
use axum::http::Request;
use bando::api::{self, AppState};
use bando::model::Edition;
use bando::snapshot::SharedSnapshot;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Request targets: the centres of the communes' bounding boxes that fall on land.
fn targets(snapshot: &bando::snapshot::Snapshot, n: usize) -> Vec<String> {
    let index = &snapshot.edition(Edition::E2024).index;
    (0..index.len())
        .filter_map(|i| {
            let [x0, y0, x1, y1] = index.area(i).bbox();
            let p = bando::model::LonLat::new((x0 + x1) / 2.0, (y0 + y1) / 2.0);
            index.locate(p).map(|_| format!("/api/v1/communes/at?lon={:.6}&lat={:.6}&edition=2024", p.lon, p.lat))
        })
        .take(n)
        .collect()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).expect("request")
}

fn point_route(c: &mut Criterion) {
    let snapshot = common::embedded_atlas();
    let paths = targets(&snapshot, 500);
    assert!(paths.len() >= 100, "only {} targets", paths.len());
    let shared = SharedSnapshot::new(snapshot);
    let state = AppState::new(shared, bando::atlas::Inputs::embedded(bando::config::EMBEDDED_GEODATA));
    let served = api::router(state.clone(), &bando::config::LimitArgs::default());
    let per_worker = api::worker_routers(&state, &bando::config::LimitArgs::default(), 2);
    let bare: axum::Router = api::routes().finish().0.with_state(state);
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let recorder = api::metrics::builder().expect("buckets").build_recorder();

    let mut group = c.benchmark_group("point_route/embedded_2024");
    group.throughput(Throughput::Elements(paths.len() as u64));
    group.sample_size(20);
    metrics::with_local_recorder(&recorder, || {
        for (name, router) in [("every layer", &served), ("bare routes", &bare)] {
            group.bench_function(name, |b| {
                b.iter(|| runtime.block_on(common::answer_each(router, &paths, get)))
            });
        }
    });
    group.finish();

    let mut group = c.benchmark_group("point_route/two_threads");
    group.throughput(Throughput::Elements(2 * paths.len() as u64));
    group.sample_size(20);
    let shared_by_both = [served.clone(), served.clone()];
    let one_each = [per_worker[0].clone(), per_worker[1].clone()];
    for (name, routers) in [("one router shared", &shared_by_both), ("one router per thread", &one_each)] {
        group.bench_function(name, |b| b.iter_custom(|iters| common::two_threads(routers, &paths, get, &recorder, iters)));
    }
    group.finish();
}

criterion_group!(benches, point_route);
criterion_main!(benches);
