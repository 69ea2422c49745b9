//! Point queries: "which commune is this point in, what is its NTM level, which pilot
//! models and tourism sites are near". Shared by `bando query` and the HTTP API.
//!
//! Steps: 1. locate the commune in the edition's index (exact point-in-polygon);
//! 2. join its district and province with their levels for the year;
//! 3. edition 2024: the commune's own level; edition 2025: the levels of the former
//!    communes it took in (through the crosswalk);
//! 4. the pilots and tourism sites within the radius, nearest first.

use crate::atlas::{Atlas, EditionAtlas};
use crate::model::{AsOf, Commune, CommuneCode, CommuneKind, Day, DistrictCode, Edition, LonLat, PilotModel, ProvinceCode, TourismSite};
use crate::standing::{self, LevelCounts, LevelInForce};
use serde::Serialize;

pub mod batch;
pub mod text;

/// Results were recognised on the 2024 communes, so that edition is the default view.
pub const DEFAULT_EDITION: Edition = Edition::E2024;
pub const DEFAULT_RADIUS_M: f64 = 5_000.0;
pub const MAX_RADIUS_M: f64 = 50_000.0;

/// What to ask at one point.
#[derive(Debug, Clone, Copy)]
pub struct PointQuery {
    pub position: LonLat,
    pub edition: Edition,
    /// The end of a year, or a day.
    pub as_of: AsOf,
    pub radius_m: f64,
}

/// A point answer: the commune's [`PointHead`], then the pilots and tourism sites near
/// the point.
#[derive(Debug, Serialize)]
pub struct PointAnswer<'a> {
    #[serde(flatten)]
    pub head: PointHead<'a>,
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
    let Nearby { pilots, tourism } = nearby(atlas, q.position, q.radius_m);
    PointAnswer { head: head(atlas, edition, i, q.as_of), pilots, tourism }
}

/// The point answer's members before the nearby places, in the answer's order: everything
/// that depends on the commune and the moment but not on where in the commune the point
/// lies, nor on the radius (so the HTTP API can write it once per commune and moment).
#[derive(Debug, Serialize)]
pub struct PointHead<'a> {
    pub commune: CommuneView<'a>,
    pub district: Option<UnitView<'a, DistrictCode>>,
    pub province: UnitView<'a, ProvinceCode>,
    pub edition: Edition,
    pub year: u16,
    /// The day asked for, when the question was about a day rather than a year's end.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Day>,
    /// Edition 2024: the commune's level in force at that moment.
    pub ntm: Option<LevelInForce<'a>>,
    /// Edition 2025: its former communes counted by level.
    pub former_communes: Option<LevelCounts>,
    /// Edition 2024 xã: the checklist of the criteria set it is assessed on at that moment,
    /// with what is missing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub criteria: Option<standing::Checklist<'a>>,
}

/// The head of the answer for commune `i` of `edition` at `as_of` (steps 2–3).
pub fn head<'a>(atlas: &'a Atlas, edition: &'a EditionAtlas, i: usize, as_of: AsOf) -> PointHead<'a> {
    let CommuneFacts { commune, district, province, ntm, former_communes } = facts(atlas, edition, i, as_of);
    PointHead {
        commune,
        district,
        province,
        edition: edition.edition,
        year: as_of.year(),
        date: as_of.day(),
        ntm,
        former_communes,
        criteria: match edition.edition {
            Edition::E2024 => standing::commune_checklist(atlas, &edition.communes[i], as_of),
            Edition::E2025 => None,
        },
    }
}

/// The pilots and tourism sites within `radius_m` of a point, nearest first (step 4).
#[derive(Debug, Serialize)]
pub struct Nearby<'a> {
    pub pilots: Vec<NearbyPilot<'a>>,
    pub tourism: Vec<NearbyTourism<'a>>,
}

pub fn nearby(atlas: &Atlas, position: LonLat, radius_m: f64) -> Nearby<'_> {
    Nearby {
        pilots: atlas
            .pilot_index
            .within(position, radius_m)
            .into_iter()
            .map(|n| NearbyPilot { pilot: &atlas.pilots[n.position], distance_m: n.distance_m.round() })
            .collect(),
        tourism: atlas
            .tourism_index
            .within(position, radius_m)
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
    pub former_communes: Option<LevelCounts>,
}

/// The facts of commune `i` of `edition` at `as_of`.
pub fn facts<'a>(atlas: &'a Atlas, edition: &'a EditionAtlas, i: usize, as_of: AsOf) -> CommuneFacts<'a> {
    let commune = &edition.communes[i];
    let district = commune.district.and_then(|d| edition.districts.get(&d)).map(|d| UnitView {
        code: d.code,
        name: &d.name,
        ntm: Some(standing::district_level(atlas, d.code, as_of)),
        completed_year: None,
    });
    let province = edition.provinces.get(&commune.province);
    let province = UnitView {
        code: commune.province,
        name: province.map_or("", |p| p.name.as_str()),
        ntm: None,
        // Province results are on the 63-province structure.
        completed_year: match edition.edition {
            Edition::E2024 => standing::province_completed(atlas, commune.province, as_of),
            Edition::E2025 => None,
        },
    };
    let (ntm, former_communes) = match edition.edition {
        Edition::E2024 => (Some(standing::commune_level(atlas, commune, as_of)), None),
        Edition::E2025 => (None, Some(standing::former_levels(atlas, i, as_of))),
    };
    CommuneFacts { commune: view(commune), district, province, ntm, former_communes }
}

fn view(c: &Commune) -> CommuneView<'_> {
    CommuneView { code: c.code, name: &c.name, kind: c.kind, kind_label: c.kind.label_vi() }
}

