//! Names on the PNG tiles and static maps: the labels of [`crate::style::labels`] (the
//! rules the MapLibre style's symbol layers follow), placed once for the whole map at a
//! zoom and drawn by every tile they reach, so a name is never cut at a tile edge nor
//! written twice.
//!
//! Steps, once per (data snapshot, edition, map, zoom, hidden kinds of point where the
//! zoom names points) ([`placement`], cached):
//!   1. take the label points of each label layer shown at the zoom (read as MapLibre's
//!      zoom of the same scale, [`super::style_zoom`]), in the layers' priority order,
//!      and within a layer by rank (area) then name; a point of a hidden kind has no name
//!      to place, so it leaves room for others;
//!   2. lay each name out in world pixels (size by zoom, lines wrapped at the layer's
//!      width): centred on its point, or for a site beside its circle (below, above,
//!      right, left, the first that is free);
//!   3. keep it when its box (with padding and halo) overlaps no label kept before
//!      (a grid of 64 px cells indexes the kept boxes); note the tiles its ink reaches.
//!
//! Per tile ([`draw`]): rasterise every kept label the tile holds ([`text::Ink`]) from
//! the same world position, and blend the part inside the tile: two neighbours draw the
//! two halves of a label that crosses their edge, which join into the whole.

use super::text::{self, Ink};
use crate::atlas::Atlas;
use crate::model::{Edition, PointKinds};
use crate::style::labels::{label_layers, LabelLayer, LINE_HEIGHT_EM, POINT_OFFSET_EM};
use crate::tile::{EditionTiles, MapKind, TileId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use tiny_skia::Pixmap;

/// World pixels per tile side at pixel ratio 1.
const TILE: f64 = super::TILE_SIZE as f64;
/// Side of a collision grid cell, in world pixels.
const CELL: f64 = 64.0;

/// A kept label, in world pixels at pixel ratio 1.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Index in [`label_layers`] of the map.
    layer: usize,
    pub lines: Vec<String>,
    /// Top-left corner of the text block.
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
    /// Text size in CSS pixels (ems).
    size: f32,
}

/// The labels kept at one zoom, and which tiles each reaches.
pub struct Placement {
    layers: Vec<LabelLayer>,
    pub labels: Vec<Placed>,
    by_tile: HashMap<(u32, u32), Vec<u32>>,
}

impl Placement {
    /// The labels whose ink reaches `tile`.
    pub fn in_tile(&self, x: u32, y: u32) -> impl Iterator<Item = &Placed> {
        self.by_tile.get(&(x, y)).into_iter().flatten().map(|&i| &self.labels[i as usize])
    }
}

type Key = (String, Edition, MapKind, u8, PointKinds);
/// A placement made once, shared by the requests that wait for it.
type Slot = Arc<OnceLock<Arc<Placement>>>;

/// Placements kept with some kinds of point hidden, beyond those with every point: the
/// most recently made. Up to 2⁷ sets per zoom could be asked for, and the whole map's
/// names at a deep zoom take a few MB.
const HIDDEN_PLACEMENTS_KEPT: usize = 16;

/// The placement of `map`'s labels at `zoom` without the names of the `hidden` kinds of
/// point (step 1–3 of the module doc), made once per data snapshot — or once for a run of
/// snapshots whose label points are the same ([`EditionTiles::label_version`]):
/// concurrent requests for the same one wait for the first.
pub fn placement(atlas: &Atlas, tiles: &EditionTiles, edition: Edition, map: MapKind, zoom: u8, hidden: PointKinds) -> Arc<Placement> {
    static CACHE: Mutex<Vec<(Key, Slot)>> = Mutex::new(Vec::new());
    let layers = label_layers(map);
    // Where no point is named, hiding points changes nothing: one placement serves all.
    let names_points = layers.iter().any(|l| l.beside_point && l.shown_at(super::style_zoom(zoom)));
    let hidden = if names_points { hidden } else { PointKinds::NONE };
    let key: Key = (tiles.label_version(atlas).to_string(), edition, map, zoom, hidden);
    let slot = {
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        // Placements of an older snapshot are never asked for again.
        cache.retain(|(k, _)| k.0 == key.0);
        match cache.iter().find(|(k, _)| *k == key) {
            Some((_, slot)) => slot.clone(),
            None => {
                if !hidden.is_empty() && cache.iter().filter(|(k, _)| !k.4.is_empty()).count() >= HIDDEN_PLACEMENTS_KEPT {
                    // The entries are in the order they were made: drop the oldest.
                    let oldest = cache.iter().position(|(k, _)| !k.4.is_empty()).expect("counted above");
                    cache.remove(oldest);
                }
                let slot = Arc::new(OnceLock::new());
                cache.push((key, slot.clone()));
                slot
            }
        }
    };
    slot.get_or_init(|| Arc::new(place(atlas, tiles, layers, zoom, hidden))).clone()
}

/// The ink margin around a label's text block: halo plus anti-aliasing.
fn margin(layer: &LabelLayer, ratio: f64) -> f64 {
    (f64::from(layer.halo_width) * ratio).ceil() + 2.0
}

fn place(atlas: &Atlas, tiles: &EditionTiles, layers: Vec<LabelLayer>, zoom: u8, hidden: PointKinds) -> Placement {
    let world = TILE * f64::from(1u32 << zoom);
    let last = (1u32 << zoom) - 1;
    let mut grid: HashMap<(i64, i64), Vec<[f64; 4]>> = HashMap::new();
    let mut labels = Vec::new();
    let mut by_tile: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
    // Which names, and their sizes, as MapLibre shows them at the same scale.
    let style_zoom = super::style_zoom(zoom);
    for (li, layer) in layers.iter().enumerate().filter(|(_, l)| l.shown_at(style_zoom)) {
        let mut points = tiles.label_points(atlas, layer.source_layer, hidden);
        points.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.name.cmp(b.name)));
        let size = layer.size_at(f32::from(style_zoom));
        let scale = text::em_scale(size);
        let line_height = f64::from(LINE_HEIGHT_EM * size);
        let pad = f64::from(layer.padding + layer.halo_width);
        for p in points.iter().filter(|p| !p.name.trim().is_empty()) {
            let lines = text::wrap(p.name, scale, layer.max_width_em * size);
            let width = lines.iter().map(|l| f64::from(text::width(l, scale))).fold(0.0, f64::max);
            let height = line_height * lines.len() as f64;
            let (x, y) = (p.position[0] * world, p.position[1] * world);
            let offset = f64::from(POINT_OFFSET_EM * size);
            let corners: Vec<[f64; 2]> = if layer.beside_point {
                vec![
                    [x - width / 2.0, y + offset],
                    [x - width / 2.0, y - offset - height],
                    [x + offset, y - height / 2.0],
                    [x - offset - width, y - height / 2.0],
                ]
            } else {
                vec![[x - width / 2.0, y - height / 2.0]]
            };
            let Some([left, top]) = corners.into_iter().find(|&[l, t]| free(&grid, [l - pad, t - pad, l + width + pad, t + height + pad])) else {
                continue;
            };
            let b = [left - pad, top - pad, left + width + pad, top + height + pad];
            for cell in cells(b) {
                grid.entry(cell).or_default().push(b);
            }
            let m = margin(layer, 2.0);
            let tile_of = |v: f64| (v / TILE).floor().clamp(0.0, f64::from(last)) as u32;
            let index = labels.len() as u32;
            for ty in tile_of(top - m)..=tile_of(top + height + m) {
                for tx in tile_of(left - m)..=tile_of(left + width + m) {
                    by_tile.entry((tx, ty)).or_default().push(index);
                }
            }
            labels.push(Placed { layer: li, lines, left, top, width, height, size });
        }
    }
    Placement { layers, labels, by_tile }
}

fn cells(b: [f64; 4]) -> impl Iterator<Item = (i64, i64)> {
    let c = |v: f64| (v / CELL).floor() as i64;
    let (x0, y0, x1, y1) = (c(b[0]), c(b[1]), c(b[2]), c(b[3]));
    (y0..=y1).flat_map(move |y| (x0..=x1).map(move |x| (x, y)))
}

fn free(grid: &HashMap<(i64, i64), Vec<[f64; 4]>>, b: [f64; 4]) -> bool {
    cells(b).all(|cell| grid.get(&cell).is_none_or(|boxes| boxes.iter().all(|o| b[2] <= o[0] || o[2] <= b[0] || b[3] <= o[1] || o[3] <= b[1])))
}

/// Draws the placed labels that reach `tile` into its pixmap (`ratio` 1 or 2).
pub fn draw(pixmap: &mut Pixmap, placement: &Placement, tile: TileId, ratio: u32) {
    let r = f64::from(ratio);
    let (tile_x, tile_y) = (i64::from(tile.x) * i64::from(super::TILE_SIZE * ratio), i64::from(tile.y) * i64::from(super::TILE_SIZE * ratio));
    for label in placement.in_tile(tile.x, tile.y) {
        let layer = &placement.layers[label.layer];
        let (ox, oy, ink) = ink(label, layer, r);
        ink.blend(pixmap, ox - tile_x, oy - tile_y, layer.color, layer.halo);
    }
}

/// Draws, once each, the placed labels whose ink reaches the `tiles` of a picture whose
/// top-left is world pixel `origin` (ratio 1), except those whose box (with its halo)
/// meets one of `covered`, boxes of the picture (`[left, top, right, bottom]`) that are
/// drawn over the map afterwards: a name there would show half-hidden. A label's pixels
/// are those the tiles draw (same world origin, same ink).
pub fn draw_picture(pixmap: &mut Pixmap, placement: &Placement, origin: (i64, i64), tiles: impl Iterator<Item = (u32, u32)>, covered: &[[f64; 4]]) {
    let mut seen = std::collections::HashSet::new();
    for (x, y) in tiles {
        for &i in placement.by_tile.get(&(x, y)).into_iter().flatten() {
            if !seen.insert(i) {
                continue;
            }
            let label = &placement.labels[i as usize];
            let layer = &placement.layers[label.layer];
            let m = margin(layer, 1.0);
            let (left, top) = (label.left - origin.0 as f64 - m, label.top - origin.1 as f64 - m);
            let (right, bottom) = (left + label.width + 2.0 * m, top + label.height + 2.0 * m);
            if covered.iter().any(|c| left < c[2] && c[0] < right && top < c[3] && c[1] < bottom) {
                continue;
            }
            let (ox, oy, ink) = ink(label, layer, 1.0);
            ink.blend(pixmap, ox - origin.0, oy - origin.1, layer.color, layer.halo);
        }
    }
}

/// A label rasterised at pixel ratio `r` and the world pixel of its buffer's top-left:
/// the same for every tile (whole-pixel origin, the same fraction inside it).
fn ink(label: &Placed, layer: &LabelLayer, r: f64) -> (i64, i64, Ink) {
    let m = margin(layer, r);
    let (left, top) = (label.left * r, label.top * r);
    let (ox, oy) = (left.floor() - m, top.floor() - m);
    let size = label.size * r as f32;
    let scale = text::em_scale(size);
    let (line_box, ascent) = text::line_metrics(scale);
    let line_height = f64::from(LINE_HEIGHT_EM * size);
    let width = label.width * r;
    let lines: Vec<(f32, f32, &str)> = label
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let lw = f64::from(text::width(line, scale));
            let x = left - ox + (width - lw) / 2.0;
            let baseline = top - oy + i as f64 * line_height + (line_height - f64::from(line_box)) / 2.0 + f64::from(ascent);
            (x as f32, baseline as f32, line.as_str())
        })
        .collect();
    let (w, h) = ((left - ox + width + m).ceil() as usize + 1, (top - oy + label.height * r + m).ceil() as usize + 1);
    (ox as i64, oy as i64, Ink::new(&lines, scale, w, h, layer.halo_width * r as f32))
}
