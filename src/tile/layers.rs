//! Assembles a tile's layers from the atlas: `communes` (polygons), `commune_labels`
//! (from zoom [`COMMUNE_LABEL_MIN_ZOOM`]: a point per commune with its name and rank only),
//! `districts` and `provinces` (polygons, plus label points from [`DISTRICT_LABEL_MIN_ZOOM`]
//! and [`PROVINCE_LABEL_MIN_ZOOM`]), `pilots` and `tourism` (points; below
//! [`super::thin::ALL_POINTS_FROM_ZOOM`] only those [`super::thin`] keeps apart).
//!
//! Label points carry `rank`: a label's placement priority by the unit's area
//! ([`super::area_rank`]), lower first; MapLibre's `symbol-sort-key` and the PNG labels
//! (`crate::raster::labels`) both place in that order.
//!
//! At low zoom, communes too small to see are drawn merged with neighbours of their
//! province, one feature per cluster with its largest commune's attributes
//! ([`super::coalesce`]).
//!
//! The NTM map carries communes with their levels and criteria ([`super::criteria`]),
//! districts with their levels and criteria, pilots in full and tourism sites reduced to
//! their category; the tourism map the reverse: communes reduced to their level (drawn
//! faded by its style), tourism sites in full, pilots reduced to their kind. Tiles do not
//! depend on the map's theme: they carry every criterion, and styles choose what to colour.
//!
//! Steps of [`render_mvt_at`], each over what [`super::EditionTiles`] prepared: 1. the
//! communes in the tile (merged at low zoom), drawn by the [`super::painter`], with their
//! attributes; 2. their label points; 3. districts and provinces, islets apart, then
//! their label points; 4. pilots and tourism sites shown at the zoom.

use super::mercator::{overlaps, unproject};
use super::edition_tiles::{ArcBlock, EditionTiles, Group, ProjectedPoints};
use super::painter::{Painter, VECTOR_TILE_PX};
use super::mvt::{GeomType, Layer, Tags, Value};
use super::topology::ArcRef;
use super::criteria::{Attrs, CriteriaTable};
use super::{MapKind, TileId, TileView};
use crate::atlas::Atlas;
use crate::model::Edition;
use crate::standing::{self, LevelInForce};
use std::borrow::Cow;

/// Zoom from which tiles carry `commune_labels` (the styles show them from there).
pub const COMMUNE_LABEL_MIN_ZOOM: u8 = 10;
/// Zoom from which tiles carry the label points of districts (the styles show them from
/// there: below it, some 700 names cannot be placed, and each point would only add bytes).
pub const DISTRICT_LABEL_MIN_ZOOM: u8 = 8;
/// Zoom from which tiles carry the label points of provinces (as for districts).
pub const PROVINCE_LABEL_MIN_ZOOM: u8 = 5;

fn s<'a>(v: impl Into<Cow<'a, str>>) -> Option<Value<'a>> {
    Some(Value::Str(v.into()))
}

fn int(v: Option<impl Into<i64>>) -> Option<Value<'static>> {
    v.map(|v| Value::Int(v.into()))
}

/// The uncompressed MVT bytes of a tile; empty when nothing falls in it.
pub fn render_mvt(atlas: &Atlas, tiles: &EditionTiles, view: TileView, tile: TileId) -> Vec<u8> {
    render_mvt_at(atlas, tiles, view, tile, VECTOR_TILE_PX)
}

/// [`render_mvt`] for a tile displayed `tile_px` pixels a side: what is left out for
/// being too small to see is measured in those pixels (a 256-px PNG tile drawn from its
/// zoom's vector tile shows each grid unit half as large as MapLibre does).
pub fn render_mvt_at(atlas: &Atlas, tiles: &EditionTiles, view: TileView, tile: TileId, tile_px: u32) -> Vec<u8> {
    let edition = atlas.edition(view.edition);
    let mut painter = Painter::new(tiles, tile, tile_px);
    let full = view.map == MapKind::Ntm;
    let [ux0, uy0, ux1, uy1] = painter.unit_bounds();
    let ([w, n], [e, s_]) = (unproject(ux0.max(0.0), uy0.max(0.0)), unproject(ux1.min(1.0), uy1.min(1.0)));
    let mut out = Vec::new();
    // The units' criteria at this moment, for the NTM map only (before the layers that
    // borrow its attribute names). `tiles` were built from this atlas.
    let criteria = if full { tiles.criteria.get(atlas, tiles.edition, view.as_of) } else { None };

    // Communes.
    // Codes are unique per commune; names nearly so (a repeated name costs a few bytes).
    let mut communes = Layer::with_distinct("communes", &["code", "name"]);
    let mut candidates: Vec<usize> = edition.index.in_bbox([w, s_, e, n]).collect();
    candidates.sort_unstable();
    let mut attrs: Attrs = Vec::with_capacity(24);
    // At low zoom, sub-pixel communes are drawn merged: one feature per cluster, drawn
    // when its first commune in the tile comes, with its largest commune's attributes.
    let merged = tiles.merged.get(usize::from(tile.z));
    let mut cluster_drawn = vec![false; merged.map_or(0, |m| m.clusters.len())];
    for &candidate in &candidates {
        let (i, drawn) = match merged.and_then(|m| m.cluster(candidate)) {
            Some((k, _)) if cluster_drawn[k] => continue,
            Some((k, cluster)) => {
                cluster_drawn[k] = true;
                let rings = cluster.rings.iter().zip(&cluster.blocks).map(|(r, b)| (r.exterior, r.arcs.as_slice(), b.as_slice()));
                (cluster.representative, painter.polygon(rings, true))
            }
            None => {
                let rings = tiles.topo.rings_of(candidate).iter().map(|r| (r.exterior, tiles.topo.arcs_of(r), &[][..]));
                (candidate, painter.polygon(rings, true))
            }
        };
        if !drawn {
            continue;
        }
        let c = &edition.communes[i];
        attrs.clear();
        attrs.extend([("code", s(tiles.commune_codes[i].as_str())), ("name", s(c.name.as_str())), ("kind", s(c.kind.as_str()))]);
        match view.edition {
            Edition::E2024 => {
                let level = standing::commune_level(atlas, c, view.as_of);
                attrs.push(("level", s(level.key().as_str())));
                if full {
                    attrs.push(("level_year", int(level.record().map(|r| r.year))));
                    attrs.push(("criteria_met", int(level.record().and_then(|r| r.criteria_met))));
                }
            }
            Edition::E2025 => {
                let f = standing::former_levels(atlas, i, view.as_of);
                attrs.push(("level", s(standing::commune_2025_key(&f, c.kind).as_str())));
                if full {
                    for (key, n) in [
                        ("former_total", f.total),
                        ("former_chua_dat", f.chua_dat),
                        ("former_dat_chuan", f.dat_chuan),
                        ("former_nang_cao", f.nang_cao),
                        ("former_kieu_mau", f.kieu_mau),
                        ("former_not_applicable", f.not_applicable),
                    ] {
                        attrs.push((key, int(Some(n as i64))));
                    }
                }
            }
        }
        // The criteria attributes last, as prepared for this moment.
        let shared = criteria.as_deref().and_then(|table| table.commune(i));
        communes.add_with(Some(u64::from(c.code.0)), GeomType::Polygon, &painter.buf.geometry, &attrs, shared, &[]);
    }
    communes.write(&mut out);

    // Commune label points: name and rank only, highest priority first.
    if tile.z >= COMMUNE_LABEL_MIN_ZOOM {
        // Names nearly all differ: not looked up for sharing (as in `communes`).
        let mut labels = Layer::with_distinct("commune_labels", &["name"]);
        // A commune's label point lies in its box: the communes' candidates hold them all.
        let mut inside: Vec<(u8, usize)> = candidates.iter().map(|&i| (tiles.commune_labels[i].1, i)).collect();
        inside.sort_unstable();
        for (rank, i) in inside {
            if painter.point(tiles.commune_labels[i].0) {
                let attrs = [("name", s(edition.communes[i].name.as_str())), ("rank", int(Some(rank)))];
                labels.add(None, GeomType::Point, &painter.buf.geometry, &attrs);
            }
        }
        labels.write(&mut out);
    }

    // Districts and provinces: polygons, then label points (from their zoom on). A label
    // point carries what a label needs (code, name, rank); the polygon carries the rest.
    let bounds = painter.unit_bounds();
    // Themes fill districts and provinces only on the 2024 boundaries (`style::theme`).
    let islets_filled = view.edition.has_districts();
    for (name, groups, label_min_zoom) in [("districts", tiles.districts_at(tile.z), DISTRICT_LABEL_MIN_ZOOM), ("provinces", tiles.provinces.as_slice(), PROVINCE_LABEL_MIN_ZOOM)] {
        let mut layer = Layer::new(name);
        let mut labels = Vec::new();
        for g in groups.iter().filter(|g| overlaps(g.bbox, bounds)) {
            let (attrs, shared) = group_attributes(atlas, view, name, g, criteria.as_deref());
            let min_island = painter.min_outlined_island;
            let mut drawn = painter.polygon(rings_by_islet(g, min_island, false), false);
            if drawn {
                layer.add_with(None, GeomType::Polygon, &painter.buf.geometry, &attrs, shared, &[]);
            }
            // Islets are left out of the polygon the outlines follow; where a theme fills
            // this layer they come as a feature of their own, which the styles fill and do
            // not outline.
            if islets_filled && painter.polygon(rings_by_islet(g, min_island, true), false) {
                layer.add_with(None, GeomType::Polygon, &painter.buf.geometry, &attrs, shared, &[("islets", Some(Value::Bool(true)))]);
                drawn = true;
            }
            if drawn {
                labels.push(g);
            }
        }
        if tile.z >= label_min_zoom {
            labels.sort_by_key(|g| g.rank);
            for g in labels {
                if painter.point(g.label) {
                    let attrs = [("code", s(g.code.as_str())), ("name", s(g.name.as_str())), ("label", Some(Value::Bool(true))), ("rank", int(Some(g.rank)))];
                    layer.add(None, GeomType::Point, &painter.buf.geometry, &attrs);
                }
            }
        }
        layer.write(&mut out);
    }

    // Pilots and tourism sites.
    point_layer(&mut painter, "pilots", &tiles.pilots, &mut out, |k| {
        let p = &atlas.pilots[k];
        let mut attrs = vec![("id", s(p.id.as_str())), ("kind", s(p.kind.as_str()))];
        if full {
            attrs.extend([
                ("name", s(p.name.as_str())),
                ("field", s(p.field.as_str())),
                ("commune", s(p.commune.to_string())),
                ("approved_year", int(p.approved_year)),
            ]);
        }
        attrs
    });
    point_layer(&mut painter, "tourism", &tiles.tourism, &mut out, |k| {
        let t = &atlas.tourism[k];
        let mut attrs = vec![("id", s(t.id.as_str())), ("category", s(t.category.as_str()))];
        if !full {
            attrs.extend([
                ("name", s(t.name.as_str())),
                ("stars", int(t.ocop_stars)),
                ("commune", s(t.commune.to_string())),
                ("url", t.url.as_deref().and_then(s)),
            ]);
        }
        attrs
    });
    out
}

/// Writes a layer of the projected `positions` that fall in the tile; feature `k`
/// gets id `k` and the attributes `attributes(k)`.
fn point_layer<'a>(
    painter: &mut Painter<'_>,
    name: &'static str,
    positions: &ProjectedPoints,
    out: &mut Vec<u8>,
    attributes: impl Fn(usize) -> Vec<(&'static str, Option<Value<'a>>)>,
) {
    let mut layer = Layer::new(name);
    // Slightly wider than the tile: `point` makes the exact test on the grid.
    let [x0, _, x1, _] = painter.unit_bounds();
    let z = painter.z;
    for &(at, k) in positions.in_x_range(x0 - 1e-9, x1 + 1e-9) {
        if positions.shown(k as usize, z) && painter.point(at) {
            layer.add(Some(u64::from(k)), GeomType::Point, &painter.buf.geometry, &attributes(k as usize));
        }
    }
    layer.write(out);
}

/// The rings of `g` whose exterior is an islet (`islets`), or is not, each hole with its
/// exterior. An islet is an island whose whole area is under `min_island` (grid units²),
/// so a big island cut small by the tile's edge is not one.
fn rings_by_islet(g: &Group, min_island: f64, islets: bool) -> impl Iterator<Item = (bool, &[ArcRef], &[ArcBlock])> {
    let mut islet = false;
    g.rings.iter().zip(&g.blocks).zip(&g.island_areas).filter_map(move |((r, b), island)| {
        if r.exterior {
            islet = island.is_some_and(|area| area < min_island);
        }
        (islet == islets).then_some((r.exterior, r.arcs.as_slice(), b.as_slice()))
    })
}

/// A district's or province's attributes, and its criteria attributes (written after them).
fn group_attributes<'a>(atlas: &Atlas, view: TileView, layer: &str, g: &'a Group, criteria: Option<&'a CriteriaTable>) -> (Attrs<'a, 'a>, Option<Tags<'a>>) {
    let mut attrs: Attrs = vec![("code", s(g.code.as_str())), ("name", s(g.name.as_str()))];
    let mut shared = None;
    if view.edition != Edition::E2024 {
        return (attrs, shared);
    }
    if layer == "districts" {
        if let Ok(code) = crate::model::DistrictCode::parse(&g.code) {
            let level = standing::district_level(atlas, code, view.as_of);
            attrs.push(("level", s(level.key().as_str())));
            if let LevelInForce::Recorded { record } = level {
                attrs.push(("level_year", int(Some(record.year))));
            }
            shared = criteria.and_then(|table| table.district(code));
        }
    } else if let Ok(code) = crate::model::ProvinceCode::parse(&g.code) {
        attrs.push(("completed_year", int(standing::province_completed(atlas, code, view.as_of))));
    }
    (attrs, shared)
}

