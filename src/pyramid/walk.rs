//! Walks a view's tile pyramid on all cores and hands each non-empty tile, in ascending
//! PMTiles tile id, to the archive.
//!
//! Steps, zoom by zoom from 0:
//!   1. order the zoom's tiles by tile id (the Hilbert curve), so archives are clustered;
//!   2. render them a chunk at a time in parallel (rayon): the served gzip bytes
//!      ([`super::served_mvt`]) and their SHA-256 (the archives deduplicate by it);
//!   3. hand the chunk's non-empty tiles to the archive in order (zooms below the
//!      archive's minimum are rendered only to find where to descend);
//!   4. the next zoom holds the four children of every tile that rendered something or
//!      that a border or point reaches ([`crate::tile::EditionTiles::reaches`]): the open
//!      sea and the land far from any data are never rendered at depth.

use super::pmtiles::tile_id;
use super::{served_mvt, PyramidError};
use crate::snapshot::Snapshot;
use crate::tile::{TileId, TileView};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::time::Instant;

/// Tiles rendered between two hand-overs to the archive: enough to keep every core busy,
/// few enough to hold in memory.
const CHUNK: usize = 2048;

/// Where the walk is, for a progress display.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub zoom: u8,
    pub maxzoom: u8,
    /// Tiles of this zoom rendered so far, and how many the zoom has to render.
    pub done_at_zoom: u64,
    pub total_at_zoom: u64,
    /// Of those rendered at this zoom, how many open their children.
    pub descending_at_zoom: u64,
    /// Tiles rendered since the start, and tiles written.
    pub rendered: u64,
    pub written: u64,
    pub started: Instant,
}

impl Progress {
    /// Tiles still to render: the rest of this zoom, then each deeper zoom estimated
    /// from the share of this zoom's tiles that descend (four children each).
    pub fn remaining_estimate(&self) -> f64 {
        let rest = (self.total_at_zoom - self.done_at_zoom) as f64;
        if self.done_at_zoom == 0 {
            return rest;
        }
        let share = self.descending_at_zoom as f64 / self.done_at_zoom as f64;
        let mut level = self.total_at_zoom as f64;
        let mut sum = rest;
        for _ in self.zoom..self.maxzoom {
            level *= 4.0 * share;
            sum += level;
        }
        sum
    }
}

/// Receives a tile for the archive: its address, gzip bytes and their SHA-256.
pub type AddTile<'a> = dyn FnMut(TileId, &[u8], &[u8; 32]) -> Result<(), PyramidError> + 'a;

/// Renders the pyramid of `view` from zoom 0 to `maxzoom`; `add` receives the tiles of
/// zoom `minzoom` and deeper that are not empty, in ascending tile id, with their SHA-256.
pub fn walk(
    snapshot: &Snapshot,
    view: TileView,
    minzoom: u8,
    maxzoom: u8,
    add: &mut AddTile<'_>,
    progress: &mut dyn FnMut(&Progress),
) -> Result<(), PyramidError> {
    let started = Instant::now();
    let mut level = vec![TileId { z: 0, x: 0, y: 0 }];
    let (mut rendered, mut written) = (0u64, 0u64);
    for z in 0..=maxzoom {
        level.sort_unstable_by_key(|&t| tile_id(t));
        let mut next = Vec::new();
        let mut p = Progress { zoom: z, maxzoom, done_at_zoom: 0, total_at_zoom: level.len() as u64, descending_at_zoom: 0, rendered, written, started };
        for chunk in level.chunks(CHUNK) {
            let out: Vec<(TileId, Vec<u8>, [u8; 32], bool)> = chunk
                .par_iter()
                .map(|&t| {
                    let gz = served_mvt(snapshot, view, t).map_err(|e| PyramidError::Render(format!("tile {t}: {e}")))?;
                    let descend = z < maxzoom && (!gz.is_empty() || snapshot.tiles(view.edition).reaches(snapshot, t));
                    let hash: [u8; 32] = if gz.is_empty() { [0; 32] } else { Sha256::digest(&gz).into() };
                    Ok((t, gz, hash, descend))
                })
                .collect::<Result<_, PyramidError>>()?;
            for (t, gz, hash, descend) in out {
                if descend {
                    p.descending_at_zoom += 1;
                    next.extend(children(t));
                }
                if !gz.is_empty() && z >= minzoom {
                    add(t, &gz, &hash)?;
                    written += 1;
                }
            }
            rendered += chunk.len() as u64;
            p.done_at_zoom += chunk.len() as u64;
            (p.rendered, p.written) = (rendered, written);
            progress(&p);
        }
        level = next;
    }
    Ok(())
}

fn children(t: TileId) -> [TileId; 4] {
    let (z, x, y) = (t.z + 1, t.x * 2, t.y * 2);
    [TileId { z, x, y }, TileId { z, x: x + 1, y }, TileId { z, x, y: y + 1 }, TileId { z, x: x + 1, y: y + 1 }]
}
