//! The real communes of edition 2025 (thanglequoc/vietnamese-provinces-database, MIT;
//! geometry from the government's 2025 reorganisation map), read for `bando geodata
//! build --real-2025 FILE` and matched to the reference table.
//!
//! Steps:
//!   1. read the file with the service's own boundary loader (rings repaired, checked);
//!   2. match every feature to a reference commune: by code, or, for a code the table
//!      does not know, by name within the same province (the source codes Xã Ba Chẽ
//!      06978, the table 06970); every reference commune must get exactly one feature;
//!   3. record what the source says (its code, vertices, geodesic area) and put the
//!      geometry on the grid ([`super::grid`]).

use super::grid::{self, Shape};
use super::reference::RefCommune;
use crate::load::{read_boundaries, LoadError, Location, Problem};
use geo::GeodesicArea;
use std::collections::BTreeMap;
use std::path::Path;

/// One reference commune's real boundary.
pub struct OfficialCommune {
    pub shape: Shape,
    /// The code the source gives it.
    pub source_code: String,
    /// Vertices of its source geometry (each ring's closing point included).
    pub source_vertices: usize,
    /// Geodesic area of its source geometry, km².
    pub source_area_km2: f64,
}

/// Reads `path` and returns one commune per reference commune, in the order of `refs`.
pub fn read(path: &Path, refs: &[RefCommune]) -> Result<Vec<OfficialCommune>, LoadError> {
    let file = read_boundaries(path, "code")?;
    let by_code: BTreeMap<&str, usize> = refs.iter().enumerate().map(|(i, c)| (c.code.as_str(), i)).collect();
    let file_codes: std::collections::BTreeSet<&str> = file.features.iter().map(|f| f.code.as_str()).collect();
    let mut slots: Vec<Option<(usize, OfficialCommune)>> = (0..refs.len()).map(|_| None).collect();
    let mut problems = Vec::new();
    for f in &file.features {
        let prop = |k: &str| f.properties.get(k).map(String::as_str).unwrap_or("");
        let target = by_code.get(f.code.as_str()).copied().or_else(|| {
            let same: Vec<usize> = (0..refs.len())
                .filter(|&i| refs[i].name == prop("name") && refs[i].province_code == prop("province_code") && !file_codes.contains(refs[i].code.as_str()))
                .collect();
            (same.len() == 1).then(|| same[0])
        });
        let Some(i) = target else {
            problems.push(
                Problem::new(path, Location::Feature(f.index), format!("no reference commune has this code, nor the name '{}' in province {}", prop("name"), prop("province_code")))
                    .field("code", &f.code),
            );
            continue;
        };
        if let Some((first, _)) = &slots[i] {
            problems.push(Problem::new(path, Location::Feature(f.index), format!("reference commune {} is matched by feature {first} already", refs[i].code)).field("code", &f.code));
            continue;
        }
        let source_vertices = f.geometry.0.iter().map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>()).sum();
        let commune = OfficialCommune {
            shape: grid::from_geo(&f.geometry),
            source_code: f.code.clone(),
            source_vertices,
            source_area_km2: f.geometry.geodesic_area_unsigned() / 1e6,
        };
        slots[i] = Some((f.index, commune));
    }
    for (c, slot) in refs.iter().zip(&slots) {
        if slot.is_none() {
            problems.push(Problem::new(path, Location::File, format!("no feature for reference commune {} ({})", c.code, c.name)));
        }
    }
    let communes = slots.into_iter().flatten().map(|(_, c)| c).collect();
    LoadError::check(communes, problems)
}
