//! Static maps for articles: a picture of a bounding box (or a centre and zoom), with
//! the view (year, edition), the legend and the attribution drawn in.
//!
//! Steps:
//!   1. check the request ([`StaticMap::new`]): size at most [`MAX_SIDE`] px a side,
//!      zoom at most [`MAX_ZOOM`]; errors name the parameter;
//!   2. pick the zoom: the given one, or the deepest whole zoom at which the bbox fits
//!      the picture (whole zooms keep tiles pixel-aligned, so the picture is exactly
//!      the PNG tiles side by side);
//!   3. render the tiles that cover the picture without names and without the hidden
//!      kinds of point ([`render_tile_with`], on all cores) and copy them in;
//!   4. lay out the caption (the map's title, or the criterion of a criterion theme;
//!      year, edition), the theme's legend (less the hidden kinds of point) and the
//!      attribution ([`Overlays`]);
//!   5. write the names placed for the whole map at this zoom, as the PNG tiles write
//!      them, each once, except those one of the step-4 boxes would half hide
//!      ([`super::labels::draw_picture`]);
//!   6. draw the step-4 boxes.
//!
//! `GET /static/{map}.png` and `bando render` both call [`render_static`].

use super::legend::{self, Lang};
use super::text;
use super::tile::{render_tile_with, DrawOptions, TILE_SIZE};
use crate::atlas::Atlas;
use crate::model::{Edition, PointKinds};
use crate::style::{Rgb, Themed};
use crate::tile::mercator::{project, MAX_LAT};
use crate::tile::{TileId, TileView};
use tiny_skia::{Color, Paint, Pixmap, PixmapPaint, Rect, Transform};

/// Largest width or height of a static map, in pixels.
pub const MAX_SIDE: u32 = 4096;
/// Deepest zoom of a static map (the tiles' maximum zoom).
pub const MAX_ZOOM: u8 = crate::tile::MAX_ZOOM;

/// What the picture shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Frame {
    /// `[min_lon, min_lat, max_lon, max_lat]`: the picture shows at least this box.
    BBox([f64; 4]),
    Center { lon: f64, lat: f64, zoom: u8 },
}

/// A bad static-map request: the parameter to fix and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{parameter}: {message}")]
pub struct StaticError {
    pub parameter: &'static str,
    pub message: String,
}

fn bad<T>(parameter: &'static str, message: impl Into<String>) -> Result<T, StaticError> {
    Err(StaticError { parameter, message: message.into() })
}

/// A checked static-map request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StaticMap {
    pub view: TileView,
    pub width: u32,
    pub height: u32,
    pub lang: Lang,
    /// Names drawn (the default) or not.
    pub labels: bool,
    /// Kinds of point left out of the map, of its names and of its legend (none by default).
    pub hidden: PointKinds,
    /// Whole zoom and the centre in unit Mercator coordinates.
    zoom: u8,
    center: [f64; 2],
}

impl StaticMap {
    pub fn new(view: TileView, frame: Frame, width: u32, height: u32, lang: Lang) -> Result<StaticMap, StaticError> {
        for (name, v) in [("width", width), ("height", height)] {
            if v == 0 || v > MAX_SIDE {
                return bad(name, format!("{name}={v} is outside 1–{MAX_SIDE} pixels"));
            }
        }
        let (zoom, center) = match frame {
            Frame::Center { lon, lat, zoom } => {
                if zoom > MAX_ZOOM {
                    return bad("zoom", format!("zoom={zoom} is beyond the maximum zoom {MAX_ZOOM}"));
                }
                check_lon_lat("center", lon, lat)?;
                (zoom, project(lon, lat))
            }
            Frame::BBox([w, s, e, n]) => {
                check_lon_lat("bbox", w, s)?;
                check_lon_lat("bbox", e, n)?;
                if w >= e || s >= n {
                    return bad("bbox", "expected minlon,minlat,maxlon,maxlat with min < max");
                }
                let ([x0, y0], [x1, y1]) = (project(w, n), project(e, s));
                let fits = |z: u8| {
                    let px = f64::from(TILE_SIZE) * f64::from(1u32 << z);
                    (x1 - x0) * px <= f64::from(width) && (y1 - y0) * px <= f64::from(height)
                };
                let zoom = (0..=MAX_ZOOM).rev().find(|&z| fits(z)).unwrap_or(0);
                (zoom, [(x0 + x1) / 2.0, (y0 + y1) / 2.0])
            }
        };
        Ok(StaticMap { view, width, height, lang, labels: true, hidden: PointKinds::NONE, zoom, center })
    }

    pub fn zoom(&self) -> u8 {
        self.zoom
    }

    /// The picture's top-left corner in world pixels at its zoom (whole pixels, so
    /// tiles land on whole pixels).
    fn origin(&self) -> [i64; 2] {
        let world = f64::from(TILE_SIZE) * f64::from(1u32 << self.zoom);
        [
            (self.center[0] * world - f64::from(self.width) / 2.0).round() as i64,
            (self.center[1] * world - f64::from(self.height) / 2.0).round() as i64,
        ]
    }
}

fn check_lon_lat(parameter: &'static str, lon: f64, lat: f64) -> Result<(), StaticError> {
    if !(-180.0..=180.0).contains(&lon) || !(-MAX_LAT..=MAX_LAT).contains(&lat) {
        return bad(parameter, format!("({lon}, {lat}) is not a longitude, latitude within Web Mercator"));
    }
    Ok(())
}

/// Parses `a,b,c,…` into exactly `N` finite numbers, naming `parameter` when wrong.
pub fn parse_numbers<const N: usize>(parameter: &'static str, text: &str) -> Result<[f64; N], StaticError> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let numbers: Vec<f64> = parts.iter().filter_map(|p| p.parse::<f64>().ok().filter(|v| v.is_finite())).collect();
    if parts.len() != N || numbers.len() != N {
        return bad(parameter, format!("'{text}' is not {N} comma-separated numbers"));
    }
    let mut out = [0.0; N];
    out.copy_from_slice(&numbers);
    Ok(out)
}

/// Renders the picture. `attribution` names the data sources; `sample` adds the
/// sample-data notice.
pub fn render_static(atlas: &Atlas, tiles: &crate::tile::EditionTiles, themed: &Themed, map: &StaticMap, attribution: &str, sample: bool) -> Pixmap {
    let style = themed.style;
    // Both sides are within 1..=MAX_SIDE (checked by StaticMap::new).
    let mut canvas = Pixmap::new(map.width, map.height).expect("static map pixmap");
    let bg = style.background.0;
    canvas.fill(Color::from_rgba8(bg[0], bg[1], bg[2], 255));

    // Tiles covering the picture.
    let [ox, oy] = map.origin();
    let t = i64::from(TILE_SIZE);
    let last = (1i64 << map.zoom) - 1;
    let (tx0, tx1) = (ox.div_euclid(t).max(0), (ox + i64::from(map.width) - 1).div_euclid(t).min(last));
    let (ty0, ty1) = (oy.div_euclid(t).max(0), (oy + i64::from(map.height) - 1).div_euclid(t).min(last));
    let cells: Vec<(i64, i64)> = (ty0..=ty1).flat_map(|y| (tx0..=tx1).map(move |x| (x, y))).collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(cells.len().max(1));
    let rendered: Vec<(i64, i64, Pixmap)> = std::thread::scope(|scope| {
        let handles: Vec<_> = cells
            .chunks(cells.len().div_ceil(threads).max(1))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|&(x, y)| {
                            let id = TileId { z: map.zoom, x: x as u32, y: y as u32 };
                            // Names are drawn over the whole picture below, clear of the boxes.
                            (x, y, render_tile_with(atlas, tiles, themed, map.view, id, 1, DrawOptions { labels: false, hidden: map.hidden }))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    let copy = PixmapPaint { blend_mode: tiny_skia::BlendMode::Source, ..PixmapPaint::default() };
    for (x, y, tile) in rendered {
        canvas.draw_pixmap((x * t - ox) as i32, (y * t - oy) as i32, tile.as_ref(), &copy, Transform::identity(), None);
    }

    // Caption, legend, attribution: laid out first, so that no name is drawn under them.
    let boxes = Overlays::new(themed, map, attribution, sample);
    if map.labels {
        let placement = super::labels::placement(atlas, tiles, map.view.edition, map.view.map, map.zoom, map.hidden);
        let covered: Vec<[f64; 4]> = boxes.covered().map(|[x, y, w, h]| [f64::from(x), f64::from(y), f64::from(x + w), f64::from(y + h)]).collect();
        super::labels::draw_picture(&mut canvas, &placement, (ox, oy), cells.iter().map(|&(x, y)| (x as u32, y as u32)), &covered);
    }
    boxes.draw(&mut canvas, themed, map);
    canvas
}

/// Where the caption, the legend and the attribution go on a picture.
struct Overlays {
    scale: f32,
    caption: (String, [f32; 4]),
    legend: [f32; 4],
    attribution: (String, [f32; 4]),
}

impl Overlays {
    fn new(themed: &Themed, map: &StaticMap, attribution: &str, sample: bool) -> Overlays {
        let scale = (map.width.min(map.height) as f32 / 700.0).clamp(0.8, 2.0);
        let pad = 8.0 * scale;
        let title = themed.title();
        let caption = match map.lang {
            Lang::Vi => format!("{} · năm {} · địa giới {}", title.vi, map.view.as_of, edition_label(map.view.edition, map.lang)),
            Lang::En => format!("{} · {} · {}", title.en, map.view.as_of, edition_label(map.view.edition, map.lang)),
        };
        let caption_box = text_box(&caption, pad, pad, 14.0 * scale, scale);
        let (lw, lh) = legend::size(themed, map.lang, map.hidden, scale);
        let legend_y = (map.height as f32 - lh as f32 - pad * 3.5).max(pad * 5.0);
        let notice = match (sample, map.lang) {
            (false, _) => "",
            (true, Lang::Vi) => "DỮ LIỆU MẪU, không phải số liệu chính thức · ",
            (true, Lang::En) => "SAMPLE DATA, not official figures · ",
        };
        let source = match map.lang {
            Lang::Vi => "Nguồn: ",
            Lang::En => "Sources: ",
        };
        let line = format!("{notice}{source}{attribution}");
        let size = 11.0 * scale;
        let [_, _, w, h] = text_box(&line, 0.0, 0.0, size, scale);
        // Its text's line sits 2 px and a pad above the bottom edge.
        let line_height = text::line_metrics(size).0;
        let attribution_box = [(map.width as f32 - w - 2.0).max(0.0), map.height as f32 - line_height - 2.0 - 8.0 * scale, w, h];
        Overlays { scale, caption: (caption, caption_box), legend: [pad, legend_y, lw as f32, lh as f32], attribution: (line, attribution_box) }
    }

    /// The boxes, as `[x, y, width, height]`.
    fn covered(&self) -> impl Iterator<Item = [f32; 4]> {
        [self.caption.1, self.legend, self.attribution.1].into_iter()
    }

    fn draw(&self, canvas: &mut Pixmap, themed: &Themed, map: &StaticMap) {
        let s = self.scale;
        label_box(canvas, &self.caption.0, self.caption.1[0], self.caption.1[1], 14.0 * s, s);
        legend::draw(canvas, themed, map.lang, map.hidden, self.legend[0], self.legend[1], s);
        label_box(canvas, &self.attribution.0, self.attribution.1[0], self.attribution.1[1], 11.0 * s, s);
    }
}

fn edition_label(edition: Edition, lang: Lang) -> String {
    match (edition, lang) {
        (Edition::E2024, Lang::Vi) => "2024 (63 tỉnh)".to_string(),
        (Edition::E2025, Lang::Vi) => "2025 (34 tỉnh)".to_string(),
        (Edition::E2024, Lang::En) => "2024 boundaries (63 provinces)".to_string(),
        (Edition::E2025, Lang::En) => "2025 boundaries (34 provinces)".to_string(),
    }
}

/// The box [`label_box`] draws: `[x, y, width, height]`.
fn text_box(line: &str, x: f32, y: f32, size: f32, scale: f32) -> [f32; 4] {
    let pad = 4.0 * scale;
    let (h, _) = text::line_metrics(size);
    [x, y, text::width(line, size) + 2.0 * pad, h + 2.0 * pad]
}

/// Text on a white, slightly transparent box with its top-left at (`x`, `y`).
fn label_box(canvas: &mut Pixmap, line: &str, x: f32, y: f32, size: f32, scale: f32) {
    let pad = 4.0 * scale;
    let (_, ascent) = text::line_metrics(size);
    let [_, _, w, h] = text_box(line, x, y, size, scale);
    if let Some(r) = Rect::from_xywh(x, y, w, h) {
        let mut paint = Paint::default();
        paint.set_color(Color::from_rgba8(255, 255, 255, 220));
        canvas.fill_rect(r, &paint, Transform::identity(), None);
    }
    text::draw(canvas, line, x + pad, y + pad + ascent, size, Rgb([33, 33, 33]));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tile::MapKind;

    fn view() -> TileView {
        TileView { map: MapKind::Ntm, edition: Edition::E2024, as_of: crate::model::AsOf::Year(2025) }
    }

    #[test]
    fn bounds_are_checked_and_name_the_parameter() {
        let f = Frame::Center { lon: 105.8, lat: 21.0, zoom: 10 };
        assert_eq!(StaticMap::new(view(), f, 4097, 10, Lang::Vi).unwrap_err().parameter, "width");
        assert_eq!(StaticMap::new(view(), f, 10, 0, Lang::Vi).unwrap_err().parameter, "height");
        let deep = Frame::Center { lon: 105.8, lat: 21.0, zoom: 15 };
        assert_eq!(StaticMap::new(view(), deep, 10, 10, Lang::Vi).unwrap_err().parameter, "zoom");
        let flipped = Frame::BBox([106.0, 21.0, 105.0, 22.0]);
        assert_eq!(StaticMap::new(view(), flipped, 10, 10, Lang::Vi).unwrap_err().parameter, "bbox");
        assert_eq!(parse_numbers::<4>("bbox", "1,2,3").unwrap_err().parameter, "bbox");
        assert_eq!(parse_numbers::<2>("center", "1, 2").unwrap(), [1.0, 2.0]);
    }

    #[test]
    fn a_bbox_gets_the_deepest_zoom_at_which_it_fits() {
        // Hà Nội's ~1° box: 1° of longitude is 256·2^z/360 px, so 1200 px fit at z10
        // (728 px) but not at z11 (1456 px).
        let m = StaticMap::new(view(), Frame::BBox([105.3, 20.6, 106.3, 21.4]), 1200, 1200, Lang::Vi).unwrap();
        assert_eq!(m.zoom(), 10);
    }
}
