//! Map styles: one source (`styles/*.json`) for the PNG tiles, the MapLibre GL style
//! and the legend, so that a colour is the same everywhere.
//!
//! Steps:
//!   1. read a style file (embedded with `include_str!`, or from `--styles DIR`) and
//!      validate every key, naming the file and the key path of the first problem
//!      ([`parse`]);
//!   2. keep it as a typed [`Style`]: commune classes by level, outlines by zoom,
//!      point symbols by pilot kind and tourism category;
//!   3. choose what units are coloured by ([`theme`]): the NTM level (the default) or one
//!      criterion or indicator, met / not met / not applicable / no data;
//!   4. emit the MapLibre GL style v8 ([`maplibre`]) and the legend JSON ([`legend`]);
//!      the labels (names of units and sites) are the same on both maps ([`labels`]);
//!      the raster renderer (`crate::raster`) reads the same [`Style`] and theme;
//!   5. optionally put a basemap under the MapLibre styles ([`basemap`]), for deployments
//!      with internet access; without one nothing outside the service is referenced.
//!
//! The format is documented in `styles/README.md`.

pub mod basemap;
pub mod labels;
pub mod legend;
pub mod maplibre;
mod parse;
pub mod theme;

use crate::tile::MapKind;
use std::path::Path;

pub use parse::parse_style;
pub use theme::{Theme, ThemeError, Themed};

/// The embedded styles (`styles/` of this source tree).
pub const EMBEDDED: [(&str, &str); 2] = [
    ("ntm-results.json", include_str!("../../styles/ntm-results.json")),
    ("rural-tourism.json", include_str!("../../styles/rural-tourism.json")),
];

/// File name of a map's style.
pub fn file_name(map: MapKind) -> &'static str {
    match map {
        MapKind::Ntm => "ntm-results.json",
        MapKind::Tourism => "rural-tourism.json",
    }
}

/// A problem in a style file: the file, the key path and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {key}: {message}")]
pub struct StyleError {
    pub file: String,
    /// Dotted key path, e.g. `classes.nang_cao.fill` (empty for the whole file).
    pub key: String,
    pub message: String,
}

/// An sRGB colour (written `#rrggbb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub [u8; 3]);

impl Rgb {
    pub fn parse(text: &str) -> Option<Rgb> {
        let hex = text.strip_prefix('#')?;
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
        Some(Rgb([c(0)?, c(2)?, c(4)?]))
    }

    pub fn hex(self) -> String {
        let [r, g, b] = self.0;
        format!("#{r:02x}{g:02x}{b:02x}")
    }

    /// `self` drawn with `opacity` over `under` (what a fill-opacity shows over the
    /// background), rounded to the nearest 8-bit value.
    pub fn over(self, under: Rgb, opacity: f32) -> Rgb {
        // Opacities are decimal fractions in the file: undo f32's representation
        // error, so that 0.3 mixes as 0.3 does (as a browser computes it).
        let a = (f64::from(opacity) * 1e6).round() / 1e6;
        let mix = |x: u8, y: u8| (f64::from(x) * a + f64::from(y) * (1.0 - a)).round().clamp(0.0, 255.0) as u8;
        Rgb([mix(self.0[0], under.0[0]), mix(self.0[1], under.0[1]), mix(self.0[2], under.0[2])])
    }
}

/// A label in Vietnamese and English.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Label {
    pub vi: String,
    pub en: String,
}

/// What the `level` property of a commune can be, in legend order.
pub const CLASS_KEYS: [&str; 6] = ["chua_dat", "dat_chuan", "nang_cao", "kieu_mau", "not_applicable", "no_data"];
/// How a unit stands on the criterion of a criterion theme, in legend order.
pub const CRITERION_KEYS: [&str; 4] = ["met", "not_met", "not_applicable", "no_data"];
/// Pilot kinds (the `kind` property of the `pilots` layer).
pub const PILOT_KEYS: [&str; 3] = ["smart_commune", "ecommerce_commune", "smart_village"];
/// Tourism categories (the `category` property of the `tourism` layer).
pub const TOURISM_KEYS: [&str; 4] = ["rural_tourism_site", "homestay", "craft_village", "ocop_product"];
/// OCOP star ratings.
pub const STARS: [u8; 3] = [3, 4, 5];

#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    pub key: &'static str,
    pub fill: Rgb,
    pub label: Label,
}

/// Line width in CSS pixels by zoom: linear between the stops, constant beyond them.
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    pub color: Rgb,
    pub opacity: f32,
    /// `(zoom, width)`, zooms strictly increasing.
    pub width: Vec<(f32, f32)>,
}

impl Outline {
    pub fn width_at(&self, zoom: f32) -> f32 {
        by_zoom(&self.width, zoom)
    }
}

/// A value at `zoom` from `(zoom, value)` stops, zooms increasing: linear between the
/// stops, constant beyond them, as MapLibre's `interpolate linear` on `zoom` draws it.
pub fn by_zoom(stops: &[(f32, f32)], zoom: f32) -> f32 {
    let (first, last) = (stops[0], stops[stops.len() - 1]);
    if zoom <= first.0 {
        return first.1;
    }
    if zoom >= last.0 {
        return last.1;
    }
    let i = stops.iter().position(|s| s.0 > zoom).unwrap_or(stops.len() - 1);
    let (a, b) = (stops[i - 1], stops[i]);
    a.1 + (b.1 - a.1) * (zoom - a.0) / (b.0 - a.0)
}

#[derive(Debug, Clone, PartialEq)]
pub struct Symbol {
    pub key: &'static str,
    pub color: Rgb,
    pub radius: f32,
    /// Radius by OCOP stars (3, 4, 5), when the symbol is sized by stars.
    pub radius_by_stars: Option<[f32; 3]>,
    pub label: Label,
}

impl Symbol {
    pub fn radius_for(&self, stars: Option<u8>) -> f32 {
        match (self.radius_by_stars, stars) {
            (Some(r), Some(s @ 3..=5)) => r[usize::from(s - 3)],
            _ => self.radius,
        }
    }
}

/// How much of its radius and stroke a point symbol is drawn with, by zoom: `(zoom, part)`
/// stops, linear between them, constant beyond. At zoom 4 the country is some sixty pixels
/// wide, and its hundreds of pilots and sites at their full size would hide the choropleth
/// under them; from zoom 9 they are drawn as the style gives them. The PNG tiles and the
/// MapLibre style draw the same stops; the legend shows the full size.
pub const POINT_SCALE: [(u8, f32); 2] = [(4, 0.4), (9, 1.0)];

/// The part of its size a point symbol is drawn with at `zoom` ([`POINT_SCALE`]).
pub fn point_scale(zoom: u8) -> f32 {
    by_zoom(&POINT_SCALE.map(|(z, part)| (f32::from(z), part)), f32::from(zoom))
}

/// A point layer (`pilots` or `tourism`): circles by kind or category.
#[derive(Debug, Clone, PartialEq)]
pub struct PointLayer {
    /// Layer id in the tiles and the MapLibre style.
    pub layer: &'static str,
    /// Feature property the symbols are chosen by (`kind` or `category`).
    pub property: &'static str,
    pub opacity: f32,
    pub stroke: Rgb,
    pub stroke_width: f32,
    pub symbols: Vec<Symbol>,
}

impl PointLayer {
    pub fn symbol(&self, key: &str) -> Option<&Symbol> {
        self.symbols.iter().find(|s| s.key == key)
    }
}

/// One map's style, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    pub map: MapKind,
    /// Where it was read from (for messages).
    pub file: String,
    /// A hash of the file's text: part of the ETags of everything drawn with it.
    pub version: String,
    pub title: Label,
    pub palette: String,
    pub background: Rgb,
    /// Fill opacity of communes (below 1: faded over the background).
    pub commune_opacity: f32,
    /// In [`CLASS_KEYS`] order.
    pub classes: Vec<Class>,
    /// The classes of criterion themes, in [`CRITERION_KEYS`] order; `None` when the style
    /// file has none (criterion themes are then refused for its map).
    pub criterion_classes: Option<Vec<Class>>,
    pub communes_outline: Outline,
    pub districts_outline: Outline,
    pub provinces_outline: Outline,
    pub pilots: PointLayer,
    pub tourism: PointLayer,
}

impl Style {
    /// The class of a `level` value; unknown values are drawn as `no_data`.
    pub fn class(&self, level: &str) -> &Class {
        self.classes.iter().find(|c| c.key == level).unwrap_or(&self.classes[CLASS_KEYS.len() - 1])
    }

    /// A class's fill as drawn: faded over the background by the commune opacity.
    pub fn drawn_fill(&self, class: &Class) -> Rgb {
        class.fill.over(self.background, self.commune_opacity)
    }
}

/// The styles of both maps.
#[derive(Debug, Clone, PartialEq)]
pub struct Styles {
    pub ntm: Style,
    pub tourism: Style,
    /// What the MapLibre styles and the viewer draw under bando's layers; none by default.
    pub basemap: Option<basemap::Basemap>,
}

impl Styles {
    /// The embedded styles, overridden by the files of `dir` that exist there
    /// (`ntm-results.json`, `rural-tourism.json`). Every style is validated.
    pub fn load(dir: Option<&Path>) -> Result<Styles, StyleError> {
        let read = |map: MapKind| -> Result<Style, StyleError> {
            let name = file_name(map);
            let embedded = EMBEDDED.iter().find(|(n, _)| *n == name).map_or("", |(_, t)| *t);
            match dir.map(|d| d.join(name)).filter(|p| p.exists()) {
                Some(path) => {
                    let shown = path.display().to_string();
                    let text = std::fs::read_to_string(&path).map_err(|e| StyleError {
                        file: shown.clone(),
                        key: String::new(),
                        message: format!("cannot read: {e}"),
                    })?;
                    parse_style(&shown, &text, Some(map))
                }
                None => parse_style(&format!("styles/{name}"), embedded, Some(map)),
            }
        };
        Ok(Styles { ntm: read(MapKind::Ntm)?, tourism: read(MapKind::Tourism)?, basemap: None })
    }

    /// The embedded styles (validated by the tests, so this cannot fail at run time).
    pub fn embedded() -> Styles {
        Styles::load(None).unwrap_or_else(|e| panic!("embedded style is invalid: {e}"))
    }

    /// The same styles with `basemap` under them.
    pub fn with_basemap(self, basemap: Option<basemap::Basemap>) -> Styles {
        Styles { basemap, ..self }
    }

    pub fn get(&self, map: MapKind) -> &Style {
        match map {
            MapKind::Ntm => &self.ntm,
            MapKind::Tourism => &self.tourism,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_styles_are_valid_and_interpolate_widths() {
        let s = Styles::embedded();
        assert_eq!(s.ntm.map, MapKind::Ntm);
        assert_eq!(s.tourism.map, MapKind::Tourism);
        let o = Outline { color: Rgb([0, 0, 0]), opacity: 1.0, width: vec![(5.0, 1.0), (9.0, 3.0)] };
        assert_eq!(o.width_at(0.0), 1.0);
        assert_eq!(o.width_at(7.0), 2.0);
        assert_eq!(o.width_at(20.0), 3.0);
    }

    #[test]
    fn colours_parse_and_mix() {
        assert_eq!(Rgb::parse("#0a0B0c"), Some(Rgb([10, 11, 12])));
        for bad in ["#12345", "123456", "#12345g", "#1234567", ""] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
        assert_eq!(Rgb([200, 0, 100]).over(Rgb([0, 0, 0]), 0.5), Rgb([100, 0, 50]));
        assert_eq!(Rgb([1, 2, 3]).hex(), "#010203");
    }
}
