//! Point queries: "which commune is this point in, what is its NTM level, which pilot
//! models and tourism sites are near". Shared by `bando query` and the HTTP API.
//!
//! Steps: 1. locate the commune in the edition's index (exact point-in-polygon);
//! 2. join its district and province with their levels for the year;
//! 3. edition 2024: the commune's own level; edition 2025: the levels of the former
//!    communes it took in (through the crosswalk);
//! 4. the pilots and tourism sites within the radius, nearest first.

use crate::atlas::{Atlas, EditionAtlas, LevelInForce};
use crate::model::{
    Commune, CommuneCode, CommuneKind, DistrictCode, Edition, Level, LonLat, PilotModel, ProvinceCode,
    TourismSite,
};
use serde::Serialize;

pub mod batch;
pub mod text;

/// Years the service answers for (the 2021–2025 programme period).
pub const YEARS: std::ops::RangeInclusive<u16> = 2021..=2025;
pub const DEFAULT_YEAR: u16 = 2025;
/// Results were recognised on the 2024 communes, so that edition is the default view.
pub const DEFAULT_EDITION: Edition = Edition::E2024;
pub const DEFAULT_RADIUS_M: f64 = 5_000.0;
pub const MAX_RADIUS_M: f64 = 50_000.0;

/// What to ask at one point.
#[derive(Debug, Clone, Copy)]
pub struct PointQuery {
    pub position: LonLat,
    pub edition: Edition,
    pub year: u16,
    pub radius_m: f64,
}

#[derive(Debug, Serialize)]
pub struct PointAnswer<'a> {
    pub commune: CommuneView<'a>,
    pub district: Option<UnitView<'a, DistrictCode>>,
    pub province: UnitView<'a, ProvinceCode>,
    pub edition: Edition,
    pub year: u16,
    /// Edition 2024: the commune's level in force at the end of `year`.
    pub ntm: Option<LevelInForce<'a>>,
    /// Edition 2025: its former communes counted by level.
    pub former_communes: Option<FormerLevels>,
    pub pilots: Vec<NearbyPilot<'a>>,
    pub tourism: Vec<NearbyTourism<'a>>,
}

#[derive(Debug, Serialize)]
pub struct CommuneView<'a> {
    pub code: CommuneCode,
    pub name: &'a str,
    pub kind: CommuneKind,
    pub kind_label: &'static str,
}

#[derive(Debug, Serialize)]
pub struct UnitView<'a, C> {
    pub code: C,
    pub name: &'a str,
    /// District: its level in force; province: whether it had completed the NTM task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ntm: Option<LevelInForce<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_year: Option<u16>,
}

/// How many of a 2025 commune's former (2024) communes were at each level.
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct FormerLevels {
    pub total: usize,
    pub not_applicable: usize,
    pub no_data: usize,
    pub chua_dat: usize,
    pub dat_chuan: usize,
    pub nang_cao: usize,
    pub kieu_mau: usize,
}

impl FormerLevels {
    /// The level a 2025 commune of this kind shows: the level all its former xã had
    /// reached (the weakest), so a merged commune never shows above any of its parts;
    /// `not_applicable` when it is no xã or took in no xã, `no_data` when any former
    /// xã has no record.
    pub fn weakest_key(&self, kind: CommuneKind) -> &'static str {
        if !kind.ntm_eligible() || self.total == self.not_applicable {
            "not_applicable"
        } else if self.no_data > 0 {
            "no_data"
        } else {
            [(self.chua_dat, Level::ChuaDat), (self.dat_chuan, Level::DatChuan), (self.nang_cao, Level::NangCao), (self.kieu_mau, Level::KieuMau)]
                .into_iter()
                .find(|(n, _)| *n > 0)
                .map_or("no_data", |(_, l)| l.as_str())
        }
    }
}

#[derive(Debug, Serialize)]
pub struct NearbyPilot<'a> {
    #[serde(flatten)]
    pub pilot: &'a PilotModel,
    pub distance_m: f64,
}

#[derive(Debug, Serialize)]
pub struct NearbyTourism<'a> {
    #[serde(flatten)]
    pub site: &'a TourismSite,
    pub distance_m: f64,
}

/// Answers a point query; `None` when the point is in no commune.
pub fn commune_at(atlas: &Atlas, q: PointQuery) -> Option<PointAnswer<'_>> {
    let edition = atlas.edition(q.edition);
    let i = edition.index.locate(q.position)?;
    Some(describe(atlas, edition, i, q))
}

/// Describes commune `i` of `edition` as a point answer.
pub fn describe<'a>(atlas: &'a Atlas, edition: &'a EditionAtlas, i: usize, q: PointQuery) -> PointAnswer<'a> {
    let CommuneFacts { commune, district, province, ntm, former_communes } = facts(atlas, edition, i, q.year);
    let radius = q.radius_m;
    PointAnswer {
        commune,
        district,
        province,
        edition: q.edition,
        year: q.year,
        ntm,
        former_communes,
        pilots: atlas
            .pilot_index
            .within(q.position, radius)
            .into_iter()
            .map(|n| NearbyPilot { pilot: &atlas.pilots[n.position], distance_m: n.distance_m.round() })
            .collect(),
        tourism: atlas
            .tourism_index
            .within(q.position, radius)
            .into_iter()
            .map(|n| NearbyTourism { site: &atlas.tourism[n.position], distance_m: n.distance_m.round() })
            .collect(),
    }
}

/// What is known of one commune in a year, without the nearby places: the point
/// answer's commune, district, province and level parts (batch answers carry this).
#[derive(Debug, Serialize)]
pub struct CommuneFacts<'a> {
    #[serde(flatten)]
    pub commune: CommuneView<'a>,
    pub district: Option<UnitView<'a, DistrictCode>>,
    pub province: UnitView<'a, ProvinceCode>,
    /// Edition 2024: the commune's level in force at the end of the year.
    pub ntm: Option<LevelInForce<'a>>,
    /// Edition 2025: its former communes counted by level.
    pub former_communes: Option<FormerLevels>,
}

/// The facts of commune `i` of `edition` in `year`.
pub fn facts<'a>(atlas: &'a Atlas, edition: &'a EditionAtlas, i: usize, year: u16) -> CommuneFacts<'a> {
    let commune = &edition.communes[i];
    let district = commune.district.and_then(|d| edition.districts.get(&d)).map(|d| UnitView {
        code: d.code,
        name: &d.name,
        ntm: Some(atlas.district_level(d.code, year)),
        completed_year: None,
    });
    let province = edition.provinces.get(&commune.province);
    let province = UnitView {
        code: commune.province,
        name: province.map_or("", |p| p.name.as_str()),
        ntm: None,
        // Province results are on the 63-province structure.
        completed_year: match edition.edition {
            Edition::E2024 => atlas.province_completed(commune.province, year),
            Edition::E2025 => None,
        },
    };
    let (ntm, former_communes) = match edition.edition {
        Edition::E2024 => (Some(atlas.commune_level(commune, year)), None),
        Edition::E2025 => (None, Some(former_levels(atlas, &edition.former[i], year))),
    };
    CommuneFacts { commune: view(commune), district, province, ntm, former_communes }
}

/// One word for a commune's NTM level in a year, as maps and flat exports show it:
/// edition 2024 the level in force (or `not_applicable`, `no_data`); edition 2025 the
/// level all its former xã had reached (the weakest), so a merged commune is never
/// shown above any of its parts.
pub fn level_word(atlas: &Atlas, edition: &EditionAtlas, i: usize, year: u16) -> &'static str {
    let c = &edition.communes[i];
    match edition.edition {
        Edition::E2024 => match atlas.commune_level(c, year) {
            LevelInForce::NotApplicable => "not_applicable",
            LevelInForce::NoData => "no_data",
            LevelInForce::Recorded { record } => record.level.as_str(),
        },
        Edition::E2025 => former_levels(atlas, &edition.former[i], year).weakest_key(c.kind),
    }
}

fn view(c: &Commune) -> CommuneView<'_> {
    CommuneView { code: c.code, name: &c.name, kind: c.kind, kind_label: c.kind.label_vi() }
}

/// Counts the levels, in `year`, of the edition-2024 communes at `positions`.
pub fn former_levels(atlas: &Atlas, positions: &[u32], year: u16) -> FormerLevels {
    count_levels(atlas, positions.iter().map(|&p| p as usize), year)
}

/// Counts the levels, in `year`, of the edition-2024 communes at `positions`.
pub fn count_levels(atlas: &Atlas, positions: impl ExactSizeIterator<Item = usize>, year: u16) -> FormerLevels {
    let old = atlas.edition(Edition::E2024);
    let mut counts = FormerLevels { total: positions.len(), ..FormerLevels::default() };
    for p in positions {
        match atlas.commune_level(&old.communes[p], year) {
            LevelInForce::NotApplicable => counts.not_applicable += 1,
            LevelInForce::NoData => counts.no_data += 1,
            LevelInForce::Recorded { record } => match record.level {
                Level::ChuaDat => counts.chua_dat += 1,
                Level::DatChuan => counts.dat_chuan += 1,
                Level::NangCao => counts.nang_cao += 1,
                Level::KieuMau => counts.kieu_mau += 1,
            },
        }
    }
    counts
}
