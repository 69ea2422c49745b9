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
pub const VIEWER_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; child-src 'self' blob:; \
object-src 'none'; base-uri 'self'; form-action 'self'";

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
}
