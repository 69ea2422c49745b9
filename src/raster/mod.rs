//! Raster maps (PNG): tiles, the legend and static maps for articles, all drawn from
//! the same [`Style`](crate::style::Style) as the MapLibre style.
//!
//! - [`tile`]: one 256 or 512 px tile from the tile's own vector layers;
//! - [`legend`]: the legend (title, class swatches, point symbols);
//! - [`static_map`]: a picture of any bounding box or centre/zoom, with the view,
//!   the legend and the attribution drawn in (for `GET /static/{map}.png` and
//!   `bando render`);
//! - [`text`]: the embedded font;
//! - [`decode`]: reads MVT layers back.
//!
//! Every picture ends in [`encode_png`]: opaque RGB, fast (fdeflate) compression.

pub mod decode;
pub mod legend;
pub mod static_map;
pub mod text;
pub mod tile;

pub use static_map::{render_static, Frame, StaticError, StaticMap};
pub use tile::{render_tile, TILE_SIZE};

use tiny_skia::Pixmap;

/// Encodes an opaque pixmap as an 8-bit RGB PNG with fast compression (a 256 px tile
/// in well under a millisecond; the default level costs several times more for a few
/// per cent of size).
pub fn encode_png(pixmap: &Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut out = Vec::with_capacity(rgb.len() / 4 + 1024);
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(out)
}
