//! `GET /tiles/{map}.json`: TileJSON 3.0.0 describing a map's vector tiles.
//!
//! Steps per request:
//!   1. parse `{map}.json` and the optional `year` / `edition` query (400 naming the
//!      parameter when wrong);
//!   2. find the public base URL: `--public-url` when set, else the request's
//!      `X-Forwarded-Proto` / `X-Forwarded-Host`, else `Forwarded`, else `Host`;
//!   3. name the answer with an ETag of (data version, map, view, template) and answer
//!      304 when `If-None-Match` matches;
//!   4. build the document ([`crate::tile::tilejson`], which also describes archives
//!      written by `bando export --map`) with the tile template: base + path + the given
//!      view + `v`, the version of the tiles (data and build), which makes the tile URLs
//!      cacheable for ever; and `raster_version`, the `v` of the view's PNG tile URLs
//!      (data, build and style).

use super::http_cache::{self, short_hash, ETag};
use super::params::{self, Params};
use super::tile_request::parse_map;
use super::{ApiError, AppState};
use crate::tile::tilejson::document;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};

/// Clients revalidate every time (a 304 is cheap), so a new data version shows at once.
const TILEJSON_CACHE_CONTROL: &str = "public, no-cache";

pub async fn tilejson(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<Params>,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(map) = file.strip_suffix(".json") else {
        return Err(ApiError::NotFound(format!("no route for /tiles/{file}: TileJSON is at /tiles/{{map}}.json")));
    };
    let map = parse_map(map)?;
    let given = |name: &str| query.get(name).is_some_and(|v| !v.trim().is_empty());
    let atlas = state.atlas.current();
    let (as_of, edition) = (params::as_of(&query, &atlas.years())?, params::edition(&query)?);
    let mut view_query = Vec::new();
    if given("year") {
        view_query.push(format!("year={}", as_of.year()));
    }
    if let Some(day) = as_of.day() {
        view_query.push(format!("date={day}"));
    }
    if given("edition") {
        view_query.push(format!("edition={edition}"));
    }
    // The version of the tiles: the bytes at these URLs never change, so caches keep them
    // (`--tile-cache-control-versioned`); the next data or build gives new URLs.
    view_query.push(format!("v={}", http_cache::tiles_version(&atlas.version)));
    let view_query = format!("?{}", view_query.join("&"));

    let from_request = state.tiles.public_url.is_none();
    let base = state.tiles.public_url.clone().unwrap_or_else(|| request_base(&headers, &uri));
    let template = format!("{base}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt{view_query}", map.as_str());

    // The `v` of this view's PNG tile URLs also names the style.
    let style_version = &state.styles.get(map).version;
    let etag = ETag::from_parts(&["tj", &atlas.version, map.as_str(), &edition.to_string(), &as_of.to_string(), &short_hash(&template), style_version]);
    let cache_control = HeaderValue::from_static(TILEJSON_CACHE_CONTROL);
    // The template depends on these headers when no public URL is configured.
    let vary = from_request.then(|| HeaderValue::from_static("x-forwarded-proto, x-forwarded-host, forwarded"));
    if http_cache::if_none_match(&headers, &etag) {
        return Ok(http_cache::not_modified(&etag, &cache_control, vary.as_ref()));
    }
    let mut doc = document(&atlas, map, edition, as_of.year(), Some(template));
    // Not part of TileJSON (which allows more fields): the `v` that makes this view's PNG
    // tile URLs (`.png`, `@2x.png`) cacheable for ever, as `tiles` does for vector tiles.
    doc["raster_version"] = http_cache::png_tiles_version(&atlas.version, style_version).into();
    let mut response = ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], doc.to_string()).into_response();
    http_cache::validators(&mut response, &etag, &cache_control, vary.as_ref());
    Ok(response)
}

/// Step 2 without a configured URL: `proto://host` from the forwarding headers or Host.
pub fn request_base(headers: &HeaderMap, uri: &Uri) -> String {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(first_item);
    let forwarded = headers.get("forwarded").and_then(|v| v.to_str().ok()).map(parse_forwarded).unwrap_or_default();
    let proto = header("x-forwarded-proto")
        .map(str::to_ascii_lowercase)
        .filter(|p| p == "http" || p == "https")
        .or(forwarded.proto)
        .unwrap_or_else(|| "http".into());
    let host = header("x-forwarded-host")
        .filter(|h| valid_host(h))
        .map(str::to_string)
        .or(forwarded.host)
        .or_else(|| headers.get(HOST).and_then(|v| v.to_str().ok()).filter(|h| valid_host(h)).map(str::to_string))
        .or_else(|| uri.authority().map(|a| a.as_str().to_string()).filter(|h| valid_host(h)))
        .unwrap_or_else(|| "localhost".into());
    format!("{proto}://{host}")
}

/// The first of a comma-separated list (proxies append, the client's view is first).
fn first_item(text: &str) -> &str {
    text.split(',').next().unwrap_or("").trim()
}

/// host[:port], a name or an IP literal: nothing that could break out of a URL.
fn valid_host(host: &str) -> bool {
    !host.is_empty() && host.len() <= 255 && host.chars().all(|c| c.is_ascii_alphanumeric() || ".-_:[]".contains(c))
}

#[derive(Debug, Default, PartialEq)]
struct Forwarded {
    proto: Option<String>,
    host: Option<String>,
}

/// RFC 7239 `Forwarded: for=…;proto=https;host=example.org, for=…`: the first element.
fn parse_forwarded(text: &str) -> Forwarded {
    let mut out = Forwarded::default();
    for pair in first_item(text).split(';') {
        let Some((k, v)) = pair.split_once('=') else { continue };
        let v = v.trim().trim_matches('"');
        match k.trim().to_ascii_lowercase().as_str() {
            "proto" if v.eq_ignore_ascii_case("http") || v.eq_ignore_ascii_case("https") => {
                out.proto = Some(v.to_ascii_lowercase())
            }
            "host" if valid_host(v) => out.host = Some(v.to_string()),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn base_from_forwarding_headers_then_host() {
        let uri: Uri = "/tiles/ntm.json".parse().unwrap();
        assert_eq!(request_base(&headers(&[("host", "127.0.0.1:8080")]), &uri), "http://127.0.0.1:8080");
        assert_eq!(
            request_base(&headers(&[("host", "10.0.0.5"), ("x-forwarded-proto", "https"), ("x-forwarded-host", "maps.example.vn, proxy")]), &uri),
            "https://maps.example.vn"
        );
        assert_eq!(request_base(&headers(&[("host", "h:1"), ("x-forwarded-proto", "HTTPS")]), &uri), "https://h:1");
        assert_eq!(
            request_base(&headers(&[("host", "h"), ("forwarded", "for=1.2.3.4;proto=https;host=\"bando.vn\", for=5.6.7.8")]), &uri),
            "https://bando.vn"
        );
        // Nothing that could break out of the URL is taken.
        assert_eq!(request_base(&headers(&[("host", "h"), ("x-forwarded-host", "evil/\"x")]), &uri), "http://h");
        assert_eq!(request_base(&headers(&[("host", "h"), ("x-forwarded-proto", "javascript")]), &uri), "http://h");
        assert_eq!(request_base(&HeaderMap::new(), &uri), "http://localhost");
        let absolute: Uri = "http://auth.example:9/tiles/ntm.json".parse().unwrap();
        assert_eq!(request_base(&HeaderMap::new(), &absolute), "http://auth.example:9");
    }

    #[test]
    fn forwarded_takes_the_first_element() {
        assert_eq!(
            parse_forwarded("proto=https;host=a.vn,proto=http;host=b.vn"),
            Forwarded { proto: Some("https".into()), host: Some("a.vn".into()) }
        );
        assert_eq!(parse_forwarded("for=1.2.3.4"), Forwarded::default());
    }
}
