//! `POST /api/v1/communes/at`: the commune of many points at once.
//!
//! Steps per request:
//!   1. read the body (at most [`BODY_LIMIT`] bytes, else 413 JSON) and the `edition`
//!      and `year` parameters;
//!   2. tell the shape from Content-Type (`application/json`, `application/geo+json`,
//!      `text/csv`), or sniff it from the first byte when the type says nothing;
//!   3. parse and check every point ([`crate::query::batch::parse`]): a bad point is a
//!      400 naming it, more than 100,000 points a 413 — before anything is sent;
//!   4. stream the answer in the input's shape, block by block, each block located on
//!      all cores ([`crate::query::batch::BatchInput::answer_block`]).

use super::meta::Meta;
use super::params::{self, Params};
use super::stream::{body_from_producer, ChannelWriter};
use super::{ApiError, AppState};
use crate::query::batch::{self, BatchError, Shape};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use std::io::Write;

/// Room for 100,000 GeoJSON point features with a few properties each (~670 bytes a
/// feature); a larger body answers 413.
pub const BODY_LIMIT: usize = 64 * 1024 * 1024;
/// Points per streamed block.
const BLOCK: usize = 8_192;

fn shape_of(headers: &HeaderMap, body: &[u8]) -> Shape {
    let media = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .unwrap_or_default();
    match media.as_str() {
        "application/geo+json" => Shape::FeatureCollection,
        "application/json" => match Shape::sniff(body) {
            Shape::Csv => Shape::JsonArray, // not JSON at all: the JSON parser says where
            s => s,
        },
        "text/csv" => Shape::Csv,
        // No type, or one that says nothing about the content (curl -d sends a form type).
        _ => Shape::sniff(body),
    }
}

pub async fn communes_at(
    State(state): State<AppState>,
    Query(query): Query<Params>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|e| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge(format!(
            "the body is larger than {} MiB; send at most {} points per request",
            BODY_LIMIT >> 20,
            batch::MAX_POINTS
        )),
        _ => ApiError::bad("body", e.body_text()),
    })?;
    let atlas = state.atlas.current();
    let (edition, as_of) = (params::edition(&query)?, params::as_of(&query, &atlas.years())?);
    let shape = shape_of(&headers, &body);
    let input = tokio::task::spawn_blocking(move || batch::parse(shape, &body))
        .await
        .map_err(|e| ApiError::Internal(format!("parsing failed: {e}")))?
        .map_err(|e| match e {
            BatchError::Malformed(message) => ApiError::bad("body", message),
            e @ BatchError::TooMany { .. } => ApiError::TooLarge(e.to_string()),
        })?;
    let meta = serde_json::to_value(Meta::of(&atlas)).unwrap_or_default();
    let version = HeaderValue::from_str(&atlas.version).ok();
    let content_type = HeaderValue::from_static(input.shape.media_type());
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let body = body_from_producer(move |tx| {
        let edition = atlas.edition(edition);
        let mut out = ChannelWriter::new(tx);
        let mut write = || -> std::io::Result<()> {
            out.write_all(&input.head(&atlas, &meta))?;
            for start in (0..input.len()).step_by(BLOCK) {
                let end = (start + BLOCK).min(input.len());
                out.write_all(&input.answer_block(&atlas, edition, as_of, start..end, threads))?;
            }
            out.write_all(input.tail())?;
            out.flush()
        };
        // A write fails only when the client has gone: nothing more to do.
        let _ = write();
    });
    let mut response = Response::new(body);
    response.headers_mut().insert(CONTENT_TYPE, content_type);
    if let Some(v) = version {
        response.headers_mut().insert("x-data-version", v);
    }
    Ok(response)
}
