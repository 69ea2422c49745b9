//! Raster maps (PNG): tiles, the legend and static maps for articles, all drawn from
//! the same [`Style`](crate::style::Style) as the MapLibre style.
//!
//! - [`tile`]: one 256 or 512 px tile from the tile's own vector layers;
//! - [`legend`]: the legend (title, class swatches, point symbols);
//! - [`static_map`]: a picture of any bounding box or centre/zoom, with the view,
//!   the legend and the attribution drawn in (for `GET /static/{map}.png` and
//!   `bando render`);
//! - [`labels`]: names of units and sites, placed once per zoom, drawn by every tile
//!   they reach;
//! - [`text`]: the embedded font;
//! - [`decode`]: reads MVT layers back.
//!
//! Every picture ends in [`encode_png`]: an indexed-colour PNG ([`encode`]).

pub mod decode;
mod encode;
pub mod labels;
pub mod legend;
pub mod static_map;
pub mod text;
pub mod tile;

/// The zoom at which MapLibre draws the scale of a 256-px tile of zoom `z` (its world is
/// 256 · 2^z px, MapLibre's 512 · 2^(z − 1)): the zoom the style's zoom-dependent sizes
/// (outline widths, point and text sizes, which names are shown) are read at, so that a
/// PNG tile looks as the vector map does at the same scale.
pub fn style_zoom(z: u8) -> u8 {
    z.saturating_sub(1)
}

pub use static_map::{render_static, Frame, StaticError, StaticMap};
pub use tile::{render_tile, render_tile_with, DrawOptions, TILE_SIZE};

pub use encode::{encode_png, encode_png_with};
