//! `GET /api/v1/communes/at`: the commune at a point, with levels and nearby places.

use super::meta::Meta;
use super::params::{self, Params};
use super::{ApiError, AppState};
use crate::query::{self, PointQuery};
use axum::extract::{Query, State};
use axum::Json;
use serde_json::{json, Value};

pub async fn commune_at(State(state): State<AppState>, Query(params): Query<Params>) -> Result<Json<Value>, ApiError> {
    let q = PointQuery {
        position: params::position(&params)?,
        edition: params::edition(&params)?,
        year: params::year(&params)?,
        radius_m: params::radius_m(&params)?,
    };
    let atlas = state.atlas.current();
    let meta = Meta::of(&atlas);
    match query::commune_at(&atlas, q) {
        Some(answer) => {
            let mut body = serde_json::to_value(&answer).unwrap_or(Value::Null);
            body["meta"] = json!(meta);
            Ok(Json(body))
        }
        None => Err(ApiError::NotFound(format!(
            "no commune of edition {} contains the point ({}, {})",
            q.edition, q.position.lon, q.position.lat
        ))),
    }
}
