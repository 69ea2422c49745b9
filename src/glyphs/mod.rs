//! SDF glyph ranges for MapLibre's text (`GET /fonts/{fontstack}/{range}.pbf`), made
//! from the embedded Noto Sans ([`crate::raster::text`], the font of the PNG labels),
//! so that the vector map and the PNG tiles write names in the same letters and the
//! service needs no font server.
//!
//! Steps per range of 256 code points (made on first request, then kept for the life of
//! the process: the font is compiled in, so a range never changes):
//!   1. for each code point the font has, rasterise its outline with ab_glyph at
//!      MapLibre's em size of [`EM_PX`] px, unhinted (as FreeType renders for Martin);
//!   2. pad the coverage bitmap by [`BUFFER`] px and turn it into a signed distance
//!      field with `sdf_glyph_renderer` (radius 8, cutoff 0.25: fontnik's values, which
//!      MapLibre's shaders expect);
//!   3. encode the range as the `glyphs.proto` message ([`pbf`]).
//!
//! MapLibre does no shaping: names must be NFC (precomposed Vietnamese letters of
//! U+1E00–U+1EFF), which the font covers, as it does the combining marks U+0300–U+036F.

pub mod pbf;

use crate::raster::text;
use ab_glyph::{point, Font, PxScale, ScaleFont};
use std::sync::OnceLock;

/// The one fontstack served: the family and style of the embedded font.
pub const FONTSTACK: &str = "Noto Sans Regular";
/// Em size of the glyphs in pixels (MapLibre's `ONE_EM`).
pub const EM_PX: f32 = 24.0;
/// Padding around each bitmap in pixels (MapLibre expects 3).
pub const BUFFER: usize = 3;
const RADIUS: usize = 8;
const CUTOFF: f64 = 0.25;
/// Ranges of 256 code points in the Basic Multilingual Plane.
pub const RANGES: u32 = 256;

/// A bad glyph request: the part of the URL to fix and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlyphError {
    #[error("unknown font '{0}': the fontstack served is '{FONTSTACK}'")]
    UnknownFont(String),
    #[error("'{0}' is not a glyph range: START-END.pbf with START a multiple of 256 below 65536 and END = START + 255 (e.g. 7680-7935.pbf)")]
    BadRange(String),
}

/// Checks a fontstack: one or more comma-separated font names, each ours (MapLibre
/// asks for the whole `text-font` list at once).
pub fn check_fontstack(fontstack: &str) -> Result<(), GlyphError> {
    match fontstack.split(',').map(str::trim).find(|name| *name != FONTSTACK) {
        Some(name) => Err(GlyphError::UnknownFont(name.to_string())),
        None => Ok(()),
    }
}

/// Parses `START-END` (without `.pbf`) into the range's index (START / 256).
pub fn parse_range(text: &str) -> Result<u32, GlyphError> {
    let bad = || GlyphError::BadRange(text.to_string());
    let (a, b) = text.split_once('-').ok_or_else(bad)?;
    let (start, end): (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
    if start % 256 != 0 || end != start + 255 || start / 256 >= RANGES {
        return Err(bad());
    }
    Ok(start / 256)
}

/// The encoded range `index` (code points `256·index ..= 256·index + 255`), made once.
pub fn range(index: u32) -> &'static [u8] {
    static CACHE: [OnceLock<Vec<u8>>; RANGES as usize] = [const { OnceLock::new() }; RANGES as usize];
    CACHE[index.min(RANGES - 1) as usize].get_or_init(|| render_range(index))
}

/// A short digest of the font and of this generator's settings: the ranges' ETag.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(text::font_bytes());
        h.update(format!("{EM_PX}/{BUFFER}/{RADIUS}/{CUTOFF}"));
        h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
    })
}

fn render_range(index: u32) -> Vec<u8> {
    let start = index * 256;
    let glyphs: Vec<pbf::Glyph> = (start..start + 256).filter_map(char::from_u32).filter_map(glyph).collect();
    pbf::encode(FONTSTACK, &format!("{start}-{}", start + 255), &glyphs)
}

/// Step 1 and 2 of the module doc for one code point; `None` when the font lacks it.
pub fn glyph(c: char) -> Option<pbf::Glyph> {
    let font = text::font();
    let id = font.glyph_id(c);
    if id.0 == 0 {
        return None;
    }
    // ab_glyph scales by the line height (ascent − descent); MapLibre's size is the em.
    let scale = PxScale::from(EM_PX * font.height_unscaled() / font.units_per_em().unwrap_or(1000.0));
    let scaled = font.as_scaled(scale);
    let advance = scaled.h_advance(id).round().max(0.0) as u32;
    // FreeType's unhinted ascender is rounded up to whole pixels.
    let ascender = scaled.ascent().ceil() as i32;
    let Some(outline) = font.outline_glyph(id.with_scale_and_position(scale, point(0.0, 0.0))) else {
        return Some(pbf::Glyph { id: c as u32, bitmap: Vec::new(), width: 0, height: 0, left: 0, top: -ascender, advance });
    };
    let b = outline.px_bounds();
    let (w, h) = ((b.max.x - b.min.x) as usize, (b.max.y - b.min.y) as usize);
    let mut alpha = vec![0u8; w * h];
    outline.draw(|x, y, coverage| {
        if let Some(a) = alpha.get_mut(y as usize * w + x as usize) {
            *a = (coverage.clamp(0.0, 1.0) * 255.0).round() as u8;
        }
    });
    let sdf = sdf_glyph_renderer::BitmapGlyph::from_unbuffered(&alpha, w, h, BUFFER).ok()?.render_sdf(RADIUS);
    let bitmap = sdf_glyph_renderer::clamp_to_u8(&sdf, CUTOFF).ok()?;
    Some(pbf::Glyph {
        id: c as u32,
        bitmap,
        width: w as u32,
        height: h as u32,
        left: b.min.x as i32,
        // px_bounds grow downwards from the baseline: the bitmap's top is −min.y above it.
        top: -(b.min.y as i32) - ascender,
        advance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_and_refuse_with_the_form() {
        assert_eq!(parse_range("0-255"), Ok(0));
        assert_eq!(parse_range("7680-7935"), Ok(30));
        assert_eq!(parse_range("65280-65535"), Ok(255));
        for bad in ["0-254", "1-256", "65536-65791", "a-b", "0", "-1-254", ""] {
            assert!(matches!(parse_range(bad), Err(GlyphError::BadRange(_))), "{bad}");
        }
        assert!(check_fontstack("Noto Sans Regular").is_ok());
        assert!(check_fontstack("Noto Sans Regular, Noto Sans Regular").is_ok());
        assert_eq!(check_fontstack("Noto Sans Regular,Arial Unicode MS Regular"), Err(GlyphError::UnknownFont("Arial Unicode MS Regular".into())));
    }

    #[test]
    fn glyphs_have_sdf_bitmaps_of_their_buffered_size() {
        for c in ['H', 'ư', 'ả', 'Ỹ', '\u{0301}'] {
            let g = glyph(c).unwrap_or_else(|| panic!("no glyph for {c}"));
            let side = |n: u32| n as usize + 2 * BUFFER;
            assert_eq!(g.bitmap.len(), side(g.width) * side(g.height), "{c}");
            // Inside the outline the field is above MapLibre's edge value (192), outside below.
            assert!(g.bitmap.iter().any(|&v| v > 192) && g.bitmap.iter().any(|&v| v < 100), "{c}");
        }
        let space = glyph(' ').expect("space");
        assert!(space.bitmap.is_empty() && space.advance > 0);
        // A capital's top sits near the ascender line: a few pixels below it, not above.
        let h = glyph('H').unwrap();
        assert!((-8..=0).contains(&h.top), "top {}", h.top);
        assert!(glyph('\u{E000}').is_none());
    }
}
