//! HTTP caching and content negotiation shared by the tile and TileJSON routes
//! (tower-http has CORS and compression but no ETag layer).
//!
//! Steps for a cacheable answer:
//!   1. pick the representation: gzip when the request's `Accept-Encoding` allows it
//!      ([`accepts_gzip`]), identity otherwise;
//!   2. name it with a strong ETag built from the data version, the resource and the
//!      representation ([`ETag`]), before any work is done;
//!   3. if `If-None-Match` matches (lists, `*`, weak comparison), answer 304 with no
//!      body, repeating `ETag`, `Cache-Control` and `Vary` ([`not_modified`]);
//!   4. otherwise the handler builds the body and [`validators`] adds the same headers.

use axum::body::Body;
use axum::http::header::{ACCEPT_ENCODING, CACHE_CONTROL, ETAG, IF_NONE_MATCH, VARY};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;

/// A strong entity tag: an opaque string of visible ASCII without `"`, kept quoted as it
/// is sent (so a tile answer, which makes one per request, writes it once). It starts
/// with the build's name ([`crate::BUILD`]): the same data served by another version of
/// bando may be drawn differently, so it is another representation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ETag(String);

/// What an ETag's text starts with: the opening quote, the build's name and a `-`.
const ETAG_PREFIX: &str = concat!("\"", env!("BANDO_BUILD"), "-");
/// What [`ETag::from_text`] adds to the text: [`ETAG_PREFIX`] and the closing quote.
pub const ETAG_OVERHEAD: usize = ETAG_PREFIX.len() + 1;

impl ETag {
    /// Builds a tag from parts joined by `-`; any character an ETag cannot carry
    /// becomes `_`.
    pub fn from_parts(parts: &[&str]) -> ETag {
        ETag::from_text(parts.join("-"))
    }

    /// A tag from text already joined, after the build's name; any character an ETag
    /// cannot carry becomes `_` (in place when the text is plain ASCII, the usual case;
    /// the quotes and the build go into the text's spare capacity when it has
    /// [`ETAG_OVERHEAD`] bytes of it).
    pub fn from_text(text: String) -> ETag {
        let allowed = |c: char| c.is_ascii_graphic() && c != '"';
        let mut quoted = if text.chars().all(allowed) { text } else { text.chars().map(|c| if allowed(c) { c } else { '_' }).collect() };
        quoted.insert_str(0, ETAG_PREFIX);
        quoted.push('"');
        ETag(quoted)
    }

    /// The quoted header value, e.g. `"3f2a-ntm-2024-2025-8-203-113-gz"`.
    pub fn header_value(&self) -> HeaderValue {
        // Only visible ASCII remains after `from_text`, so this cannot fail.
        HeaderValue::from_str(&self.0).unwrap_or_else(|_| HeaderValue::from_static("\"invalid\""))
    }

    /// The opaque part, without quotes.
    pub fn opaque(&self) -> &str {
        &self.0[1..self.0.len() - 1]
    }

    /// The opaque part after the build's name: what the caller named.
    pub fn named(&self) -> &str {
        &self.0[ETAG_PREFIX.len()..self.0.len() - 1]
    }
}

/// The version a tile URL names (`v=` in the URLs TileJSON gives): the data version and
/// this build, so that the bytes at such a URL never change and caches may keep them.
pub fn tiles_version(data_version: &str) -> String {
    format!("{data_version}.{}", crate::BUILD)
}

/// True when `v` is [`tiles_version`] of `data_version` (without allocating: this runs
/// for every tile asked with a version).
pub fn names_current(v: &str, data_version: &str) -> bool {
    v.strip_suffix(crate::BUILD).and_then(|rest| rest.strip_suffix('.')) == Some(data_version)
}

/// The version a PNG tile URL names: [`tiles_version`] and the style's version, since a
/// PNG tile's look also follows the style (`--styles`).
pub fn png_tiles_version(data_version: &str, style_version: &str) -> String {
    format!("{}.{style_version}", tiles_version(data_version))
}

/// True when `v` is [`png_tiles_version`] of `data_version` and `style_version`.
pub fn names_current_png(v: &str, data_version: &str, style_version: &str) -> bool {
    v.strip_suffix(style_version).and_then(|rest| rest.strip_suffix('.')).is_some_and(|rest| names_current(rest, data_version))
}

/// A 64-bit FNV-1a hash in hex: stable across runs, for folding long or
/// request-supplied text (a base URL) into an ETag.
pub fn short_hash(text: &str) -> String {
    format!("{:016x}", crate::fnv::hash(text.as_bytes()))
}

/// True when `Accept-Encoding` allows gzip (RFC 9110 §12.5.3): `gzip` or `x-gzip`
/// with a non-zero q, or `*` with a non-zero q when gzip is not listed. No header
/// means identity.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut gzip: Option<bool> = None;
    let mut any: Option<bool> = None;
    for value in headers.get_all(ACCEPT_ENCODING) {
        let Ok(text) = value.to_str() else { continue };
        for item in text.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q_positive = parts
                .filter_map(|p| {
                    let (k, v) = p.split_once('=')?;
                    k.trim().eq_ignore_ascii_case("q").then(|| v.trim().parse::<f32>().unwrap_or(0.0))
                })
                .next()
                .is_none_or(|q| q > 0.0);
            match coding.as_str() {
                "gzip" | "x-gzip" => gzip = Some(gzip.unwrap_or(false) || q_positive),
                "*" => any = Some(q_positive),
                _ => {}
            }
        }
    }
    gzip.or(any).unwrap_or(false)
}

/// True when `If-None-Match` matches `etag` by weak comparison: `*`, or any listed
/// tag whose opaque part equals ours (a `W/` prefix is ignored).
pub fn if_none_match(headers: &HeaderMap, etag: &ETag) -> bool {
    headers.get_all(IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).any(|text| {
        text.split(',').map(str::trim).any(|tag| {
            if tag == "*" {
                return true;
            }
            let tag = tag.strip_prefix("W/").unwrap_or(tag);
            tag.strip_prefix('"').and_then(|t| t.strip_suffix('"')) == Some(etag.opaque())
        })
    })
}

/// Adds `ETag`, `Cache-Control` and, when given, `Vary` to a response.
pub fn validators(response: &mut Response, etag: &ETag, cache_control: &HeaderValue, vary: Option<&HeaderValue>) {
    let h = response.headers_mut();
    h.insert(ETAG, etag.header_value());
    h.insert(CACHE_CONTROL, cache_control.clone());
    if let Some(vary) = vary {
        h.insert(VARY, vary.clone());
    }
}

/// 304 Not Modified with no body, repeating the validators of the 200 it stands for.
pub fn not_modified(etag: &ETag, cache_control: &HeaderValue, vary: Option<&HeaderValue>) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::NOT_MODIFIED;
    validators(&mut response, etag, cache_control, vary);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: axum::http::HeaderName, values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn gzip_negotiation_follows_q_values() {
        let gz = |v: &[&str]| accepts_gzip(&headers(ACCEPT_ENCODING, v));
        assert!(!gz(&[]));
        assert!(gz(&["gzip"]));
        assert!(gz(&["br, gzip, deflate"]));
        assert!(gz(&["GZIP;q=0.5"]));
        assert!(gz(&["x-gzip"]));
        assert!(gz(&["*"]));
        assert!(gz(&["identity", "gzip"]));
        assert!(!gz(&["identity"]));
        assert!(!gz(&["br, deflate"]));
        assert!(!gz(&["gzip;q=0"]));
        assert!(!gz(&["gzip;q=0.0, *"]));
        assert!(!gz(&["*;q=0"]));
        assert!(gz(&["gzip;q=1, *;q=0"]));
    }

    #[test]
    fn if_none_match_handles_lists_star_and_weak_tags() {
        let tag = ETag::from_parts(&["v1", "ntm", "8", "203", "113", "gz"]);
        let sent = format!("\"{}-v1-ntm-8-203-113-gz\"", crate::BUILD);
        assert_eq!(tag.header_value(), sent.as_str());
        let m = |v: &[&str]| if_none_match(&headers(IF_NONE_MATCH, v), &tag);
        assert!(m(&[&sent]));
        assert!(m(&[&format!("W/{sent}")]));
        assert!(m(&[&format!("\"other\", {sent}")]));
        assert!(m(&["\"other\"", &format!("W/{sent}")]));
        assert!(m(&["*"]));
        assert!(!m(&[]));
        assert!(!m(&[&sent.replace("-gz", "-id")]));
        assert!(!m(&[sent.trim_matches('"')]), "unquoted is not a tag");
        assert!(!m(&["\"v1-ntm-8-203-113-gz\""]), "the same name from another build is another tag");
    }

    #[test]
    fn a_tiles_version_names_the_data_and_the_build() {
        let v = tiles_version("d15d9af3c79a142f");
        assert!(names_current(&v, "d15d9af3c79a142f"));
        assert!(!names_current(&v, "d15d9af3c79a1420"), "other data");
        assert!(!names_current(&format!("d15d9af3c79a142f.{}", "0".repeat(crate::BUILD.len())), "d15d9af3c79a142f"), "another build");
        assert!(!names_current("d15d9af3c79a142f", "d15d9af3c79a142f"), "the data version alone");
        assert!(!names_current("", ""));
    }

    #[test]
    fn etag_parts_are_sanitised() {
        assert_eq!(ETag::from_parts(&["a b", "c\"d"]).named(), "a_b-c_d");
        assert_eq!(ETag::from_parts(&["a"]).opaque(), format!("{}-a", crate::BUILD));
        assert_eq!(short_hash("http://x").len(), 16);
        assert_ne!(short_hash("http://x"), short_hash("http://y"));
    }

    #[test]
    fn not_modified_repeats_the_validators() {
        let tag = ETag::from_parts(&["v"]);
        let cc = HeaderValue::from_static("public, max-age=60");
        let vary = HeaderValue::from_static("Accept-Encoding");
        let r = not_modified(&tag, &cc, Some(&vary));
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(r.headers()[ETAG], tag.header_value());
        assert_eq!(r.headers()[CACHE_CONTROL], "public, max-age=60");
        assert_eq!(r.headers()[VARY], "Accept-Encoding");
    }
}
