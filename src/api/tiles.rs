//! `GET /tiles/{map}/{z}/{x}/{y}.mvt`: vector tiles over HTTP (PNG tiles share the
//! address and are handed to [`super::raster::png_tile`]).
//!
//! Steps per request:
//!   1. parse the address and the view ([`super::tile_request`]);
//!   2. negotiate gzip or identity and name the representation with a strong ETag
//!      (data version, map, edition, year, z/x/y, encoding); a matching
//!      `If-None-Match` answers 304 at once, without rendering; `Cache-Control` follows
//!      the version the URL names, if any (`v`: [`TileService::cache_control_for`]);
//!   3. look the tile up in the tile cache by a borrowed key, with the snapshot in force
//!      borrowed too: a warm tile allocates nothing to be found and changes no reference
//!      count that the other HTTP workers change; on a miss, get the gzip body through
//!      the tile pipeline ([`super::tile_pipeline`]: permit, render off the async
//!      threads, insert); the bytes are those of [`served_mvt`], which `bando export
//!      --map` writes into archives;
//!   4. answer 200 with the gzip body (or the identity body, decompressed on demand),
//!      or 204 No Content for an empty tile; every answer carries ETag,
//!      Cache-Control, `Vary: Accept-Encoding` and `Server-Timing` (CORS comes from the
//!      router's layer).
//!
//! With `--tiles DIR` (a publication's archives), step 3 reads the tile from the archive
//! of the view instead, when one holds the tile's zoom ([`crate::publish::PublishedTiles`]).

use super::http_cache::{self, ETag};
use super::params::{self, QueryPairs};
use super::tile_cache::{TileKey, TileKeyRef};
use super::tile_pipeline::{Run, Source};
use super::tile_request::{parse_request, tile_etag, TileRequest, UrlVersion};
use crate::publish::PublishedTiles;
use crate::pyramid::pmtiles_read::PmtilesReader;
use std::sync::Arc;
use super::{ApiError, AppState};
use crate::pyramid::{gunzip, served_mvt};
use crate::model::AsOf;
use axum::body::Body;
use axum::extract::{RawPathParams, State};
use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use bytes::Bytes;

pub use super::tile_pipeline::TileService;
pub use super::tile_request::TileFormat;

pub const MVT_CONTENT_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// Vector tiles from this zoom on are rendered on the request's own worker thread:
/// they take tens of microseconds (a dense z12 tile of the real 2025 communes, well
/// under a millisecond), less than handing them to the blocking pool and back.
const INLINE_FROM_ZOOM: u8 = 12;

fn vary() -> HeaderValue {
    HeaderValue::from_static("accept-encoding")
}

/// The query string is read where it lies ([`QueryPairs`], from the request's `Uri`):
/// a tile URL as TileJSON gives it (`?v=…`) or with a view (`?year=…`) costs no map and
/// no string per parameter.
pub async fn tile(
    State(state): State<AppState>,
    path: RawPathParams,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let [map, z, x, file] = segments(&path)?;
    let query = QueryPairs::parse(uri.query().unwrap_or(""));
    // One snapshot for the whole request, borrowed (no reference count that the other
    // workers change) until a render needs its own handle.
    let in_force = state.atlas.load();
    let mut req = parse_request(map, z, x, file, &query, &in_force.snapshot.years())?;
    if req.format != TileFormat::Mvt {
        let atlas = in_force.snapshot.clone();
        drop(in_force);
        // Checked against the style now, so a theme the style cannot draw is a 400.
        let themed = params::themed(&query, state.styles.get(req.view.map), &atlas.criteria.catalog, req.view)?;
        req.theme = themed.theme;
        req.labels = params::labels(&query)?;
        req.hidden = params::hidden_points(&query)?;
        // A PNG tile's version also names the style, which `--styles` can change.
        req.url_version = UrlVersion::of_png(&query, &atlas.version, &state.styles.get(req.view.map).version);
        return super::raster::png_tile(state, req, headers).await;
    }
    req.url_version = UrlVersion::of(&query, &in_force.snapshot.version);
    let gzip = http_cache::accepts_gzip(&headers);
    if let Some(archive) = published_archive(&state, &req) {
        drop(in_force);
        return published_tile(&state.tiles, archive, &req, gzip, &headers).await;
    }
    let service = &state.tiles;
    // The version of the data this tile shows: older than the atlas's when the
    // publications since left the tile as it was, so cached bytes and ETags stay valid.
    let version = in_force.snapshot.tile_version(req.view.edition, req.tile);
    let etag = tile_etag(version, &req, gzip);
    let cache_control = service.cache_control_for(req.url_version);
    if http_cache::if_none_match(&headers, &etag) {
        return Ok(http_cache::not_modified(&etag, cache_control, Some(&vary())));
    }
    // A warm tile is answered here: the cache is looked up by a borrowed key.
    let key = TileKeyRef::of(version, &req);
    if let Some(body) = service.cache.get(&key) {
        return tile_response(body, Source::Hit, gzip, &etag, cache_control);
    }
    let (key, atlas) = (key.to_owned(), in_force.snapshot.clone());
    drop(in_force);
    let run = if req.tile.z >= INLINE_FROM_ZOOM { Run::InPlace } else { Run::Blocking };
    let (view, at) = (req.view, req.tile);
    let (body, source) = service
        .get_or_render(key, run, move || {
            served_mvt(&atlas, view, at).map(Bytes::from).map_err(|e| format!("gzip of tile {at} failed: {e}"))
        })
        .await?;
    tile_response(body, source, gzip, &etag, service.cache_control_for(req.url_version))
}

/// The route's four segments (`/tiles/{map}/{z}/{x}/{file}`), borrowed from the request.
fn segments(path: &RawPathParams) -> Result<[&str; 4], ApiError> {
    let mut out = [None; 4];
    for (name, value) in path {
        let at = match name {
            "map" => 0,
            "z" => 1,
            "x" => 2,
            "file" => 3,
            _ => continue,
        };
        out[at] = Some(value);
    }
    match out {
        [Some(map), Some(z), Some(x), Some(file)] => Ok([map, z, x, file]),
        _ => Err(ApiError::Internal("the tile route lacks a segment".into())),
    }
}

/// With `--tiles`: the publication's archive of the view when one holds the tile's
/// zoom; `None` leaves the tile to the renderer.
fn published_archive<'a>(state: &'a AppState, req: &TileRequest) -> Option<(&'a PublishedTiles, Arc<PmtilesReader>)> {
    let published = state.published_tiles.as_ref()?;
    let AsOf::Year(year) = req.view.as_of else { return None };
    let edition: u16 = req.view.edition.to_string().parse().unwrap_or(0);
    Some((published, published.archive(req.view.map.as_str(), edition, year, req.tile.z)?))
}

/// The tile read from the publication's `archive` (steps 2–4 as for a rendered tile,
/// named by the publication's data version).
async fn published_tile(
    service: &TileService,
    (published, archive): (&PublishedTiles, Arc<PmtilesReader>),
    req: &TileRequest,
    gzip: bool,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let etag = tile_etag(&published.data_version, req, gzip);
    // A publication's archives can be replaced under the same data version (published
    // again by another build): their tiles keep the plain policy whatever `v` says.
    let cache_control = &service.cache_control;
    if http_cache::if_none_match(headers, &etag) {
        return Ok(http_cache::not_modified(&etag, cache_control, Some(&vary())));
    }
    let at = req.tile;
    let (body, source) = service
        .get_or_render(TileKey::of(&published.data_version, req), Run::Blocking, move || {
            archive.get(at).map(|tile| Bytes::from(tile.unwrap_or_default())).map_err(|e| format!("tile {at} of the archive: {e}"))
        })
        .await?;
    tile_response(body, source, gzip, &etag, cache_control)
}

/// Step 4: 200 (gzip, or identity decompressed from it) or 204 for an empty tile, with
/// the validators and `Server-Timing`.
pub fn tile_response(gz: Bytes, source: Source, gzip: bool, etag: &ETag, cache_control: &HeaderValue) -> Result<Response, ApiError> {
    let mut response = if gz.is_empty() {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NO_CONTENT;
        r
    } else {
        let bytes = if gzip {
            gz
        } else {
            // Identity clients are rare: their body is decompressed on demand.
            Bytes::from(gunzip(&gz).map_err(|e| ApiError::Internal(format!("tile does not decompress: {e}")))?)
        };
        let mut r = Response::new(Body::from(bytes));
        // Room for every header of the answer (these, the validators, CORS and the
        // security headers): the map is not grown and rehashed on the way.
        r.headers_mut().reserve(12);
        r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(MVT_CONTENT_TYPE));
        if gzip {
            r.headers_mut().insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        r
    };
    source.annotate(&mut response);
    http_cache::validators(&mut response, etag, cache_control, Some(&vary()));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pyramid::gzip;
    use axum::http::header::{CACHE_CONTROL, ETAG, VARY};

    #[tokio::test]
    async fn responses_carry_the_negotiated_body_and_validators() {
        let raw: Vec<u8> = (0..5000u32).map(|i| (i % 7) as u8).collect();
        let gz = || Bytes::from(gzip(&raw).unwrap());
        let etag = ETag::from_parts(&["v", "gz"]);
        let cc = HeaderValue::from_static("public, max-age=5");
        let r = tile_response(gz(), Source::Hit, true, &etag, &cc).unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["server-timing"], "cache;desc=hit");
        assert_eq!(r.headers()[CONTENT_TYPE], MVT_CONTENT_TYPE);
        assert_eq!(r.headers()[CONTENT_ENCODING], "gzip");
        assert_eq!(r.headers()[ETAG], etag.header_value());
        assert_eq!(r.headers()[CACHE_CONTROL], "public, max-age=5");
        assert_eq!(r.headers()[VARY], "accept-encoding");
        let gz_body = collect(r).await;
        assert_eq!(gunzip(&gz_body).unwrap(), raw);
        // Identity from the gzip body: decompressed on demand; the render time when
        // this request rendered it.
        let r = tile_response(gz(), Source::Rendered(std::time::Duration::from_micros(1500)), false, &etag, &cc).unwrap();
        assert!(r.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(r.headers()["server-timing"], "render;dur=1.500");
        assert_eq!(collect(r).await, raw);
        // An empty tile: 204 with the same validators and no body.
        let r = tile_response(Bytes::new(), Source::Hit, true, &etag, &cc).unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(r.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(r.headers()[ETAG], etag.header_value());
        assert_eq!(r.headers()[VARY], "accept-encoding");
        assert!(collect(r).await.is_empty());
    }

    async fn collect(r: Response) -> Vec<u8> {
        axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap().to_vec()
    }
}
