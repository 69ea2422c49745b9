//! Vector tiles (MVT) for the two maps.
//!
//! Steps to pre-process, once per atlas snapshot ([`EditionTiles::build`]):
//!   1. project every commune ring to Web Mercator, normalised to [0, 1];
//!   2. split the rings into arcs at junctions, so that a border shared by two
//!      communes is stored once ([`topology`]);
//!   3. rank every arc vertex by its Douglas–Peucker importance ([`simplify`]);
//!   4. index the communes' Mercator boxes in an R-tree;
//!   5. per low zoom, merge the communes too small to see into their neighbours
//!      ([`coalesce`]);
//!   6. give each pilot and tourism site the zoom from which it is drawn ([`thin`]).
//!
//! Per tile ([`render_mvt`]):
//!   1. query the R-tree with the tile plus its buffer;
//!   2. rebuild each ring (at low zoom, each merged cluster's) from its arcs, keeping
//!      the vertices important at this zoom (shared arcs are simplified once, so
//!      neighbours never gap or overlap);
//!   3. clip to the buffered tile ([`clip`]) and quantise to the 4096 grid;
//!   4. encode the layers ([`mvt`]), with the units' levels and criteria ([`criteria`]).

pub mod clip;
pub mod coalesce;
pub mod criteria;
pub mod dissolve;
pub mod mercator;
pub mod mvt;
pub mod simplify;
pub mod thin;
pub mod tilejson;
pub mod topology;
mod edition_tiles;
mod layers;
mod painter;
mod vector_layers;

pub use edition_tiles::{area_rank, EditionTiles, LabelPoint};
pub use layers::{render_mvt, render_mvt_at, COMMUNE_LABEL_MIN_ZOOM, DISTRICT_LABEL_MIN_ZOOM, PROVINCE_LABEL_MIN_ZOOM};
pub use painter::VECTOR_TILE_PX;
pub use vector_layers::{vector_layers, LayerInfo};

use crate::model::Edition;
use std::fmt;

/// Highest zoom served; beyond it clients overzoom.
pub const MAX_ZOOM: u8 = 14;
/// MVT grid per tile side.
pub const EXTENT: u32 = 4096;
/// Extra grid units drawn past each tile edge, so strokes and fills join seamlessly.
pub const BUFFER: u32 = 64;

/// Which of the two maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MapKind {
    /// The NTM results map: communes coloured by level, pilots on top.
    Ntm,
    /// The rural tourism map: tourism points on faded communes.
    Tourism,
}

impl MapKind {
    pub fn parse(text: &str) -> Option<MapKind> {
        match text {
            "ntm" => Some(MapKind::Ntm),
            "tourism" => Some(MapKind::Tourism),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MapKind::Ntm => "ntm",
            MapKind::Tourism => "tourism",
        }
    }
}

/// A tile address in the XYZ scheme (y grows southwards).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TileError {
    /// x or y outside 0..2^z, or a zoom that is not a number of the pyramid.
    #[error("{0}")]
    OutsidePyramid(String),
    /// A valid tile address deeper than [`MAX_ZOOM`].
    #[error("zoom {0} is beyond the maximum zoom {MAX_ZOOM}")]
    BeyondMaxZoom(u8),
}

impl TileId {
    /// Checks the address: z ≤ 30 (the pyramid), x and y within 0..2^z; z beyond
    /// [`MAX_ZOOM`] is a separate error (the tile exists, we do not serve it).
    pub fn new(z: u32, x: u32, y: u32) -> Result<TileId, TileError> {
        if z > 30 {
            return Err(TileError::OutsidePyramid(format!("zoom {z} is outside the tile pyramid (0–30)")));
        }
        let n = 1u64 << z;
        if u64::from(x) >= n || u64::from(y) >= n {
            return Err(TileError::OutsidePyramid(format!("tile {z}/{x}/{y} is outside the pyramid: x and y must be below {n} at zoom {z}")));
        }
        if z > u32::from(MAX_ZOOM) {
            return Err(TileError::BeyondMaxZoom(z as u8));
        }
        Ok(TileId { z: z as u8, x, y })
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// What a tile shows besides its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileView {
    pub map: MapKind,
    pub edition: Edition,
    /// The end of a year, or a day.
    pub as_of: crate::model::AsOf,
}
