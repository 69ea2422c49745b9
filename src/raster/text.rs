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

/// Draws `text` with its baseline starting at (`x`, `baseline`).
pub fn draw(pixmap: &mut Pixmap, text: &str, x: f32, baseline: f32, size: f32, color: Rgb) {
    let scale = PxScale::from(size);
    let f = font().as_scaled(scale);
    let (w, h) = (pixmap.width() as i32, pixmap.height() as i32);
    let data = pixmap.data_mut();
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
        outline.draw(|gx, gy, coverage| {
            let (px, py) = (b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32);
            if px < 0 || py < 0 || px >= w || py >= h {
                return;
            }
            let i = (py as usize * w as usize + px as usize) * 4;
            let a = coverage.clamp(0.0, 1.0);
            for k in 0..3 {
                let under = f32::from(data[i + k]);
                data[i + k] = (f32::from(color.0[k]) * a + under * (1.0 - a)).round() as u8;
            }
        });
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
    fn draws_ink_inside_the_pixmap_only() {
        let mut p = Pixmap::new(60, 20).unwrap();
        p.fill(tiny_skia::Color::WHITE);
        draw(&mut p, "Đạt", 2.0, 15.0, 14.0, Rgb([0, 0, 0]));
        draw(&mut p, "off the edge", 50.0, 15.0, 14.0, Rgb([0, 0, 0]));
        assert!(p.data().chunks(4).any(|px| px[0] < 100));
    }
}
