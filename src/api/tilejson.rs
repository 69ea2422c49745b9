//! `GET /tiles/{map}.json`: TileJSON 3.0.0 describing a map's vector tiles.
//!
//! Steps per request:
//!   1. parse `{map}.json` and the optional `year` / `edition` query (400 naming the
//!      parameter when wrong);
//!   2. find the public base URL: `--public-url` when set, else the request's
//!      `X-Forwarded-Proto` / `X-Forwarded-Host`, else `Forwarded`, else `Host`;
//!   3. name the answer with an ETag of (data version, map, view, template) and answer
//!      304 when `If-None-Match` matches;
//!   4. build the document: the tile template (base + path + the given query), zooms,
//!      bounds (the union of the edition's commune boxes), center, `vector_layers`,
//!      attribution (naming sample data), names and descriptions in Vietnamese with
//!      English in `name_en` / `description_en`.

use super::http_cache::{self, short_hash, ETag};
use super::params::{self, Params};
use super::tiles::parse_map;
use super::{ApiError, AppState};
use crate::atlas::Atlas;
use crate::model::{Edition, VIETNAM_EXTENT};
use crate::tile::{vector_layers, MapKind, MAX_ZOOM};
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Clients revalidate every time (a 304 is cheap), so a new data version shows at once.
const TILEJSON_CACHE_CONTROL: &str = "public, no-cache";
/// Where the map opens: the middle of the mainland.
const CENTER: [f64; 3] = [105.85, 16.0, 5.0];
/// Web Mercator's latitude limit.
const MAX_LAT: f64 = 85.051_129;

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
    let view_query = if view_query.is_empty() { String::new() } else { format!("?{}", view_query.join("&")) };

    let from_request = state.tiles.public_url.is_none();
    let base = state.tiles.public_url.clone().unwrap_or_else(|| request_base(&headers, &uri));
    let template = format!("{base}/tiles/{}/{{z}}/{{x}}/{{y}}.mvt{view_query}", map.as_str());

    let etag = ETag::from_parts(&["tj", &atlas.version, map.as_str(), &edition.to_string(), &as_of.to_string(), &short_hash(&template)]);
    let cache_control = HeaderValue::from_static(TILEJSON_CACHE_CONTROL);
    // The template depends on these headers when no public URL is configured.
    let vary = from_request.then(|| HeaderValue::from_static("x-forwarded-proto, x-forwarded-host, forwarded"));
    if http_cache::if_none_match(&headers, &etag) {
        return Ok(http_cache::not_modified(&etag, &cache_control, vary.as_ref()));
    }
    let doc = document(&atlas, map, edition, as_of.year(), template);
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

/// Step 4: the TileJSON document.
pub fn document(atlas: &Atlas, map: MapKind, edition: Edition, year: u16, template: String) -> Value {
    let bounds = bounds(atlas, edition);
    let center = if (bounds[0]..=bounds[2]).contains(&CENTER[0]) && (bounds[1]..=bounds[3]).contains(&CENTER[1]) {
        CENTER
    } else {
        [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0, CENTER[2]]
    };
    let sample = atlas.has_sample_data();
    let (name, name_en, description, description_en) = texts(map, edition, year);
    json!({
        "tilejson": "3.0.0",
        "name": name,
        "name_en": name_en,
        "description": if sample { format!("{description} Dữ liệu MẪU, không phải số liệu chính thức.") } else { description },
        "description_en": if sample { format!("{description_en} SAMPLE data, not official figures.") } else { description_en },
        "version": atlas.version,
        "attribution": attribution(atlas),
        "scheme": "xyz",
        "tiles": [template],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": bounds,
        "center": center,
        "vector_layers": vector_layers(map, edition, &atlas.criteria.catalog, year),
        "edition": edition,
        "year": year,
        "sample": sample,
    })
}

fn texts(map: MapKind, edition: Edition, year: u16) -> (String, String, String, String) {
    let bounds_vi = match edition {
        Edition::E2024 => "ranh giới xã trước ngày 1/7/2025",
        Edition::E2025 => "ranh giới xã từ ngày 1/7/2025",
    };
    let bounds_en = match edition {
        Edition::E2024 => "communes as before 1 July 2025",
        Edition::E2025 => "communes from 1 July 2025",
    };
    match map {
        MapKind::Ntm => (
            "Bản đồ số về kết quả xây dựng nông thôn mới".into(),
            "New Rural Development results map".into(),
            format!(
                "Mức đạt chuẩn nông thôn mới của xã, huyện, tỉnh đến hết năm {year} ({bounds_vi}); \
                 mô hình thí điểm xã nông thôn mới thông minh, xã thương mại điện tử, thôn thông minh."
            ),
            format!(
                "New Rural Development (NTM) level of communes, districts and provinces at the end of {year} \
                 ({bounds_en}); smart-commune, e-commerce-commune and smart-village pilots."
            ),
        ),
        MapKind::Tourism => (
            "Bản đồ số về du lịch nông thôn".into(),
            "Rural tourism map".into(),
            format!("Điểm du lịch nông thôn, homestay, làng nghề và sản phẩm OCOP 3–5 sao ({bounds_vi})."),
            format!("Rural tourism sites, homestays, craft villages and 3–5 star OCOP products ({bounds_en})."),
        ),
    }
}

/// The union of the edition's commune boxes, clamped to Web Mercator.
fn bounds(atlas: &Atlas, edition: Edition) -> [f64; 4] {
    let index = &atlas.edition(edition).index;
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for i in 0..index.len() {
        let area = index.area(i);
        if area.is_empty() {
            continue;
        }
        let [x0, y0, x1, y1] = area.bbox();
        b = [b[0].min(x0), b[1].min(y0), b[2].max(x1), b[3].max(y1)];
    }
    if !b.iter().all(|v| v.is_finite()) {
        b = VIETNAM_EXTENT;
    }
    let round = |v: f64| (v * 1e6).round() / 1e6;
    [round(b[0].max(-180.0)), round(b[1].max(-MAX_LAT)), round(b[2].min(180.0)), round(b[3].min(MAX_LAT))]
}

/// The data sources, naming sample data as such.
pub fn attribution(atlas: &Atlas) -> String {
    let s = &atlas.sources;
    let mut parts = Vec::new();
    if atlas.editions.iter().any(|e| e.boundaries.sample) {
        parts.push("vietnamadminunits (MIT)".to_string());
        parts.push("Natural Earth".to_string());
    }
    for e in atlas.editions.iter().filter(|e| !e.boundaries.sample) {
        if let Some(name) = e.boundaries.path.file_name() {
            parts.push(format!("boundaries {}: {}", e.edition, name.to_string_lossy()));
        }
    }
    if [&s.results, &s.district_results, &s.province_results, &s.pilots, &s.tourism].iter().any(|d| d.sample) {
        parts.push("sample NTM data (not official)".to_string());
    }
    parts.join("; ")
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
