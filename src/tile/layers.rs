//! Assembles the layers of a tile from the atlas. (Interface; the geometry pipeline
//! fills it in.)

use super::{TileId, TileView};
use crate::atlas::Atlas;
use crate::model::Edition;

/// Pre-processed tile geometry of one edition.
#[derive(Default)]
pub struct EditionTiles {}

impl EditionTiles {
    pub fn build(_edition: &crate::atlas::EditionAtlas) -> EditionTiles {
        EditionTiles {}
    }
}

/// Describes a layer for TileJSON's `vector_layers`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LayerInfo {
    pub id: &'static str,
    pub description: &'static str,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// Field name → type/description, as TileJSON 3.0 expects.
    pub fields: std::collections::BTreeMap<&'static str, &'static str>,
}

/// The uncompressed MVT bytes of a tile; empty when nothing falls in it.
pub fn render_mvt(_atlas: &Atlas, _view: TileView, _tile: TileId) -> Vec<u8> {
    Vec::new()
}

/// The layers a map's tiles carry, for TileJSON.
pub fn vector_layers(_map: super::MapKind, _edition: Edition) -> Vec<LayerInfo> {
    Vec::new()
}
