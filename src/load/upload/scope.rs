//! Which units an upload may touch, and which units a province's template lists.
//!
//! Editors are scoped to provinces of the edition in force (2025). Results, criteria,
//! pilots and tourism sites are recorded on the edition-2024 units, so a province's units
//! are: its 2025 communes; the 2024 communes that the crosswalk maps into any of them
//! (whole or in part, so a commune split between two provinces belongs to both); the
//! 2024 districts and provinces of those communes.

use crate::atlas::Atlas;
use crate::model::{CommuneCode, DistrictCode, ProvinceCode, UnitCode};
use std::collections::BTreeSet;

/// The provinces an uploader may change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadScope {
    /// Every unit (the central office).
    All,
    /// The units of these edition-2025 provinces.
    Provinces(Vec<ProvinceCode>),
}

/// The units of one or more edition-2025 provinces.
#[derive(Debug, Clone, Default)]
pub struct ProvinceUnits {
    /// Positions of the 2025 communes in edition 2025, in code order.
    pub communes_2025: Vec<usize>,
    pub communes_2024: BTreeSet<CommuneCode>,
    pub districts_2024: BTreeSet<DistrictCode>,
    pub provinces_2024: BTreeSet<ProvinceCode>,
}

impl ProvinceUnits {
    /// Whether `unit` (a 2024 commune, district or province) is one of these.
    pub fn contains(&self, unit: UnitCode) -> bool {
        match unit {
            UnitCode::Commune(code) => self.communes_2024.contains(&code),
            UnitCode::District(code) => self.districts_2024.contains(&code),
            UnitCode::Province(code) => self.provinces_2024.contains(&code),
        }
    }
}

/// The units of the 2025 provinces `provinces`.
pub fn province_units(atlas: &Atlas, provinces: &[ProvinceCode]) -> ProvinceUnits {
    let (e2024, e2025) = (&atlas.editions[0], &atlas.editions[1]);
    let mut units = ProvinceUnits {
        communes_2025: (0..e2025.communes.len()).filter(|&i| provinces.contains(&e2025.communes[i].province)).collect(),
        ..ProvinceUnits::default()
    };
    for link in &atlas.crosswalk {
        if provinces.contains(&e2025.communes[link.new as usize].province) {
            let old = &e2024.communes[link.old as usize];
            units.communes_2024.insert(old.code);
            units.districts_2024.extend(old.district);
            units.provinces_2024.insert(old.province);
        }
    }
    units
}

/// The scope resolved against an atlas, for cheap checks per record.
pub(crate) struct ScopeCheck {
    units: Option<ProvinceUnits>,
    provinces: Vec<ProvinceCode>,
}

impl ScopeCheck {
    pub fn new(atlas: &Atlas, scope: &UploadScope) -> ScopeCheck {
        match scope {
            UploadScope::All => ScopeCheck { units: None, provinces: Vec::new() },
            UploadScope::Provinces(p) => ScopeCheck { units: Some(province_units(atlas, p)), provinces: p.clone() },
        }
    }

    /// Whether the unit lies in the scope (its 2024 province is one of the scope's).
    pub fn holds(&self, unit: UnitCode) -> bool {
        self.units.as_ref().is_none_or(|u| u.contains(unit))
    }

    /// The scoped provinces as "42 Hà Tĩnh, …" for messages.
    pub fn describe(&self, atlas: &Atlas) -> String {
        let e2025 = &atlas.editions[1];
        self.provinces
            .iter()
            .map(|p| e2025.provinces.get(p).map_or_else(|| p.to_string(), |pr| format!("{p} {}", pr.name)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
