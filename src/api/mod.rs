//! The HTTP API (axum). Handlers read the current atlas snapshot and turn answers
//! into JSON; nothing below this module knows about HTTP.
//!
//! Routes:
//! - `GET  /api/v1/communes/at?lon=&lat=&edition=&year=&radius_m=`: point query;
//! - `GET  /api/v1/meta`: data version, sources (sample or not) and counts;
//! - `GET  /tiles/{map}/{z}/{x}/{y}.mvt`: vector tiles; `GET /tiles/{map}.json`: TileJSON;
//! - `GET  /tiles/{map}/{z}/{x}/{y}.png` and `@2x.png`: raster tiles;
//! - `GET  /styles/{map}.json`: MapLibre GL style; `GET /api/v1/legend/{map}[.png]`: legend;
//! - `GET  /static/{map}.png?bbox=…|center=…&zoom=…`: static map for articles;
//! - `POST /api/v1/admin/reload`: re-read every input, validate, swap whole
//!   (loopback clients only; SIGHUP does the same).

mod admin;
mod error;
mod http_cache;
mod meta;
mod params;
mod point;
mod raster;
mod styles;
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
    /// Map styles (PNG tiles, MapLibre style, legend).
    pub styles: Arc<crate::style::Styles>,
}

impl AppState {
    pub fn new(atlas: SharedAtlas, inputs: Inputs) -> Self {
        let tiles = Arc::new(tiles::TileService::new(&crate::config::TileArgs::default()));
        let styles = Arc::new(crate::style::Styles::embedded());
        AppState { atlas, inputs: Arc::new(inputs), reload_lock: Arc::default(), tiles, styles }
    }

    /// Replaces the embedded styles (`--styles DIR`).
    pub fn with_styles(mut self, styles: crate::style::Styles) -> Self {
        self.styles = Arc::new(styles);
        self
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
        .route("/api/v1/admin/reload", post(admin::reload))
        .route("/tiles/{file}", get(tilejson::tilejson))
        .route("/tiles/{map}/{z}/{x}/{file}", get(tiles::tile))
        .route("/styles/{file}", get(styles::style))
        .route("/api/v1/legend/{file}", get(raster::legend_answer))
        .route("/static/{file}", get(raster::static_map))
        .fallback(error::not_found)
        .layer(CorsLayer::permissive())
        .with_state(state)
}

pub use admin::reload_atlas;
pub use tilejson::attribution;
