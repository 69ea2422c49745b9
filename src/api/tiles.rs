//! `GET /tiles/{map}/{z}/{x}/{y}.mvt`: vector tiles over HTTP.
//!
//! Steps per request:
//!   1. parse the address: `map` is `ntm` or `tourism` (else 404), the last segment is
//!      `<y>.mvt` (another format is 404), z/x/y are whole numbers inside the pyramid
//!      (else 400 naming the parameter), z above [`MAX_ZOOM`] is 404; then `year` and
//!      `edition` from the query (and, for PNG tiles, `theme`; a vector tile carries
//!      every criterion, so it has no theme);
//!   2. negotiate gzip or identity and name the representation with a strong ETag
//!      (data version, map, edition, year, z/x/y, encoding); a matching
//!      `If-None-Match` answers 304 at once, without rendering;
//!   3. look the tile up in the byte-bounded cache ([`TileCache`]); on a miss, render
//!      it with [`render_mvt`] and gzip it once, on the blocking pool (CPU work, at
//!      most one render per core at a time), and keep the gzip body;
//!   4. answer 200 with the gzip body (or the identity body, decompressed on demand),
//!      or 204 No Content for an empty tile; every answer carries ETag,
//!      Cache-Control and `Vary: Accept-Encoding` (CORS comes from the router's layer).

use super::http_cache::{self, ETag};
use super::params::{self, Params};
use super::tile_cache::{CachedTile, TileCache, TileKey};
use super::{ApiError, AppState};
use crate::snapshot::Snapshot;
use crate::config::TileArgs;
use crate::style::Theme;
use crate::tile::{render_mvt, MapKind, TileId, TileView, MAX_ZOOM};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use std::io::{Read, Write};
use std::sync::Arc;

pub const MVT_CONTENT_TYPE: &str = "application/vnd.mapbox-vector-tile";

/// The deepest zoom of the tile pyramid (addresses deeper than this are invalid).
const PYRAMID_MAX_ZOOM: u32 = 30;

/// Tile-serving settings and the tile cache.
pub struct TileService {
    pub cache: TileCache,
    /// Sent with every tile answer (200, 204, 304).
    pub cache_control: HeaderValue,
    /// Base of TileJSON tile templates; `None` derives it from the request.
    pub public_url: Option<String>,
    /// One permit per core: a burst of cache misses queues here instead of starting
    /// hundreds of blocking threads that would all compete for the same cores.
    pub(super) renders: tokio::sync::Semaphore,
}

impl TileService {
    pub fn new(args: &TileArgs) -> TileService {
        TileService {
            cache: TileCache::new(args.tile_cache_mb.saturating_mul(1 << 20)),
            cache_control: args.tile_cache_control.clone(),
            public_url: args.public_url.clone(),
            renders: tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
        }
    }
}

/// What a tile URL asks for: vector tile, or PNG at pixel ratio 1 or 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TileFormat {
    /// `{y}.mvt`
    Mvt,
    /// `{y}.png`: 256 px.
    Png,
    /// `{y}@2x.png`: 512 px.
    Png2x,
}

/// A parsed tile request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileRequest {
    pub view: TileView,
    pub tile: TileId,
    pub format: TileFormat,
    /// What PNG tiles colour by; always the level theme for vector tiles.
    pub theme: Theme,
    /// PNG tiles only: names drawn (`labels=true`, the default) or not (`labels=false`).
    pub labels: bool,
}

/// Steps 1 of the module doc: the address and the view, or the error to answer.
pub fn parse_request(map: &str, z: &str, x: &str, file: &str, query: &Params, years: &std::ops::RangeInclusive<u16>) -> Result<TileRequest, ApiError> {
    let map = parse_map(map)?;
    let (y, format) = match file.rsplit_once('.') {
        Some((y, "mvt")) => (y, TileFormat::Mvt),
        Some((y, "png")) => match y.strip_suffix("@2x") {
            Some(y) => (y, TileFormat::Png2x),
            None => (y, TileFormat::Png),
        },
        Some((_, ext)) => {
            return Err(ApiError::NotFound(format!("unknown tile format '.{ext}': tiles are /tiles/{{map}}/{{z}}/{{x}}/{{y}}.mvt, .png or @2x.png")))
        }
        None => return Err(ApiError::NotFound(format!("'{file}' has no tile format: tiles are /tiles/{{map}}/{{z}}/{{x}}/{{y}}.mvt, .png or @2x.png"))),
    };
    let z = coordinate("z", z)?;
    let x = coordinate("x", x)?;
    let y = coordinate("y", y)?;
    if z > PYRAMID_MAX_ZOOM {
        return Err(ApiError::bad("z", format!("zoom {z} is outside the tile pyramid (0–{PYRAMID_MAX_ZOOM})")));
    }
    let n = 1u64 << z;
    for (name, v) in [("x", x), ("y", y)] {
        if u64::from(v) >= n {
            return Err(ApiError::bad(name, format!("{name}={v} is outside the pyramid: at zoom {z}, {name} must be below {n}")));
        }
    }
    if z > u32::from(MAX_ZOOM) {
        return Err(ApiError::NotFound(format!("zoom {z} is beyond max zoom {MAX_ZOOM}: clients should overzoom tiles of zoom {MAX_ZOOM}")));
    }
    let tile = TileId::new(z, x, y).map_err(|e| ApiError::bad("z", e.to_string()))?;
    let view = TileView { map, edition: params::edition(query)?, as_of: params::as_of(query, years)? };
    Ok(TileRequest { view, tile, format, theme: Theme::Level, labels: true })
}

pub fn parse_map(text: &str) -> Result<MapKind, ApiError> {
    MapKind::parse(text).ok_or_else(|| ApiError::NotFound(format!("no map '{text}': the maps are 'ntm' and 'tourism'")))
}

fn coordinate(name: &'static str, text: &str) -> Result<u32, ApiError> {
    // Digits only: no sign, no spaces (u32's parser would accept a leading '+').
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad(name, format!("{name}='{text}' is not a tile coordinate (a whole number)")));
    }
    text.parse::<u32>().map_err(|_| ApiError::bad(name, format!("{name}={text} is outside the tile pyramid")))
}

/// The ETag of one representation of one tile of one data version (and, for a PNG tile
/// of a criterion theme, that theme: the data version fixes the catalog it indexes).
pub fn tile_etag(version: &str, req: &TileRequest, gzip: bool) -> ETag {
    let TileRequest { view, tile, format, theme, labels } = req;
    let representation = match format {
        TileFormat::Mvt if gzip => "gz",
        TileFormat::Mvt => "id",
        TileFormat::Png => "png",
        TileFormat::Png2x => "png2x",
    };
    let theme = match theme {
        Theme::Level => String::new(),
        Theme::Criterion { set, item } => format!("-criterion{set}_{item}"),
    };
    ETag::from_parts(&[
        version,
        view.map.as_str(),
        &view.edition.to_string(),
        &view.as_of.to_string(),
        &tile.z.to_string(),
        &tile.x.to_string(),
        &tile.y.to_string(),
        &format!("{representation}{theme}{}", if *labels { "" } else { "-nolabels" }),
    ])
}

fn vary() -> HeaderValue {
    HeaderValue::from_static("accept-encoding")
}

pub async fn tile(
    State(state): State<AppState>,
    Path((map, z, x, file)): Path<(String, String, String, String)>,
    Query(query): Query<Params>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let atlas = state.atlas.current();
    let mut req = parse_request(&map, &z, &x, &file, &query, &atlas.years())?;
    if req.format != TileFormat::Mvt {
        // Checked against the style now, so a theme the style cannot draw is a 400.
        let themed = params::themed(&query, state.styles.get(req.view.map), &atlas.criteria.catalog, req.view)?;
        req.theme = themed.theme;
        req.labels = params::labels(&query)?;
        return super::raster::png_tile(state, req, headers).await;
    }
    let service = state.tiles.clone();
    let gzip = http_cache::accepts_gzip(&headers);
    let etag = tile_etag(&atlas.version, &req, gzip);
    if http_cache::if_none_match(&headers, &etag) {
        return Ok(http_cache::not_modified(&etag, &service.cache_control, Some(&vary())));
    }
    let body = encoded_tile(&service, atlas, req, gzip).await?;
    tile_response(body, gzip, &etag, &service.cache_control)
}

/// A tile ready to send: its gzip body, its identity body, either or both as the
/// client and the cache need them (both empty for an empty tile), and how long the
/// render took when this request rendered it.
pub struct Encoded {
    pub gzip: Option<Bytes>,
    pub identity: Option<Bytes>,
    pub render: Option<std::time::Duration>,
}

impl Encoded {
    fn is_empty(&self) -> bool {
        self.gzip.as_ref().or(self.identity.as_ref()).is_none_or(|b| b.is_empty())
    }
}

/// Vector tiles from this zoom on are rendered on the request's own worker thread:
/// they take tens of microseconds (a dense z12 tile of the real 2025 communes, well
/// under a millisecond), less than handing them to the blocking pool and back.
const INLINE_FROM_ZOOM: u8 = 12;

/// Step 3: from the cache, or rendered (on the blocking pool below `INLINE_FROM_ZOOM`).
async fn encoded_tile(service: &TileService, atlas: Arc<Snapshot>, req: TileRequest, client_gzip: bool) -> Result<Encoded, ApiError> {
    let key = TileKey::of(&atlas.version, &req);
    let hit = |gzip: Bytes| Encoded { gzip: Some(gzip), identity: None, render: None };
    if let Some(cached) = service.cache.get(&key) {
        return Ok(hit(cached.gzip));
    }
    let _permit = service.renders.acquire().await.map_err(|e| ApiError::Internal(format!("render queue closed: {e}")))?;
    // A request queued behind a render of the same tile finds it done.
    if let Some(cached) = service.cache.get(&key) {
        return Ok(hit(cached.gzip));
    }
    // Compress only for a gzip client or for the cache (which keeps tiles gzipped).
    let need_gzip = client_gzip || service.cache.enabled();
    let rendered = if req.tile.z >= INLINE_FROM_ZOOM {
        render_encoded(&atlas, req, need_gzip)?
    } else {
        tokio::task::spawn_blocking(move || render_encoded(&atlas, req, need_gzip))
            .await
            .map_err(|e| ApiError::Internal(format!("rendering tile {} failed: {e}", req.tile)))??
    };
    if let Some(took) = rendered.render {
        super::metrics::tile_rendered(req.format, req.tile.z, took);
    }
    if let (true, Some(gzip)) = (service.cache.enabled(), &rendered.gzip) {
        service.cache.insert(key, CachedTile { gzip: gzip.clone() });
    }
    Ok(rendered)
}

/// Renders the MVT bytes and, when asked, gzips them (an empty tile stays empty).
pub fn render_encoded(atlas: &Snapshot, req: TileRequest, need_gzip: bool) -> Result<Encoded, ApiError> {
    let started = std::time::Instant::now();
    let raw = render_mvt(atlas, atlas.tiles(req.view.edition), req.view, req.tile);
    let render = Some(started.elapsed());
    if raw.is_empty() {
        return Ok(Encoded { gzip: Some(Bytes::new()), identity: Some(Bytes::new()), render });
    }
    let gzip = if need_gzip {
        Some(Bytes::from(gzip(&raw).map_err(|e| ApiError::Internal(format!("gzip of tile {} failed: {e}", req.tile)))?))
    } else {
        None
    };
    Ok(Encoded { gzip, identity: Some(Bytes::from(raw)), render })
}

/// Level 1: tiles compress to about a third either way, and a cold tile should not
/// wait for the slower levels (a z5 tile takes several ms at the default level).
pub fn gzip(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(raw.len() / 2 + 64), flate2::Compression::fast());
    encoder.write_all(raw)?;
    encoder.finish()
}

pub fn gunzip(gz: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(gz.len() * 3);
    flate2::read::GzDecoder::new(gz).read_to_end(&mut out)?;
    Ok(out)
}

/// Step 4: 200 (gzip or identity) or 204 for an empty tile, with the validators and a
/// `Server-Timing` header (`render;dur=ms` when rendered now, `cache;desc=hit` else).
pub fn tile_response(body: Encoded, gzip: bool, etag: &ETag, cache_control: &HeaderValue) -> Result<Response, ApiError> {
    let timing = match body.render {
        Some(d) => format!("render;dur={:.3}", d.as_secs_f64() * 1000.0),
        None => "cache;desc=hit".to_string(),
    };
    let mut response = if body.is_empty() {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NO_CONTENT;
        r
    } else {
        let bytes = match (gzip, body.gzip, body.identity) {
            (true, Some(gz), _) => gz,
            (true, None, Some(identity)) => {
                Bytes::from(self::gzip(&identity).map_err(|e| ApiError::Internal(format!("gzip failed: {e}")))?)
            }
            (false, _, Some(identity)) => identity,
            (false, Some(gz), None) => {
                Bytes::from(gunzip(&gz).map_err(|e| ApiError::Internal(format!("cached tile does not decompress: {e}")))?)
            }
            (_, None, None) => Bytes::new(),
        };
        let mut r = Response::new(Body::from(bytes));
        r.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(MVT_CONTENT_TYPE));
        if gzip {
            r.headers_mut().insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        r
    };
    if let Ok(v) = HeaderValue::from_str(&timing) {
        response.headers_mut().insert(axum::http::HeaderName::from_static("server-timing"), v);
    }
    http_cache::validators(&mut response, etag, cache_control, Some(&vary()));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::{CACHE_CONTROL, ETAG, VARY};

    fn q(pairs: &[(&str, &str)]) -> Params {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn parameter(e: ApiError) -> String {
        match e {
            ApiError::BadParameter { parameter, .. } => parameter.to_string(),
            other => format!("not a 400: {other}"),
        }
    }

    #[test]
    fn parses_addresses_and_views() {
        let r = parse_request("ntm", "8", "203", "113.mvt", &q(&[]), &(2021..=2025)).unwrap();
        assert_eq!(r.tile, TileId { z: 8, x: 203, y: 113 });
        assert_eq!(r.view.map, MapKind::Ntm);
        assert_eq!(r.view.as_of, crate::model::AsOf::Year(2025));
        assert_eq!(r.view.edition, crate::model::Edition::E2024);
        let r = parse_request("tourism", "0", "0", "0.mvt", &q(&[("year", "2022"), ("edition", "2025")]), &(2021..=2025)).unwrap();
        assert_eq!((r.view.map, r.view.as_of, r.view.edition), (MapKind::Tourism, crate::model::AsOf::Year(2022), crate::model::Edition::E2025));
    }

    #[test]
    fn bad_addresses_name_the_parameter_or_are_not_found() {
        let p = |z: &str, x: &str, f: &str| parse_request("ntm", z, x, f, &q(&[]), &(2021..=2025)).unwrap_err();
        assert_eq!(parameter(p("31", "0", "0.mvt")), "z");
        assert_eq!(parameter(p("a", "0", "0.mvt")), "z");
        assert_eq!(parameter(p("4", "16", "0.mvt")), "x");
        assert_eq!(parameter(p("4", "0", "16.mvt")), "y");
        assert_eq!(parameter(p("4", "-1", "0.mvt")), "x");
        assert_eq!(parameter(p("4", "+1", "0.mvt")), "x");
        assert_eq!(parameter(p("4", "0", "abc.mvt")), "y");
        assert_eq!(parameter(p("4", "0", ".mvt")), "y");
        assert_eq!(parameter(p("4", "99999999999", "0.mvt")), "x");
        assert!(matches!(p("15", "0", "0.mvt"), ApiError::NotFound(m) if m.contains("beyond max zoom")));
        assert!(matches!(p("4", "0", "0.jpg"), ApiError::NotFound(m) if m.contains(".jpg")));
        assert_eq!(parse_request("ntm", "4", "0", "0.png", &q(&[]), &(2021..=2025)).unwrap().format, TileFormat::Png);
        assert_eq!(parse_request("ntm", "4", "0", "3@2x.png", &q(&[]), &(2021..=2025)).unwrap().tile.y, 3);
        assert_eq!(parameter(p("4", "0", "3@3x.png")), "y");
        assert!(matches!(p("4", "0", "0"), ApiError::NotFound(_)));
        assert!(matches!(parse_request("roads", "0", "0", "0.mvt", &q(&[]), &(2021..=2025)).unwrap_err(), ApiError::NotFound(m) if m.contains("'roads'")));
        let e = parse_request("ntm", "0", "0", "0.mvt", &q(&[("year", "2019")]), &(2021..=2025)).unwrap_err();
        assert_eq!(parameter(e), "year");
        let e = parse_request("ntm", "0", "0", "0.mvt", &q(&[("edition", "2023")]), &(2021..=2025)).unwrap_err();
        assert_eq!(parameter(e), "edition");
    }

    #[test]
    fn etags_differ_by_representation_view_and_version() {
        let r = parse_request("ntm", "8", "203", "113.mvt", &q(&[]), &(2021..=2025)).unwrap();
        let gz = tile_etag("abc", &r, true);
        assert_eq!(gz.opaque(), "abc-ntm-2024-2025-8-203-113-gz");
        assert_ne!(gz, tile_etag("abc", &r, false));
        assert_ne!(gz, tile_etag("abd", &r, true));
        let r2 = parse_request("ntm", "8", "203", "113.mvt", &q(&[("year", "2024")]), &(2021..=2025)).unwrap();
        assert_ne!(gz, tile_etag("abc", &r2, true));
        // PNG tiles name their theme; the level theme keeps the tag it always had.
        let png = TileRequest { format: TileFormat::Png, ..r };
        assert_eq!(tile_etag("abc", &png, false).opaque(), "abc-ntm-2024-2025-8-203-113-png");
        let themed = TileRequest { theme: Theme::Criterion { set: 0, item: crate::model::ItemNumber::indicator(8, 4) }, ..png };
        assert_eq!(tile_etag("abc", &themed, false).opaque(), "abc-ntm-2024-2025-8-203-113-png-criterion0_8.4");
        let other = TileRequest { theme: Theme::Criterion { set: 1, item: crate::model::ItemNumber::indicator(8, 4) }, ..png };
        assert_ne!(tile_etag("abc", &themed, false), tile_etag("abc", &other, false));
    }

    fn encoded(raw: &[u8]) -> Encoded {
        Encoded { gzip: Some(Bytes::from(gzip(raw).unwrap())), identity: None, render: None }
    }

    #[tokio::test]
    async fn responses_carry_the_negotiated_body_and_validators() {
        let raw: Vec<u8> = (0..5000u32).map(|i| (i % 7) as u8).collect();
        let etag = ETag::from_parts(&["v", "gz"]);
        let cc = HeaderValue::from_static("public, max-age=5");
        let r = tile_response(encoded(&raw), true, &etag, &cc).unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["server-timing"], "cache;desc=hit");
        assert_eq!(r.headers()[CONTENT_TYPE], MVT_CONTENT_TYPE);
        assert_eq!(r.headers()[CONTENT_ENCODING], "gzip");
        assert_eq!(r.headers()[ETAG], "\"v-gz\"");
        assert_eq!(r.headers()[CACHE_CONTROL], "public, max-age=5");
        assert_eq!(r.headers()[VARY], "accept-encoding");
        let gz_body = collect(r).await;
        assert_eq!(gunzip(&gz_body).unwrap(), raw);
        // Identity from a cached gzip body: decompressed on demand.
        let r = tile_response(encoded(&raw), false, &etag, &cc).unwrap();
        assert!(r.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(collect(r).await, raw);
        // Rendered now for an identity client: no compression at all, and the render
        // time in Server-Timing; a gzip client of the same fresh render gets it gzipped.
        let fresh = || Encoded { gzip: None, identity: Some(Bytes::from(raw.clone())), render: Some(std::time::Duration::from_micros(1500)) };
        let r = tile_response(fresh(), false, &etag, &cc).unwrap();
        assert_eq!(r.headers()["server-timing"], "render;dur=1.500");
        assert_eq!(collect(r).await, raw);
        let r = tile_response(fresh(), true, &etag, &cc).unwrap();
        assert_eq!(gunzip(&collect(r).await).unwrap(), raw);
        // An empty tile: 204 with the same validators and no body.
        let empty = Encoded { gzip: Some(Bytes::new()), identity: None, render: None };
        let r = tile_response(empty, true, &etag, &cc).unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert!(r.headers().get(CONTENT_ENCODING).is_none());
        assert_eq!(r.headers()[ETAG], "\"v-gz\"");
        assert_eq!(r.headers()[VARY], "accept-encoding");
        assert!(collect(r).await.is_empty());
    }

    async fn collect(r: Response) -> Vec<u8> {
        axum::body::to_bytes(r.into_body(), usize::MAX).await.unwrap().to_vec()
    }
}
