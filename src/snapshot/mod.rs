//! The published snapshot: the atlas (data) with what is derived from it to serve it, the
//! tile topology of each edition and the name search index.
//!
//! Steps: 1. [`Snapshot::new`] takes a built atlas and ranks each edition's arcs for tiles;
//! [`Snapshot::after`] does the same for an atlas published after another (an approval),
//! and also tells which tiles the publication left as they were ([`lineage`]);
//! 2. the search index is built on first use (a reload makes a new snapshot, so a new
//! index); 3. [`SharedSnapshot::publish`] replaces the snapshot in force in one step, so a
//! request sees either the old one or the new one, never a mix.
//!
//! It sits above `atlas`, `tile` and `search` so that none of them reaches up to the others.

pub mod lineage;

use crate::atlas::Atlas;
use crate::model::Edition;
use crate::search::SearchIndex;
use crate::tile::{EditionTiles, TileId};
use lineage::Lineage;
use std::sync::{Arc, OnceLock, RwLock};

/// An atlas with its tile topology and search index; immutable once made.
pub struct Snapshot {
    pub atlas: Atlas,
    /// Tile geometry per edition (arcs ranked for simplification).
    tiles: [EditionTiles; 2],
    search: OnceLock<SearchIndex>,
    /// The publications before this one that left parts of the map as they were.
    lineage: Lineage,
}

impl Snapshot {
    pub fn new(atlas: Atlas) -> Snapshot {
        let tiles = [Edition::E2024, Edition::E2025].map(|e| EditionTiles::build(atlas.edition(e), &atlas.pilots, &atlas.tourism));
        Snapshot { atlas, tiles, search: OnceLock::new(), lineage: Lineage::default() }
    }

    /// The snapshot of `atlas` published after `previous` (same boundaries, new records):
    /// its tiles say which of `previous`'s tiles it leaves as they were
    /// ([`Snapshot::tile_version`]), its PNG labels reuse the placements of the lineage's
    /// root, and the criteria tables `previous` was using are made now, by the caller's
    /// thread, rather than by the first tiles asked.
    pub fn after(atlas: Atlas, previous: &Snapshot) -> Snapshot {
        let mut tiles = [Edition::E2024, Edition::E2025].map(|e| EditionTiles::build(atlas.edition(e), &atlas.pilots, &atlas.tourism));
        let lineage = Lineage::after(previous, &atlas, &tiles);
        if !lineage.is_empty() {
            let root = lineage.root(&atlas.version).to_string();
            for t in &mut tiles {
                t.share_labels_of(&root);
            }
        }
        for (next, before) in tiles.iter().zip(&previous.tiles) {
            for as_of in before.criteria_moments().into_iter().rev() {
                next.prepare_criteria(&atlas, as_of);
            }
        }
        Snapshot { atlas, tiles, search: OnceLock::new(), lineage }
    }

    /// The tile geometry of `edition`.
    pub fn tiles(&self, edition: Edition) -> &EditionTiles {
        &self.tiles[edition.index()]
    }

    /// The data version that names `tile` of `edition` in the tile cache and in ETags: this
    /// snapshot's, or an earlier one's when the publications since did not touch the
    /// tile (its bytes are the same).
    pub fn tile_version(&self, edition: Edition, tile: TileId) -> &str {
        self.lineage.tile_version(&self.atlas.version, edition, tile)
    }

    /// The name search index (built on first call).
    pub fn search_index(&self) -> &SearchIndex {
        self.search.get_or_init(|| SearchIndex::build(&self.atlas))
    }
}

/// Readers use the atlas through the snapshot as if it were the atlas.
impl std::ops::Deref for Snapshot {
    type Target = Atlas;
    fn deref(&self) -> &Atlas {
        &self.atlas
    }
}

/// The published snapshot. Readers take a cheap `Arc` clone and keep a consistent snapshot
/// for the whole request; a reload replaces the pointer in one step.
#[derive(Clone)]
pub struct SharedSnapshot(Arc<RwLock<Published>>);

/// The snapshot in force and when it was published (for readiness and metrics).
struct Published {
    snapshot: Arc<Snapshot>,
    at: std::time::SystemTime,
}

impl SharedSnapshot {
    pub fn new(snapshot: Snapshot) -> Self {
        SharedSnapshot(Arc::new(RwLock::new(Published { snapshot: Arc::new(snapshot), at: std::time::SystemTime::now() })))
    }

    pub fn current(&self) -> Arc<Snapshot> {
        self.read().snapshot.clone()
    }

    /// The snapshot in force with the time it was published, read together.
    pub fn published(&self) -> (Arc<Snapshot>, std::time::SystemTime) {
        let p = self.read();
        (p.snapshot.clone(), p.at)
    }

    /// Puts `snapshot` in force; returns the one it replaces (requests in flight may still
    /// hold it), so the caller can choose the thread that frees it.
    ///
    /// The publishing thread may run at the lowest priority (an approval): it never queues
    /// for the lock, because a queued writer holds up every reader behind it until the
    /// scheduler gets round to it; it takes the lock only when it is free, for a swap.
    pub fn publish(&self, snapshot: Snapshot) -> Arc<Snapshot> {
        let next = Published { snapshot: Arc::new(snapshot), at: std::time::SystemTime::now() };
        loop {
            let guard = match self.0.try_write() {
                Ok(guard) => guard,
                Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                    continue;
                }
            };
            let mut guard = guard;
            return std::mem::replace(&mut *guard, next).snapshot;
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Published> {
        // A poisoned lock still holds a whole snapshot (it is only ever replaced whole).
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }
}
