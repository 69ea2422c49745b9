//! What the metrics cost: recording one HTTP answer (counter and latency histogram, as the
//! router layer does for every request) and rendering `/metrics` with the series of a
//! busy server, against the real Prometheus recorder (local to the bench, not installed).
//!
//! Run: `cargo bench --bench metrics`.

use bando::api::metrics::{builder, flush_pending, record_request, tile_rendered};
use bando::api::tiles::TileFormat;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use std::time::Duration;

const ROUTES: [&str; 6] =
    ["/tiles/{map}/{z}/{x}/{file}", "/api/v1/communes/at", "/api/v1/search", "/styles/{file}", "/", "/metrics"];

fn metrics(c: &mut Criterion) {
    let recorder = builder().expect("buckets").build_recorder();
    let handle = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        c.bench_function("metrics/record one request (counter + latency histogram)", |b| {
            b.iter(|| record_request("GET", black_box(ROUTES[0]), 200, Duration::from_micros(420)))
        });
        // A busy server: every route with a few statuses, tiles of every zoom and format.
        for (i, route) in ROUTES.iter().enumerate() {
            for status in [200, 204, 304, 400, 404] {
                for n in 0..50 {
                    record_request("GET", route, status, Duration::from_micros(100 * (i as u64 + n)));
                }
            }
        }
        for z in 0..=14 {
            for format in [TileFormat::Mvt, TileFormat::Png, TileFormat::Png2x] {
                tile_rendered(format, z, Duration::from_millis(u64::from(z)));
            }
        }
        flush_pending();
        c.bench_function("metrics/render /metrics (30 request series, 45 render series)", |b| {
            b.iter(|| black_box(handle.render()).len())
        });
    });
}

criterion_group!(benches, metrics);
criterion_main!(benches);
