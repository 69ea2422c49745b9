//! The statistics of a static publication: the documents `/api/v1/stats` answers, written
//! as files, so that the static viewer's statistics panel needs no server.
//!
//! Steps:
//!   1. the (edition, year) pairs of the site's views, each once ([`pairs`]);
//!   2. for each pair, the nation's statistics and each province's of that edition, the same
//!      bytes the API answers for `?edition=&year=` and `?edition=&year=&province=`
//!      ([`crate::stats::document`]), computed on all cores ([`documents`]);
//!   3. their paths, `stats/{edition}-{year}/{scope}.json` with `scope` `nation` or the
//!      province code ([`PATTERN`], which `static.json` gives the viewer).
//!
//! District statistics are left to the API: the viewer asks for the nation and provinces
//! only, and 691 districts × years would be most of the folder's files.

use super::folder::PublishError;
use super::site::SiteView;
use crate::model::{Edition, ProvinceCode};
use crate::snapshot::Snapshot;
use crate::stats::{self, StatsQuery};
use rayon::prelude::*;

/// Where each document goes, as `static.json` tells the viewer.
pub const PATTERN: &str = "stats/{edition}-{year}/{scope}.json";

/// One statistics document: its path in the site and its bytes.
pub struct StatsFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Step 1: the (edition, year) pairs of `views`, in order, each once.
pub fn pairs(views: &[SiteView]) -> Vec<(Edition, u16)> {
    let mut pairs: Vec<(Edition, u16)> = views.iter().map(|v| (v.edition, v.year)).collect();
    pairs.sort_by_key(|&(e, y)| (e.year(), y));
    pairs.dedup();
    pairs
}

/// Steps 2–3 for the `pairs` of step 1.
pub fn documents(snapshot: &Snapshot, pairs: &[(Edition, u16)]) -> Result<Vec<StatsFile>, PublishError> {
    let mut scopes: Vec<(Edition, u16, Option<ProvinceCode>)> = Vec::new();
    for &(edition, year) in pairs {
        scopes.push((edition, year, None));
        scopes.extend(snapshot.edition(edition).provinces.keys().map(|&p| (edition, year, Some(p))));
    }
    scopes
        .into_par_iter()
        .map(|(edition, year, province)| {
            let q = StatsQuery { edition, year, day: None, province, district: None };
            let scope = province.map_or_else(|| "nation".to_string(), |p| p.to_string());
            let path = PATTERN.replace("{edition}", &edition.to_string()).replace("{year}", &year.to_string()).replace("{scope}", &scope);
            let fail = |message: String| PublishError { path: path.clone(), message };
            let doc = stats::document(snapshot, q).map_err(|e| fail(e.to_string()))?;
            let bytes = serde_json::to_vec(&doc).map_err(|e| fail(e.to_string()))?;
            Ok(StatsFile { path, bytes })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tile::MapKind;

    #[test]
    fn pairs_are_each_edition_and_year_once_whatever_the_maps() {
        let view = |map, edition, year| SiteView { map, edition, year };
        let views = [
            view(MapKind::Ntm, Edition::E2025, 2024),
            view(MapKind::Tourism, Edition::E2025, 2024),
            view(MapKind::Ntm, Edition::E2024, 2025),
            view(MapKind::Ntm, Edition::E2024, 2024),
        ];
        assert_eq!(pairs(&views), vec![(Edition::E2024, 2024), (Edition::E2024, 2025), (Edition::E2025, 2024)]);
    }
}
