//! The HTTP API (axum). Handlers read the current atlas snapshot and turn answers
//! into JSON; nothing below this module knows about HTTP.
//!
//! Routes:
//! - `GET  /api/v1/communes/at?lon=&lat=&edition=&year=&radius_m=`: point query;
//! - `GET  /api/v1/meta`: data version, sources (sample or not) and counts;
//! - `GET  /api/v1/search?q=&limit=&edition=`: units, pilots and tourism sites by name;
//! - `GET  /api/v1/stats?edition=&year=&province=&district=&format=`: counts, shares,
//!   the 2021–2025 series and progress against the 2025 targets;
//! - `GET  /tiles/{map}/{z}/{x}/{y}.mvt`: vector tiles; `GET /tiles/{map}.json`: TileJSON;
//! - `POST /api/v1/admin/reload`: re-read every input, validate, swap whole
//!   (loopback clients only; SIGHUP does the same).

mod admin;
mod error;
mod http_cache;
mod meta;
mod params;
mod point;
pub mod search;
pub mod stats;
pub mod tile_cache;
mod tilejson;
pub mod tiles;

pub use error::ApiError;

use crate::atlas::{Inputs, SharedAtlas};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use tower_http::cors::CorsLayer;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub atlas: SharedAtlas,
    /// The files the atlas was built from, re-read on reload.
    pub inputs: Arc<Inputs>,
    /// Serialises reloads so two never build at once.
    pub reload_lock: Arc<tokio::sync::Mutex<()>>,
    /// Tile cache and tile HTTP settings.
    pub tiles: Arc<tiles::TileService>,
}

impl AppState {
    pub fn new(atlas: SharedAtlas, inputs: Inputs) -> Self {
        let tiles = Arc::new(tiles::TileService::new(&crate::config::TileArgs::default()));
        AppState { atlas, inputs: Arc::new(inputs), reload_lock: Arc::default(), tiles }
    }

    /// Replaces the default tile settings with the configured ones.
    pub fn with_tiles(mut self, args: &crate::config::TileArgs) -> Self {
        self.tiles = Arc::new(tiles::TileService::new(args));
        self
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/communes/at", get(point::commune_at))
        .route("/api/v1/meta", get(meta::meta))
        .route("/api/v1/search", get(search::search))
        .route("/api/v1/stats", get(stats::stats))
        .route("/api/v1/admin/reload", post(admin::reload))
        .route("/tiles/{file}", get(tilejson::tilejson))
        .route("/tiles/{map}/{z}/{x}/{file}", get(tiles::tile))
        .fallback(error::not_found)
        .layer(CorsLayer::permissive())
        .with_state(state)
}

pub use admin::reload_atlas;

/// The OpenAPI 3 schema of an error answer (shared by the route modules' `openapi_paths`).
pub fn error_schema() -> serde_json::Value {
    serde_json::json!({"type": "object", "properties": {"error": {"type": "object", "properties": {
        "status": {"type": "integer"}, "parameter": {"type": "string"}, "message": {"type": "string"}}}}})
}
