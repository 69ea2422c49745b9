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
pub mod per_snapshot;

use crate::atlas::Atlas;
use crate::model::Edition;
use crate::search::SearchIndex;
use crate::tile::{EditionTiles, TileId};
use lineage::Lineage;
use arc_swap::ArcSwap;
use std::sync::{Arc, OnceLock};

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

/// The published snapshot. A reload replaces it in one step; readers keep a consistent
/// snapshot for the whole request.
///
/// Readers never lock. [`SharedSnapshot::load`] borrows the snapshot in force without
/// touching a reference count that other threads change ([`arc_swap`] records the borrow
/// in a slot of the reading thread's own), so requests on different cores do not contend;
/// [`SharedSnapshot::current`] clones the `Arc` for work that outlives the borrow.
#[derive(Clone)]
pub struct SharedSnapshot(Arc<ArcSwap<Published>>);

/// The snapshot in force and when it was published (for readiness and metrics).
pub struct Published {
    pub snapshot: Arc<Snapshot>,
    pub at: std::time::SystemTime,
}

impl SharedSnapshot {
    pub fn new(snapshot: Snapshot) -> Self {
        SharedSnapshot(Arc::new(ArcSwap::from_pointee(Published { snapshot: Arc::new(snapshot), at: std::time::SystemTime::now() })))
    }

    /// The snapshot in force, borrowed for a short synchronous piece of work (hold the
    /// guard across no `await` and no long computation: each thread has few such slots
    /// before a borrow falls back to a reference count).
    pub fn load(&self) -> arc_swap::Guard<Arc<Published>> {
        self.0.load()
    }

    pub fn current(&self) -> Arc<Snapshot> {
        self.0.load().snapshot.clone()
    }

    /// The snapshot in force with the time it was published, read together.
    pub fn published(&self) -> (Arc<Snapshot>, std::time::SystemTime) {
        let p = self.0.load();
        (p.snapshot.clone(), p.at)
    }

    /// Puts `snapshot` in force; returns the one it replaces (requests in flight may still
    /// hold it), so the caller can choose the thread that frees it.
    ///
    /// The publishing thread may run at the lowest priority (an approval): the swap neither
    /// waits for readers nor makes them wait.
    pub fn publish(&self, snapshot: Snapshot) -> Arc<Snapshot> {
        let next = Published { snapshot: Arc::new(snapshot), at: std::time::SystemTime::now() };
        self.0.swap(Arc::new(next)).snapshot.clone()
    }
}
