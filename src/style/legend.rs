//! The legend of a map as JSON (shape fixed in the interface contracts): the title,
//! the classes of the theme in legend order (the levels with `not_applicable` and
//! `no_data`; or, for a criterion theme, `met`, `not_met`, `not_applicable`, `no_data`
//! under the criterion's title and the set's name as `subtitle`), and the point symbols
//! of both point layers. Fills are the colours as drawn (faded classes are given faded),
//! so a legend swatch matches the map pixel for pixel. The PNG legend draws this.

use super::{Label, Rgb, Themed};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Legend {
    pub map: &'static str,
    /// `level`, or the criterion theme in full (`criterion:xa_ntm_2021:8.4`).
    pub theme: String,
    pub title: Label,
    /// Criterion themes: the criteria set and its decision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<Label>,
    pub classes: Vec<LegendClass>,
    pub points: Vec<LegendPoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LegendClass {
    pub key: &'static str,
    pub label: Label,
    /// `#rrggbb` as drawn.
    pub fill: String,
    #[serde(skip)]
    pub drawn: Rgb,
}

#[derive(Debug, Clone, Serialize)]
pub struct LegendPoint {
    pub layer: &'static str,
    pub key: &'static str,
    pub label: Label,
    pub color: String,
    pub radius: f64,
}

pub fn legend(themed: &Themed) -> Legend {
    let style = themed.style;
    let classes = themed
        .classes()
        .iter()
        .map(|c| {
            let drawn = style.drawn_fill(c);
            LegendClass { key: c.key, label: themed.label(c), fill: drawn.hex(), drawn }
        })
        .collect();
    let points = [&style.pilots, &style.tourism]
        .into_iter()
        .flat_map(|layer| {
            layer.symbols.iter().map(move |s| LegendPoint {
                layer: layer.layer,
                key: s.key,
                label: s.label.clone(),
                color: s.color.hex(),
                // f32 → the decimal written in the style file.
                radius: (f64::from(s.radius) * 1e6).round() / 1e6,
            })
        })
        .collect();
    Legend { map: style.map.as_str(), theme: themed.key.clone(), title: themed.title(), subtitle: themed.subtitle(), classes, points }
}
