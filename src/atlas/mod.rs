//! The atlas: one immutable, joined snapshot of everything the service answers from.
//!
//! Steps to build ([`build::build`]):
//!   1. read the reference communes of both editions (the embedded geodata) and any
//!      user boundary file, telling its edition from its codes;
//!   2. join names, kinds, districts and provinces (file first, reference second);
//!   3. prepare and index the polygons ([`crate::index`]);
//!   4. read NTM results, pilots, tourism sites and the crosswalk, and check every code
//!      and position against the boundaries;
//!   5. read the criteria catalog and the assessments, and check them against the units
//!      and their levels ([`criteria`]).
//!
//! Every problem of every file is collected; the atlas exists only if there are none.
//! It is then published whole through [`SharedAtlas`], so a request sees either the
//! old snapshot or the new one, never a mix.

mod build;
pub mod criteria;
mod inputs;

pub use build::{build, BuildSummary};
pub use inputs::{DataSource, Inputs};

use crate::index::{AreaIndex, PointIndex};
use crate::model::{
    Commune, CommuneCode, District, DistrictCode, Edition, Level, LevelRecord, PilotModel, Province,
    ProvinceCode, TourismSite,
};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};

/// The communes of one boundary edition with their index.
pub struct EditionAtlas {
    pub edition: Edition,
    /// Sorted by code; positions match `index`.
    pub communes: Vec<Commune>,
    pub index: AreaIndex,
    /// Empty in edition 2025.
    pub districts: BTreeMap<DistrictCode, District>,
    pub provinces: BTreeMap<ProvinceCode, Province>,
    pub boundaries: DataSource,
    /// Edition 2025 only: for each commune, the positions (in edition 2024) of the former
    /// communes that went into it whole or for the most part (`whole`, `part-default`),
    /// so that each former commune is counted once.
    pub former: Vec<Vec<u32>>,
    by_code: HashMap<CommuneCode, usize>,
}

impl EditionAtlas {
    pub fn position(&self, code: CommuneCode) -> Option<usize> {
        self.by_code.get(&code).copied()
    }

    pub fn commune(&self, code: CommuneCode) -> Option<&Commune> {
        self.position(code).map(|i| &self.communes[i])
    }
}

/// The level of a unit in force in a given year.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LevelInForce<'a> {
    /// Phường, thị trấn and đặc khu: NTM does not apply.
    NotApplicable,
    /// No record in or before that year.
    NoData,
    Recorded {
        #[serde(flatten)]
        record: &'a LevelRecord,
    },
}

impl LevelInForce<'_> {
    pub fn level(&self) -> Option<Level> {
        match self {
            LevelInForce::Recorded { record } => Some(record.level),
            _ => None,
        }
    }
}

/// Everything the service knows, joined and indexed; immutable once built.
pub struct Atlas {
    pub editions: [EditionAtlas; 2],
    /// NTM results by edition-2024 commune code, each list sorted by year.
    pub commune_results: HashMap<CommuneCode, Vec<LevelRecord>>,
    pub district_results: HashMap<DistrictCode, Vec<LevelRecord>>,
    /// Year each province (edition 2024 code) completed the NTM task.
    pub province_completed: HashMap<ProvinceCode, u16>,
    pub pilots: Vec<PilotModel>,
    pub pilot_index: PointIndex,
    pub tourism: Vec<TourismSite>,
    pub tourism_index: PointIndex,
    pub sources: Sources,
    /// Changes whenever any input's content changes (a hash of all inputs).
    pub version: String,
    /// Tile geometry per edition (arcs ranked for simplification).
    pub tiles: [crate::tile::EditionTiles; 2],
    /// Name search, built on first use; a reload makes a new atlas, so a new index.
    pub search: std::sync::OnceLock<crate::search::SearchIndex>,
    /// Every old → new pair of the crosswalk whose communes are both loaded, as
    /// positions in the two editions, sorted by (old, new).
    pub crosswalk: Vec<CrosswalkLink>,
    /// The criteria catalog and the units' assessments.
    pub criteria: criteria::Criteria,
}

/// One pair of the 2024 → 2025 crosswalk, as positions in the two editions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CrosswalkLink {
    pub old: u32,
    pub new: u32,
    pub relation: crate::load::CrosswalkRelation,
}

/// Where each layer came from, for the metadata of every answer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Sources {
    pub results: DataSource,
    pub district_results: DataSource,
    pub province_results: DataSource,
    pub pilots: DataSource,
    pub tourism: DataSource,
    /// The assessments file, when there is one.
    pub criteria: Option<DataSource>,
}

impl Atlas {
    pub fn edition(&self, edition: Edition) -> &EditionAtlas {
        &self.editions[edition.index()]
    }

    /// True when any layer is the embedded sample data.
    pub fn has_sample_data(&self) -> bool {
        let s = &self.sources;
        self.editions.iter().any(|e| e.boundaries.sample)
            || [&s.results, &s.district_results, &s.province_results, &s.pilots, &s.tourism]
                .iter()
                .any(|d| d.sample)
            || s.criteria.as_ref().is_some_and(|d| d.sample)
    }

    /// The name search index of this snapshot (built on first call).
    pub fn search_index(&self) -> &crate::search::SearchIndex {
        self.search.get_or_init(|| crate::search::SearchIndex::build(self))
    }

    /// The NTM level of an edition-2024 commune in force at the end of `year`.
    pub fn commune_level(&self, commune: &Commune, year: u16) -> LevelInForce<'_> {
        if !commune.kind.ntm_eligible() {
            return LevelInForce::NotApplicable;
        }
        in_force(self.commune_results.get(&commune.code), year)
    }

    pub fn district_level(&self, code: DistrictCode, year: u16) -> LevelInForce<'_> {
        in_force(self.district_results.get(&code), year)
    }

    /// The year an edition-2024 province completed, if it had by `year`.
    pub fn province_completed(&self, code: ProvinceCode, year: u16) -> Option<u16> {
        self.province_completed.get(&code).copied().filter(|&y| y <= year)
    }
}

fn in_force(records: Option<&Vec<LevelRecord>>, year: u16) -> LevelInForce<'_> {
    records
        .and_then(|rs| rs.iter().take_while(|r| r.year <= year).last())
        .map_or(LevelInForce::NoData, |record| LevelInForce::Recorded { record })
}

/// The published atlas. Readers take a cheap `Arc` clone and keep a consistent
/// snapshot for the whole request; a reload replaces the pointer in one step.
#[derive(Clone)]
pub struct SharedAtlas(Arc<RwLock<Published>>);

/// The atlas in force and when it was published (for readiness and metrics).
struct Published {
    atlas: Arc<Atlas>,
    at: std::time::SystemTime,
}

impl SharedAtlas {
    pub fn new(atlas: Atlas) -> Self {
        SharedAtlas(Arc::new(RwLock::new(Published { atlas: Arc::new(atlas), at: std::time::SystemTime::now() })))
    }

    pub fn current(&self) -> Arc<Atlas> {
        self.read().atlas.clone()
    }

    /// The atlas in force with the time it was published, read together.
    pub fn published(&self) -> (Arc<Atlas>, std::time::SystemTime) {
        let p = self.read();
        (p.atlas.clone(), p.at)
    }

    pub fn publish(&self, atlas: Atlas) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Published { atlas: Arc::new(atlas), at: std::time::SystemTime::now() };
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Published> {
        // A poisoned lock still holds a whole snapshot (it is only ever replaced whole).
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }
}
