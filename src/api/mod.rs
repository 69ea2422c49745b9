//! The HTTP API (axum). Handlers read the current atlas snapshot and turn answers
//! into JSON; nothing below this module knows about HTTP.
//!
//! Routes:
//! - `GET  /api/v1/communes/at?lon=&lat=&edition=&year=&radius_m=`: point query;
//! - `GET  /api/v1/meta`: data version, sources (sample or not) and counts;
//! - `GET  /api/v1/criteria`: the national criteria sets with their criteria and indicators;
//!   `GET /api/v1/communes/{code}/criteria?from=&to=|date=`: a commune's checklist by year;
//! - `GET  /api/v1/search?q=&limit=&edition=`: units, pilots and tourism sites by name;
//! - `GET  /api/v1/stats?edition=&year=&province=&district=&format=`: counts, shares,
//!   the 2021–2025 series and progress against the 2025 targets;
//! - `GET  /tiles/{map}/{z}/{x}/{y}.mvt`: vector tiles; `GET /tiles/{map}.json`: TileJSON;
//! - `POST /api/v1/communes/at?edition=&year=`: many points (JSON, GeoJSON or CSV),
//!   answered in the same shape, streamed;
//! - `GET  /api/v1/communes/{code}`, `/api/v1/districts/{code}`, `/api/v1/provinces/{code}`:
//!   details, levels by year, crosswalk, geometry on request;
//! - `GET  /api/v1/export/{layer}.{geojson,csv,fgb,xlsx}`: open data, streamed;
//! - `GET  /api/v1/openapi.json`: the OpenAPI 3 document, generated from the route table
//!   ([`openapi::ApiRouter`]: every route is registered with its documentation);
//! - `GET  /tiles/{map}/{z}/{x}/{y}.png` and `@2x.png`: raster tiles;
//! - `GET  /styles/{map}.json`: MapLibre GL style; `GET /api/v1/legend/{map}[.png]`: legend;
//! - `GET  /fonts/{fontstack}/{range}.pbf`: SDF glyphs of the styles' labels (`glyphs.rs`);
//! - `GET  /static/{map}.png?bbox=…|center=…&zoom=…`: static map for articles;
//! - `POST /api/v1/admin/reload`: re-read every input, validate, swap whole
//!   (bearer token of `--admin-token-file`, [`admin_auth`]; SIGHUP does the same);
//! - `GET /`, `/web/{path}`, `/vendor/maplibre-gl/{file}`: the web viewer (`web.rs`);
//! - `/manage…` and `/api/v1/manage/…`: sign-in, API tokens and accounts of the offices
//!   that keep the data, with `--data-dir` only ([`manage`]);
//! - `GET /healthz`, `/readyz`: liveness and readiness (`health.rs`); `GET /metrics`:
//!   Prometheus metrics (`metrics.rs`).
//!
//! Every answer is counted in the metrics by route template and status, and carries the
//! security headers of `headers.rs`; admin routes are refused without the bearer token
//! ([`admin_auth`]); [`guard`] sheds load and bounds request sizes and times.

mod admin;
pub mod admin_auth;
mod answer_cache;
mod batch;
mod cors;
mod criteria;
mod details;
mod docs;
mod error;
mod export;
mod glyphs;
mod headers;
mod health;
mod history;
mod http_cache;
mod low_priority;
pub mod manage;
mod meta;
pub mod metrics;
pub mod openapi;
mod params;
mod point;
mod point_head;
mod scoped;
mod raster;
pub mod search;
pub mod guard;
mod static_maps;
pub mod stats;
mod stream;
mod styles;
pub mod tile_cache;
mod tilejson;
pub mod tile_pipeline;
pub mod tile_request;
pub mod tiles;
pub mod web;

pub use error::ApiError;

use crate::atlas::Inputs;
use crate::snapshot::SharedSnapshot;
use axum::handler::Handler;
use axum::Router;
pub use openapi::ApiRouter;
use std::sync::Arc;

/// What every handler shares, behind one reference count: axum clones a route's service,
/// state included, on every request, so a clone must cost one atomic increment, not one per
/// field. Fields read through `Deref` (`state.atlas`).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The fields of [`AppState`]. Each is a handle on something shared (an `Arc` or one
/// holding one): [`AppState::for_worker`] copies the handles, and every worker must see
/// the same snapshot, caches, store and login failure counts.
#[derive(Clone)]
pub struct Shared {
    pub atlas: SharedSnapshot,
    /// The files the atlas was built from, re-read on reload.
    pub inputs: Arc<Inputs>,
    /// Serialises reloads so two never build at once.
    pub reload_lock: Arc<tokio::sync::Mutex<()>>,
    /// Tile cache and tile HTTP settings.
    pub tiles: Arc<tile_pipeline::TileService>,
    /// The viewer's folder (`web/` of the source tree unless `--web` says otherwise).
    pub web_dir: Arc<std::path::PathBuf>,
    /// Map styles (PNG tiles, MapLibre style, legend).
    pub styles: Arc<crate::style::Styles>,
    /// Renders the process's Prometheus recorder for `GET /metrics` (none in library
    /// tests, where the answer holds the data gauges only).
    pub metrics: Option<metrics_exporter_prometheus::PrometheusHandle>,
    /// The `meta` object of the current atlas, serialised once per snapshot.
    pub meta: Arc<meta::MetaJson>,
    /// The JSON of point answers' heads, per commune and year of the current snapshot.
    pub point_heads: Arc<point_head::HeadCache>,
    /// Statistics answers, per data version and question.
    pub stats_answers: Arc<answer_cache::AnswerCache>,
    /// Search answers, per data version and query.
    pub search_answers: Arc<answer_cache::AnswerCache>,
    /// The bearer token of the admin routes; `None` hides them (404).
    pub admin_token: Option<Arc<admin_auth::AdminToken>>,
    /// Static map renders: their own render slots, cache and shared renders.
    pub static_maps: Arc<static_maps::StaticMaps>,
    /// The store and the publication workflow when serving a `--data-dir`; `None` when
    /// the data files are served read-only.
    pub publisher: Option<Arc<crate::manage::Publisher>>,
    /// The published folder a read replica serves (`--publication`): a reload loads it.
    pub publication: Option<Arc<std::path::Path>>,
    /// The tile archives of a publication (`--tiles`): vector tiles of their views and
    /// zooms are read from them instead of rendered.
    pub published_tiles: Option<Arc<crate::publish::PublishedTiles>>,
    /// The embedded database of `--data-dir`; `None` serves the files read-only and hides
    /// the management routes (404).
    pub store: Option<Arc<crate::store::Store>>,
    /// Sign-in settings and the login failure counts of the management routes.
    pub manage: Arc<manage::ManageSettings>,
}

impl AppState {
    /// A handle of its own on the same data, caches and settings, for one HTTP worker
    /// thread. The routes and their layers clone the state for every request; with one
    /// handle per worker those reference counts stay in that worker's core instead of
    /// passing between the cores on every request (measured by `cargo bench --bench
    /// point_route`, two threads at once).
    pub fn for_worker(&self) -> AppState {
        AppState(Arc::new((*self.0).clone()))
    }

    pub fn new(atlas: SharedSnapshot, inputs: Inputs) -> Self {
        let tiles = Arc::new(tile_pipeline::TileService::new(&crate::config::TileArgs::default()));
        let web_dir = Arc::new(std::path::PathBuf::from(crate::config::DEFAULT_WEB_DIR));
        let styles = Arc::new(crate::style::Styles::embedded());
        let static_maps = Arc::new(static_maps::StaticMaps::new(&crate::config::LimitArgs::default()));
        AppState(Arc::new(Shared {
            atlas,
            inputs: Arc::new(inputs),
            reload_lock: Arc::default(),
            tiles,
            styles,
            web_dir,
            meta: Arc::default(),
            point_heads: Arc::default(),
            stats_answers: Arc::default(),
            search_answers: Arc::default(),
            metrics: None,
            admin_token: None,
            static_maps,
            publisher: None,
            publication: None,
            published_tiles: None,
            store: None,
            manage: Arc::default(),
        }))
    }

    /// The fields, to set while building (before the state is shared).
    fn fields(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }

    /// Opens the admin routes to holders of `token`.
    pub fn with_admin_token(mut self, token: Option<String>) -> Self {
        self.fields().admin_token = token.map(|t| Arc::new(admin_auth::AdminToken::new(t)));
        self
    }

    /// Serves a managed data folder: its store and publisher.
    pub fn with_publisher(mut self, publisher: Option<Arc<crate::manage::Publisher>>) -> Self {
        self.fields().publisher = publisher;
        self
    }

    /// Serves as a read replica of the published folder `dir`.
    pub fn with_publication(mut self, dir: Option<&std::path::Path>) -> Self {
        self.fields().publication = dir.map(Arc::from);
        self
    }


    /// Serves vector tiles from a publication's archives (`--tiles`).
    pub fn with_published_tiles(mut self, tiles: Option<crate::publish::PublishedTiles>) -> Self {
        self.fields().published_tiles = tiles.map(Arc::new);
        self
    }

    /// Opens the management routes on `store` (`--data-dir`).
    pub fn with_store(mut self, store: Arc<crate::store::Store>) -> Self {
        self.fields().store = Some(store);
        self
    }

    /// Sign-in settings of the management routes (trusted proxies, HTTPS, login limits).
    pub fn with_manage(mut self, settings: manage::ManageSettings) -> Self {
        self.fields().manage = Arc::new(settings);
        self
    }

    /// Static map render slots, queue and cache from the configured limits.
    pub fn with_static_maps(mut self, limits: &crate::config::LimitArgs) -> Self {
        self.fields().static_maps = Arc::new(static_maps::StaticMaps::new(limits));
        self
    }

    /// Replaces the embedded styles (`--styles DIR`).
    pub fn with_styles(mut self, styles: crate::style::Styles) -> Self {
        self.fields().styles = Arc::new(styles);
        self
    }

    /// Replaces the default tile settings with the configured ones.
    pub fn with_tiles(mut self, args: &crate::config::TileArgs) -> Self {
        self.fields().tiles = Arc::new(tile_pipeline::TileService::new(args));
        self
    }

    /// Serves `GET /metrics` from the installed recorder ([`metrics::install`]).
    pub fn with_metrics(mut self, handle: metrics_exporter_prometheus::PrometheusHandle) -> Self {
        self.fields().metrics = Some(handle);
        self
    }

    /// Serves the viewer from `dir` instead of the source tree's `web/`.
    pub fn with_web_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.fields().web_dir = Arc::new(dir);
        self
    }
}

/// The routes behind their layers ([`with_layers`]), as one router (tests and benches;
/// the server builds one per worker with [`worker_routers`]).
pub fn router(state: AppState, limits: &crate::config::LimitArgs) -> Router {
    with_layers(state, guard::layer(limits))
}

/// One router per HTTP worker thread ([`crate::server`]), each on its own
/// [`AppState::for_worker`] handle and its own copy of the routes: the workers share the
/// data, the caches and the in-flight limit, but no reference count that every request
/// changes.
pub fn worker_routers(state: &AppState, limits: &crate::config::LimitArgs, workers: usize) -> Vec<Router> {
    let guard = guard::layer(limits);
    (0..workers.max(1)).map(|_| with_layers(state.for_worker(), guard.clone())).collect()
}

/// The routes behind their layers, outermost first: the request limits ([`guard`]), the
/// security headers, the metrics, CORS ([`cors`]), then the management sign-in and the admin token
/// check, each of these two only for the paths it concerns ([`scoped`]).
///
/// The layers form one stack applied in one step: each `Router::layer` call wraps every
/// route in a boxed service that is cloned, with everything below it, on every request.
fn with_layers(state: AppState, guard: guard::GuardLayer) -> Router {
    let (routes, _doc) = routes().finish();
    let layers = tower::ServiceBuilder::new()
        .layer(guard)
        .layer(headers::every_answer())
        .layer(metrics::track_requests())
        .layer(cors::any_origin())
        .layer(scoped::only_for(manage::auth::concerns, axum::middleware::from_fn_with_state(state.clone(), manage::auth::authenticate)))
        .layer(scoped::only_for(admin_auth::concerns, axum::middleware::from_fn_with_state(state.admin_gate(), admin_auth::require_admin)));
    routes.fallback(error::not_found).layer(layers).with_state(state)
}

/// Every route with its OpenAPI operation. Route modules built elsewhere join with
/// `.merge(module::router(), module::openapi_paths())`.
pub fn routes() -> ApiRouter {
    let api = ApiRouter::new()
        .get("/api/v1/communes/at", point::commune_at, docs::point_query())
        .post(
            "/api/v1/communes/at",
            batch::communes_at.layer(axum::extract::DefaultBodyLimit::max(batch::BODY_LIMIT)),
            docs::batch_query(),
        )
        .get("/api/v1/communes/{code}", details::commune, docs::commune_details())
        .get("/api/v1/districts/{code}", details::district, docs::district_details())
        .get("/api/v1/provinces/{code}", details::province, docs::province_details())
        .get_as("/api/v1/export/{file}", "/api/v1/export/{layer}.{format}", export::export, docs::export())
        .get("/api/v1/search", search::search, operation(search::openapi_paths(), "/api/v1/search"))
        .get("/api/v1/stats", stats::stats, operation(stats::openapi_paths(), "/api/v1/stats"))
        .get("/api/v1/meta", meta::meta, docs::meta())
        .get("/api/v1/criteria", criteria::criteria, criteria::doc())
        .get("/api/v1/communes/{code}/criteria", criteria::commune_criteria, criteria::commune_doc())
        .get("/api/v1/communes/{code}/history", history::commune_history, history::history_doc())
        .get("/api/v1/publications", history::publications, history::publications_doc())
        .post("/api/v1/admin/reload", admin::reload, docs::reload())
        .get_as("/tiles/{file}", "/tiles/{map}.json", tilejson::tilejson, docs::tilejson())
        .get_as("/tiles/{map}/{z}/{x}/{file}", "/tiles/{map}/{z}/{x}/{y}.mvt", tiles::tile, docs::mvt())
        // PNG tiles share the MVT route (axum captures the whole last segment).
        .also_serves("/tiles/{map}/{z}/{x}/{y}.png", docs::png_tile())
        .get_as("/styles/{file}", "/styles/{map}.json", styles::style, docs::style())
        .get_as("/fonts/{fontstack}/{file}", "/fonts/{fontstack}/{range}.pbf", glyphs::glyph_range, glyphs::doc())
        .get_as("/api/v1/legend/{file}", "/api/v1/legend/{map}", raster::legend_answer, docs::legend_json())
        .also_serves("/api/v1/legend/{map}.png", docs::legend_png())
        .get_as("/static/{file}", "/static/{map}.png", raster::static_map, docs::static_map())
        .merge(web::routes(), web::openapi_paths())
        .merge(health::routes(), health::openapi_paths())
        .merge(metrics::routes(), metrics::openapi_paths());
    manage::routes(api)
}

pub use admin::reload_atlas;
pub use crate::tile::tilejson::attribution;

/// The GET operation of `path` in a route module's `openapi_paths()`.
fn operation(paths: serde_json::Value, path: &str) -> serde_json::Value {
    paths[path]["get"].clone()
}

/// The OpenAPI 3 schema of an error answer (shared by the route modules' `openapi_paths`).
pub fn error_schema() -> serde_json::Value {
    serde_json::json!({"type": "object", "properties": {"error": {"type": "object", "properties": {
        "status": {"type": "integer"}, "parameter": {"type": "string"}, "message": {"type": "string"}}}}})
}
