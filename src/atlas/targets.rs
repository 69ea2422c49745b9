//! The targets table joined to the units: every row's scope must name a province or
//! commune of the boundaries.
//!
//! Steps ([`join`]): 1. read the table against the criteria catalog
//! ([`crate::load::read_targets`]); 2. check each scope: a `province:NN` among the
//! edition-2024 provinces (the 63-province structure the plans were written in), a
//! `commune:NNNNN` among the edition-2024 communes, a `commune:NNNNN@2025` among the
//! edition-2025 ones; 3. return the targets in table order, or every problem with its line.

use super::EditionAtlas;
use crate::load::{self, LoadError, Location, Problem};
use crate::model::{CriteriaCatalog, Edition, TargetDef, TargetScope};
use std::path::Path;

/// Reads `path` and checks each scope against the two editions.
pub fn join(path: &Path, catalog: &CriteriaCatalog, e2024: &EditionAtlas, e2025: &EditionAtlas) -> Result<Vec<TargetDef>, LoadError> {
    let rows = load::read_targets(path, catalog)?;
    let mut problems = Vec::new();
    let mut targets = Vec::with_capacity(rows.len());
    for row in rows {
        let t = row.value;
        let missing = match t.scope {
            TargetScope::Nation => None,
            TargetScope::Province(p) => (!e2024.provinces.contains_key(&p)).then(|| format!("no province has the code {p} in the 63-province structure (edition 2024)")),
            TargetScope::Commune(c, edition) => {
                let e = if edition == Edition::E2024 { e2024 } else { e2025 };
                e.commune(c).is_none().then(|| format!("no commune has the code {c} in the edition {edition} boundaries"))
            }
        };
        match missing {
            Some(message) => problems.push(Problem::new(path, Location::Line(row.line), message).field("scope", t.scope.to_string())),
            None => targets.push(t),
        }
    }
    LoadError::check(targets, problems)
}
