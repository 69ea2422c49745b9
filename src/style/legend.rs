//! The legend of a map as JSON (shape fixed in the interface contracts): the title,
//! the commune classes in legend order (with `not_applicable` and `no_data`), and the
//! point symbols of both point layers. Fills are the colours as drawn (faded classes
//! are given faded), so a legend swatch matches the map pixel for pixel.

use super::{Label, Style};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Legend {
    pub map: &'static str,
    pub title: Label,
    pub classes: Vec<LegendClass>,
    pub points: Vec<LegendPoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LegendClass {
    pub key: &'static str,
    pub label: Label,
    pub fill: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LegendPoint {
    pub layer: &'static str,
    pub key: &'static str,
    pub label: Label,
    pub color: String,
    pub radius: f64,
}

pub fn legend(style: &Style) -> Legend {
    let classes = style
        .classes
        .iter()
        .map(|c| LegendClass { key: c.key, label: c.label.clone(), fill: style.drawn_fill(c).hex() })
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
    Legend { map: style.map.as_str(), title: style.title.clone(), classes, points }
}
