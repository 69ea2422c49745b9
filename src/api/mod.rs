//! The HTTP API (axum). Handlers read the current atlas snapshot and turn answers
//! into JSON; nothing below this module knows about HTTP.
//!
//! Routes:
//! - `GET  /api/v1/communes/at?lon=&lat=&edition=&year=&radius_m=`: point query;
//! - `GET  /api/v1/meta`: data version, sources (sample or not) and counts;
//! - `GET  /tiles/{map}/{z}/{x}/{y}.mvt`: vector tiles; `GET /tiles/{map}.json`: TileJSON;
//! - `POST /api/v1/admin/reload`: re-read every input, validate, swap whole
//!   (loopback clients only; SIGHUP does the same);
//! - `GET /`, `/web/{path}`, `/vendor/maplibre-gl/{file}`: the web viewer (`web.rs`).

mod admin;
mod error;
mod http_cache;
mod meta;
mod params;
mod point;
pub mod tile_cache;
mod tilejson;
pub mod tiles;
pub mod web;

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
    /// The viewer's folder (`web/` of the source tree unless `--web` says otherwise).
    pub web_dir: Arc<std::path::PathBuf>,
}

impl AppState {
    pub fn new(atlas: SharedAtlas, inputs: Inputs) -> Self {
        let tiles = Arc::new(tiles::TileService::new(&crate::config::TileArgs::default()));
        let web_dir = Arc::new(std::path::PathBuf::from(crate::config::DEFAULT_WEB_DIR));
        AppState { atlas, inputs: Arc::new(inputs), reload_lock: Arc::default(), tiles, web_dir }
    }

    /// Replaces the default tile settings with the configured ones.
    pub fn with_tiles(mut self, args: &crate::config::TileArgs) -> Self {
        self.tiles = Arc::new(tiles::TileService::new(args));
        self
    }

    /// Serves the viewer from `dir` instead of the source tree's `web/`.
    pub fn with_web_dir(mut self, dir: std::path::PathBuf) -> Self {
        self.web_dir = Arc::new(dir);
        self
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/communes/at", get(point::commune_at))
        .route("/api/v1/meta", get(meta::meta))
        .route("/api/v1/admin/reload", post(admin::reload))
        .route("/tiles/{file}", get(tilejson::tilejson))
        .route("/tiles/{map}/{z}/{x}/{file}", get(tiles::tile))
        .merge(web::routes())
        .fallback(error::not_found)
        .layer(CorsLayer::permissive())
        .with_state(state)
}

pub use admin::reload_atlas;
