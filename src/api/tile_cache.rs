//! A byte-bounded least-recently-used cache of encoded tiles, shared by all requests.
//!
//! Steps:
//!   1. look a key up in a `HashMap` from key to slot; a hit moves the slot to the
//!      front of a doubly linked recency list threaded through a slab of slots (links
//!      are indices, so no unsafe code and no allocation per move);
//!   2. an insert puts the entry at the front and adds its cost (body bytes plus a
//!      fixed per-entry overhead) to the total;
//!   3. while the total exceeds the bound, the entry at the back (least recently
//!      used) is evicted and its slot reused.
//!
//! An entry bigger than the whole bound is not kept; a bound of 0 keeps nothing.
//! Hits, evictions and the cache's size go to the metrics ([`super::metrics`]); misses
//! are counted where the missing tile is rendered.
//! The key holds the data version the tile shows ([`crate::snapshot::Snapshot::tile_version`]),
//! so after a reload old entries are never served: they are simply not asked for any more
//! and age out. After an approval, tiles far from the provinces it touched are still asked
//! for under their older version, and their entries keep answering.

use crate::model::Edition;
use crate::tile::{MapKind, TileId};
use bytes::Bytes;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// Which tile, of which data, for which view.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TileKey {
    pub version: Arc<str>,
    pub map: MapKind,
    pub edition: Edition,
    pub as_of: crate::model::AsOf,
    pub tile: TileId,
    pub format: super::tile_request::TileFormat,
    /// PNG tiles of different themes are different pictures of the same tile.
    pub theme: crate::style::Theme,
    pub labels: bool,
}

impl TileKey {
    /// The key of a requested tile in the given data version.
    pub fn of(version: &str, req: &super::tile_request::TileRequest) -> TileKey {
        TileKey {
            version: Arc::from(version),
            map: req.view.map,
            edition: req.view.edition,
            as_of: req.view.as_of,
            tile: req.tile,
            format: req.format,
            theme: req.theme,
            labels: req.labels,
        }
    }
}

/// The cached form of a tile: for a vector tile its gzip body (empty for an empty
/// tile; identity clients are rare, so their body is decompressed on demand); for a
/// PNG tile the PNG itself (already compressed).
#[derive(Debug, Clone)]
pub struct CachedTile {
    pub gzip: Bytes,
}

/// Bookkeeping bytes counted per entry besides the body (key, slot, map entry).
const ENTRY_OVERHEAD: usize = 160;

/// The shared tile cache: a [`Lru`] behind a mutex (held only for map and list
/// updates, never while rendering).
pub struct TileCache {
    lru: Mutex<Lru<TileKey, CachedTile>>,
}

impl TileCache {
    pub fn new(max_bytes: usize) -> TileCache {
        // An empty cache shows as 0 bytes and 0 entries from the first scrape on.
        super::metrics::tile_cache_size(0, 0, 0);
        TileCache { lru: Mutex::new(Lru::new(max_bytes)) }
    }

    pub fn get(&self, key: &TileKey) -> Option<CachedTile> {
        let found = self.lock().get(key).cloned();
        if found.is_some() {
            super::metrics::tile_cache_hit(key.format);
        }
        found
    }

    pub fn insert(&self, key: TileKey, tile: CachedTile) {
        let cost = tile.gzip.len() + key.version.len() + ENTRY_OVERHEAD;
        let mut lru = self.lock();
        let evicted = lru.insert(key, tile, cost);
        super::metrics::tile_cache_size(lru.bytes(), lru.len(), evicted);
    }

    pub fn enabled(&self) -> bool {
        self.lock().max_bytes > 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Lru<TileKey, CachedTile>> {
        // The list is consistent between calls; a panic elsewhere cannot break it.
        self.lru.lock().unwrap_or_else(|e| e.into_inner())
    }
}

const NIL: u32 = u32::MAX;

struct Slot<K, V> {
    key: K,
    value: V,
    cost: usize,
    /// Towards the front (more recent).
    prev: u32,
    /// Towards the back (less recent).
    next: u32,
}

/// A least-recently-used map bounded by the sum of its entries' costs.
pub struct Lru<K, V> {
    map: HashMap<K, u32>,
    slots: Vec<Slot<K, V>>,
    /// Slots of evicted entries, reused by later inserts.
    free: Vec<u32>,
    head: u32,
    tail: u32,
    bytes: usize,
    max_bytes: usize,
}

impl<K: Hash + Eq + Clone, V> Lru<K, V> {
    pub fn new(max_bytes: usize) -> Self {
        Lru { map: HashMap::new(), slots: Vec::new(), free: Vec::new(), head: NIL, tail: NIL, bytes: 0, max_bytes }
    }

    /// The value, marked most recently used; looked up by any borrowed form of the key
    /// (a `&str` for a `String` key), so a lookup allocates nothing.
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = *self.map.get(key)?;
        self.unlink(i);
        self.push_front(i);
        Some(&self.slots[i as usize].value)
    }

    /// Inserts or replaces, then evicts from the back until within the bound; returns
    /// how many entries were evicted (a replaced or oversized entry is not counted).
    pub fn insert(&mut self, key: K, value: V, cost: usize) -> usize {
        if let Some(i) = self.map.remove(&key) {
            self.unlink(i);
            self.bytes -= self.slots[i as usize].cost;
            self.free.push(i);
        }
        if cost > self.max_bytes {
            return 0;
        }
        let slot = Slot { key: key.clone(), value, cost, prev: NIL, next: NIL };
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        self.map.insert(key, i);
        self.push_front(i);
        self.bytes += cost;
        let mut evicted = 0;
        while self.bytes > self.max_bytes && self.tail != NIL {
            self.evict_back();
            evicted += 1;
        }
        evicted
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// The sum of the costs of the entries held.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Keys from most to least recently used.
    pub fn keys_by_recency(&self) -> Vec<&K> {
        let mut out = Vec::with_capacity(self.len());
        let mut i = self.head;
        while i != NIL {
            out.push(&self.slots[i as usize].key);
            i = self.slots[i as usize].next;
        }
        out
    }

    fn evict_back(&mut self) {
        let i = self.tail;
        self.unlink(i);
        let slot = &self.slots[i as usize];
        self.bytes -= slot.cost;
        self.map.remove(&slot.key);
        self.free.push(i);
    }

    fn unlink(&mut self, i: u32) {
        let (prev, next) = (self.slots[i as usize].prev, self.slots[i as usize].next);
        match prev {
            NIL => self.head = next,
            p => self.slots[p as usize].next = next,
        }
        match next {
            NIL => self.tail = prev,
            n => self.slots[n as usize].prev = prev,
        }
        self.slots[i as usize].prev = NIL;
        self.slots[i as usize].next = NIL;
    }

    fn push_front(&mut self, i: u32) {
        self.slots[i as usize].prev = NIL;
        self.slots[i as usize].next = self.head;
        match self.head {
            NIL => self.tail = i,
            h => self.slots[h as usize].prev = i,
        }
        self.head = i;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn evicts_least_recently_used_first() {
        let mut lru = Lru::new(30);
        lru.insert("a", 1, 10);
        lru.insert("b", 2, 10);
        assert_eq!(lru.insert("c", 3, 10), 0);
        assert_eq!(lru.keys_by_recency(), [&"c", &"b", &"a"]);
        // Reading "a" makes "b" the least recently used.
        assert_eq!(lru.get(&"a"), Some(&1));
        assert_eq!(lru.insert("d", 4, 10), 1);
        assert_eq!(lru.get(&"b"), None);
        assert_eq!(lru.keys_by_recency(), [&"d", &"a", &"c"]);
        // A bigger entry evicts as many as needed, oldest first.
        assert_eq!(lru.insert("e", 5, 20), 2);
        assert_eq!(lru.keys_by_recency(), [&"e", &"d"]);
        assert_eq!(lru.bytes(), 30);
    }

    #[test]
    fn stays_within_the_byte_bound() {
        let mut lru = Lru::new(100);
        for i in 0..1000u32 {
            lru.insert(i, i, (i as usize * 7) % 40 + 1);
            assert!(lru.bytes() <= 100, "{} bytes after insert {i}", lru.bytes());
        }
        let held: usize = lru.keys_by_recency().iter().map(|&&k| (k as usize * 7) % 40 + 1).sum();
        assert_eq!(held, lru.bytes());
        // Slots are reused, not leaked.
        assert!(lru.slots.len() <= 101);
    }

    #[test]
    fn oversized_entries_and_zero_bound_keep_nothing() {
        let mut lru = Lru::new(10);
        lru.insert("small", (), 5);
        lru.insert("huge", (), 11);
        assert_eq!(lru.keys_by_recency(), [&"small"]);
        let mut off = Lru::new(0);
        off.insert("a", (), 1);
        assert!(off.is_empty());
        assert_eq!(off.bytes(), 0);
    }

    #[test]
    fn replacing_updates_cost_and_recency() {
        let mut lru = Lru::new(100);
        lru.insert("a", 1, 10);
        lru.insert("b", 2, 10);
        lru.insert("a", 3, 50);
        assert_eq!(lru.bytes(), 60);
        assert_eq!(lru.keys_by_recency(), [&"a", &"b"]);
        assert_eq!(lru.get(&"a"), Some(&3));
        // Replacing with an oversized value drops the old one too.
        lru.insert("a", 4, 101);
        assert_eq!(lru.keys_by_recency(), [&"b"]);
        assert_eq!(lru.bytes(), 10);
    }

    proptest! {
        /// Against a naive model: a Vec ordered by recency.
        #[test]
        fn matches_a_naive_model(ops in prop::collection::vec((0u8..12, 1usize..30, any::<bool>()), 1..300)) {
            let max = 60;
            let mut lru = Lru::new(max);
            let mut model: Vec<(u8, usize)> = Vec::new(); // front = most recent
            for (key, cost, is_get) in ops {
                if is_get {
                    let hit = lru.get(&key).is_some();
                    let pos = model.iter().position(|e| e.0 == key);
                    prop_assert_eq!(hit, pos.is_some());
                    if let Some(p) = pos {
                        let e = model.remove(p);
                        model.insert(0, e);
                    }
                } else {
                    let evicted = lru.insert(key, (), cost);
                    model.retain(|e| e.0 != key);
                    if cost <= max {
                        model.insert(0, (key, cost));
                    }
                    let mut popped = 0;
                    while model.iter().map(|e| e.1).sum::<usize>() > max {
                        model.pop();
                        popped += 1;
                    }
                    prop_assert_eq!(evicted, popped);
                }
                let keys: Vec<u8> = lru.keys_by_recency().into_iter().copied().collect();
                let want: Vec<u8> = model.iter().map(|e| e.0).collect();
                prop_assert_eq!(keys, want);
                prop_assert_eq!(lru.bytes(), model.iter().map(|e| e.1).sum::<usize>());
            }
        }
    }
}
