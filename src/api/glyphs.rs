//! `GET /fonts/{fontstack}/{range}.pbf`: the SDF glyph ranges MapLibre draws the maps'
//! labels with ([`crate::glyphs`], from the embedded Noto Sans).
//!
//! Steps: 1. check the fontstack (404 naming an unknown font) and the range (400 with the
//! expected form); 2. answer 304 when `If-None-Match` holds the range's ETag (the font's
//! digest and the range: a range never changes while the font does not); 3. take the
//! range from the in-process cache, making it on the blocking pool the first time;
//! `Cache-Control` lets clients keep it for a week.

use super::http_cache::{self, ETag};
use super::ApiError;
use crate::glyphs::{self, GlyphError};
use axum::body::Body;
use axum::extract::Path;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use serde_json::{json, Value};

pub async fn glyph_range(Path((fontstack, file)): Path<(String, String)>, headers: HeaderMap) -> Result<Response, ApiError> {
    glyphs::check_fontstack(&fontstack).map_err(|e| ApiError::NotFound(e.to_string()))?;
    let range = file.strip_suffix(".pbf").unwrap_or(&file);
    let index = glyphs::parse_range(range).map_err(|e| match e {
        GlyphError::BadRange(_) => ApiError::bad("range", e.to_string()),
        GlyphError::UnknownFont(_) => ApiError::NotFound(e.to_string()),
    })?;
    let etag = ETag::from_parts(&["glyphs", glyphs::version(), range]);
    let cache_control = HeaderValue::from_static("public, max-age=604800");
    if http_cache::if_none_match(&headers, &etag) {
        return Ok(http_cache::not_modified(&etag, &cache_control, None));
    }
    let body = tokio::task::spawn_blocking(move || glyphs::range(index))
        .await
        .map_err(|e| ApiError::Internal(format!("making glyph range {range} failed: {e}")))?;
    let mut response = Response::new(Body::from(body));
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/x-protobuf"));
    http_cache::validators(&mut response, &etag, &cache_control, None);
    Ok(response)
}

/// The operation's OpenAPI document.
pub fn doc() -> Value {
    json!({
        "summary": "SDF glyphs of 256 code points for MapLibre's labels (glyphs.proto), from the embedded Noto Sans: Vietnamese letters are in 7680-7935 (U+1E00–U+1EFF)",
        "tags": ["styles"],
        "parameters": [
            {"name": "fontstack", "in": "path", "required": true, "description": "Comma-separated font names, each 'Noto Sans Regular'", "schema": {"type": "string"}, "example": glyphs::FONTSTACK},
            {"name": "range", "in": "path", "required": true, "description": "START-END with START a multiple of 256 below 65536 and END = START + 255", "schema": {"type": "string", "pattern": "^[0-9]+-[0-9]+$"}, "example": "7680-7935"},
        ],
        "responses": {
            "200": {"description": "The glyph range", "content": {"application/x-protobuf": {"schema": {"type": "string", "format": "binary"}}}},
            "304": {"description": "Not modified (If-None-Match matched)"},
            "400": {"description": "A range that is not START-END of 256 code points", "content": {"application/json": {"schema": super::error_schema()}}},
            "404": {"description": "A font that is not served", "content": {"application/json": {"schema": super::error_schema()}}},
        },
    })
}
