//! Loading and validating input files: boundaries (FlatGeobuf, GeoJSON) and the CSV
//! tables of NTM results, criteria sets and assessments, programme targets, pilot models,
//! tourism sites and the commune crosswalk.
//!
//! Every reader takes a path (`read_pilots`) or, for bytes that are not a file (an upload,
//! a test, a fuzzer), a reader and the name its problems should give (`read_pilots_from`);
//! the path function opens the file and calls the other.
//!
//! Steps, for every file:
//! 1. read it as a stream (features, or CSV records with their line numbers);
//! 2. parse each value into a domain type (`model::CommuneCode`, `Level`, `LonLat`, …);
//!    boundary rings are repaired only where the repair is unambiguous (close, drop
//!    repeated points, orient), and every repair is counted;
//! 3. check the rules within a record and across records (ranges, dependent fields,
//!    self-intersecting rings, duplicate keys);
//! 4. return every value, or every [`Problem`] of the file together in one [`LoadError`]
//!    — each naming the file, the line or feature, the field and the value. Nothing is
//!    half-loaded.

mod boundaries;
mod criteria;
mod criteria_sets;
mod crosswalk;
mod csv_table;
mod error;
mod places;
mod results;
mod rings;
mod targets;

pub use boundaries::{read_boundaries, read_boundaries_from, BoundaryFeature, BoundaryFile, BoundaryFormat, RepairCounts};
pub use criteria::{read_criteria, read_criteria_rows, read_criteria_rows_from, AssessedUnit, CriteriaRow, UnreadCriteriaUnit, COLUMNS as CRITERIA_COLUMNS};
pub use criteria_sets::{read_criteria_sets, SETS_FILE};
pub use crosswalk::{read_crosswalk, read_crosswalk_from, CrosswalkRelation, CrosswalkRow};
pub use csv_table::{parse_date, RowsRead, Sourced};
pub(crate) use csv_table::parse_degrees;
pub use error::{LoadError, Location, Problem};
pub use places::{pilots_rows_from, read_pilots, read_pilots_from, read_tourism, read_tourism_from, tourism_rows_from, PilotRow, TourismRow};
pub use results::{
    commune_result_rows_from, district_result_rows_from, province_result_rows_from, read_commune_results,
    read_commune_results_from, read_district_results, read_district_results_from, read_province_results,
    read_province_results_from, CommuneResultRow, DistrictResultRow, ProvinceResultRow,
};
pub use targets::{read_targets, read_targets_from, TARGETS_FILE, TARGET_COLUMNS};
pub mod upload;
pub mod validate;

/// Opens a CSV table for a reader outside this module (the generator's reference
/// tables), with the same line-numbered problems as every reader here.
pub(crate) fn csv_sheet(path: &std::path::Path, required: &[&str]) -> Result<csv_table::Sheet, LoadError> {
    csv_table::Sheet::from_reader(path, csv_table::open(path)?, required)
}
