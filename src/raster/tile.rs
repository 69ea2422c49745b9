//! One PNG tile: the map's choropleth drawn from the tile's own MVT layers.
//!
//! Steps per tile:
//!   1. render the tile's vector layers as shown at 256 px ([`render_mvt_at`]: the same
//!      per-zoom simplified, clipped, quantised geometry MapLibre draws) and read them
//!      back ([`decode`]);
//!   2. fill the background, then every unit of the theme's layer (communes; districts
//!      for a district criterion) WITHOUT anti-aliasing, one path per class of the theme
//!      ([`Themed::class_index`], the rule the MapLibre style writes as an expression):
//!      neighbours share their border vertices exactly, and a non-anti-aliased
//!      fill gives every pixel centre to exactly one side, so no background shows
//!      through a shared border (an anti-aliased fill would leave a faint seam where
//!      two half-covered edges meet);
//!   3. stroke commune, district and province outlines anti-aliased at the widths MapLibre
//!      draws at the same scale (the style's zoom one less, [`super::style_zoom`]), each layer as one
//!      path with every ring in the same orientation, so a border shared by two
//!      polygons is drawn once (the stroke is the union of its segments), and the
//!      stroke also smooths the fill's stair steps;
//!   4. draw the pilots and tourism sites shown at the tile's scale ([`crate::tile::thin`],
//!      those of the vector tiles one zoom less, whose pixels are the same size), less the
//!      kinds [`DrawOptions::hidden`] leaves out, as circles from the atlas positions,
//!      including those just outside the tile whose circle reaches in (so symbols are
//!      never cut at tile edges); sizes by kind / category and OCOP stars where the map's
//!      tiles carry stars (the tourism map), as the MapLibre style does;
//!   5. write the names placed for the whole map at this zoom ([`super::labels`], without
//!      those of hidden points) that reach the tile, halves of those crossing its edge
//!      included.

use super::decode::{self, GeomType};
use crate::atlas::Atlas;
use crate::model::PointKinds;
use crate::style::theme::Prop;
use crate::style::{Outline, PointLayer, Rgb, Themed};
use crate::tile::mercator::{project, tile_bounds};
use crate::tile::{render_mvt_at, EditionTiles, MapKind, TileId, TileView};
use tiny_skia::{FillRule, LineCap, LineJoin, Paint, PathBuilder, Pixmap, Stroke, Transform};

/// Side of a tile in pixels at pixel ratio 1.
pub const TILE_SIZE: u32 = 256;

fn color(c: Rgb, alpha: f32) -> tiny_skia::Color {
    tiny_skia::Color::from_rgba8(c.0[0], c.0[1], c.0[2], (alpha.clamp(0.0, 1.0) * 255.0).round() as u8)
}

/// What is drawn over the choropleth besides the outlines: the names, and which kinds of
/// point (the viewer's legend switches them off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrawOptions {
    pub labels: bool,
    /// Kinds of point left out, with their names.
    pub hidden: PointKinds,
}

impl DrawOptions {
    /// Names and every point.
    pub const ALL: DrawOptions = DrawOptions { labels: true, hidden: PointKinds::NONE };
}

/// Renders a tile at `ratio` (1 → 256 px, 2 → 512 px), coloured by `themed`, with labels.
pub fn render_tile(atlas: &Atlas, tiles: &EditionTiles, themed: &Themed, view: TileView, tile: TileId, ratio: u32) -> Pixmap {
    render_tile_with(atlas, tiles, themed, view, tile, ratio, DrawOptions::ALL)
}

/// [`render_tile`], with or without the labels, and without the kinds of point `options` hides.
pub fn render_tile_with(atlas: &Atlas, tiles: &EditionTiles, themed: &Themed, view: TileView, tile: TileId, ratio: u32, options: DrawOptions) -> Pixmap {
    let style = themed.style;
    let size = TILE_SIZE * ratio;
    // A tile side of at most 1024 px is never zero or too large.
    let mut pixmap = Pixmap::new(size, size).expect("tile pixmap");
    pixmap.fill(color(style.background, 1.0));
    // The vector tile as this PNG shows it: 256 px a side at ratio 1.
    let mvt = render_mvt_at(atlas, tiles, view, tile, TILE_SIZE);
    let layers = decode::layers(&mvt);
    // The style's zoom-dependent sizes (outline widths, point sizes) are MapLibre's, for
    // 512-px tiles: this 256-px tile has the scale of the vector tile one zoom less.
    let zoom = f32::from(super::style_zoom(tile.z));
    let mut ring_buf = Vec::new();

    // Fills by class, without anti-aliasing; when communes are filled, their rings also go
    // into the one outline path as they are read.
    let fill_layer = themed.fill_layer();
    let mut outline = PathBuilder::new();
    if let Some(layer) = layers.iter().find(|l| l.name == fill_layer) {
        let scale = size as f32 / layer.extent as f32;
        let keys: Vec<Option<u32>> = themed.property_keys().iter().map(|k| layer.key_index(k)).collect();
        let outline_too = fill_layer == "communes";
        let mut by_class: Vec<PathBuilder> = themed.classes().iter().map(|_| PathBuilder::new()).collect();
        let mut props: Vec<Option<Prop>> = Vec::with_capacity(keys.len());
        for f in layer.features.iter().filter(|f| f.geom_type == GeomType::Polygon) {
            props.clear();
            props.extend(keys.iter().map(|k| k.and_then(|k| layer.property(f, k)).and_then(prop)));
            let pb = &mut by_class[themed.class_index(&props)];
            f.rings(&mut ring_buf, |ring| {
                add_ring(pb, ring, scale, false);
                if outline_too {
                    add_ring(&mut outline, ring, scale, true);
                }
            });
        }
        let mut paint = Paint { anti_alias: false, ..Paint::default() };
        for (class, pb) in themed.classes().iter().zip(by_class) {
            if let Some(path) = pb.finish() {
                paint.set_color(color(style.drawn_fill(class), 1.0));
                pixmap.fill_path(&path, &paint, FillRule::Winding, Transform::identity(), None);
            }
        }
    }
    if fill_layer != "communes" {
        if let Some(communes) = layers.iter().find(|l| l.name == "communes") {
            let scale = size as f32 / communes.extent as f32;
            for f in communes.features.iter().filter(|f| f.geom_type == GeomType::Polygon) {
                f.rings(&mut ring_buf, |ring| add_ring(&mut outline, ring, scale, true));
            }
        }
    }
    stroke(&mut pixmap, outline, &style.communes_outline, zoom, ratio);

    // District and province borders.
    for (name, o) in [("districts", &style.districts_outline), ("provinces", &style.provinces_outline)] {
        let mut pb = PathBuilder::new();
        if let Some(layer) = layers.iter().find(|l| l.name == name) {
            let scale = size as f32 / layer.extent as f32;
            // Islets are filled, not outlined (as the MapLibre style draws them).
            let islets = layer.key_index("islets");
            let outlined = |f: &&decode::Feature| f.geom_type == GeomType::Polygon && islets.is_none_or(|k| layer.property(f, k).is_none());
            for f in layer.features.iter().filter(outlined) {
                f.rings(&mut ring_buf, |ring| add_ring(&mut pb, ring, scale, true));
            }
        }
        stroke(&mut pixmap, pb, o, zoom, ratio);
    }

    // Points.
    let stars = view.map == MapKind::Tourism;
    // The points thinned for the scale the tile is seen at: a 256-px tile of zoom z has
    // the pixel size of a 512-px vector tile of zoom z − 1, so it draws that tile's points
    // (spaced as far apart on screen in both modes).
    let seen_as = tile.z.saturating_sub(1);
    let hidden = options.hidden;
    let pilots = atlas.pilots.iter().enumerate().filter(|&(k, p)| !hidden.has_pilot(p.kind) && tiles.pilot_shown(k, seen_as));
    let pilots = pilots.map(|(_, p)| (p.position, p.kind.as_str(), None));
    draw_points(&mut pixmap, &style.pilots, tile, ratio, pilots);
    let tourism = atlas.tourism.iter().enumerate().filter(|&(k, t)| !hidden.has_site(t.category) && tiles.tourism_shown(k, seen_as));
    let tourism = tourism.map(|(_, t)| (t.position, t.category.as_str(), if stars { t.ocop_stars } else { None }));
    draw_points(&mut pixmap, &style.tourism, tile, ratio, tourism);

    if options.labels {
        let placement = super::labels::placement(atlas, tiles, view.edition, view.map, tile.z, hidden);
        super::labels::draw(&mut pixmap, &placement, tile, ratio);
    }
    pixmap
}

fn prop(v: decode::Value<'_>) -> Option<Prop<'_>> {
    match v {
        decode::Value::Str(s) => Some(Prop::Str(s)),
        decode::Value::Number(n) => Some(Prop::Number(n)),
        decode::Value::Bool(_) => None,
    }
}

/// Adds a closed ring in grid units; `positive` reverses rings of negative area so
/// every ring turns the same way (outline strokes then union instead of cancelling).
fn add_ring(pb: &mut PathBuilder, ring: &[[i32; 2]], scale: f32, positive: bool) {
    if ring.len() < 3 {
        return;
    }
    let reverse = positive && {
        let n = ring.len();
        let area2: i64 = (0..n)
            .map(|i| {
                let (a, b) = (ring[i], ring[(i + 1) % n]);
                i64::from(a[0]) * i64::from(b[1]) - i64::from(b[0]) * i64::from(a[1])
            })
            .sum();
        area2 < 0
    };
    let p = |q: [i32; 2]| (q[0] as f32 * scale, q[1] as f32 * scale);
    let mut points: Box<dyn Iterator<Item = &[i32; 2]>> = if reverse { Box::new(ring.iter().rev()) } else { Box::new(ring.iter()) };
    if let Some(&first) = points.next() {
        let (x, y) = p(first);
        pb.move_to(x, y);
        for &q in points {
            let (x, y) = p(q);
            pb.line_to(x, y);
        }
        pb.close();
    }
}

fn stroke(pixmap: &mut Pixmap, pb: PathBuilder, o: &Outline, zoom: f32, ratio: u32) {
    let width = o.width_at(zoom) * ratio as f32;
    if width <= 0.0 || o.opacity <= 0.0 {
        return;
    }
    let Some(path) = pb.finish() else { return };
    let mut paint = Paint { anti_alias: true, ..Paint::default() };
    paint.set_color(color(o.color, o.opacity));
    let stroke = Stroke { width, line_join: LineJoin::Round, line_cap: LineCap::Round, ..Stroke::default() };
    pixmap.stroke_path(&path, &paint, &stroke, Transform::identity(), None);
}

/// Draws the points of a layer whose circle reaches into the tile.
fn draw_points<'a>(
    pixmap: &mut Pixmap,
    layer: &PointLayer,
    tile: TileId,
    ratio: u32,
    points: impl Iterator<Item = (crate::model::LonLat, &'a str, Option<u8>)>,
) {
    if layer.opacity <= 0.0 {
        return;
    }
    let [x0, y0, x1, _] = tile_bounds(tile);
    let size = f64::from(pixmap.width());
    let px_per_unit = size / (x1 - x0);
    let mut paint = Paint { anti_alias: true, ..Paint::default() };
    // Smaller at low zoom, as the MapLibre style draws them.
    let scale = crate::style::point_scale(super::style_zoom(tile.z)) * ratio as f32;
    let stroke = Stroke { width: layer.stroke_width * scale, ..Stroke::default() };
    for (position, key, stars) in points {
        let Some(symbol) = layer.symbol(key) else { continue };
        let r = symbol.radius_for(stars) * scale;
        let reach = f64::from(r + stroke.width);
        let [ux, uy] = project(position.lon, position.lat);
        let (x, y) = ((ux - x0) * px_per_unit, (uy - y0) * px_per_unit);
        if x < -reach || y < -reach || x > size + reach || y > size + reach {
            continue;
        }
        let Some(circle) = PathBuilder::from_circle(x as f32, y as f32, r.max(0.1)) else { continue };
        paint.set_color(color(symbol.color, layer.opacity));
        pixmap.fill_path(&circle, &paint, FillRule::Winding, Transform::identity(), None);
        if stroke.width > 0.0 {
            paint.set_color(color(layer.stroke, layer.opacity));
            pixmap.stroke_path(&circle, &paint, &stroke, Transform::identity(), None);
        }
    }
}
