//! A byte-bounded least-recently-used cache of encoded tiles, shared by all requests.
//!
//! Steps:
//!   1. hash the key (foldhash) to pick its shard: the cache is cut into up to 16
//!      shards, each a [`Lru`] behind its own mutex, so two cores answering warm tiles
//!      rarely take the same lock (with a single lock, every hit of one core moved the
//!      lock's cache line away from the other);
//!   2. look the key up in the shard's map from key to slot, by a borrowed key
//!      ([`TileKeyRef`]: a warm tile allocates nothing to be found); a hit moves the slot
//!      to the front of a doubly linked recency list threaded through a slab of slots
//!      (links are indices, so no unsafe code and no allocation per move);
//!   3. an insert puts the entry at the front of its shard and adds its cost (body bytes
//!      plus a fixed per-entry overhead) to the shard's total;
//!   4. while the shard's total exceeds its share of the bound, the entry at its back
//!      (least recently used) is evicted and its slot reused.
//!
//! Shards hold at least [`MIN_SHARD_BYTES`] each, so a small cache is one exact LRU; a
//! large one is LRU within each shard, which is what the bound needs. An entry bigger than
//! a shard's share is not kept; a bound of 0 keeps nothing.
//! Hits, evictions and the cache's size go to the metrics ([`super::metrics`]); misses
//! are counted where the missing tile is rendered.
//! The key holds the data version the tile shows ([`crate::snapshot::Snapshot::tile_version`]),
//! so after a reload old entries are never served: they are simply not asked for any more
//! and age out. After an approval, tiles far from the provinces it touched are still asked
//! for under their older version, and their entries keep answering.

use super::tile_request::{TileFormat, TileRequest};
use crate::model::{AsOf, Edition, PointKinds};
use crate::style::Theme;
use crate::tile::{MapKind, TileId};
use bytes::Bytes;
use hashbrown::{DefaultHashBuilder, Equivalent, HashMap};
use std::hash::{BuildHasher, Hash};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Which tile, of which data, for which view; `V` holds the data version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TileKeyOf<V> {
    pub version: V,
    pub map: MapKind,
    pub edition: Edition,
    pub as_of: AsOf,
    pub tile: TileId,
    pub format: TileFormat,
    /// PNG tiles of different themes are different pictures of the same tile.
    pub theme: Theme,
    pub labels: bool,
    pub hidden: PointKinds,
}

/// A key as the cache holds it.
pub type TileKey = TileKeyOf<Arc<str>>;

/// A key with the version borrowed: what a lookup is made with. It hashes as the
/// [`TileKey`] it stands for (`Arc<str>` and `&str` hash as the `str`).
pub type TileKeyRef<'a> = TileKeyOf<&'a str>;

impl<'a> TileKeyRef<'a> {
    /// The key of a requested tile in the given data version.
    pub fn of(version: &'a str, req: &TileRequest) -> TileKeyRef<'a> {
        TileKeyOf {
            version,
            map: req.view.map,
            edition: req.view.edition,
            as_of: req.view.as_of,
            tile: req.tile,
            format: req.format,
            theme: req.theme,
            labels: req.labels,
            hidden: req.hidden,
        }
    }

    pub fn to_owned(&self) -> TileKey {
        self.with_version(Arc::from(self.version))
    }
}

impl<V> TileKeyOf<V> {
    /// The same key naming another form of the version.
    fn with_version<W>(&self, version: W) -> TileKeyOf<W> {
        let TileKeyOf { map, edition, as_of, tile, format, theme, labels, hidden, .. } = *self;
        TileKeyOf { version, map, edition, as_of, tile, format, theme, labels, hidden }
    }
}

impl TileKey {
    /// The key of a requested tile in the given data version.
    pub fn of(version: &str, req: &TileRequest) -> TileKey {
        TileKeyRef::of(version, req).to_owned()
    }

    pub fn as_ref(&self) -> TileKeyRef<'_> {
        self.with_version(&*self.version)
    }
}

impl Equivalent<TileKey> for TileKeyRef<'_> {
    fn equivalent(&self, key: &TileKey) -> bool {
        *self == key.as_ref()
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

/// The least a shard holds: below 16 × this, the cache has fewer shards (one for a bound
/// under 16 MiB), so that a shard's share still fits the largest tiles many times over.
pub const MIN_SHARD_BYTES: usize = 8 << 20;

/// Most shards: two HTTP workers meet on the same lock for 1 in 16 pairs of hits.
const MAX_SHARDS: usize = 16;

/// One shard on a cache line of its own (two shards' locks never share one).
#[repr(align(128))]
struct Shard(Mutex<Lru<TileKey, CachedTile>>);

/// The shared tile cache (steps 1–4 of the module doc). Locks are held only for map and
/// list updates, never while rendering.
pub struct TileCache {
    shards: Box<[Shard]>,
    hasher: DefaultHashBuilder,
    max_bytes: usize,
    /// Totals over the shards, for the size gauges.
    bytes: AtomicUsize,
    entries: AtomicUsize,
}

impl TileCache {
    pub fn new(max_bytes: usize) -> TileCache {
        // An empty cache shows as 0 bytes and 0 entries from the first scrape on.
        super::metrics::tile_cache_size(0, 0, 0);
        let shards = (max_bytes / MIN_SHARD_BYTES).clamp(1, MAX_SHARDS);
        let share = max_bytes / shards;
        TileCache {
            shards: (0..shards).map(|_| Shard(Mutex::new(Lru::new(share)))).collect(),
            hasher: DefaultHashBuilder::default(),
            max_bytes,
            bytes: AtomicUsize::new(0),
            entries: AtomicUsize::new(0),
        }
    }

    /// The body of `key` when the cache holds it (counted as a hit).
    pub fn get(&self, key: &TileKeyRef<'_>) -> Option<Bytes> {
        let found = self.lock(key).get(key).map(|tile| tile.gzip.clone());
        if found.is_some() {
            super::metrics::tile_cache_hit(key.format);
        }
        found
    }

    pub fn insert(&self, key: TileKey, tile: CachedTile) {
        let cost = tile.gzip.len() + key.version.len() + ENTRY_OVERHEAD;
        let mut lru = self.lock(&key.as_ref());
        let (bytes_before, entries_before) = (lru.bytes(), lru.len());
        let evicted = lru.insert(key, tile, cost);
        // Moved under the shard's lock, so each total stays the sum of the shards'.
        let bytes = shift(&self.bytes, bytes_before, lru.bytes());
        let entries = shift(&self.entries, entries_before, lru.len());
        drop(lru);
        super::metrics::tile_cache_size(bytes, entries, evicted);
    }

    pub fn enabled(&self) -> bool {
        self.max_bytes > 0
    }

    /// How many shards the cache is cut into.
    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    fn lock(&self, key: &TileKeyRef<'_>) -> std::sync::MutexGuard<'_, Lru<TileKey, CachedTile>> {
        // The high bits: the shard's map uses the low ones of its own hash.
        let at = (self.hasher.hash_one(key) >> 56) as usize % self.shards.len();
        // The list is consistent between calls; a panic elsewhere cannot break it.
        self.shards[at].0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Moves `total` by a shard's change from `before` to `after`; returns the new total.
fn shift(total: &AtomicUsize, before: usize, after: usize) -> usize {
    if after >= before {
        total.fetch_add(after - before, Ordering::Relaxed) + (after - before)
    } else {
        total.fetch_sub(before - after, Ordering::Relaxed) - (before - after)
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

    /// The value, marked most recently used; looked up by any equivalent form of the key
    /// (a `&str` for a `String` key, a [`TileKeyRef`] for a [`TileKey`]), so a lookup
    /// allocates nothing.
    pub fn get<Q>(&mut self, key: &Q) -> Option<&V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
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

    fn key(version: &str, x: u32) -> TileKey {
        TileKey {
            version: Arc::from(version),
            map: MapKind::Ntm,
            edition: Edition::E2025,
            as_of: AsOf::Year(2025),
            tile: TileId { z: 12, x, y: 1800 },
            format: TileFormat::Mvt,
            theme: Theme::Level,
            labels: true,
            hidden: PointKinds::NONE,
        }
    }

    fn tile(bytes: usize) -> CachedTile {
        CachedTile { gzip: Bytes::from(vec![7u8; bytes]) }
    }

    #[test]
    fn a_borrowed_key_finds_what_its_owned_form_stored() {
        let cache = TileCache::new(64 << 20);
        for x in 0..200 {
            cache.insert(key("v1", x), tile(10));
        }
        for x in 0..200 {
            let owned = key("v1", x);
            assert!(cache.get(&owned.as_ref()).is_some(), "tile {x}");
            let fresh = String::from("v1");
            let borrowed = TileKeyRef { version: &fresh, ..owned.as_ref() };
            assert!(cache.get(&borrowed).is_some(), "tile {x} by a borrowed key");
            assert!(cache.get(&TileKeyRef { version: "v2", ..owned.as_ref() }).is_none(), "another version");
            assert!(cache.get(&TileKeyRef { format: TileFormat::Png, ..owned.as_ref() }).is_none(), "another format");
        }
    }

    #[test]
    fn small_caches_are_one_exact_lru_and_large_ones_are_sharded() {
        assert_eq!(TileCache::new(0).shards(), 1);
        assert_eq!(TileCache::new(1 << 20).shards(), 1);
        assert_eq!(TileCache::new(64 << 20).shards(), 8);
        assert_eq!(TileCache::new(256 << 20).shards(), 16);
        assert_eq!(TileCache::new(4 << 30).shards(), 16);
        // Kept: at most the bound, whatever shard each key falls in.
        let cache = TileCache::new(32 << 20);
        assert_eq!(cache.shards(), 4);
        for x in 0..2000 {
            cache.insert(key("v", x), tile(64 << 10));
        }
        let held = cache.bytes.load(Ordering::Relaxed);
        assert!(held <= 32 << 20 && held > 28 << 20, "{held} bytes held");
        let entries = cache.entries.load(Ordering::Relaxed);
        let found = (0..2000).filter(|&x| cache.get(&key("v", x).as_ref()).is_some()).count();
        assert_eq!(found, entries);
        // The most recent insert of each shard is always held.
        assert!(cache.get(&key("v", 1999).as_ref()).is_some());
        // An entry bigger than a shard's share is not kept.
        cache.insert(key("v", 5000), tile(9 << 20));
        assert!(cache.get(&key("v", 5000).as_ref()).is_none());
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
