//! PNG answers: raster tiles, the legend and static maps, drawn by [`crate::raster`]
//! with the map's style.
//!
//! - `GET /tiles/{map}/{z}/{x}/{y}.png` and `@2x.png` (parsed with the vector tiles,
//!   [`super::tile_request::parse_request`]): strong ETag (data version, view, tile, format,
//!   theme, style version) and 304; the byte-bounded tile cache keeps the PNG; cache
//!   misses render on the blocking pool, at most one per core, through the same tile
//!   pipeline as vector tiles ([`super::tile_pipeline`]);
//! - `GET /api/v1/legend/{map}` (JSON) and `/api/v1/legend/{map}.png?lang=&scale=`, both
//!   with `theme` (and the view it is read for: `year`, `date`, `edition`);
//! - `GET /static/{map}.png?bbox=|center=&zoom=&width=&height=&year=&edition=&lang=&theme=&labels=&hide=`:
//!   drawn with slots, a cache and single flight of their own ([`super::static_maps`]);
//!   `Server-Timing` says `render;dur=…`, `cache;desc=hit` or `cache;desc=joined`.
//!
//! `hide` (PNG tiles and static maps) lists kinds of point to leave out, as the viewer's
//! legend switches write them: `tourism:homestay,pilots:smart_village` (a wrong one is a
//! 400 naming `hide`).
//!
//! `theme` is `level` (the default), `level:districts`, `level:provinces` or `criterion:N`, `criterion:N.M`,
//! `criterion:SET:N.M` ([`crate::style::theme`]); a wrong one is a 400 naming `theme`.

use super::http_cache::{self, ETag};
use super::params::{self, Params};
use super::tile_cache::TileKey;
use super::tile_pipeline::{Run, Source};
use super::tile_request::{parse_map, tile_etag, TileFormat, TileRequest};
use super::{ApiError, AppState};
use crate::raster::legend::{render_legend, Lang};
use crate::raster::{encode_png, render_static, render_tile_with, DrawOptions, Frame, StaticMap};
use crate::style::legend::legend;
use crate::style::Themed;
use crate::tile::TileView;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use bytes::Bytes;

fn png_response(body: Bytes, etag: &ETag, cache_control: &HeaderValue, source: Source) -> Response {
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("image/png"));
    source.annotate(&mut r);
    http_cache::validators(&mut r, etag, cache_control, None);
    r
}

fn encode(pixmap: &tiny_skia::Pixmap) -> Result<Bytes, ApiError> {
    encode_png(pixmap).map(Bytes::from).map_err(|e| ApiError::Internal(format!("PNG encoding failed: {e}")))
}

/// A PNG tile (the request was parsed by the vector tile handler).
pub async fn png_tile(state: AppState, req: TileRequest, headers: HeaderMap) -> Result<Response, ApiError> {
    let service = state.tiles.clone();
    let atlas = state.atlas.current();
    let style_version = state.styles.get(req.view.map).version.clone();
    // As for vector tiles: the version of the data this tile shows (see Snapshot::tile_version).
    let version = atlas.tile_version(req.view.edition, req.tile).to_string();
    let etag = ETag::from_parts(&[tile_etag(&version, &req, false).named(), &style_version]);
    // As for vector tiles, by the version the URL names (data, build and style here).
    let cache_control = service.cache_control_for(req.url_version);
    if http_cache::if_none_match(&headers, &etag) {
        return Ok(http_cache::not_modified(&etag, cache_control, None));
    }
    let key = TileKey::of(&version, &req);
    let styles = state.styles.clone();
    let ratio = if req.format == TileFormat::Png2x { 2 } else { 1 };
    let (body, source) = service
        .get_or_render(key, Run::Blocking, move || {
            // The theme was checked against this snapshot's catalog and this style.
            let themed = Themed::new(styles.get(req.view.map), req.theme, &atlas.criteria.catalog).map_err(|e| e.0)?;
            let options = DrawOptions { labels: req.labels, hidden: req.hidden };
            let pixmap = render_tile_with(&atlas, atlas.tiles(req.view.edition), &themed, req.view, req.tile, ratio, options);
            encode_png(&pixmap).map(Bytes::from).map_err(|e| format!("PNG encoding failed: {e}"))
        })
        .await?;
    Ok(png_response(body, &etag, cache_control, source))
}

fn lang(query: &Params) -> Result<Lang, ApiError> {
    match query.get("lang").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(Lang::Vi),
        Some(text) => Lang::parse(text).ok_or_else(|| ApiError::bad("lang", format!("'{text}' is not a language: vi or en"))),
    }
}

/// The view a request asks for (`year`, `date`, `edition`): themes are read for it.
fn view(query: &Params, map: crate::tile::MapKind, years: &std::ops::RangeInclusive<u16>) -> Result<TileView, ApiError> {
    Ok(TileView { map, edition: params::edition(query)?, as_of: params::as_of(query, years)? })
}

/// `GET /api/v1/legend/{map}` (JSON) or `{map}.png`.
pub async fn legend_answer(State(state): State<AppState>, Path(file): Path<String>, Query(query): Query<Params>, headers: HeaderMap) -> Result<Response, ApiError> {
    let (name, png) = match file.strip_suffix(".png") {
        Some(name) => (name, true),
        None => (file.strip_suffix(".json").unwrap_or(&file), false),
    };
    let map = parse_map(name)?;
    let style = state.styles.get(map);
    let atlas = state.atlas.current();
    let themed = params::themed(&query, style, &atlas.criteria.catalog, view(&query, map, &atlas.years())?)?;
    if !png {
        return Ok(Json(legend(&themed)).into_response());
    }
    let lang = lang(&query)?;
    let scale = match query.get("scale").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => 1.0,
        Some(t) => match t.parse::<f32>() {
            Ok(s) if (0.5..=4.0).contains(&s) => s,
            _ => return Err(ApiError::bad("scale", format!("'{t}' is not a scale within 0.5–4"))),
        },
    };
    // A criterion's legend names it from the catalog, which the data version fixes.
    let data = if themed.criterion.is_some() { atlas.version.as_str() } else { "" };
    let etag = ETag::from_parts(&["legend", name, &style.version, if lang == Lang::Vi { "vi" } else { "en" }, &scale.to_string(), &themed.key, data]);
    let cache_control = state.tiles.cache_control.clone();
    if http_cache::if_none_match(&headers, &etag) {
        return Ok(http_cache::not_modified(&etag, &cache_control, None));
    }
    // Drawn for every request: a legend takes well under a millisecond.
    let started = std::time::Instant::now();
    let body = encode(&render_legend(&themed, lang, scale))?;
    Ok(png_response(body, &etag, &cache_control, Source::Rendered(started.elapsed())))
}

/// Reads the frame: `bbox=minlon,minlat,maxlon,maxlat`, or `center=lon,lat&zoom=z`.
fn frame(query: &Params) -> Result<Frame, ApiError> {
    let get = |name: &str| query.get(name).map(|s| s.trim()).filter(|s| !s.is_empty());
    let to_api = |e: crate::raster::StaticError| ApiError::bad(e.parameter, e.message);
    match (get("bbox"), get("center")) {
        (Some(_), Some(_)) => Err(ApiError::bad("bbox", "give either bbox or center (with zoom), not both")),
        (Some(b), None) => Ok(Frame::BBox(crate::raster::static_map::parse_numbers::<4>("bbox", b).map_err(to_api)?)),
        (None, Some(c)) => {
            let [lon, lat] = crate::raster::static_map::parse_numbers::<2>("center", c).map_err(to_api)?;
            let Some(z) = get("zoom") else { return Err(ApiError::bad("zoom", "center needs a zoom (0–14)")) };
            let zoom = z.parse::<u8>().map_err(|_| ApiError::bad("zoom", format!("'{z}' is not a zoom (a whole number 0–14)")))?;
            Ok(Frame::Center { lon, lat, zoom })
        }
        (None, None) => Err(ApiError::bad("bbox", "give bbox=minlon,minlat,maxlon,maxlat, or center=lon,lat and zoom")),
    }
}

fn side(query: &Params, name: &'static str, default: u32) -> Result<u32, ApiError> {
    match query.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(t) => t.parse::<u32>().map_err(|_| ApiError::bad(name, format!("'{t}' is not a size in pixels (a whole number 1–{})", crate::raster::static_map::MAX_SIDE))),
    }
}

/// A static map request read from its query, for one map and one snapshot.
pub(super) struct StaticAsk {
    map: crate::tile::MapKind,
    theme: crate::style::Theme,
    request: StaticMap,
    /// The canonical request (parsed numbers, so `1` and `1.0` are one map) with the
    /// data and style versions, so a reload or a new style never serves an old picture.
    key: String,
    etag: ETag,
}

/// Reads `bbox|center&zoom`, `width`, `height`, the view (`year`, `date`, `edition`),
/// `lang`, `theme`, `labels` and `hide` of a static map of `map` drawn from `snapshot`. Without `bbox` or
/// `center`, `default_frame` is the frame when given.
pub(super) fn read_static(state: &AppState, snapshot: &crate::snapshot::Snapshot, map: crate::tile::MapKind, query: &Params, default_frame: Option<Frame>) -> Result<StaticAsk, ApiError> {
    let view = view(query, map, &snapshot.years())?;
    let theme = params::themed(query, state.styles.get(map), &snapshot.criteria.catalog, view)?.theme;
    let theme_key = theme.key(&snapshot.criteria.catalog);
    let given = |name: &str| query.get(name).is_some_and(|s| !s.trim().is_empty());
    let frame = match default_frame {
        Some(f) if !given("bbox") && !given("center") => f,
        _ => frame(query)?,
    };
    let (width, height) = (side(query, "width", 1024)?, side(query, "height", 768)?);
    let lang = lang(query)?;
    let mut request = StaticMap::new(view, frame, width, height, lang).map_err(|e| ApiError::bad(e.parameter, e.message))?;
    request.labels = params::labels(query)?;
    request.hidden = params::hidden_points(query)?;
    // As a tile's ETag names them: nothing for names and every point.
    let mut labels_key = String::from(if request.labels { "" } else { "nolabels" });
    if !request.hidden.is_empty() {
        labels_key.push_str(&format!("-hide{}", request.hidden.bits()));
    }
    let style_version = state.styles.get(map).version.clone();
    let frame_text = format!("{frame:?}");
    let etag = ETag::from_parts(&[
        &snapshot.version,
        "static",
        map.as_str(),
        &view.edition.to_string(),
        &view.as_of.to_string(),
        &super::http_cache::short_hash(&format!("{frame_text}-{width}x{height}-{lang:?}")),
        &style_version,
        &theme_key,
        &labels_key,
    ]);
    let key = format!("{}|{style_version}|{}|{}|{}|{frame_text}|{width}x{height}|{lang:?}|{theme_key}|{labels_key}", snapshot.version, map.as_str(), view.edition, view.as_of);
    Ok(StaticAsk { map, theme, request, key, etag })
}

impl StaticAsk {
    pub(super) fn etag(&self) -> &ETag {
        &self.etag
    }
}

/// Draws `ask` from `snapshot` with the static maps' render slots, cache and single
/// flight (the cache key holds the snapshot's data version).
pub(super) async fn draw_static(state: &AppState, snapshot: std::sync::Arc<crate::snapshot::Snapshot>, ask: StaticAsk) -> Result<(Bytes, Source), ApiError> {
    let styles = state.styles.clone();
    let StaticAsk { map, theme, request, key, .. } = ask;
    state
        .static_maps
        .get_or_render(key, move || {
            let attribution = crate::tile::tilejson::attribution(&snapshot);
            let themed = Themed::new(styles.get(map), theme, &snapshot.criteria.catalog).map_err(|e| e.0)?;
            let pixmap = render_static(&snapshot, snapshot.tiles(request.view.edition), &themed, &request, &attribution, snapshot.has_sample_data());
            encode_png(&pixmap).map(Bytes::from).map_err(|e| format!("PNG encoding failed: {e}"))
        })
        .await
}

/// `GET /static/{map}.png`.
pub async fn static_map(State(state): State<AppState>, Path(file): Path<String>, Query(query): Query<Params>, headers: HeaderMap) -> Result<Response, ApiError> {
    let Some(name) = file.strip_suffix(".png") else {
        return Err(ApiError::NotFound(format!("no route for /static/{file}: static maps are /static/{{map}}.png")));
    };
    let map = parse_map(name)?;
    let atlas = state.atlas.current();
    let ask = read_static(&state, &atlas, map, &query, None)?;
    let etag = ask.etag().clone();
    let cache_control = state.tiles.cache_control.clone();
    if http_cache::if_none_match(&headers, &etag) {
        return Ok(http_cache::not_modified(&etag, &cache_control, None));
    }
    let (body, source) = draw_static(&state, atlas, ask).await?;
    Ok(png_response(body, &etag, &cache_control, source))
}
