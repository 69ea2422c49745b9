#![no_main]
//! Query strings and paths (tiles, styles, legends, static maps, details, exports,
//! search, stats, the viewer's files) sent as `GET` to bando's router in-process
//! (`tower::ServiceExt::oneshot`, no socket) over the embedded atlas, built once.
//!
//! Any input that is a valid request target must be answered without a panic and with
//! a status below 500 — except 503 from `/vendor/` when MapLibre GL JS is not installed
//! in `web/`, which is that route's documented answer.
use axum::body::Body;
use axum::http::Request;
use std::sync::OnceLock;
use tower::ServiceExt;

struct App {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
}

static APP: OnceLock<App> = OnceLock::new();

fn app() -> &'static App {
    APP.get_or_init(|| {
        let inputs = bando::atlas::Inputs::embedded(bando::config::EMBEDDED_GEODATA);
        let atlas = bando::atlas::build(&inputs).expect("the embedded data loads").0;
        let state = bando::api::AppState::new(bando::snapshot::SharedSnapshot::new(bando::snapshot::Snapshot::new(atlas)), inputs);
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().expect("runtime");
        // The server's own limits (timeouts, concurrency, sizes), as `bando serve` sets them.
        App { runtime, router: bando::api::router(state, &bando::config::LimitArgs::default()) }
    })
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Ok(target) = std::str::from_utf8(data) else { return };
    let target = if target.starts_with('/') { target.to_string() } else { format!("/{target}") };
    let Ok(request) = Request::get(target.as_str()).body(Body::empty()) else { return };
    let app = app();
    let response = app.runtime.block_on(async {
        let response = app.router.clone().oneshot(request).await.expect("the router is infallible");
        let status = response.status();
        // Read the whole body: streamed answers (exports) fail while streaming.
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await;
        (status, body.map(|b| b.len()))
    });
    let (status, body) = response;
    assert!(body.is_ok(), "GET {target}: the body failed while streaming");
    let vendor_missing = status == 503 && target.starts_with("/vendor/");
    assert!(status.as_u16() < 500 || vendor_missing, "GET {target} answered {status}");
});
