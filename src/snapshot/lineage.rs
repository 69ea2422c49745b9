//! Which tiles a publication leaves as they were: the provinces it touches, so that cached
//! tiles (and clients' ETags) of the rest of the map stay valid after an approval.
//!
//! Steps of [`Lineage::after`] (a new snapshot built from the one in force):
//!   1. compare the two atlases: anything that reaches every tile (the years served, the
//!      pilots and tourism sites, whose names are placed as labels over the whole map, the
//!      boundaries, the crosswalk, the criteria catalog, the targets) ends the lineage:
//!      every tile is new;
//!   2. otherwise collect the edition-2024 provinces of every unit whose records differ
//!      (commune results and assessments, district results and assessments, province
//!      completion);
//!   3. in edition 2025, the provinces of every commune made (by the crosswalk) from a
//!      commune of those provinces: its level and criteria come from its former communes;
//!   4. keep those provinces' boxes per edition as one step, before the steps of the
//!      previous snapshot (at most [`MAX_STEPS`]).
//!
//! Per tile ([`Lineage::tile_version`]): walk the steps from the newest; while no touched
//! box comes near the tile, the tile is the one of the version before the step. That
//! version names the tile in the cache and in its ETag, so the bytes cached (and the ETag
//! a client holds) under it are still right.
//!
//! Provinces rather than units: a district's or a province's attributes (levels,
//! criteria) gather its communes', and a province holds them all.

use crate::atlas::Atlas;
use crate::model::{Edition, ProvinceCode};
use crate::tile::{EditionTiles, TileId, BUFFER, EXTENT};
use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::sync::Arc;

/// Publications remembered: a tile untouched by this many approvals in a row is rendered
/// again anyway (the walk stays short).
pub const MAX_STEPS: usize = 64;

/// Part of a tile's side added around it before testing it against touched boxes: more
/// than the vector tile's buffer and a PNG tile's widest stroke.
const MARGIN: f64 = 0.25;

/// One publication: the version in force before it, and per edition the boxes (unit
/// coordinates) of the provinces it touched.
#[derive(Debug, Clone)]
struct Step {
    before: Arc<str>,
    touched: [Vec<[f64; 4]>; 2],
}

/// The publications since the last one that changed everything, newest first.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    steps: Vec<Step>,
}

impl Lineage {
    /// The lineage of a snapshot of `next` (with its tiles) published after `previous`
    /// (steps 1–4 of the module doc).
    pub fn after(previous: &super::Snapshot, next: &Atlas, next_tiles: &[EditionTiles; 2]) -> Lineage {
        let Some(provinces) = touched_provinces(&previous.atlas, next) else {
            return Lineage::default();
        };
        let mut touched: [Vec<[f64; 4]>; 2] = Default::default();
        for (i, codes) in provinces.iter().enumerate() {
            let boxes: HashMap<&str, [f64; 4]> = next_tiles[i].province_boxes().collect();
            for code in codes {
                match boxes.get(code.to_string().as_str()) {
                    Some(b) => touched[i].push(*b),
                    // A province without a shape: no way to tell its tiles, so all are new.
                    None => return Lineage::default(),
                }
            }
        }
        let mut steps = vec![Step { before: Arc::from(previous.atlas.version.as_str()), touched }];
        steps.extend(previous.lineage.steps.iter().take(MAX_STEPS - 1).cloned());
        Lineage { steps }
    }

    /// The data version whose tile `tile` of `edition` equals this snapshot's
    /// (`current` is this snapshot's version): the oldest reached without crossing a
    /// publication that touched the tile's surroundings.
    pub fn tile_version<'a>(&'a self, current: &'a str, edition: Edition, tile: TileId) -> &'a str {
        let size = 1.0 / f64::from(1u32 << tile.z);
        let pad = size * (MARGIN + f64::from(BUFFER) / f64::from(EXTENT));
        let (x0, y0) = (f64::from(tile.x) * size, f64::from(tile.y) * size);
        let b = [x0 - pad, y0 - pad, x0 + size + pad, y0 + size + pad];
        let mut version = current;
        for step in &self.steps {
            if step.touched[edition.index()].iter().any(|t| overlaps(*t, b)) {
                break;
            }
            version = &step.before;
        }
        version
    }

    /// The oldest version of the lineage (`current` when it has no step): the label
    /// points have not changed since, so PNG labels placed for it still hold.
    pub fn root<'a>(&'a self, current: &'a str) -> &'a str {
        self.steps.last().map_or(current, |s| &s.before)
    }

    /// Publications remembered.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }
}

fn overlaps(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Steps 1–3: per edition, the provinces whose tiles may differ between `old` and `new`;
/// `None` when every tile may.
fn touched_provinces(old: &Atlas, new: &Atlas) -> Option<[BTreeSet<ProvinceCode>; 2]> {
    if !same_everywhere(old, new) {
        return None;
    }
    let e2024 = new.edition(Edition::E2024);
    let mut p2024 = BTreeSet::new();
    for code in differing(&old.commune_results, &new.commune_results).chain(differing(&old.criteria.communes, &new.criteria.communes)) {
        p2024.insert(e2024.commune(*code)?.province);
    }
    for code in differing(&old.district_results, &new.district_results).chain(differing(&old.criteria.districts, &new.criteria.districts)) {
        p2024.insert(e2024.districts.get(code)?.province);
    }
    p2024.extend(differing(&old.province_completed, &new.province_completed).copied());

    // Step 3: the 2025 communes of the crosswalk from the communes of those provinces.
    let e2025 = new.edition(Edition::E2025);
    let from_touched = |old_position: u32| e2024.communes.get(old_position as usize).is_some_and(|c| p2024.contains(&c.province));
    let mut p2025 = BTreeSet::new();
    for link in new.crosswalk.iter().filter(|l| from_touched(l.old)) {
        p2025.insert(e2025.communes.get(link.new as usize)?.province);
    }
    for (i, former) in e2025.former.iter().enumerate() {
        if former.iter().any(|&p| from_touched(p)) {
            p2025.insert(e2025.communes[i].province);
        }
    }
    Some([p2024, p2025])
}

/// Step 1: true when nothing that reaches every tile differs.
fn same_everywhere(old: &Atlas, new: &Atlas) -> bool {
    old.years == new.years
        && old.crosswalk == new.crosswalk
        && old.editions.iter().zip(&new.editions).all(|(a, b)| {
            a.boundaries.path == b.boundaries.path && a.communes.len() == b.communes.len() && a.former == b.former
        })
        && json(&old.pilots) == json(&new.pilots)
        && json(&old.tourism) == json(&new.tourism)
        && old.targets == new.targets
        && old.criteria.catalog == new.criteria.catalog
}

/// Serialised text of a value, to compare the site lists (whose types have no `PartialEq`).
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The keys whose values differ between `a` and `b` (present in one only, or unequal).
fn differing<'a, K: Eq + Hash, V: PartialEq>(a: &'a HashMap<K, V>, b: &'a HashMap<K, V>) -> impl Iterator<Item = &'a K> {
    let changed = a.iter().filter(move |(k, v)| b.get(*k) != Some(*v)).map(|(k, _)| k);
    let added = b.keys().filter(move |k| !a.contains_key(*k));
    changed.chain(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(before: &str, boxes: Vec<[f64; 4]>) -> Step {
        Step { before: Arc::from(before), touched: [boxes, Vec::new()] }
    }

    #[test]
    fn a_tile_keeps_the_oldest_version_no_touched_box_comes_near() {
        // Newest first: v3 touched the west half's top, v2 the east half.
        let lineage = Lineage { steps: vec![step("v2", vec![[0.0, 0.0, 0.5, 0.1]]), step("v1", vec![[0.6, 0.0, 1.0, 1.0]]), step("v0", vec![])] };
        let at = |z, x, y| lineage.tile_version("v3", Edition::E2024, TileId { z, x, y });
        // Far from both: the version before every step.
        assert_eq!(at(4, 0, 15), "v0");
        // Under the newest step's box: this version.
        assert_eq!(at(4, 0, 0), "v3");
        // East: untouched by v3, touched by the step from v1.
        assert_eq!(at(4, 15, 15), "v2");
        // A tile whose margin reaches a touched box is rendered again; one step further
        // west it is not.
        assert_eq!(at(5, 18, 31), "v2");
        assert_eq!(at(5, 17, 31), "v0");
        // Edition 2025 saw no touched box at all.
        assert_eq!(lineage.tile_version("v3", Edition::E2025, TileId { z: 4, x: 0, y: 0 }), "v0");
        assert_eq!(lineage.root("v3"), "v0");
        assert_eq!(Lineage::default().root("v3"), "v3");
    }

    #[test]
    fn differing_keys_are_changed_added_and_removed_ones() {
        let a: HashMap<u8, u8> = [(1, 1), (2, 2), (3, 3)].into();
        let b: HashMap<u8, u8> = [(1, 1), (2, 9), (4, 4)].into();
        let mut keys: Vec<u8> = differing(&a, &b).copied().collect();
        keys.sort();
        assert_eq!(keys, [2, 3, 4]);
    }
}
