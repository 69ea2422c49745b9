//! Administrative units of the two boundary editions, and NTM level records.

use super::{CommuneCode, DistrictCode, Level, LonLat, ProvinceCode};
use std::fmt;

/// The boundary edition: the 63-province structure in force until 30 June 2025 (with
/// districts), or the 34-province structure from 1 July 2025 (no districts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    E2024,
    E2025,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a boundary edition (expected 2024 or 2025)")]
pub struct EditionError(pub String);

impl Edition {
    pub const ALL: [Edition; 2] = [Edition::E2024, Edition::E2025];

    pub fn year(self) -> u16 {
        match self {
            Edition::E2024 => 2024,
            Edition::E2025 => 2025,
        }
    }

    pub fn parse(text: &str) -> Result<Edition, EditionError> {
        match text.trim() {
            "2024" => Ok(Edition::E2024),
            "2025" => Ok(Edition::E2025),
            _ => Err(EditionError(text.to_string())),
        }
    }

    /// Position in per-edition arrays.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether the edition has districts: the July 2025 reform abolished the district
    /// level, so edition 2025 has provinces and communes only.
    pub fn has_districts(self) -> bool {
        self == Edition::E2024
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.year())
    }
}

impl serde::Serialize for Edition {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u16(self.year())
    }
}

/// The kind of a commune-level unit. Only `Xa` is eligible for NTM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommuneKind {
    Xa,
    Phuong,
    ThiTran,
    DacKhu,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error("'{0}' is not a commune kind (expected Xã, Phường, Thị trấn or Đặc khu)")]
    Kind(String),
}

impl CommuneKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CommuneKind::Xa => "xa",
            CommuneKind::Phuong => "phuong",
            CommuneKind::ThiTran => "thi_tran",
            CommuneKind::DacKhu => "dac_khu",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            CommuneKind::Xa => "Xã",
            CommuneKind::Phuong => "Phường",
            CommuneKind::ThiTran => "Thị trấn",
            CommuneKind::DacKhu => "Đặc khu",
        }
    }

    /// NTM is recognised for rural communes (xã) only; the others are "not applicable".
    pub fn ntm_eligible(self) -> bool {
        self == CommuneKind::Xa
    }

    /// Accepts the Vietnamese label or machine name, with or without diacritics.
    pub fn parse(text: &str) -> Result<CommuneKind, UnitError> {
        match crate::text::fold(text).trim().replace('_', " ").as_str() {
            "xa" => Ok(CommuneKind::Xa),
            "phuong" => Ok(CommuneKind::Phuong),
            "thi tran" => Ok(CommuneKind::ThiTran),
            "dac khu" => Ok(CommuneKind::DacKhu),
            _ => Err(UnitError::Kind(text.to_string())),
        }
    }

    /// Reads the kind from the start of a full name ("Xã Dương Xá" → Xa).
    pub fn from_name(name: &str) -> Option<CommuneKind> {
        let folded = crate::text::fold(name);
        [
            ("thi tran ", CommuneKind::ThiTran),
            ("dac khu ", CommuneKind::DacKhu),
            ("phuong ", CommuneKind::Phuong),
            ("xa ", CommuneKind::Xa),
        ]
        .into_iter()
        .find(|(prefix, _)| folded.starts_with(prefix))
        .map(|(_, kind)| kind)
    }
}

impl serde::Serialize for CommuneKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A commune-level unit (xã, phường, thị trấn or đặc khu) of one edition.
/// Its geometry lives in the index, beside it, under the same position.
#[derive(Debug, Clone)]
pub struct Commune {
    pub code: CommuneCode,
    pub name: String,
    pub kind: CommuneKind,
    /// None in edition 2025, which has no districts.
    pub district: Option<DistrictCode>,
    pub province: ProvinceCode,
    /// A point inside the commune (the reference table's representative point when the
    /// boundary file does not give one).
    pub label_point: Option<LonLat>,
}

#[derive(Debug, Clone)]
pub struct District {
    pub code: DistrictCode,
    pub name: String,
    pub province: ProvinceCode,
    /// Whether the district has a xã. One without (a quận, or a city of wards only) has
    /// no NTM task: the programme is for rural communes.
    pub has_xa: bool,
}

#[derive(Debug, Clone)]
pub struct Province {
    pub code: ProvinceCode,
    pub name: String,
}

/// One recognition event: from `year` on, the unit is at `level` (until a later record).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LevelRecord {
    pub year: u16,
    pub level: Level,
    /// Number of the 19 national criteria met (communes only).
    pub criteria_met: Option<u8>,
    /// Date of the recognition decision, as written in the source (ISO 8601 expected).
    pub recognized_on: Option<String>,
    /// Number of the recognition decision.
    pub decision: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_from_labels_and_names() {
        assert_eq!(CommuneKind::parse("Thị trấn").unwrap(), CommuneKind::ThiTran);
        assert_eq!(CommuneKind::parse("dac_khu").unwrap(), CommuneKind::DacKhu);
        assert!(CommuneKind::parse("Quận").is_err());
        assert_eq!(CommuneKind::from_name("Xã Dương Xá"), Some(CommuneKind::Xa));
        assert_eq!(CommuneKind::from_name("Phường Ba Đình"), Some(CommuneKind::Phuong));
        assert_eq!(CommuneKind::from_name("Đặc khu Trường Sa"), Some(CommuneKind::DacKhu));
        assert!(CommuneKind::Xa.ntm_eligible() && !CommuneKind::Phuong.ntm_eligible());
    }

    #[test]
    fn editions_parse() {
        assert_eq!(Edition::parse("2025").unwrap(), Edition::E2025);
        assert!(Edition::parse("2023").unwrap_err().to_string().contains("'2023'"));
    }
}
