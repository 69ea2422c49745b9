//! The legend drawn as a picture: title, one swatch per commune class (colours as
//! drawn on the map), one circle per point symbol; in Vietnamese or English.
//!
//! Steps: 1. measure the rows to size the box; 2. draw the box, title, swatches and
//! circles with their labels. Used alone (`GET /api/v1/legend/{map}.png`) and inside
//! static maps.

use super::text;
use crate::style::{Label, Rgb, Style};
use tiny_skia::{Color, FillRule, Paint, PathBuilder, Pixmap, Rect, Stroke, Transform};

/// Which language labels are drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Vi,
    En,
}

impl Lang {
    pub fn parse(text: &str) -> Option<Lang> {
        match text {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn pick(self, label: &Label) -> &str {
        match self {
            Lang::Vi => &label.vi,
            Lang::En => &label.en,
        }
    }
}

const TEXT: Rgb = Rgb([33, 33, 33]);

struct Layout {
    scale: f32,
    pad: f32,
    title: f32,
    body: f32,
    row: f32,
    swatch: f32,
}

impl Layout {
    fn new(scale: f32) -> Layout {
        Layout { scale, pad: 10.0 * scale, title: 15.0 * scale, body: 12.5 * scale, row: 19.0 * scale, swatch: 16.0 * scale }
    }
}

fn rows(style: &Style, lang: Lang) -> (String, Vec<String>, Vec<String>) {
    let title = lang.pick(&style.title).to_string();
    let classes = style.classes.iter().map(|c| lang.pick(&c.label).to_string()).collect();
    let points = [&style.pilots, &style.tourism]
        .iter()
        .filter(|l| l.opacity > 0.0)
        .flat_map(|l| l.symbols.iter().map(|s| lang.pick(&s.label).to_string()))
        .collect();
    (title, classes, points)
}

/// Size in pixels of the legend at `scale` (1 = CSS pixels).
pub fn size(style: &Style, lang: Lang, scale: f32) -> (u32, u32) {
    let l = Layout::new(scale);
    let (title, classes, points) = rows(style, lang);
    let label_x = l.pad + l.swatch + 8.0 * scale;
    let widest = classes.iter().chain(&points).map(|t| text::width(t, l.body)).fold(0.0f32, f32::max);
    let w = (l.pad * 2.0 + text::width(&title, l.title)).max(label_x + widest + l.pad);
    let (title_h, _) = text::line_metrics(l.title);
    let h = l.pad * 2.0 + title_h + 4.0 * scale + l.row * (classes.len() + points.len()) as f32 + if points.is_empty() { 0.0 } else { 6.0 * scale };
    (w.ceil() as u32, h.ceil() as u32)
}

/// Draws the legend with its top-left corner at (`x`, `y`); returns its size.
pub fn draw(pixmap: &mut Pixmap, style: &Style, lang: Lang, x: f32, y: f32, scale: f32) -> (u32, u32) {
    let l = Layout::new(scale);
    let (w, h) = size(style, lang, scale);
    let mut paint = Paint { anti_alias: true, ..Paint::default() };
    if let Some(r) = Rect::from_xywh(x, y, w as f32, h as f32) {
        paint.set_color(Color::from_rgba8(255, 255, 255, 235));
        pixmap.fill_rect(r, &paint, Transform::identity(), None);
        let border = PathBuilder::from_rect(r);
        paint.set_color(Color::from_rgba8(150, 150, 150, 255));
        pixmap.stroke_path(&border, &paint, &Stroke { width: scale, ..Stroke::default() }, Transform::identity(), None);
    }
    let (title_text, classes, points) = rows(style, lang);
    let (title_h, title_ascent) = text::line_metrics(l.title);
    text::draw(pixmap, &title_text, x + l.pad, y + l.pad + title_ascent, l.title, TEXT);
    let mut top = y + l.pad + title_h + 4.0 * scale;
    let label_x = x + l.pad + l.swatch + 8.0 * l.scale;
    let (_, body_ascent) = text::line_metrics(l.body);
    let (body_h, _) = text::line_metrics(l.body);
    let baseline = |top: f32| top + (l.row - body_h) / 2.0 + body_ascent;
    for (class, label) in style.classes.iter().zip(&classes) {
        let sh = l.swatch * 0.75;
        if let Some(r) = Rect::from_xywh(x + l.pad, top + (l.row - sh) / 2.0, l.swatch, sh) {
            let c = style.drawn_fill(class).0;
            paint.set_color(Color::from_rgba8(c[0], c[1], c[2], 255));
            pixmap.fill_rect(r, &paint, Transform::identity(), None);
            paint.set_color(Color::from_rgba8(120, 120, 120, 255));
            pixmap.stroke_path(&PathBuilder::from_rect(r), &paint, &Stroke { width: 0.75 * scale, ..Stroke::default() }, Transform::identity(), None);
        }
        text::draw(pixmap, label, label_x, baseline(top), l.body, TEXT);
        top += l.row;
    }
    if !points.is_empty() {
        top += 6.0 * scale;
    }
    let mut labels = points.iter();
    for layer in [&style.pilots, &style.tourism].into_iter().filter(|l| l.opacity > 0.0) {
        for s in &layer.symbols {
            let r = s.radius.min(l.swatch / 2.0 / scale) * scale;
            let (cx, cy) = (x + l.pad + l.swatch / 2.0, top + l.row / 2.0);
            if let Some(circle) = PathBuilder::from_circle(cx, cy, r.max(0.5)) {
                let a = (layer.opacity * 255.0).round() as u8;
                paint.set_color(Color::from_rgba8(s.color.0[0], s.color.0[1], s.color.0[2], a));
                pixmap.fill_path(&circle, &paint, FillRule::Winding, Transform::identity(), None);
                if layer.stroke_width > 0.0 {
                    paint.set_color(Color::from_rgba8(layer.stroke.0[0], layer.stroke.0[1], layer.stroke.0[2], a));
                    let stroke = Stroke { width: layer.stroke_width * scale, ..Stroke::default() };
                    pixmap.stroke_path(&circle, &paint, &stroke, Transform::identity(), None);
                }
            }
            if let Some(label) = labels.next() {
                text::draw(pixmap, label, label_x, baseline(top), l.body, TEXT);
            }
            top += l.row;
        }
    }
    (w, h)
}

/// The legend alone, on white.
pub fn render_legend(style: &Style, lang: Lang, scale: f32) -> Pixmap {
    let (w, h) = size(style, lang, scale);
    // A legend is a few hundred pixels on a side: never zero, never too large.
    let mut p = Pixmap::new(w.max(1), h.max(1)).expect("legend pixmap");
    p.fill(Color::WHITE);
    draw(&mut p, style, lang, 0.0, 0.0, scale);
    p
}
