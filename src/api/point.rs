//! `GET /api/v1/communes/at`: the commune at a point, with levels and nearby places.
//!
//! Steps per request: 1. read `lon`, `lat`, `edition`, `year`, `radius_m` from the raw
//! query string ([`QueryPairs`]: no string allocated unless a value is encoded);
//! 2. answer the query on the current atlas ([`query::commune_at`]); 3. write the answer
//! as JSON straight from its types into one buffer, then the `meta` object, serialised
//! once per atlas snapshot ([`MetaJson`]), and send that buffer as the body.
//!
//! This route is the one clients call by the thousand, so the answer is written directly
//! rather than through an intermediate `serde_json::Value` tree (whose maps cost an
//! allocation per object and per key) and `meta` is not rebuilt per request.

use super::meta::MetaJson;
use super::params::{self, QueryPairs};
use super::{ApiError, AppState};
use crate::snapshot::SharedSnapshot;
use crate::query::{self, PointAnswer, PointQuery};
use axum::extract::{FromRef, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// What the point query reads of the shared state (two `Arc`s to clone per request
/// instead of the whole [`AppState`]).
#[derive(Clone)]
pub struct PointState {
    atlas: SharedSnapshot,
    meta: Arc<MetaJson>,
}

impl FromRef<AppState> for PointState {
    fn from_ref(state: &AppState) -> Self {
        PointState { atlas: state.atlas.clone(), meta: state.meta.clone() }
    }
}

pub async fn commune_at(State(state): State<PointState>, RawQuery(raw): RawQuery) -> Result<Response, ApiError> {
    let params = QueryPairs::parse(raw.as_deref().unwrap_or(""));
    let atlas = state.atlas.current();
    let q = PointQuery {
        position: params::position(&params)?,
        edition: params::edition(&params)?,
        as_of: params::as_of(&params, &atlas.years())?,
        radius_m: params::radius_m(&params)?,
    };
    match query::commune_at(&atlas, q) {
        Some(answer) => {
            let body = answer_json(&answer, &state.meta.of(&atlas))?;
            Ok(([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response())
        }
        None => Err(ApiError::NotFound(format!(
            "no commune of edition {} contains the point ({}, {})",
            q.edition, q.position.lon, q.position.lat
        ))),
    }
}

/// The answer's JSON object with `"meta": meta` as its last member.
fn answer_json(answer: &PointAnswer<'_>, meta: &[u8]) -> Result<Vec<u8>, ApiError> {
    // A typical answer with a few nearby places and meta is 1–3 KB.
    let mut out = Vec::with_capacity(2048 + meta.len());
    serde_json::to_writer(&mut out, answer).map_err(|e| ApiError::Internal(format!("cannot write the answer: {e}")))?;
    // `{…}` becomes `{…,"meta":{…}}`: the answer always has members, so a comma follows.
    debug_assert_eq!(out.last(), Some(&b'}'));
    out.pop();
    out.extend_from_slice(b",\"meta\":");
    out.extend_from_slice(meta);
    out.push(b'}');
    Ok(out)
}
