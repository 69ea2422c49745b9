//! Statistics by criterion: for each set of the catalog that applies in the year, and each
//! of its criteria and indicators, how many of the scope's eligible units meet it.
//!
//! Steps ([`by_criterion`]):
//!   1. the eligible units: the scope's xã for a commune set; for a district set the
//!      scope's districts that have a xã (the others have no NTM task, as in the district
//!      counts);
//!   2. per unit and set, the state in force at the end of the year (the latest row of
//!      each item, [`crate::atlas::criteria::Criteria::state`]), and whether the unit's
//!      recognised level is at least the set's level;
//!   3. each item's status by the checklist's own rule ([`crate::standing::UnitCriteria::items`]):
//!      met by a row, not met by a row, met by level (a recognition certifies every item of
//!      its set), or no data;
//!   4. `share` = met (by rows or by level) / eligible; `missing` = eligible − met, the
//!      units still to bring to the item (not met by a row, or no data).

use crate::atlas::criteria::Assessment;
use crate::atlas::Atlas;
use crate::model::{AsOf, CriteriaItem, CriteriaSet, DistrictCode, Edition, ItemNumber, Level, UnitScope};
use crate::standing::{commune_level, district_has_ntm_task, district_level, ItemStatus, UnitCriteria};
use serde::Serialize;

/// How the scope's eligible units stand on one criterion or indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CriterionStats {
    /// `{set}.{item}`, e.g. `xa_ntm_2021.8.4`: names the item's rows in the CSV format.
    pub id: String,
    pub set: String,
    /// `commune` or `district`: the units the set assesses.
    pub unit: UnitScope,
    pub item: ItemNumber,
    pub label_vi: String,
    pub label_en: String,
    pub eligible: usize,
    /// Met by a row in force or by the unit's level.
    pub met: usize,
    /// Of `met`, those met by level alone (no row).
    pub met_by_level: usize,
    pub not_met: usize,
    pub no_data: usize,
    /// eligible − met.
    pub missing: usize,
    /// met / eligible; null without eligible units.
    pub share: Option<f64>,
}

/// Every item of every set that applies in `as_of`'s year, for the scope's edition-2024
/// communes (positions) and districts.
pub fn by_criterion(atlas: &Atlas, communes: &[usize], districts: &[DistrictCode], as_of: AsOf) -> Vec<CriterionStats> {
    let year = as_of.year();
    atlas
        .criteria
        .catalog
        .sets
        .iter()
        .filter(|s| s.years().contains(&year))
        .flat_map(|set| set_stats(atlas, set, None, communes, districts, as_of))
        .collect()
}

/// One item of one set; `None` when the set does not apply in that year or has no such item.
pub fn item_stats(atlas: &Atlas, set: &CriteriaSet, item: ItemNumber, communes: &[usize], districts: &[DistrictCode], as_of: AsOf) -> Option<CriterionStats> {
    if !set.years().contains(&as_of.year()) {
        return None;
    }
    set_stats(atlas, set, Some(item), communes, districts, as_of).pop()
}

#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    eligible: usize,
    met: usize,
    met_by_level: usize,
    not_met: usize,
    no_data: usize,
}

impl Tally {
    fn add(&mut self, status: ItemStatus) {
        self.eligible += 1;
        match status {
            ItemStatus::Met => self.met += 1,
            ItemStatus::MetByLevel => {
                self.met += 1;
                self.met_by_level += 1;
            }
            ItemStatus::NotMet => self.not_met += 1,
            ItemStatus::NoData => self.no_data += 1,
        }
    }
}

fn set_stats(
    atlas: &Atlas,
    set: &CriteriaSet,
    only: Option<ItemNumber>,
    communes: &[usize],
    districts: &[DistrictCode],
    as_of: AsOf,
) -> Vec<CriterionStats> {
    let criteria = &atlas.criteria;
    let items: Vec<&CriteriaItem> = set.items.iter().filter(|i| only.is_none_or(|n| i.number == n)).collect();
    let mut tallies = vec![Tally::default(); items.len()];
    // The statuses by the checklist's own reading (one pass over the unit's rows, no
    // allocation), in the set's order, as `items` is.
    let mut count = |rows: Option<&Vec<Assessment>>, level: Option<Level>| {
        let unit = UnitCriteria::new(criteria, rows.map_or(&[][..], Vec::as_slice), level, as_of);
        let states = unit.items(set).filter(|s| only.is_none_or(|n| s.number == n));
        for (tally, state) in tallies.iter_mut().zip(states) {
            tally.add(state.status);
        }
    };
    let old = atlas.edition(Edition::E2024);
    match set.unit {
        UnitScope::Commune => {
            for c in communes.iter().map(|&i| &old.communes[i]).filter(|c| c.kind.ntm_eligible()) {
                count(criteria.communes.get(&c.code), commune_level(atlas, c, as_of).level());
            }
        }
        UnitScope::District => {
            for &d in districts.iter().filter(|&&d| district_has_ntm_task(atlas, d)) {
                count(criteria.districts.get(&d), district_level(atlas, d, as_of).level());
            }
        }
    }
    items
        .iter()
        .zip(tallies)
        .map(|(item, t)| CriterionStats {
            id: format!("{}.{}", set.id, item.number),
            set: set.id.clone(),
            unit: set.unit,
            item: item.number,
            label_vi: item.label_vi().to_owned(),
            label_en: item.label_en().to_owned(),
            eligible: t.eligible,
            met: t.met,
            met_by_level: t.met_by_level,
            not_met: t.not_met,
            no_data: t.no_data,
            missing: t.eligible - t.met,
            share: super::share(t.met, t.eligible),
        })
        .collect()
}
