//! The NTM level of a unit in force at a moment, and its one-word key.
//!
//! Steps ([`commune_level`], [`district_level`], [`commune_2025_key`]):
//!   1. a phường, thị trấn or đặc khu: not applicable (NTM is for xã);
//!   2. otherwise the unit's record in force at the moment ([`crate::model::in_force`]);
//!      without one, a district without a xã is not applicable, anything else no data;
//!   3. an edition-2025 commune has no results of its own (they were recognised on the
//!      2024 communes): it shows the level every former xã it took in had reached, the
//!      weakest, so that a merged commune is never shown above any of its parts.

use super::counts::LevelCounts;
use crate::atlas::{Atlas, EditionAtlas};
use crate::model::{in_force, AsOf, Commune, CommuneKind, DistrictCode, Edition, Level, LevelRecord, ProvinceCode};

/// The level of a unit in force at a moment.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum LevelInForce<'a> {
    /// Phường, thị trấn and đặc khu, and districts without a xã: NTM does not apply.
    NotApplicable,
    /// No record in force.
    NoData,
    Recorded {
        #[serde(flatten)]
        record: &'a LevelRecord,
    },
}

impl<'a> LevelInForce<'a> {
    pub fn level(&self) -> Option<Level> {
        self.record().map(|r| r.level)
    }

    pub fn record(&self) -> Option<&'a LevelRecord> {
        match self {
            LevelInForce::Recorded { record } => Some(record),
            _ => None,
        }
    }

    pub fn key(&self) -> LevelKey {
        match self {
            LevelInForce::NotApplicable => LevelKey::NotApplicable,
            LevelInForce::NoData => LevelKey::NoData,
            LevelInForce::Recorded { record } => LevelKey::Level(record.level),
        }
    }
}

/// One word for how a unit stands: a level, not applicable, or no data. Maps, legends,
/// exports and counts all use these keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LevelKey {
    NotApplicable,
    NoData,
    Level(Level),
}

impl LevelKey {
    /// Every key, in the order legends and counts list them.
    pub const ALL: [LevelKey; 6] = [
        LevelKey::NotApplicable,
        LevelKey::NoData,
        LevelKey::Level(Level::ChuaDat),
        LevelKey::Level(Level::DatChuan),
        LevelKey::Level(Level::NangCao),
        LevelKey::Level(Level::KieuMau),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LevelKey::NotApplicable => "not_applicable",
            LevelKey::NoData => "no_data",
            LevelKey::Level(l) => l.as_str(),
        }
    }

    pub fn level(self) -> Option<Level> {
        match self {
            LevelKey::Level(l) => Some(l),
            _ => None,
        }
    }
}

impl serde::Serialize for LevelKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

fn recorded(records: Option<&Vec<LevelRecord>>, as_of: AsOf) -> LevelInForce<'_> {
    records
        .and_then(|rs| in_force(rs, as_of, |r| (r.year, r.recognized_on.as_deref())))
        .map_or(LevelInForce::NoData, |record| LevelInForce::Recorded { record })
}

/// The NTM level of an edition-2024 commune in force at `as_of`.
pub fn commune_level<'a>(atlas: &'a Atlas, commune: &Commune, as_of: AsOf) -> LevelInForce<'a> {
    if !commune.kind.ntm_eligible() {
        return LevelInForce::NotApplicable;
    }
    recorded(atlas.commune_results.get(&commune.code), as_of)
}

/// The NTM level of an edition-2024 district in force at `as_of`: its record in force;
/// else not applicable for a district without a xã (a quận, or a city of wards only),
/// which has no NTM task; else no data. A record wins over the rule, so that a district
/// recognised before its last xã became a ward keeps its history.
pub fn district_level(atlas: &Atlas, code: DistrictCode, as_of: AsOf) -> LevelInForce<'_> {
    match recorded(atlas.district_results.get(&code), as_of) {
        LevelInForce::NoData if !district_has_ntm_task(atlas, code) => LevelInForce::NotApplicable,
        level => level,
    }
}

/// Whether an edition-2024 district has a xã (an unknown code is given the benefit of the
/// doubt: its results were loaded against the reference table).
pub fn district_has_ntm_task(atlas: &Atlas, code: DistrictCode) -> bool {
    atlas.edition(Edition::E2024).districts.get(&code).is_none_or(|d| d.has_xa)
}

/// The year an edition-2024 province completed the NTM task, if it had by `as_of` (province
/// results carry a year only).
pub fn province_completed(atlas: &Atlas, code: ProvinceCode, as_of: AsOf) -> Option<u16> {
    atlas.province_completed.get(&code).copied().filter(|&y| y <= as_of.year())
}

/// The former (2024) communes of the edition-2025 commune at `position`, counted by level.
pub fn former_levels(atlas: &Atlas, position: usize, as_of: AsOf) -> LevelCounts {
    let former = &atlas.edition(Edition::E2025).former[position];
    LevelCounts::of_communes(atlas, former.iter().map(|&p| p as usize), as_of)
}

/// The key a commune of either edition shows at `as_of` (step 3 of the module doc for 2025).
pub fn commune_key(atlas: &Atlas, edition: &EditionAtlas, position: usize, as_of: AsOf) -> LevelKey {
    let c = &edition.communes[position];
    match edition.edition {
        Edition::E2024 => commune_level(atlas, c, as_of).key(),
        Edition::E2025 => commune_2025_key(&former_levels(atlas, position, as_of), c.kind),
    }
}

/// Step 3 of the module doc: the level all the former xã had reached; not applicable when the
/// commune is no xã or took in no xã, no data when any former xã has no record.
pub fn commune_2025_key(former: &LevelCounts, kind: CommuneKind) -> LevelKey {
    if !kind.ntm_eligible() || former.total == former.not_applicable {
        LevelKey::NotApplicable
    } else if former.no_data > 0 {
        LevelKey::NoData
    } else {
        Level::ALL.into_iter().find(|&l| former.of(l) > 0).map_or(LevelKey::NoData, LevelKey::Level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merged_commune_shows_its_weakest_former_xa() {
        let counts = |chua_dat, dat_chuan, nang_cao, no_data, not_applicable| LevelCounts {
            total: chua_dat + dat_chuan + nang_cao + no_data + not_applicable,
            chua_dat,
            dat_chuan,
            nang_cao,
            no_data,
            not_applicable,
            ..LevelCounts::default()
        };
        assert_eq!(commune_2025_key(&counts(0, 2, 1, 0, 1), CommuneKind::Xa), LevelKey::Level(Level::DatChuan));
        assert_eq!(commune_2025_key(&counts(1, 2, 1, 0, 0), CommuneKind::Xa), LevelKey::Level(Level::ChuaDat));
        assert_eq!(commune_2025_key(&counts(0, 2, 0, 1, 0), CommuneKind::Xa), LevelKey::NoData);
        assert_eq!(commune_2025_key(&counts(0, 0, 0, 0, 2), CommuneKind::Xa), LevelKey::NotApplicable);
        assert_eq!(commune_2025_key(&counts(0, 2, 0, 0, 0), CommuneKind::Phuong), LevelKey::NotApplicable);
    }

    #[test]
    fn keys_are_the_words_of_maps_and_files() {
        let words: Vec<&str> = LevelKey::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(words, ["not_applicable", "no_data", "chua_dat", "dat_chuan", "nang_cao", "kieu_mau"]);
    }
}
