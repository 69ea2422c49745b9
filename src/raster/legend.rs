//! The legend drawn as a picture: title (and, for a criterion theme, the set's name,
//! wrapped), one swatch per class of the theme (colours as drawn on the map), one circle
//! per point symbol; in Vietnamese or English. The words and colours are those of the
//! legend JSON ([`crate::style::legend`]).
//!
//! Steps: 1. measure the rows to size the box; 2. draw the box, title, subtitle, swatches
//! and circles with their labels. Used alone (`GET /api/v1/legend/{map}.png`) and inside
//! static maps.

use super::text;
use crate::style::legend::legend;
use crate::model::PointKinds;
use crate::style::{Label, PointLayer, Rgb, Symbol, Style, Themed};
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
    subtitle: f32,
    body: f32,
    row: f32,
    swatch: f32,
}

impl Layout {
    fn new(scale: f32) -> Layout {
        Layout { scale, pad: 10.0 * scale, title: 15.0 * scale, subtitle: 11.0 * scale, body: 12.5 * scale, row: 19.0 * scale, swatch: 16.0 * scale }
    }
}

/// The texts and colours to draw.
struct Rows {
    title: String,
    /// The subtitle, wrapped to the legend's width.
    subtitle: Vec<String>,
    classes: Vec<(String, Rgb)>,
    points: Vec<String>,
}

/// The point symbols the legend shows: those of the visible point layers, less the
/// `hidden` kinds (a picture drawn without them lists them neither).
fn symbols_shown(style: &Style, hidden: PointKinds) -> impl Iterator<Item = (&PointLayer, &Symbol)> {
    [&style.pilots, &style.tourism]
        .into_iter()
        .filter(|p| p.opacity > 0.0)
        .flat_map(move |p| p.symbols.iter().filter(move |s| !hidden.has(p.layer, s.key)).map(move |s| (p, s)))
}

fn rows(themed: &Themed, lang: Lang, hidden: PointKinds, l: &Layout) -> Rows {
    let legend = legend(themed);
    let title = lang.pick(&legend.title).to_string();
    let classes: Vec<(String, Rgb)> = legend.classes.iter().map(|c| (lang.pick(&c.label).to_string(), c.drawn)).collect();
    let points: Vec<String> = symbols_shown(themed.style, hidden).map(|(_, s)| lang.pick(&s.label).to_string()).collect();
    // The subtitle wraps within the width the other rows need (at least 240 px), so a
    // long set name does not stretch the box across the map.
    let label_x = l.pad + l.swatch + 8.0 * l.scale;
    let widest = classes.iter().map(|c| &c.0).chain(&points).map(|t| text::width(t, l.body)).fold(0.0f32, f32::max);
    let room = (text::width(&title, l.title)).max(label_x + widest - l.pad).max(240.0 * l.scale);
    let subtitle = legend.subtitle.as_ref().map_or_else(Vec::new, |s| wrap(lang.pick(s), l.subtitle, room));
    Rows { title, subtitle, classes, points }
}

/// Splits `text` at spaces into lines no wider than `room` (a word longer than that keeps
/// a line of its own).
fn wrap(text: &str, size: f32, room: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if text::width(&format!("{line} {word}"), size) <= room => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Size in pixels of the legend at `scale` (1 = CSS pixels), without the `hidden` kinds of point.
pub fn size(themed: &Themed, lang: Lang, hidden: PointKinds, scale: f32) -> (u32, u32) {
    let l = Layout::new(scale);
    let r = rows(themed, lang, hidden, &l);
    measure(&r, &l)
}

fn measure(r: &Rows, l: &Layout) -> (u32, u32) {
    let scale = l.scale;
    let label_x = l.pad + l.swatch + 8.0 * scale;
    let widest = r.classes.iter().map(|c| &c.0).chain(&r.points).map(|t| text::width(t, l.body)).fold(0.0f32, f32::max);
    let subtitle_w = r.subtitle.iter().map(|t| text::width(t, l.subtitle)).fold(0.0f32, f32::max);
    let w = (l.pad * 2.0 + text::width(&r.title, l.title).max(subtitle_w)).max(label_x + widest + l.pad);
    let (title_h, _) = text::line_metrics(l.title);
    let (subtitle_h, _) = text::line_metrics(l.subtitle);
    let h = l.pad * 2.0
        + title_h
        + subtitle_h * r.subtitle.len() as f32
        + 4.0 * scale
        + l.row * (r.classes.len() + r.points.len()) as f32
        + if r.points.is_empty() { 0.0 } else { 6.0 * scale };
    (w.ceil() as u32, h.ceil() as u32)
}

/// Draws the legend, without the `hidden` kinds of point, with its top-left corner at
/// (`x`, `y`); returns its size.
pub fn draw(pixmap: &mut Pixmap, themed: &Themed, lang: Lang, hidden: PointKinds, x: f32, y: f32, scale: f32) -> (u32, u32) {
    let l = Layout::new(scale);
    let r = rows(themed, lang, hidden, &l);
    let (w, h) = measure(&r, &l);
    let mut paint = Paint { anti_alias: true, ..Paint::default() };
    if let Some(r) = Rect::from_xywh(x, y, w as f32, h as f32) {
        paint.set_color(Color::from_rgba8(255, 255, 255, 235));
        pixmap.fill_rect(r, &paint, Transform::identity(), None);
        let border = PathBuilder::from_rect(r);
        paint.set_color(Color::from_rgba8(150, 150, 150, 255));
        pixmap.stroke_path(&border, &paint, &Stroke { width: scale, ..Stroke::default() }, Transform::identity(), None);
    }
    let (title_h, title_ascent) = text::line_metrics(l.title);
    text::draw(pixmap, &r.title, x + l.pad, y + l.pad + title_ascent, l.title, TEXT);
    let mut top = y + l.pad + title_h;
    let (subtitle_h, subtitle_ascent) = text::line_metrics(l.subtitle);
    for line in &r.subtitle {
        text::draw(pixmap, line, x + l.pad, top + subtitle_ascent, l.subtitle, TEXT);
        top += subtitle_h;
    }
    top += 4.0 * scale;
    let label_x = x + l.pad + l.swatch + 8.0 * l.scale;
    let (_, body_ascent) = text::line_metrics(l.body);
    let (body_h, _) = text::line_metrics(l.body);
    let baseline = |top: f32| top + (l.row - body_h) / 2.0 + body_ascent;
    for (label, fill) in &r.classes {
        let sh = l.swatch * 0.75;
        if let Some(rect) = Rect::from_xywh(x + l.pad, top + (l.row - sh) / 2.0, l.swatch, sh) {
            let c = fill.0;
            paint.set_color(Color::from_rgba8(c[0], c[1], c[2], 255));
            pixmap.fill_rect(rect, &paint, Transform::identity(), None);
            paint.set_color(Color::from_rgba8(120, 120, 120, 255));
            pixmap.stroke_path(&PathBuilder::from_rect(rect), &paint, &Stroke { width: 0.75 * scale, ..Stroke::default() }, Transform::identity(), None);
        }
        text::draw(pixmap, label, label_x, baseline(top), l.body, TEXT);
        top += l.row;
    }
    if !r.points.is_empty() {
        top += 6.0 * scale;
    }
    for ((layer, s), label) in symbols_shown(themed.style, hidden).zip(&r.points) {
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
        text::draw(pixmap, label, label_x, baseline(top), l.body, TEXT);
        top += l.row;
    }
    (w, h)
}

/// The legend alone, on white.
pub fn render_legend(themed: &Themed, lang: Lang, scale: f32) -> Pixmap {
    let (w, h) = size(themed, lang, PointKinds::NONE, scale);
    // A legend is a few hundred pixels on a side: never zero, never too large.
    let mut p = Pixmap::new(w.max(1), h.max(1)).expect("legend pixmap");
    p.fill(Color::WHITE);
    draw(&mut p, themed, lang, PointKinds::NONE, 0.0, 0.0, scale);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text = "Bộ tiêu chí quốc gia về xã nông thôn mới giai đoạn 2021–2025 (318/QĐ-TTg)";
        let lines = wrap(text, 11.0, 150.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|line| text::width(line, 11.0) <= 150.0), "{lines:?}");
        assert_eq!(lines.join(" "), text);
        assert_eq!(wrap("Ngắn", 11.0, 150.0), ["Ngắn"]);
    }
}
