//! Security headers.
//!
//! Every answer carries `X-Content-Type-Options: nosniff` (a browser never second-guesses
//! a JSON, CSV or tile answer into HTML or script) and `Referrer-Policy:
//! strict-origin-when-cross-origin` (links out of the viewer send the origin, never the
//! view in the URL). The viewer's page also carries [`VIEWER_CSP`].
//!
//! No `X-Frame-Options` or `frame-ancestors`: embedding the viewer in an `<iframe>` on
//! other sites is a feature (the Nhúng panel hands out the snippet).

use axum::http::header::{REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::HeaderValue;
use tower_http::set_header::SetResponseHeaderLayer;

/// The Content-Security-Policy of the viewer's page (`GET /`), allowing what it uses:
/// - scripts: `/vendor/maplibre-gl/maplibre-gl.js` and `/web/app.js`, same origin, no
///   inline script and no `eval`;
/// - styles: same-origin style sheets, and inline `style` attributes (the legend and
///   statistics set swatch colours and bar widths in the HTML they build);
/// - `connect-src 'self'`: the style, TileJSON, tiles and API, all on this origin;
/// - MapLibre GL JS starts its workers from `blob:` URLs (`worker-src`, and `child-src`
///   for browsers without `worker-src`) and decodes images through `data:` and `blob:`;
/// - nothing else: no plugins, no `<base>` elsewhere, forms post to this origin only.
/// - with a basemap ([`crate::style::basemap`]), its origin for images and fetches, and no
///   other.
pub const VIEWER_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; \
object-src 'none'; base-uri 'self'; form-action 'self'";

/// [`VIEWER_CSP`], with the basemap's origin (checked to be one `scheme://host[:port]`
/// source) allowed for images and fetches (MapLibre fetches tiles, styles and sprites).
pub fn viewer_csp(basemap: Option<&crate::style::basemap::Basemap>) -> HeaderValue {
    let Some(basemap) = basemap else { return HeaderValue::from_static(VIEWER_CSP) };
    let origin = basemap.origin();
    let csp = VIEWER_CSP
        .replace("img-src 'self' data: blob:;", &format!("img-src 'self' data: blob: {origin};"))
        .replace("connect-src 'self';", &format!("connect-src 'self' {origin};"));
    // The origin holds no character a header value refuses (Basemap checks it).
    HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static(VIEWER_CSP))
}

/// The headers every answer carries, as one layer.
pub fn every_answer() -> tower::layer::util::Stack<SetResponseHeaderLayer<HeaderValue>, SetResponseHeaderLayer<HeaderValue>> {
    tower::layer::util::Stack::new(
        SetResponseHeaderLayer::overriding(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        SetResponseHeaderLayer::if_not_present(REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csp_is_one_valid_header_value_without_inline_script() {
        assert!(HeaderValue::from_str(VIEWER_CSP).is_ok());
        let script = VIEWER_CSP.split(';').map(str::trim).find(|d| d.starts_with("script-src")).unwrap();
        assert_eq!(script, "script-src 'self'");
        assert!(VIEWER_CSP.contains("worker-src 'self' blob:"));
    }

    #[test]
    fn a_basemap_adds_its_origin_to_images_and_fetches_only() {
        use crate::style::basemap::Basemap;
        assert_eq!(viewer_csp(None), VIEWER_CSP);
        let csp = viewer_csp(Some(&Basemap::tiles("https://tile.example/{z}/{x}/{y}.png", None).unwrap()));
        let csp = csp.to_str().unwrap();
        let directives: Vec<&str> = csp.split(';').map(str::trim).filter(|d| d.contains("https://tile.example")).collect();
        assert_eq!(directives, ["img-src 'self' data: blob: https://tile.example", "connect-src 'self' https://tile.example"]);
    }
}
