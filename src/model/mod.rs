//! The domain, independent of files and HTTP: administrative units, NTM levels,
//! NTM criteria sets, programme targets, pilot models and rural tourism sites, and the two
//! boundary editions.
//!
//! Types say what a value is (`CommuneCode`, `LonLat`, `Level`), so no bare strings or
//! tuples cross module borders.

mod codes;
mod criteria;
mod level;
mod moment;
mod place;
mod point;
mod record;
mod rendered;
mod target;
mod unit;

pub use codes::{CodeError, CommuneCode, DistrictCode, ProvinceCode};
pub use criteria::{CriteriaCatalog, CriteriaItem, CriteriaSet, ItemNumber, ItemNumberError, UnitScope};
pub use level::{Level, LevelError, ProvinceStatus};
pub use moment::{in_force, AsOf, Day, DayError, MomentError};
pub use place::{DirectingLevel, PilotKind, PilotModel, PilotProvenance, PilotStage, PlaceError, PointKinds, TourismCategory, TourismSite};
pub use point::{LonLat, VIETNAM_EXTENT};
pub use record::{write_csv, Record, RecordKind, UnitCode};
pub use rendered::Rendered;
pub use target::{Measure, PilotFilter, TargetDef, TargetScope, TargetScopeError, TargetSource, TargetUnit};
pub use unit::{
    Commune, CommuneKind, District, Edition, EditionError, LevelRecord, Province, UnitError,
};
