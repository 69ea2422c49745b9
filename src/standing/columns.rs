//! The criteria as flat columns, for batch answers and exports: `criteria_set`, the set a
//! commune is assessed on at the moment, then one column per item number of the communes'
//! sets (`c1` … `c19`, `c8_4`, …), each the item's status in that set (`met`, `not_met`,
//! `met_by_level`, `no_data`), empty when the item is not in that set or NTM does not apply.

use super::checklist::{commune_checklist, Checklist};
use crate::atlas::Atlas;
use crate::model::{AsOf, Commune};

/// The column names, in order (they live in the atlas's criteria, so they borrow from it).
pub fn names(atlas: &Atlas) -> impl Iterator<Item = &str> {
    std::iter::once("criteria_set").chain(atlas.criteria.commune_columns.iter().map(|(_, name)| name.as_str()))
}

/// The values of [`names`] for an edition-2024 commune at `as_of` (`None`: empty).
pub fn values<'a>(atlas: &'a Atlas, commune: &Commune, as_of: AsOf) -> Vec<Option<&'a str>> {
    of_checklist(atlas, commune_checklist(atlas, commune, as_of).as_ref())
}

/// The values of [`names`] from a checklist already made (`None`: every value empty).
pub fn of_checklist<'a>(atlas: &'a Atlas, checklist: Option<&Checklist<'a>>) -> Vec<Option<&'a str>> {
    let columns = &atlas.criteria.commune_columns;
    let Some(list) = checklist else { return vec![None; columns.len() + 1] };
    let mut values = Vec::with_capacity(columns.len() + 1);
    values.push(Some(list.set));
    for (number, _) in columns {
        values.push(list.items.iter().find(|i| i.number == *number).map(|i| i.status.as_str()));
    }
    values
}

/// The number of values [`values`] gives.
pub fn count(atlas: &Atlas) -> usize {
    atlas.criteria.commune_columns.len() + 1
}
