//! Programme targets as data: who a target is set for, what it measures, its figure,
//! deadline and source (see `geodata/targets.csv` and its README).
//!
//! A [`TargetDef`] is one row of the targets table. Nothing here computes an actual value:
//! the statistics do that for the [`Measure`] a row names, on the units of its
//! [`TargetScope`].

use super::{CommuneCode, Edition, ItemNumber, PilotKind, PilotStage, ProvinceCode};
use std::fmt;

/// The unit a target is set for.
///
/// Written `nation`, `province:NN` (a province of the 63-province structure, in which the
/// 2021–2025 plans were written), `commune:NNNNN` (an edition-2024 commune) or
/// `commune:NNNNN@2025` (an edition-2025 commune, counted through its former communes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TargetScope {
    Nation,
    Province(ProvinceCode),
    Commune(CommuneCode, Edition),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a target scope (expected nation, province:NN, commune:NNNNN or commune:NNNNN@2025)")]
pub struct TargetScopeError(pub String);

impl TargetScope {
    pub fn parse(text: &str) -> Result<TargetScope, TargetScopeError> {
        let fail = || TargetScopeError(text.to_string());
        let t = text.trim();
        if t == "nation" {
            return Ok(TargetScope::Nation);
        }
        let (kind, code) = t.split_once(':').ok_or_else(fail)?;
        match kind {
            "province" => ProvinceCode::parse(code).ok().filter(|_| code.len() == ProvinceCode::DIGITS).map(TargetScope::Province).ok_or_else(fail),
            "commune" => {
                let (code, edition) = match code.split_once('@') {
                    Some((c, e)) => (c, Edition::parse(e).map_err(|_| fail())?),
                    None => (code, Edition::E2024),
                };
                let code = CommuneCode::parse(code).ok().filter(|_| code.len() == CommuneCode::DIGITS).ok_or_else(fail)?;
                Ok(TargetScope::Commune(code, edition))
            }
            _ => Err(fail()),
        }
    }
}

impl fmt::Display for TargetScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TargetScope::Nation => write!(f, "nation"),
            TargetScope::Province(p) => write!(f, "province:{p}"),
            TargetScope::Commune(c, Edition::E2024) => write!(f, "commune:{c}"),
            TargetScope::Commune(c, e) => write!(f, "commune:{c}@{e}"),
        }
    }
}

/// Which pilots a pilot measure counts; an empty filter counts every pilot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PilotFilter {
    pub kind: Option<PilotKind>,
    /// The decision or plan that set the pilot (`236/KH-UBND`).
    pub decision: Option<String>,
    pub stage: Option<PilotStage>,
}

/// What a target measures.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// Share of the scope's eligible units meeting a criterion or indicator of a set
    /// (xã for a commune set, districts with a xã for a district set). `set` is the
    /// set's position in the catalog.
    CriterionShare { set: usize, item: ItemNumber },
    /// Number of pilot models in the scope approved by the year (or undated).
    PilotCount(PilotFilter),
    /// Share of the scope's provinces with at least one such pilot.
    ProvincesWithPilot(PilotFilter),
    /// Nothing in the data measures it (dossiers handled online, cooperatives, …).
    Unmeasured { reason: String },
}

impl Measure {
    /// The machine names of the `measure` column.
    pub const NAMES: [&'static str; 4] = ["criterion_share", "pilot_count", "provinces_with_pilot", "unmeasured"];
}

/// The unit of a target's figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetUnit {
    /// A share from 0 to 1.
    Share,
    /// A number of units.
    Count,
}

impl TargetUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetUnit::Share => "share",
            TargetUnit::Count => "count",
        }
    }

    pub fn parse(text: &str) -> Option<TargetUnit> {
        match text.trim() {
            "share" => Some(TargetUnit::Share),
            "count" => Some(TargetUnit::Count),
            _ => None,
        }
    }
}

/// Where a target is written: the document and the article, section or appendix.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TargetSource {
    pub document: String,
    pub article: String,
}

/// One target of the targets table.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetDef {
    /// Unique in the table, e.g. `ha_tinh.xa_ntm_8_4`.
    pub id: String,
    pub scope: TargetScope,
    /// ISO date by which the figure is to be reached.
    pub deadline: String,
    pub source: TargetSource,
    pub measure: Measure,
    pub unit: TargetUnit,
    /// The figure to reach (at least), a share from 0 to 1 or a count.
    pub target: f64,
    pub label_vi: String,
    pub label_en: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_read_and_print_alike() {
        for text in ["nation", "province:42", "province:01", "commune:00571", "commune:21238@2025"] {
            assert_eq!(TargetScope::parse(text).unwrap().to_string(), text);
        }
        assert_eq!(TargetScope::parse("commune:21238@2024").unwrap(), TargetScope::parse("commune:21238").unwrap());
        for bad in ["", "world", "province:1", "province:420", "province:", "commune:571", "commune:00571@2023", "district:018", "province:4x"] {
            assert!(TargetScope::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }
}
