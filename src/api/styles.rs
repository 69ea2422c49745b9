//! `GET /styles/{map}.json?year=&edition=&theme=`: the map's MapLibre GL style, its
//! source pointing at this server's TileJSON for the same view, coloured by the theme.
//!
//! Steps: 1. parse the map, the optional `year` / `date` / `edition` and `theme` (400
//! naming the parameter); 2. build the TileJSON URL (public base as for TileJSON, plus the
//! given view; the theme is not in it, tiles carry every criterion); 3. emit the style
//! ([`maplibre_style`]), with the basemap under it when the server has one
//! ([`crate::style::basemap`]), and an ETag of (style version, URL, theme, basemap, and
//! the data version for a criterion theme, whose names come from the catalog) and
//! `Cache-Control: public, no-cache`.

use super::http_cache::{self, short_hash, ETag};
use super::params::{self, Params};
use super::tile_request::parse_map;
use super::{ApiError, AppState};
use crate::style::maplibre::maplibre_style;
use crate::tile::TileView;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};

pub async fn style(State(state): State<AppState>, Path(file): Path<String>, Query(query): Query<Params>, uri: Uri, headers: HeaderMap) -> Result<Response, ApiError> {
    let Some(name) = file.strip_suffix(".json") else {
        return Err(ApiError::NotFound(format!("no route for /styles/{file}: styles are /styles/{{map}}.json")));
    };
    let map = parse_map(name)?;
    let given = |name: &str| query.get(name).is_some_and(|v| !v.trim().is_empty());
    let atlas = state.atlas.current();
    let years = atlas.years();
    let (as_of, edition) = (params::as_of(&query, &years)?, params::edition(&query)?);
    let style = state.styles.get(map);
    let themed = params::themed(&query, style, &atlas.criteria.catalog, TileView { map, edition, as_of })?;
    let mut view = Vec::new();
    if given("year") {
        view.push(format!("year={}", as_of.year()));
    }
    if let Some(day) = as_of.day() {
        view.push(format!("date={day}"));
    }
    if given("edition") {
        view.push(format!("edition={edition}"));
    }
    let view = if view.is_empty() { String::new() } else { format!("?{}", view.join("&")) };
    let base = state.tiles.public_url.clone().unwrap_or_else(|| super::tilejson::request_base(&headers, &uri));
    let url = format!("{base}/tiles/{}.json{view}", map.as_str());
    let data = if themed.criterion.is_some() { atlas.version.as_str() } else { "" };
    // A restart with another basemap (or none) must not revalidate a browser's old style.
    let url_hash = short_hash(&url);
    let basemap = state.styles.basemap.as_ref().map(|b| short_hash(&format!("{b:?}")));
    let mut parts = vec!["style", "labels", map.as_str(), &style.version, &url_hash, &themed.key, data];
    parts.extend(basemap.as_deref());
    let etag = ETag::from_parts(&parts);
    let cache_control = HeaderValue::from_static("public, no-cache");
    if http_cache::if_none_match(&headers, &etag) {
        return Ok(http_cache::not_modified(&etag, &cache_control, None));
    }
    let glyphs = format!("{base}/fonts/{{fontstack}}/{{range}}.pbf");
    let mut body = maplibre_style(&themed, edition, &url, &glyphs);
    if let Some(basemap) = &state.styles.basemap {
        basemap.under(&mut body);
    }
    let mut response = axum::Json(body).into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    http_cache::validators(&mut response, &etag, &cache_control, None);
    Ok(response)
}
