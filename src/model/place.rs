//! Point features: pilot models (Decision 924/QĐ-TTg) and rural tourism sites.

use super::{CommuneCode, LonLat};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    #[error("'{0}' is not a pilot kind (expected smart_commune, ecommerce_commune or smart_village)")]
    PilotKind(String),
    #[error("'{0}' is not a tourism category (expected rural_tourism_site, homestay, craft_village or ocop_product)")]
    Category(String),
    #[error("'{0}' is not a directing level (expected central, province or district)")]
    DirectingLevel(String),
    #[error("'{0}' is not a pilot stage (expected selected, building or recognised)")]
    Stage(String),
}

/// Defines a small enum read and written by its machine names.
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident, $error:ident, [$($(#[$vdoc:meta])* $variant:ident = $text:literal),+]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Result<$name, PlaceError> {
                $name::ALL.iter().copied().find(|k| k.as_str() == text.trim()).ok_or_else(|| PlaceError::$error(text.to_string()))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

named_enum!(
    /// Who directs a pilot: the central office, the province (or city) or the district.
    DirectingLevel, DirectingLevel, [Central = "central", Province = "province", District = "district"]
);

named_enum!(
    /// How far a pilot has come.
    PilotStage, Stage, [
        /// Chosen for the pilot by its decision or plan.
        Selected = "selected",
        /// Being built.
        Building = "building",
        /// Recognised as a model.
        Recognised = "recognised"
    ]
);

/// Where a pilot comes from: the decision or plan that set it, and its progress.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct PilotProvenance {
    /// The decision or plan, e.g. "236/KH-UBND".
    pub decision: Option<String>,
    /// ISO date of that decision.
    pub approved_on: Option<String>,
    pub directing_level: Option<DirectingLevel>,
    pub stage: Option<PilotStage>,
    /// For an e-commerce commune: its store or portal.
    pub url: Option<String>,
}

/// The three pilot models of the national NTM programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PilotKind {
    /// Xã NTM thông minh.
    SmartCommune,
    /// Xã thương mại điện tử.
    EcommerceCommune,
    /// Thôn thông minh.
    SmartVillage,
}

impl PilotKind {
    pub const ALL: [PilotKind; 3] =
        [PilotKind::SmartCommune, PilotKind::EcommerceCommune, PilotKind::SmartVillage];

    pub fn as_str(self) -> &'static str {
        match self {
            PilotKind::SmartCommune => "smart_commune",
            PilotKind::EcommerceCommune => "ecommerce_commune",
            PilotKind::SmartVillage => "smart_village",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            PilotKind::SmartCommune => "Xã NTM thông minh",
            PilotKind::EcommerceCommune => "Xã thương mại điện tử",
            PilotKind::SmartVillage => "Thôn thông minh",
        }
    }

    pub fn parse(text: &str) -> Result<PilotKind, PlaceError> {
        PilotKind::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
            .ok_or_else(|| PlaceError::PilotKind(text.to_string()))
    }
}

impl serde::Serialize for PilotKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A pilot model site.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PilotModel {
    pub id: String,
    pub name: String,
    pub kind: PilotKind,
    /// Leading field: kinh tế, du lịch nông thôn, môi trường, văn hóa, y tế, …
    pub field: String,
    /// The commune (edition 2024 code) the pilot belongs to.
    pub commune: CommuneCode,
    pub position: LonLat,
    pub approved_year: Option<u16>,
    #[serde(flatten)]
    pub provenance: PilotProvenance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TourismCategory {
    /// Điểm du lịch nông thôn.
    RuralTourismSite,
    /// Homestay / community-based tourism.
    Homestay,
    /// Làng nghề.
    CraftVillage,
    /// OCOP product (3 to 5 stars).
    OcopProduct,
}

impl TourismCategory {
    pub const ALL: [TourismCategory; 4] = [
        TourismCategory::RuralTourismSite,
        TourismCategory::Homestay,
        TourismCategory::CraftVillage,
        TourismCategory::OcopProduct,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TourismCategory::RuralTourismSite => "rural_tourism_site",
            TourismCategory::Homestay => "homestay",
            TourismCategory::CraftVillage => "craft_village",
            TourismCategory::OcopProduct => "ocop_product",
        }
    }

    pub fn parse(text: &str) -> Result<TourismCategory, PlaceError> {
        TourismCategory::ALL
            .into_iter()
            .find(|k| k.as_str() == text.trim())
            .ok_or_else(|| PlaceError::Category(text.to_string()))
    }
}

impl serde::Serialize for TourismCategory {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A rural tourism point.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TourismSite {
    pub id: String,
    pub name: String,
    pub category: TourismCategory,
    /// OCOP rating, 3 to 5 stars, for OCOP products.
    pub ocop_stars: Option<u8>,
    pub commune: CommuneCode,
    pub position: LonLat,
    pub url: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_categories_round_trip() {
        for k in PilotKind::ALL {
            assert_eq!(PilotKind::parse(k.as_str()).unwrap(), k);
        }
        for c in TourismCategory::ALL {
            assert_eq!(TourismCategory::parse(c.as_str()).unwrap(), c);
        }
        assert!(PilotKind::parse("smart_city").unwrap_err().to_string().contains("'smart_city'"));
    }
}
