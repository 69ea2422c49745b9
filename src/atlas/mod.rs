//! The atlas: one immutable, joined snapshot of everything the service answers from.
//!
//! Steps to build ([`build::build`]):
//!   1. read the reference communes of both editions (the embedded geodata) and any
//!      user boundary file, telling its edition from its codes;
//!   2. join names, kinds, districts and provinces (file first, reference second);
//!   3. prepare and index the polygons ([`crate::index`]);
//!   4. read NTM results, pilots, tourism sites and the crosswalk, and check every code
//!      and position against the boundaries: the codes of the rows that read well, and
//!      the code cell of each row the loader refused, so a row with a bad date is told
//!      in the same report that its code names no commune;
//!   5. read the criteria catalog and the assessments, and check them (refused rows'
//!      units too) against the units and their levels ([`criteria`]);
//!   6. read the targets table and check its scopes against the units ([`targets`]).
//!
//! Every problem of every file is collected; the atlas exists only if there are none.
//! It holds data only; what is derived from it to serve it (tile topology, the search
//! index) sits above it, in [`crate::snapshot`], which publishes both whole, so a request
//! sees either the old snapshot or the new one, never a mix.

mod build;
pub mod criteria;
pub mod documents;
mod inputs;
pub mod targets;

pub use build::{build, BuildSummary};
pub(crate) use build::{check_commune_results, check_district_results, check_pilots, check_province_results, check_tourism};
pub use inputs::{DataSource, Inputs, CRITERIA_FILE};

use crate::index::{AreaIndex, PointIndex};
use crate::model::{
    Commune, CommuneCode, District, DistrictCode, Edition, LevelRecord, PilotModel, Province,
    ProvinceCode, TargetDef, TourismSite, UnitCode,
};
use std::collections::{BTreeMap, HashMap};

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

    /// A unit's name and province, when the edition has it.
    pub fn unit(&self, code: UnitCode) -> Option<(&str, ProvinceCode)> {
        match code {
            UnitCode::Commune(c) => self.commune(c).map(|c| (c.name.as_str(), c.province)),
            UnitCode::District(d) => self.districts.get(&d).map(|d| (d.name.as_str(), d.province)),
            UnitCode::Province(p) => self.provinces.get(&p).map(|p| (p.name.as_str(), p.code)),
        }
    }

    /// Why `code` cannot be the unit of a row: no unit of this edition has it, or (`ntm`,
    /// for results and criteria) it is a phường or thị trấn where NTM assesses only xã.
    /// The atlas's checks of the rows that read well and an upload's check of the rows that
    /// did not both ask here, so that both say the same.
    pub fn unit_problem(&self, code: UnitCode, ntm: bool) -> Option<String> {
        let level = match code {
            UnitCode::Commune(c) => match self.commune(c) {
                Some(c) if ntm && !c.kind.ntm_eligible() => {
                    return Some(format!("{} is a {}: only xã are eligible for NTM", c.name, c.kind.label_vi()))
                }
                Some(_) => return None,
                None => "commune",
            },
            UnitCode::District(d) if self.districts.contains_key(&d) => return None,
            UnitCode::District(_) => "district",
            UnitCode::Province(p) if self.provinces.contains_key(&p) => return None,
            UnitCode::Province(_) => "province",
        };
        Some(format!("no {level} has this code in the edition {} boundaries", self.edition))
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
    /// See [`Atlas::years`].
    pub years: std::ops::RangeInclusive<u16>,
    /// Every old → new pair of the crosswalk whose communes are both loaded, as
    /// positions in the two editions, sorted by (old, new).
    pub crosswalk: Vec<CrosswalkLink>,
    /// The criteria catalog and the units' assessments.
    pub criteria: criteria::Criteria,
    /// The programme targets, in table order (empty without a targets table).
    pub targets: Vec<TargetDef>,
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

    /// The years the data covers, from the first year of the criteria sets (the programme
    /// phase the map starts at) to the last year of any result or assessment, so that a new
    /// phase is served by adding its rows.
    pub fn years(&self) -> std::ops::RangeInclusive<u16> {
        self.years.clone()
    }
}
