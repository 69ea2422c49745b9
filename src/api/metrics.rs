//! Prometheus metrics: what bando counts, and `GET /metrics`.
//!
//! Steps:
//!   1. at start the binary calls [`install`]: it builds the recorder of
//!      `metrics-exporter-prometheus` without the exporter's own HTTP listener (bando serves
//!      the text on its own port), gives the histograms their buckets, installs it as the
//!      process's recorder, and starts a thread that, every few seconds, flushes the
//!      threads' pending answers and drains histogram samples (the exporter's listener
//!      would do the latter; without it, unscraped samples pile up);
//!   2. the code records where things happen, through the `metrics` macros in the small
//!      functions below: requests by route template and status ([`track_requests`], a
//!      layer of the routes; counted per thread, see [`Shard`]), tile cache hits (per
//!      thread too), misses, evictions and size ([`super::tile_cache`]),
//!      tile render time by format and zoom ([`super::tiles`], [`super::raster`]), reloads
//!      ([`super::admin`]). Without an installed recorder (library tests) they do nothing;
//!   3. `GET /metrics` hands the answers each thread has counted to the recorder
//!      ([`flush_pending`]), renders the recorder's snapshot and appends the data gauges, read
//!      from the published atlas at scrape time, so a replaced data version never lingers
//!      as a series of its own.
//!
//! Labels are bounded: the route is axum's route template (`/tiles/{map}/{z}/{x}/{file}`),
//! never the requested path; requests that match no route share `route="unmatched"`.

use super::AppState;
use crate::snapshot::SharedSnapshot;
use axum::extract::{MatchedPath, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram, Unit};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

pub const HTTP_REQUESTS: &str = "bando_http_requests_total";
pub const HTTP_DURATION: &str = "bando_http_request_duration_seconds";
pub const TILE_CACHE_HITS: &str = "bando_tile_cache_hits_total";
pub const TILE_CACHE_MISSES: &str = "bando_tile_cache_misses_total";
pub const TILE_CACHE_EVICTIONS: &str = "bando_tile_cache_evictions_total";
pub const TILE_CACHE_BYTES: &str = "bando_tile_cache_bytes";
pub const TILE_CACHE_ENTRIES: &str = "bando_tile_cache_entries";
pub const TILE_RENDER: &str = "bando_tile_render_seconds";
pub const DATA_RELOADS: &str = "bando_data_reloads_total";
pub const DATA_INFO: &str = "bando_data_info";
pub const DATA_PUBLISHED: &str = "bando_data_published_timestamp_seconds";

/// Request latency buckets, seconds: a cached tile answers in well under a millisecond,
/// a cold low-zoom PNG or a large export takes seconds.
const REQUEST_BUCKETS: [f64; 14] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Render buckets, seconds: from 100 µs (vector tiles of zoom 12 and deeper render in tens
/// of microseconds) to 10 s.
const RENDER_BUCKETS: [f64; 16] =
    [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// How often histogram samples are folded into their buckets between scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// The route label of a request that matched no route (the 404 fallback).
const UNMATCHED: &str = "unmatched";

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("cannot set up the Prometheus metrics: {0}")]
    Build(#[from] metrics_exporter_prometheus::BuildError),
    #[error("cannot start the metrics upkeep thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// Step 1: installs the process-wide Prometheus recorder and returns the handle that
/// renders it (give it to [`AppState::with_metrics`]). Call once, before serving.
pub fn install() -> Result<PrometheusHandle, MetricsError> {
    let handle = builder()?.install_recorder()?;
    describe();
    let upkeep = handle.clone();
    std::thread::Builder::new().name("metrics-upkeep".into()).spawn(move || loop {
        std::thread::sleep(UPKEEP_EVERY);
        flush_pending();
        upkeep.run_upkeep();
    })?;
    Ok(handle)
}

/// The recorder's settings: the histograms' buckets (benches build a local recorder from it).
pub fn builder() -> Result<PrometheusBuilder, MetricsError> {
    Ok(PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), &REQUEST_BUCKETS)?
        .set_buckets_for_metric(Matcher::Full(TILE_RENDER.into()), &RENDER_BUCKETS)?)
}

/// The `# HELP` lines of every recorded metric.
fn describe() {
    describe_counter!(HTTP_REQUESTS, "HTTP answers by method, route template and status");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "Time from request to response headers, by method and route template");
    describe_counter!(TILE_CACHE_HITS, "Tiles answered from the tile cache, by format");
    describe_counter!(TILE_CACHE_MISSES, "Tiles rendered because the cache did not hold them, by format");
    describe_counter!(TILE_CACHE_EVICTIONS, "Tiles evicted from the cache to stay within its byte bound");
    describe_gauge!(TILE_CACHE_BYTES, Unit::Bytes, "Bytes held by the tile cache (bodies plus bookkeeping)");
    describe_gauge!(TILE_CACHE_ENTRIES, "Tiles held by the tile cache");
    describe_histogram!(TILE_RENDER, Unit::Seconds, "Tile render time (PNG: drawing and encoding), by format and zoom");
    describe_counter!(DATA_RELOADS, "Data reloads (HTTP or SIGHUP) by result: success or failure");
}

/// Step 2, HTTP: counts every answer by route template and status, and times it to the
/// response headers (a streamed body may go on after that). A layer of its own rather than
/// an axum `from_fn`, which would clone the routes below it and box a future per request.
pub fn track_requests() -> TrackRequestsLayer {
    TrackRequestsLayer
}

/// The layer of [`track_requests`].
#[derive(Clone, Copy)]
pub struct TrackRequestsLayer;

impl<S> tower::Layer<S> for TrackRequestsLayer {
    type Service = TrackRequests<S>;
    fn layer(&self, inner: S) -> TrackRequests<S> {
        TrackRequests { inner }
    }
}

/// The service of [`track_requests`].
#[derive(Clone)]
pub struct TrackRequests<S> {
    inner: S,
}

impl<S, B> tower::Service<axum::http::Request<B>> for TrackRequests<S>
where
    S: tower::Service<axum::http::Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Tracked<S::Future>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let started = Instant::now();
        // The matched path is shared (an `Arc<str>`): keep it instead of copying the string.
        let route = request.extensions().get::<MatchedPath>().cloned();
        let method = method_label(request.method());
        Tracked { inner: self.inner.call(request), started, method, route }
    }
}

pin_project_lite::pin_project! {
    /// An answer on its way, recorded when its head is ready.
    pub struct Tracked<F> {
        #[pin]
        inner: F,
        started: Instant,
        method: &'static str,
        route: Option<MatchedPath>,
    }
}

impl<F, E> std::future::Future for Tracked<F>
where
    F: std::future::Future<Output = Result<Response, E>>,
{
    type Output = Result<Response, E>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Self::Output> {
        let this = self.project();
        let answer = std::task::ready!(this.inner.poll(cx));
        if let Ok(response) = &answer {
            let route = this.route.as_ref().map_or(UNMATCHED, MatchedPath::as_str);
            record_request(this.method, route, response.status().as_u16(), this.started.elapsed());
        }
        std::task::Poll::Ready(answer)
    }
}

/// The answers of one (method, route, status) that one thread has counted and not yet
/// handed to the recorder.
///
/// The recorder's counter and histogram are shared by every thread: a request that
/// updated them at once changed cache lines that the other cores had just changed too,
/// which cost the point query more than the rest of the metrics together (`cargo bench
/// --bench point_route`, two threads at once). So each thread keeps its own list of
/// latencies, under a lock that only it takes between flushes, and hands the list over
/// ([`Shard::flush`]) when it holds [`FLUSH_AT`] answers, when `/metrics` is scraped, and
/// at every upkeep: a scrape always sees every answer given so far.
struct Shard {
    counter: metrics::Counter,
    histogram: metrics::Histogram,
    latencies: std::sync::Mutex<Vec<f64>>,
}

/// Answers a thread keeps before it hands them to the recorder itself.
const FLUSH_AT: usize = 256;

/// What one thread has counted and not yet handed to the recorder.
trait Pending: Send + Sync {
    /// Hands it over (from any thread).
    fn flush(&self);
}

impl Pending for Shard {
    fn flush(&self) {
        self.hand_over(&mut self.latencies.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

impl Shard {
    fn record(&self, took: Duration) {
        let mut latencies = self.latencies.lock().unwrap_or_else(|e| e.into_inner());
        latencies.push(took.as_secs_f64());
        if latencies.len() >= FLUSH_AT {
            self.hand_over(&mut latencies);
        }
    }

    fn hand_over(&self, latencies: &mut Vec<f64>) {
        if latencies.is_empty() {
            return;
        }
        self.counter.increment(latencies.len() as u64);
        for seconds in latencies.drain(..) {
            self.histogram.record(seconds);
        }
    }
}

/// Every thread's shards, for the scrape and the upkeep to flush.
static SHARDS: std::sync::Mutex<Vec<std::sync::Arc<dyn Pending>>> = std::sync::Mutex::new(Vec::new());

/// Hands every thread's pending answers and tile hits to the recorder (before a scrape
/// renders it).
pub fn flush_pending() {
    let shards = SHARDS.lock().unwrap_or_else(|e| e.into_inner()).clone();
    for shard in shards {
        shard.flush();
    }
}

/// This thread's shards by route, then (method, status): found without building the
/// labelled key or looking it up in the registry, which costs several allocations and a
/// hash of every label.
type RouteShards = std::collections::HashMap<Box<str>, Vec<(&'static str, u16, std::sync::Arc<Shard>)>>;

thread_local! {
    static SHARDS_HERE: std::cell::RefCell<RouteShards> = std::cell::RefCell::default();
}

/// Counts one answer and records its latency (what [`track_requests`] does per request).
pub fn record_request(method: &'static str, route: &str, status: u16, took: Duration) {
    SHARDS_HERE.with(|shards| {
        let mut shards = shards.borrow_mut();
        if !shards.contains_key(route) {
            shards.insert(route.into(), Vec::new());
        }
        let list = shards.get_mut(route).expect("inserted above");
        let at = match list.iter().position(|(m, s, _)| *m == method && *s == status) {
            Some(at) => at,
            None => {
                let shard = std::sync::Arc::new(Shard {
                    counter: counter!(HTTP_REQUESTS, "method" => method, "route" => route.to_string(), "status" => status.to_string()),
                    histogram: histogram!(HTTP_DURATION, "method" => method, "route" => route.to_string()),
                    latencies: std::sync::Mutex::new(Vec::new()),
                });
                SHARDS.lock().unwrap_or_else(|e| e.into_inner()).push(shard.clone());
                list.push((method, status, shard));
                list.len() - 1
            }
        };
        list[at].2.record(took);
    });
}

/// A bounded method label: the standard methods, anything else as `other`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::PATCH => "PATCH",
        _ => "other",
    }
}

/// The format label of a tile: `mvt`, `png` or `png@2x`.
fn format_label(format: super::tile_request::TileFormat) -> &'static str {
    use super::tile_request::TileFormat;
    match format {
        TileFormat::Mvt => "mvt",
        TileFormat::Png => "png",
        TileFormat::Png2x => "png@2x",
    }
}

/// The tile cache hits one thread has counted, by format ([`FORMATS`]' order), each
/// with the recorder's counter it goes to: as for the answers ([`Shard`]), a warm tile
/// neither looks its labelled counter up in the registry nor changes a cache line that
/// the other cores change. Handed over every [`FLUSH_AT`] hits, at each scrape and at
/// every upkeep.
struct HitShard {
    by_format: [(metrics::Counter, AtomicU64); 3],
}

const FORMATS: [super::tile_request::TileFormat; 3] =
    [super::tile_request::TileFormat::Mvt, super::tile_request::TileFormat::Png, super::tile_request::TileFormat::Png2x];

impl Pending for HitShard {
    fn flush(&self) {
        for (counter, pending) in &self.by_format {
            let n = pending.swap(0, Ordering::Relaxed);
            if n > 0 {
                counter.increment(n);
            }
        }
    }
}

thread_local! {
    static HITS_HERE: std::cell::OnceCell<std::sync::Arc<HitShard>> = const { std::cell::OnceCell::new() };
}

/// A tile answered from the cache.
pub fn tile_cache_hit(format: super::tile_request::TileFormat) {
    HITS_HERE.with(|here| {
        let shard = here.get_or_init(|| {
            let shard = std::sync::Arc::new(HitShard {
                by_format: FORMATS.map(|f| (counter!(TILE_CACHE_HITS, "format" => format_label(f)), AtomicU64::new(0))),
            });
            SHARDS.lock().unwrap_or_else(|e| e.into_inner()).push(shard.clone());
            shard
        });
        let at = FORMATS.iter().position(|f| *f == format).unwrap_or(0);
        let (counter, pending) = &shard.by_format[at];
        // Only this thread adds; a flush from another thread takes what is there.
        if pending.fetch_add(1, Ordering::Relaxed) + 1 >= FLUSH_AT as u64 {
            counter.increment(pending.swap(0, Ordering::Relaxed));
        }
    });
}

/// A tile the cache did not hold, rendered by this request in `took`.
pub fn tile_rendered(format: super::tile_request::TileFormat, zoom: u8, took: Duration) {
    let format = format_label(format);
    counter!(TILE_CACHE_MISSES, "format" => format).increment(1);
    histogram!(TILE_RENDER, "format" => format, "zoom" => zoom.to_string()).record(took.as_secs_f64());
}

/// The cache after an insert: its size, and how many entries the insert evicted.
pub fn tile_cache_size(bytes: usize, entries: usize, evicted: usize) {
    gauge!(TILE_CACHE_BYTES).set(bytes as f64);
    gauge!(TILE_CACHE_ENTRIES).set(entries as f64);
    if evicted > 0 {
        counter!(TILE_CACHE_EVICTIONS).increment(evicted as u64);
    }
}

/// A reload (HTTP or SIGHUP) ended: published, or refused and the old data kept.
pub fn reload_finished(published: bool) {
    counter!(DATA_RELOADS, "result" => if published { "success" } else { "failure" }).increment(1);
}

/// The OpenAPI `paths` of `GET /metrics`.
pub fn openapi_paths() -> serde_json::Value {
    serde_json::json!({"/metrics": {"get": {
        "summary": "Metrics in the Prometheus text format: requests by route and status, latency, tile cache, tile render time, data version and reloads",
        "tags": ["operations"],
        "responses": {"200": {"description": "Prometheus text exposition format 0.0.4",
            "content": {"text/plain": {"schema": {"type": "string"}}}}},
    }}})
}

/// `GET /metrics`, to be merged into the main router.
pub fn routes() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

/// Step 3: the recorder's snapshot followed by the data gauges.
async fn metrics(State(state): State<AppState>) -> Response {
    flush_pending();
    let mut text = state.metrics.as_ref().map(PrometheusHandle::render).unwrap_or_default();
    text.push_str(&data_gauges(&state.atlas));
    let headers = [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"), (CACHE_CONTROL, "no-store")];
    (headers, text).into_response()
}

/// The data version in force (`bando_data_info{version, sample} 1`) and when it was
/// published (Unix seconds).
fn data_gauges(atlas: &SharedSnapshot) -> String {
    let (atlas, at) = atlas.published();
    let published = at.duration_since(SystemTime::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
    let mut out = String::new();
    let _ = writeln!(out, "# HELP {DATA_INFO} The data version in force (the value is always 1)");
    let _ = writeln!(out, "# TYPE {DATA_INFO} gauge");
    let _ = writeln!(out, "{DATA_INFO}{{version=\"{}\",sample=\"{}\"}} 1", label_value(&atlas.version), atlas.has_sample_data());
    let _ = writeln!(out, "# HELP {DATA_PUBLISHED} When the data in force was published, Unix time");
    let _ = writeln!(out, "# TYPE {DATA_PUBLISHED} gauge");
    let _ = writeln!(out, "{DATA_PUBLISHED} {published:.3}");
    out
}

/// A label value escaped as the text format asks (backslash, double quote, newline).
fn label_value(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value of the series of `name` whose labels include `route="/test/shards"`.
    fn value(text: &str, name: &str) -> Option<f64> {
        text.lines()
            .find(|l| l.starts_with(&format!("{name}{{")) && l.contains("route=\"/test/shards\""))
            .and_then(|l| l.rsplit(' ').next()?.parse().ok())
    }

    /// The tests that count on threads of their own: a flush from one would hand over the
    /// other's pending counts before it looks.
    static FLUSHING: std::sync::Mutex<()> = std::sync::Mutex::new(());

    #[test]
    fn answers_counted_on_several_threads_all_reach_the_scrape() {
        let _alone = FLUSHING.lock().unwrap_or_else(|e| e.into_inner());
        let recorder = builder().expect("buckets").build_recorder();
        let handle = recorder.handle();
        let per_thread = FLUSH_AT + 10;
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    metrics::with_local_recorder(&recorder, || {
                        for i in 0..per_thread {
                            record_request("GET", "/test/shards", 200, Duration::from_micros(i as u64));
                        }
                    })
                });
            }
        });
        // Each thread handed over a full list itself; the rest waits for the scrape.
        let before = handle.render();
        assert_eq!(value(&before, HTTP_REQUESTS), Some((3 * FLUSH_AT) as f64), "{before}");
        flush_pending();
        let after = handle.render();
        assert_eq!(value(&after, HTTP_REQUESTS), Some((3 * per_thread) as f64), "{after}");
        assert_eq!(value(&after, &format!("{HTTP_DURATION}_count")), Some((3 * per_thread) as f64), "{after}");
    }

    #[test]
    fn tile_hits_counted_on_several_threads_all_reach_the_scrape() {
        use crate::api::tile_request::TileFormat;
        let _alone = FLUSHING.lock().unwrap_or_else(|e| e.into_inner());
        let recorder = builder().expect("buckets").build_recorder();
        let handle = recorder.handle();
        let hits = |text: &str, format: &str| {
            text.lines()
                .find(|l| l.starts_with(&format!("{TILE_CACHE_HITS}{{format=\"{format}\"}}")))
                .and_then(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        };
        std::thread::scope(|s| {
            for _ in 0..3 {
                s.spawn(|| {
                    metrics::with_local_recorder(&recorder, || {
                        for _ in 0..FLUSH_AT + 10 {
                            tile_cache_hit(TileFormat::Mvt);
                        }
                        for _ in 0..3 {
                            tile_cache_hit(TileFormat::Png2x);
                        }
                    })
                });
            }
        });
        let before = handle.render();
        assert_eq!(hits(&before, "mvt"), Some((3 * FLUSH_AT) as f64), "{before}");
        assert_eq!(hits(&before, "png@2x").unwrap_or(0.0), 0.0, "{before}");
        flush_pending();
        let after = handle.render();
        assert_eq!(hits(&after, "mvt"), Some((3 * (FLUSH_AT + 10)) as f64), "{after}");
        assert_eq!(hits(&after, "png@2x"), Some(9.0), "{after}");
        assert_eq!(hits(&after, "png").unwrap_or(0.0), 0.0, "{after}");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(label_value("3f9a0c"), "3f9a0c");
    }

    #[test]
    fn methods_outside_the_standard_set_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::from_bytes(b"PURGE").unwrap()), "other");
    }

    #[test]
    fn buckets_rise() {
        for buckets in [&REQUEST_BUCKETS[..], &RENDER_BUCKETS[..]] {
            assert!(buckets.windows(2).all(|w| w[0] < w[1]), "{buckets:?}");
            assert_eq!(buckets.last(), Some(&10.0));
        }
        assert_eq!(REQUEST_BUCKETS[0], 0.0005);
    }
}
