//! The regions of the 2021–2025 national target programme on new rural development and
//! their 2025 targets.
//!
//! Targets: Decision 263/QĐ-TTg of 22 February 2022 approving the programme, section
//! "specific goals by 2025", as summarised by the Ministry of Industry and Trade's ASEM
//! portal ("National target program on building new countryside in a period of
//! 2021 - 2025", https://asemconnectvietnam.gov.vn/default.aspx?ZID1=14&ID1=2&ID8=131802):
//! share of communes meeting the NTM standard — northern midlands and mountains 60%,
//! Red River delta 100%, North Central 87%, South Central coast 80%, Central Highlands
//! 68%, Southeast 95%, Mekong delta 80% (nation ≥ 80%); share of districts meeting it
//! or completing the task — 30%, 90%, 45%, 35%, 30%, 80%, 35% (nation ≥ 50%).
//!
//! Provinces to regions: the six socio-economic regions of the General Statistics
//! Office (statistical yearbooks: Trung du và miền núi phía Bắc, Đồng bằng sông Hồng,
//! Bắc Trung Bộ và duyên hải miền Trung, Tây Nguyên, Đông Nam Bộ, Đồng bằng sông Cửu
//! Long), by GSO province code of the 63-province structure; the Decision splits the
//! central region into North Central (Thanh Hóa to Thừa Thiên Huế) and South Central
//! coast (Đà Nẵng to Bình Thuận), so seven regions here.

use crate::model::ProvinceCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Region {
    NorthernMidlandsMountains,
    RedRiverDelta,
    NorthCentral,
    SouthCentralCoast,
    CentralHighlands,
    Southeast,
    MekongDelta,
}

impl Region {
    pub const ALL: [Region; 7] = [
        Region::NorthernMidlandsMountains,
        Region::RedRiverDelta,
        Region::NorthCentral,
        Region::SouthCentralCoast,
        Region::CentralHighlands,
        Region::Southeast,
        Region::MekongDelta,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Region::NorthernMidlandsMountains => "northern_midlands_mountains",
            Region::RedRiverDelta => "red_river_delta",
            Region::NorthCentral => "north_central",
            Region::SouthCentralCoast => "south_central_coast",
            Region::CentralHighlands => "central_highlands",
            Region::Southeast => "southeast",
            Region::MekongDelta => "mekong_delta",
        }
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Region::NorthernMidlandsMountains => "Trung du và miền núi phía Bắc",
            Region::RedRiverDelta => "Đồng bằng sông Hồng",
            Region::NorthCentral => "Bắc Trung Bộ",
            Region::SouthCentralCoast => "Duyên hải Nam Trung Bộ",
            Region::CentralHighlands => "Tây Nguyên",
            Region::Southeast => "Đông Nam Bộ",
            Region::MekongDelta => "Đồng bằng sông Cửu Long",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Region::NorthernMidlandsMountains => "Northern midlands and mountains",
            Region::RedRiverDelta => "Red River delta",
            Region::NorthCentral => "North Central",
            Region::SouthCentralCoast => "South Central coast",
            Region::CentralHighlands => "Central Highlands",
            Region::Southeast => "Southeast",
            Region::MekongDelta => "Mekong delta",
        }
    }

    /// 2025 target: share of the region's communes (xã) meeting the NTM standard.
    pub fn commune_target(self) -> f64 {
        match self {
            Region::NorthernMidlandsMountains => 0.60,
            Region::RedRiverDelta => 1.00,
            Region::NorthCentral => 0.87,
            Region::SouthCentralCoast => 0.80,
            Region::CentralHighlands => 0.68,
            Region::Southeast => 0.95,
            Region::MekongDelta => 0.80,
        }
    }

    /// 2025 target: share of the region's districts meeting the standard or completing
    /// the task.
    pub fn district_target(self) -> f64 {
        match self {
            Region::NorthernMidlandsMountains => 0.30,
            Region::RedRiverDelta => 0.90,
            Region::NorthCentral => 0.45,
            Region::SouthCentralCoast => 0.35,
            Region::CentralHighlands => 0.30,
            Region::Southeast => 0.80,
            Region::MekongDelta => 0.35,
        }
    }

    /// The region of a province of the 63-province structure (GSO code); `None` for a
    /// code that is no such province.
    pub fn of_province_2024(code: ProvinceCode) -> Option<Region> {
        let region = match code.0 {
            2 | 4 | 6 | 8 | 10 | 11 | 12 | 14 | 15 | 17 | 19 | 20 | 24 | 25 => Region::NorthernMidlandsMountains,
            1 | 22 | 26 | 27 | 30 | 31 | 33 | 34 | 35 | 36 | 37 => Region::RedRiverDelta,
            38 | 40 | 42 | 44 | 45 | 46 => Region::NorthCentral,
            48 | 49 | 51 | 52 | 54 | 56 | 58 | 60 => Region::SouthCentralCoast,
            62 | 64 | 66 | 67 | 68 => Region::CentralHighlands,
            70 | 72 | 74 | 75 | 77 | 79 => Region::Southeast,
            80 | 82 | 83 | 84 | 86 | 87 | 89 | 91 | 92 | 93 | 94 | 95 | 96 => Region::MekongDelta,
            _ => return None,
        };
        Some(region)
    }
}

/// National 2025 targets of the same Decision.
pub const NATIONAL_NTM_SHARE: f64 = 0.80;
/// "About 40%" of communes nâng cao; official progress reports give it as a share of
/// the NTM communes (6/2025: 2,567 of 6,084 = 42.2%, reported "42.4% / target 40%").
pub const NATIONAL_NANG_CAO_SHARE_OF_NTM: f64 = 0.40;
pub const NATIONAL_KIEU_MAU_SHARE_OF_NTM: f64 = 0.10;
pub const NATIONAL_DISTRICT_SHARE: f64 = 0.50;
/// "17–19 provinces" completing the task: the lower bound.
pub const NATIONAL_PROVINCES_COMPLETED: f64 = 17.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_63_provinces_fall_in_the_seven_regions_as_the_gso_counts_them() {
        let mut counts = std::collections::BTreeMap::new();
        for code in 1..=96 {
            if let Some(r) = Region::of_province_2024(ProvinceCode(code)) {
                *counts.entry(r).or_insert(0) += 1;
            }
        }
        // GSO: 14 northern midlands and mountains, 11 Red River delta, 14 central
        // (6 north + 8 south), 5 Central Highlands, 6 Southeast, 13 Mekong delta.
        let expected = [14, 11, 6, 8, 5, 6, 13];
        assert_eq!(counts.values().copied().collect::<Vec<_>>(), expected);
        assert_eq!(counts.values().sum::<i32>(), 63);
    }
}
