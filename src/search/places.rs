//! Where each findable thing lies, for queries that name a parent ("phu cat quoc oai"):
//! the districts and provinces by folded name, the areas each entry lies in, and the
//! 2025 communes that took each 2024 commune.
//!
//! Steps to build: 1. index every district (edition 2024) and province (both editions)
//! entry by its folded core name ("gia lam", "ha noi"); 2. give each entry the areas it
//! lies in: its own parents, and through the crosswalk the parents of the communes it
//! became (2024 → 2025) or came from (2025 → 2024), so "Dương Xá Gia Lâm" also reaches the
//! 2025 commune that took Dương Xá, and a 2025 commune is "in" the 2024 district its
//! former communes were in; pilots and tourism sites lie where their commune lies.

use super::entries::{Entry, HitKind};
use super::names;
use crate::model::Edition;
use std::collections::HashMap;

/// Marks an area an entry lies in only through the crosswalk (its successor or former
/// communes lie there), which is a weaker match than its own parent.
const THROUGH_CROSSWALK: u32 = 1 << 31;

/// How an entry lies in an area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Inside {
    No,
    ThroughCrosswalk,
    Directly,
}

pub(super) struct Places {
    /// Folded core name → the district and province entries of that name.
    by_name: HashMap<Box<str>, Vec<u32>>,
    /// The area entries each entry lies in: `within[at[i].0..at[i].1]`, sorted, with
    /// [`THROUGH_CROSSWALK`] set on those it lies in only through the crosswalk.
    within: Vec<u32>,
    at: Vec<(u32, u32)>,
    /// 2024 commune entry → the 2025 commune entries that took it (crosswalk order).
    successors: HashMap<u32, Vec<u32>>,
}

impl Places {
    /// `crosswalk`: (2024 commune entry, 2025 commune entry) pairs.
    pub(super) fn build(entries: &[Entry], crosswalk: &[(u32, u32)]) -> Places {
        let mut by_name: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        let mut area_of: HashMap<(HitKind, Edition, &str), u32> = HashMap::new();
        let mut commune_of: HashMap<&str, u32> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let Some(edition) = e.edition else { continue };
            match e.kind {
                HitKind::District | HitKind::Province => {
                    let full = names::normalise(&e.name);
                    let core = names::core(&full);
                    by_name.entry(core.into()).or_default().push(i as u32);
                    // Also without its spaces, as the name is often written ("Hanoi",
                    // "Danang").
                    let compact = names::compact(core);
                    if compact != core {
                        by_name.entry(compact.into()).or_default().push(i as u32);
                    }
                    area_of.insert((e.kind, edition, e.code.as_str()), i as u32);
                }
                HitKind::Commune if edition == Edition::E2024 => {
                    commune_of.insert(e.code.as_str(), i as u32);
                }
                _ => {}
            }
        }
        let mut successors: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut predecessors: HashMap<u32, Vec<u32>> = HashMap::new();
        for &(old, new) in crosswalk {
            successors.entry(old).or_default().push(new);
            predecessors.entry(new).or_default().push(old);
        }
        // The areas an entry's own parents name (pilots and tourism sites: edition 2024).
        let parents = |i: u32| -> Vec<u32> {
            let e = &entries[i as usize];
            let edition = e.edition.unwrap_or(Edition::E2024);
            e.parents
                .iter()
                .filter_map(|p| area_of.get(&(p.kind, edition, p.code.as_str())).copied())
                .collect()
        };
        let related = |i: u32| -> Vec<u32> {
            let e = &entries[i as usize];
            match (e.kind, e.edition) {
                (HitKind::Commune, Some(Edition::E2024)) => successors.get(&i).cloned().unwrap_or_default(),
                (HitKind::Commune, Some(Edition::E2025)) => predecessors.get(&i).cloned().unwrap_or_default(),
                // A pilot or site is where its commune (its first parent) is, and where that
                // commune went.
                (HitKind::Pilot | HitKind::Tourism, _) => e
                    .parents
                    .iter()
                    .filter(|p| p.kind == HitKind::Commune)
                    .filter_map(|p| commune_of.get(p.code.as_str()))
                    .flat_map(|c| successors.get(c).into_iter().flatten().copied())
                    .collect(),
                _ => Vec::new(),
            }
        };
        let mut within = Vec::new();
        let mut at = Vec::with_capacity(entries.len());
        for i in 0..entries.len() as u32 {
            let start = within.len() as u32;
            let own = parents(i);
            let mut areas = own.clone();
            for r in related(i) {
                areas.extend(parents(r).into_iter().filter(|a| !own.contains(a)).map(|a| a | THROUGH_CROSSWALK));
            }
            areas.sort_unstable_by_key(|a| a & !THROUGH_CROSSWALK);
            areas.dedup_by_key(|a| *a & !THROUGH_CROSSWALK);
            within.extend(areas);
            at.push((start, within.len() as u32));
        }
        Places { by_name, within, at, successors }
    }

    /// The district and province entries whose folded core name is `name`, with or
    /// without its spaces.
    pub(super) fn named(&self, name: &str) -> Option<&[u32]> {
        self.by_name.get(name).map(Vec::as_slice)
    }

    /// How entry `i` lies in area entry `area`.
    pub(super) fn lies_in(&self, i: u32, area: u32) -> Inside {
        let (a, b) = self.at[i as usize];
        let within = &self.within[a as usize..b as usize];
        match within.binary_search_by_key(&area, |a| a & !THROUGH_CROSSWALK) {
            Ok(k) if within[k] & THROUGH_CROSSWALK != 0 => Inside::ThroughCrosswalk,
            Ok(_) => Inside::Directly,
            Err(_) => Inside::No,
        }
    }

    /// Every (2024 commune entry, the 2025 commune entries that took it).
    pub(super) fn all_successors(&self) -> impl Iterator<Item = (u32, &[u32])> {
        self.successors.iter().map(|(&old, new)| (old, new.as_slice()))
    }

    /// The 2025 communes that took 2024 commune entry `i`.
    pub(super) fn successors(&self, i: u32) -> &[u32] {
        self.successors.get(&i).map_or(&[], Vec::as_slice)
    }
}
