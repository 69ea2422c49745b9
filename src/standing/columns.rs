//! The criteria as flat columns, for batch answers and exports: `criteria_set`, the set a
//! commune is assessed on at the moment, then one column per item number of the communes'
//! sets (`c1` … `c19`, `c8_4`, …), each the item's status in that set (`met`, `not_met`,
//! `met_by_level`, `no_data`), empty when the item is not in that set or NTM does not apply.

use super::checklist::{commune_assessment, ItemState};
use crate::atlas::Atlas;
use crate::model::{AsOf, Commune};

/// The column names, in order (they live in the atlas's criteria, so they borrow from it).
pub fn names(atlas: &Atlas) -> impl Iterator<Item = &str> {
    std::iter::once("criteria_set").chain(atlas.criteria.commune_columns.iter().map(|(_, name)| name.as_str()))
}

/// The values of [`names`] for an edition-2024 commune at `as_of` (`None`: empty). Reads
/// the statuses straight from the unit's rows, without the checklist's labels: a batch
/// answers up to 100,000 points this way.
pub fn values<'a>(atlas: &'a Atlas, commune: &Commune, as_of: AsOf) -> Vec<Option<&'a str>> {
    let columns = &atlas.criteria.commune_columns;
    let Some((set, unit)) = commune_assessment(atlas, commune, as_of) else { return vec![None; columns.len() + 1] };
    let states: Vec<ItemState<'a>> = unit.items(set).collect();
    let mut values = Vec::with_capacity(columns.len() + 1);
    values.push(Some(set.id.as_str()));
    for (number, _) in columns {
        values.push(states.iter().find(|s| s.number == *number).map(|s| s.status.as_str()));
    }
    values
}

/// The number of values [`values`] gives.
pub fn count(atlas: &Atlas) -> usize {
    atlas.criteria.commune_columns.len() + 1
}
