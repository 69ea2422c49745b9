//! Text for legends and attributions: the embedded Noto Sans (SIL Open Font Licence
//! 1.1, `assets/fonts/OFL.txt`; it has the precomposed Vietnamese letters) drawn with
//! ab_glyph. Left to right, no shaping: enough for labels in Vietnamese and English.
//!
//! Steps per string: 1. look each character's glyph up, advance by its width plus
//! kerning; 2. rasterise the outline to coverage; 3. blend the colour into the
//! (opaque) pixmap by coverage.

use crate::style::Rgb;
use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use std::sync::OnceLock;
use tiny_skia::Pixmap;

static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");

/// The embedded font (also the source of the glyph ranges of [`crate::glyphs`]).
pub fn font() -> &'static FontRef<'static> {
    static FONT: OnceLock<FontRef<'static>> = OnceLock::new();
    // The embedded font is checked by the tests; it cannot be missing at run time.
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).expect("embedded font is a valid TTF"))
}

/// The embedded font file.
pub fn font_bytes() -> &'static [u8] {
    FONT_BYTES
}

/// Width in pixels of `text` at `size` px.
pub fn width(text: &str, size: f32) -> f32 {
    let f = font().as_scaled(PxScale::from(size));
    let mut w = 0.0;
    let mut last = None;
    for c in text.chars() {
        let id = f.glyph_id(c);
        if let Some(prev) = last {
            w += f.kern(prev, id);
        }
        w += f.h_advance(id);
        last = Some(id);
    }
    w
}

/// Height of a line (ascent to descent) at `size` px, and the ascent.
pub fn line_metrics(size: f32) -> (f32, f32) {
    let f = font().as_scaled(PxScale::from(size));
    (f.ascent() - f.descent(), f.ascent())
}

/// Lays `text` out with its baseline starting at (`x`, `baseline`) at `size` (a line
/// scale) and calls `visit(px, py, coverage)` for every pixel its glyphs cover; coverage
/// may pass 1 where anti-aliased edges meet.
fn cover(text: &str, x: f32, baseline: f32, size: f32, mut visit: impl FnMut(i64, i64, f32)) {
    let scale = PxScale::from(size);
    let f = font().as_scaled(scale);
    let mut caret = x;
    let mut last = None;
    for c in text.chars() {
        let id = f.glyph_id(c);
        if let Some(prev) = last {
            caret += f.kern(prev, id);
        }
        let glyph = id.with_scale_and_position(scale, point(caret, baseline));
        caret += f.h_advance(id);
        last = Some(id);
        let Some(outline) = font().outline_glyph(glyph) else { continue };
        let b = outline.px_bounds();
        outline.draw(|gx, gy, coverage| visit(b.min.x as i64 + i64::from(gx), b.min.y as i64 + i64::from(gy), coverage));
    }
}

/// Draws `text` with its baseline starting at (`x`, `baseline`).
pub fn draw(pixmap: &mut Pixmap, text: &str, x: f32, baseline: f32, size: f32, color: Rgb) {
    let (w, h) = (i64::from(pixmap.width()), i64::from(pixmap.height()));
    let data = pixmap.data_mut();
    cover(text, x, baseline, size, |px, py, coverage| {
        if px < 0 || py < 0 || px >= w || py >= h {
            return;
        }
        let i = (py * w + px) as usize * 4;
        let a = coverage.clamp(0.0, 1.0);
        for k in 0..3 {
            let under = f32::from(data[i + k]);
            data[i + k] = (f32::from(color.0[k]) * a + under * (1.0 - a)).round() as u8;
        }
    });
}

/// The ab_glyph scale (line height) of a font size given in ems, as CSS and MapLibre
/// give `text-size`.
pub fn em_scale(em_px: f32) -> f32 {
    let f = font();
    em_px * f.height_unscaled() / f.units_per_em().unwrap_or(1000.0)
}

/// Splits `text` into lines no wider than `max_width` px at `size` (a line scale, see
/// [`em_scale`]) where it can, breaking at spaces; a single word wider than that keeps
/// its own line. Lines are balanced as MapLibre balances them: the fewest lines, then
/// the break that makes them most alike.
pub fn wrap(text: &str, size: f32, max_width: f32) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() < 2 || width(text, size) <= max_width {
        return vec![words.join(" ")];
    }
    // Fewest lines by a greedy pass; for two lines (most names) the most even split.
    let mut lines: Vec<String> = Vec::new();
    for w in &words {
        match lines.last_mut() {
            Some(line) if width(&format!("{line} {w}"), size) <= max_width => {
                line.push(' ');
                line.push_str(w);
            }
            _ => lines.push((*w).to_string()),
        }
    }
    if lines.len() == 2 {
        let best = (1..words.len())
            .map(|k| (words[..k].join(" "), words[k..].join(" ")))
            .filter(|(a, b)| width(a, size) <= max_width && width(b, size) <= max_width)
            .min_by(|a, b| {
                let d = |p: &(String, String)| (width(&p.0, size) - width(&p.1, size)).abs();
                d(a).total_cmp(&d(b))
            });
        if let Some((a, b)) = best {
            return vec![a, b];
        }
    }
    lines
}

/// A label's ink as coverage, ready to blend ([`Ink::blend`]): the text and its halo
/// rasterised once into a buffer, so that every tile the label reaches draws exactly the
/// same pixels (the buffer's origin is a whole world pixel).
pub struct Ink {
    width: usize,
    height: usize,
    /// Text and halo coverage per pixel, quantised to eighths: the PNG palette then
    /// needs few blends of each colour.
    text: Vec<u8>,
    halo: Vec<u8>,
}

/// Levels a coverage is quantised to.
const LEVELS: f32 = 8.0;

impl Ink {
    /// Rasterises `lines` (`(x, baseline)` of each, relative to the buffer's origin) at
    /// `size` (line scale) into a `width` × `height` buffer, with a halo of `halo` px.
    pub fn new(lines: &[(f32, f32, &str)], size: f32, width: usize, height: usize, halo: f32) -> Ink {
        let mut cov = vec![0f32; width * height];
        for &(x, baseline, line) in lines {
            cover(line, x, baseline, size, |px, py, c| {
                if px >= 0 && py >= 0 && (px as usize) < width && (py as usize) < height {
                    let v = &mut cov[py as usize * width + px as usize];
                    *v = (*v + c).min(1.0);
                }
            });
        }
        // The halo: each pixel takes the strongest text coverage within `halo` px,
        // fading over the last pixel (a disc dilation, as a blurred SDF edge looks).
        let r = halo.ceil() as i64 + 1;
        let mut halo_cov = vec![0f32; width * height];
        if halo > 0.0 {
            let kernel: Vec<(i64, i64, f32)> = (-r..=r)
                .flat_map(|dy| (-r..=r).map(move |dx| (dx, dy)))
                .map(|(dx, dy)| (dx, dy, (halo + 0.5 - ((dx * dx + dy * dy) as f32).sqrt()).clamp(0.0, 1.0)))
                .filter(|k| k.2 > 0.0)
                .collect();
            for y in 0..height as i64 {
                for x in 0..width as i64 {
                    let c = cov[y as usize * width + x as usize];
                    if c <= 0.0 {
                        continue;
                    }
                    for &(dx, dy, w) in &kernel {
                        let (qx, qy) = (x + dx, y + dy);
                        if qx >= 0 && qy >= 0 && (qx as usize) < width && (qy as usize) < height {
                            let h = &mut halo_cov[qy as usize * width + qx as usize];
                            *h = h.max(c.min(1.0) * w);
                        }
                    }
                }
            }
        }
        let q = |v: f32| (v.clamp(0.0, 1.0) * LEVELS).round() as u8;
        // Small text's stems cover a pixel only partly: strengthen the coverage so the
        // letters read as dark as MapLibre's SDF text does, not grey.
        Ink { width, height, text: cov.iter().map(|&v| q(v * 1.6)).collect(), halo: halo_cov.iter().map(|&v| q(v * 1.6)).collect() }
    }

    /// Blends the halo then the text into `pixmap` with the buffer's origin at (`x`, `y`)
    /// (whole pixels, possibly outside: what falls outside is not drawn).
    pub fn blend(&self, pixmap: &mut Pixmap, x: i64, y: i64, color: Rgb, halo: Rgb) {
        let (w, h) = (i64::from(pixmap.width()), i64::from(pixmap.height()));
        let data = pixmap.data_mut();
        for by in 0..self.height as i64 {
            let py = y + by;
            if py < 0 || py >= h {
                continue;
            }
            for bx in 0..self.width as i64 {
                let px = x + bx;
                if px < 0 || px >= w {
                    continue;
                }
                let k = by as usize * self.width + bx as usize;
                let (t, hl) = (self.text[k], self.halo[k]);
                if t == 0 && hl == 0 {
                    continue;
                }
                let i = (py as usize * w as usize + px as usize) * 4;
                for (a, c) in [(hl, halo), (t, color)] {
                    if a == 0 {
                        continue;
                    }
                    let a = f32::from(a) / LEVELS;
                    for ch in 0..3 {
                        let under = f32::from(data[i + ch]);
                        data[i + ch] = (f32::from(c.0[ch]) * a + under * (1.0 - a)).round() as u8;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_font_has_the_vietnamese_letters() {
        for c in "Chưa đạt chuẩn NTM nâng cao kiểu mẫu ĐỒNG THÁP ữ ỹ ự ặ".chars().filter(|c| !c.is_whitespace()) {
            assert_ne!(font().glyph_id(c).0, 0, "no glyph for {c}");
        }
        assert!(width("Xã Dương Xá", 14.0) > 40.0);
    }

    #[test]
    fn long_names_wrap_into_balanced_lines() {
        let size = em_scale(12.0);
        assert_eq!(wrap("Hà Nội", size, 200.0), ["Hà Nội"]);
        let lines = wrap("Thị trấn Nông trường Mộc Châu", size, 110.0);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines.iter().all(|l| width(l, size) <= 110.0), "{lines:?}");
        assert_eq!(lines.join(" "), "Thị trấn Nông trường Mộc Châu");
    }

    #[test]
    fn a_label_blends_the_same_pixels_wherever_its_buffer_is_cut() {
        let ink = Ink::new(&[(3.0, 14.0, "Hưng Yên")], em_scale(12.0), 70, 20, 1.5);
        let draw = |x: i64| {
            let mut p = Pixmap::new(40, 20).unwrap();
            p.fill(tiny_skia::Color::from_rgba8(200, 100, 50, 255));
            ink.blend(&mut p, x, 0, Rgb([0x33, 0x33, 0x33]), Rgb([255, 255, 255]));
            p
        };
        // The left and right halves drawn apart (as two tiles) equal one drawing.
        let (left, right) = (draw(0), draw(-35));
        let whole = {
            let mut p = Pixmap::new(70, 20).unwrap();
            p.fill(tiny_skia::Color::from_rgba8(200, 100, 50, 255));
            ink.blend(&mut p, 0, 0, Rgb([0x33, 0x33, 0x33]), Rgb([255, 255, 255]));
            p
        };
        for y in 0..20 {
            for x in 0..70 {
                let got = if x < 35 { left.pixel(x, y) } else { right.pixel(x - 35, y) };
                assert_eq!(got, whole.pixel(x, y), "{x},{y}");
            }
        }
        assert!(whole.data().chunks(4).any(|p| p[0] == 255 && p[1] == 255), "halo drawn");
        assert!(whole.data().chunks(4).any(|p| p[0] < 0x50), "text drawn");
    }

    #[test]
    fn draws_ink_inside_the_pixmap_only() {
        let mut p = Pixmap::new(60, 20).unwrap();
        p.fill(tiny_skia::Color::WHITE);
        draw(&mut p, "Đạt", 2.0, 15.0, 14.0, Rgb([0, 0, 0]));
        draw(&mut p, "off the edge", 50.0, 15.0, 14.0, Rgb([0, 0, 0]));
        assert!(p.data().chunks(4).any(|px| px[0] < 100));
    }
}
