//! The HTTP API (axum). Handlers read the current atlas snapshot and turn answers
//! into JSON; nothing below this module knows about HTTP.
//!
//! Routes:
//! - `GET  /api/v1/communes/at?lon=&lat=&edition=&year=&radius_m=`: point query;
//! - `GET  /api/v1/meta`: data version, sources (sample or not) and counts;
//! - `POST /api/v1/admin/reload`: re-read every input, validate, swap whole
//!   (loopback clients only; SIGHUP does the same).

mod admin;
mod error;
mod meta;
mod params;
mod point;

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
}

impl AppState {
    pub fn new(atlas: SharedAtlas, inputs: Inputs) -> Self {
        AppState { atlas, inputs: Arc::new(inputs), reload_lock: Arc::default() }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/v1/communes/at", get(point::commune_at))
        .route("/api/v1/meta", get(meta::meta))
        .route("/api/v1/admin/reload", post(admin::reload))
        .fallback(error::not_found)
        .layer(CorsLayer::permissive())
        .with_state(state)
}

pub use admin::reload_atlas;
