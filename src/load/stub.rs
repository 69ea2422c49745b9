// TEMPORARY: signatures of the load API, replaced by the real readers before commit.
#![allow(unused)]
use super::LoadError;
use crate::model::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RepairCounts { pub closed_rings: usize, pub removed_repeated_points: usize, pub reoriented_rings: usize, pub dropped_degenerate_rings: usize }
pub struct BoundaryFeature { pub index: usize, pub code: String, pub properties: BTreeMap<String, String>, pub geometry: geo::MultiPolygon<f64> }
pub struct BoundaryFile { pub path: PathBuf, pub features: Vec<BoundaryFeature>, pub repairs: RepairCounts, pub vertex_count: usize }
pub fn read_boundaries(path: &Path, code_property: &str) -> Result<BoundaryFile, LoadError> { todo!() }
pub struct Sourced<T> { pub line: u64, pub value: T }
pub struct CommuneResultRow { pub code: CommuneCode, pub record: LevelRecord }
pub fn read_commune_results(path: &Path) -> Result<Vec<Sourced<CommuneResultRow>>, LoadError> { todo!() }
pub struct DistrictResultRow { pub code: DistrictCode, pub record: LevelRecord }
pub fn read_district_results(path: &Path) -> Result<Vec<Sourced<DistrictResultRow>>, LoadError> { todo!() }
pub struct ProvinceResultRow { pub code: ProvinceCode, pub year: u16, pub recognized_on: Option<String>, pub decision: Option<String> }
pub fn read_province_results(path: &Path) -> Result<Vec<Sourced<ProvinceResultRow>>, LoadError> { todo!() }
pub struct PilotRow { pub id: String, pub name: String, pub kind: PilotKind, pub field: String, pub commune: CommuneCode, pub position: Option<LonLat>, pub approved_year: Option<u16> }
pub fn read_pilots(path: &Path) -> Result<Vec<Sourced<PilotRow>>, LoadError> { todo!() }
pub struct TourismRow { pub id: String, pub name: String, pub category: TourismCategory, pub ocop_stars: Option<u8>, pub commune: CommuneCode, pub position: Option<LonLat>, pub url: Option<String> }
pub fn read_tourism(path: &Path) -> Result<Vec<Sourced<TourismRow>>, LoadError> { todo!() }
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrosswalkRelation { Whole, PartDefault, Part }
pub struct CrosswalkRow { pub code_2024: CommuneCode, pub code_2025: CommuneCode, pub relation: CrosswalkRelation }
pub fn read_crosswalk(path: &Path) -> Result<Vec<Sourced<CrosswalkRow>>, LoadError> { todo!() }
