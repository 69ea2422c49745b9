//! An optional basemap under bando's layers, for deployments with internet access.
//!
//! Without one (the default) the styles and the viewer reference nothing outside the
//! service, and work offline. With one, given at start (`bando serve`):
//! - `--basemap-tiles URL` (an XYZ raster template with `{z}`, `{x}` and `{y}`): every
//!   MapLibre style gains a raster source `basemap` and a raster layer `basemap` right
//!   above `background`, beneath every bando layer;
//! - `--basemap-style URL` (a MapLibre style JSON): the server never fetches it (it may have
//!   no route out, and has no reason to proxy a third party), so each style names it in
//!   `metadata["bando:basemap_style"]`, and the viewer loads it and puts bando's sources
//!   and layers on top.
//!
//! Steps: 1. [`Basemap::tiles`] or [`Basemap::style`] checks the URL (absolute http(s),
//! nothing that could break out of a header or a JSON string) and keeps its origin;
//! 2. [`Basemap::under`] writes it into a MapLibre style; 3. [`Basemap::origin`] is what
//! the viewer's Content-Security-Policy must allow in addition to its own origin (the
//! basemap style's tiles, glyphs and sprites are expected on the style's origin).

use serde_json::{json, Value};

/// What goes under bando's layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basemap {
    /// XYZ raster tiles.
    Tiles { url: String, attribution: Option<String>, origin: String },
    /// A MapLibre style JSON, merged by the viewer.
    Style { url: String, origin: String },
}

/// The id of the raster source and layer a tile basemap adds, and the prefix the viewer
/// gives the sources and layers of a basemap style.
pub const BASEMAP_ID: &str = "basemap";

/// The style metadata key naming a basemap style for the viewer.
pub const STYLE_METADATA_KEY: &str = "bando:basemap_style";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{flag} '{url}': {reason}")]
pub struct BasemapError {
    pub flag: &'static str,
    pub url: String,
    pub reason: String,
}

impl Basemap {
    /// An XYZ raster tile template such as `https://tile.example/{z}/{x}/{y}.png`, with the
    /// attribution the map shows for it (the tiles' licence usually requires one).
    pub fn tiles(url: &str, attribution: Option<&str>) -> Result<Basemap, BasemapError> {
        let fail = |reason: &str| BasemapError { flag: "--basemap-tiles", url: url.to_string(), reason: reason.to_string() };
        let origin = origin_of(url).map_err(|r| fail(&r))?;
        let missing: Vec<&str> = ["{z}", "{x}", "{y}"].into_iter().filter(|p| !url.contains(p)).collect();
        if !missing.is_empty() {
            return Err(fail(&format!("an XYZ tile template needs {} (e.g. https://tile.example/{{z}}/{{x}}/{{y}}.png)", missing.join(", "))));
        }
        let attribution = attribution.map(str::trim).filter(|a| !a.is_empty()).map(str::to_string);
        Ok(Basemap::Tiles { url: url.to_string(), attribution, origin })
    }

    /// A MapLibre style JSON URL such as `https://tiles.example/styles/liberty`.
    pub fn style(url: &str) -> Result<Basemap, BasemapError> {
        let origin = origin_of(url).map_err(|reason| BasemapError { flag: "--basemap-style", url: url.to_string(), reason })?;
        Ok(Basemap::Style { url: url.to_string(), origin })
    }

    /// `scheme://host[:port]` of the basemap, for the viewer's Content-Security-Policy.
    pub fn origin(&self) -> &str {
        match self {
            Basemap::Tiles { origin, .. } | Basemap::Style { origin, .. } => origin,
        }
    }

    /// Puts the basemap under the layers of `style` (a MapLibre style from
    /// [`super::maplibre::maplibre_style`]): tiles as a raster layer right above
    /// `background` (or first when there is none), a style as metadata for the viewer.
    pub fn under(&self, style: &mut Value) {
        match self {
            Basemap::Tiles { url, attribution, .. } => {
                let mut source = json!({"type": "raster", "tiles": [url], "tileSize": 256});
                if let Some(a) = attribution {
                    source["attribution"] = json!(a);
                }
                style["sources"][BASEMAP_ID] = source;
                if let Some(layers) = style["layers"].as_array_mut() {
                    let at = layers.iter().position(|l| l["type"] == "background").map_or(0, |i| i + 1);
                    layers.insert(at, json!({"id": BASEMAP_ID, "type": "raster", "source": BASEMAP_ID}));
                }
            }
            Basemap::Style { url, .. } => style["metadata"][STYLE_METADATA_KEY] = json!(url),
        }
    }
}

/// The origin of an absolute http(s) URL, or why it is not one this service can name.
/// Refused: no host, user information (`@`), spaces, quotes and controls anywhere, and in
/// the host what would end a Content-Security-Policy source (`;`, `,`) or a template.
fn origin_of(url: &str) -> Result<String, String> {
    let (scheme, rest) = if let Some(r) = url.strip_prefix("https://") {
        ("https", r)
    } else if let Some(r) = url.strip_prefix("http://") {
        ("http", r)
    } else {
        return Err("not an absolute http:// or https:// URL".into());
    };
    if let Some(c) = url.chars().find(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\')) {
        return Err(format!("contains {c:?}; percent-encode it"));
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some(c) = authority.chars().find(|c| matches!(c, ';' | ',')) {
        return Err(format!("has {c:?} in its host, which would break the page's Content-Security-Policy"));
    }
    if authority.is_empty() {
        return Err("has no host".into());
    }
    if authority.contains('@') {
        return Err("carries user information (user@host); give credentials some other way".into());
    }
    if authority.contains(['{', '}']) {
        return Err("has a template in its host (one origin is needed for the Content-Security-Policy)".into());
    }
    Ok(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_their_origin_kept() {
        let b = Basemap::tiles("https://Tile.Example:8443/osm/{z}/{x}/{y}.png?key=1", Some(" © OpenStreetMap ")).unwrap();
        assert_eq!(b.origin(), "https://tile.example:8443");
        assert!(matches!(&b, Basemap::Tiles { attribution: Some(a), .. } if a == "© OpenStreetMap"));
        assert_eq!(Basemap::style("http://127.0.0.1:9000/style.json").unwrap().origin(), "http://127.0.0.1:9000");
        for bad in ["tile.example/{z}/{x}/{y}.png", "ftp://h/{z}/{x}/{y}", "https:///{z}/{x}/{y}", "https://a b/{z}/{x}/{y}", "https://u@h/{z}/{x}/{y}", "https://h;x/{z}/{x}/{y}", "https://{s}.h/{z}/{x}/{y}"] {
            assert!(Basemap::tiles(bad, None).is_err(), "{bad} was accepted");
        }
        let e = Basemap::tiles("https://h/{z}/{x}.png", None).unwrap_err();
        assert!(e.to_string().contains("--basemap-tiles") && e.to_string().contains("{y}"), "{e}");
    }

    #[test]
    fn tiles_go_right_above_the_background() {
        let mut style = json!({"sources": {"bando": {}}, "layers": [{"id": "background", "type": "background"}, {"id": "communes-fill", "type": "fill"}], "metadata": {}});
        Basemap::tiles("https://h/{z}/{x}/{y}.png", Some("© X")).unwrap().under(&mut style);
        let ids: Vec<&str> = style["layers"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["background", "basemap", "communes-fill"]);
        assert_eq!(style["sources"]["basemap"]["tiles"][0], "https://h/{z}/{x}/{y}.png");
        assert_eq!(style["sources"]["basemap"]["attribution"], "© X");
        let mut style = json!({"sources": {}, "layers": [], "metadata": {}});
        Basemap::style("https://h/s.json").unwrap().under(&mut style);
        assert_eq!(style["metadata"][STYLE_METADATA_KEY], "https://h/s.json");
        assert_eq!(style["layers"], json!([]), "a style basemap is merged by the viewer");
    }
}
