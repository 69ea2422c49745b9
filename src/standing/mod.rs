//! How a unit stands at a moment: the one home for "the level, or the criteria, in force".
//!
//! Every reader (point queries, details, statistics, tiles, exports) asks here rather than
//! reading the atlas's records itself:
//!   1. [`level`]: the NTM level in force at a moment (end of a year or a day), the key a
//!      commune of either edition shows, and the edition-2025 rule (the weakest former xã);
//!   2. [`counts`]: units counted by level, one typed structure;
//!   3. [`checklist`]: the criteria set a unit is assessed on at that moment, each item met,
//!      not met, met by level or without data, and what is missing;
//!   4. [`columns`]: the same as flat columns, one per criterion, for batch answers and
//!      exports.

pub mod checklist;
pub mod columns;
pub mod counts;
pub mod level;

pub use checklist::{
    commune_assessed, commune_checklist, commune_criteria, district_assessed, district_checklist, district_criteria, weakest, Checklist, ChecklistItem, ItemState,
    ItemStatus, UnitCriteria,
};
pub use counts::LevelCounts;
pub use level::{commune_2025_key, commune_key, commune_level, district_has_ntm_task, district_level, former_levels, province_completed, LevelInForce, LevelKey};
