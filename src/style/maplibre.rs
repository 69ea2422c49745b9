//! A map's MapLibre GL style (v8), drawn from the same [`Style`] as the PNG tiles.
//!
//! Steps: 1. one vector source `bando` pointing at the map's TileJSON URL (given by
//! the caller, with the view's year/edition; tiles are the same whatever the theme);
//! 2. fixed layer ids (`background`, `communes-fill`, `communes-line`, `districts-line`,
//! `provinces-line`, `pilots`, `tourism`), each with data-driven expressions on the tile
//! properties `level`, `kind`, `category` and `stars`; a criterion theme colours the fill
//! by its criterion's attributes ([`Themed::fill_expression`]), and a district set's
//! theme fills `districts-fill` in place of `communes-fill`; 3. the legend in
//! `metadata["bando:legend"]`, and the theme in `metadata["bando:theme"]`; 4. the names
//! ([`super::labels`]) as symbol layers on top (`communes-label`, `pilots-label` or
//! `tourism-label`, `districts-label`, `provinces-label`: MapLibre places the top layer
//! first), written with the service's own glyphs (`GET /fonts/…`, the caller gives the
//! URL template); 5. the layers of districts left out on edition 2025, which has none.
//! No sprites and nothing outside the service: it works offline.

use super::labels::{label_layers, LabelLayer, LINE_HEIGHT_EM, POINT_OFFSET_EM};
use super::legend::legend;
use super::{Outline, PointLayer, Themed};
use crate::model::Edition;
use serde_json::{json, Value};

/// Where the map opens: the middle of the mainland at zoom 5.
const CENTER: [f64; 2] = [105.85, 16.0];
const ZOOM: f64 = 5.0;

/// `glyphs_url` is the glyph template, e.g. `https://host/fonts/{fontstack}/{range}.pbf`.
/// The layers of a source layer the edition's tiles do not carry (districts on edition
/// 2025) are left out: MapLibre reports each of them as an error.
pub fn maplibre_style(themed: &Themed, edition: Edition, tilejson_url: &str, glyphs_url: &str) -> Value {
    let style = themed.style;
    let polygons = json!(["==", ["geometry-type"], "Polygon"]);
    // Islets of a district or province come as features of their own, filled and not
    // outlined (a dark line would blot them out).
    let outlined = json!(["all", polygons, ["!", ["has", "islets"]]]);
    let line = |id: &str, source_layer: &str, o: &Outline| {
        json!({
            "id": id, "type": "line", "source": "bando", "source-layer": source_layer,
            "filter": if source_layer == "communes" { &polygons } else { &outlined },
            "layout": {"line-join": "round", "line-cap": "round"},
            "paint": {"line-color": o.color.hex(), "line-opacity": num(o.opacity), "line-width": width(o)},
        })
    };
    let fill_layer = themed.fill_layer();
    let mut fill = json!({"id": format!("{fill_layer}-fill"), "type": "fill", "source": "bando", "source-layer": fill_layer,
        "paint": {"fill-color": themed.fill_expression(), "fill-opacity": num(style.commune_opacity)}});
    if fill_layer != "communes" {
        // The districts layer also holds label points.
        fill["filter"] = polygons.clone();
    }
    let title = themed.title();
    let mut layers = vec![
        json!({"id": "background", "type": "background", "paint": {"background-color": style.background.hex()}}),
        fill,
        line("communes-line", "communes", &style.communes_outline),
        line("districts-line", "districts", &style.districts_outline),
        line("provinces-line", "provinces", &style.provinces_outline),
        circles("pilots", &style.pilots),
        circles("tourism", &style.tourism),
    ];
    layers.extend(label_layers(style.map).iter().rev().map(symbols));
    if !edition.has_districts() {
        layers.retain(|l| l["source-layer"] != "districts");
    }
    json!({
        "version": 8,
        "name": title.vi,
        "metadata": {"bando:map": style.map.as_str(), "bando:title_en": title.en, "bando:palette": style.palette, "bando:theme": themed.key, "bando:legend": legend(themed)},
        "center": CENTER,
        "zoom": ZOOM,
        "glyphs": glyphs_url,
        "sources": {"bando": {"type": "vector", "url": tilejson_url}},
        "layers": layers,
    })
}

/// A style number as written in the file (f32 → the shortest decimal it came from).
fn num(v: f32) -> Value {
    json!((f64::from(v) * 1e6).round() / 1e6)
}

fn width(o: &Outline) -> Value {
    if o.width.len() == 1 {
        return num(o.width[0].1);
    }
    let mut e = vec![json!("interpolate"), json!(["linear"]), json!(["zoom"])];
    for &(z, w) in &o.width {
        e.push(num(z));
        e.push(num(w));
    }
    Value::Array(e)
}

fn circles(id: &str, layer: &PointLayer) -> Value {
    let by_key = |value: &dyn Fn(&super::Symbol) -> Value, fallback: Value| {
        let mut m = vec![json!("match"), json!(["get", layer.property])];
        for s in &layer.symbols {
            m.push(json!(s.key));
            m.push(value(s));
        }
        m.push(fallback);
        Value::Array(m)
    };
    let radius = by_key(
        &|s| match s.radius_by_stars {
            Some(r) => json!(["match", ["to-number", ["get", "stars"], 0], 3, num(r[0]), 4, num(r[1]), 5, num(r[2]), num(s.radius)]),
            None => num(s.radius),
        },
        num(layer.symbols.first().map_or(4.0, |s| s.radius)),
    );
    let color = by_key(&|s| json!(s.color.hex()), json!("#000000"));
    // Smaller at low zoom (`super::POINT_SCALE`): the zoom interpolation must be the
    // outermost expression, so each stop scales the data-driven radius.
    let by_zoom = |full: Value| {
        let mut e = vec![json!("interpolate"), json!(["linear"]), json!(["zoom"])];
        for (z, part) in super::POINT_SCALE {
            e.push(json!(z));
            e.push(match full.as_f64() {
                _ if part == 1.0 => full.clone(),
                Some(v) => num(v as f32 * part),
                None => json!(["*", num(part), full]),
            });
        }
        Value::Array(e)
    };
    json!({
        "id": id, "type": "circle", "source": "bando", "source-layer": layer.layer,
        "paint": {
            "circle-color": color,
            "circle-radius": by_zoom(radius),
            "circle-opacity": num(layer.opacity),
            "circle-stroke-color": layer.stroke.hex(),
            "circle-stroke-width": by_zoom(num(layer.stroke_width)),
            "circle-stroke-opacity": num(layer.opacity),
        },
    })
}

/// A label layer as a MapLibre symbol layer (the PNG tiles draw the same rules,
/// `crate::raster::labels`).
fn symbols(l: &LabelLayer) -> Value {
    let [(z0, s0), (z1, s1)] = l.size;
    let mut layout = json!({
        "text-field": ["get", "name"],
        "text-font": [crate::glyphs::FONTSTACK],
        "text-size": ["interpolate", ["linear"], ["zoom"], num(z0), num(s0), num(z1), num(s1)],
        "text-max-width": num(l.max_width_em),
        "text-line-height": num(LINE_HEIGHT_EM),
        "text-padding": num(l.padding),
        "symbol-sort-key": ["to-number", ["get", "rank"], 99],
    });
    if l.beside_point {
        // Below the circle first, then above, right, left: whichever is free.
        layout["text-variable-anchor"] = json!(["top", "bottom", "left", "right"]);
        layout["text-radial-offset"] = num(POINT_OFFSET_EM);
        layout["text-justify"] = json!("auto");
    }
    let mut layer = json!({
        "id": l.id, "type": "symbol", "source": "bando", "source-layer": l.source_layer,
        "minzoom": l.min_zoom,
        "layout": layout,
        "paint": {"text-color": l.color.hex(), "text-halo-color": l.halo.hex(), "text-halo-width": num(l.halo_width)},
    });
    if let Some(max) = l.max_zoom {
        layer["maxzoom"] = json!(max);
    }
    if l.flagged {
        layer["filter"] = json!(["==", ["get", "label"], true]);
    }
    layer
}
