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

/// A set of point kinds: pilot kinds and tourism categories, each named
/// `pilots:KIND` or `tourism:CATEGORY` (the tile layer, then the value of its `kind` or
/// `category` property), as the viewer's `hide` parameter writes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct PointKinds(u8);

impl PointKinds {
    /// The empty set.
    pub const NONE: PointKinds = PointKinds(0);

    fn pilot_bit(kind: PilotKind) -> u8 {
        1 << (kind as u8)
    }

    fn site_bit(category: TourismCategory) -> u8 {
        1 << (PilotKind::ALL.len() as u8 + category as u8)
    }

    /// Every name, in the order of the bits.
    pub fn names() -> impl Iterator<Item = String> {
        let pilots = PilotKind::ALL.iter().map(|k| format!("pilots:{}", k.as_str()));
        pilots.chain(TourismCategory::ALL.iter().map(|c| format!("tourism:{}", c.as_str())))
    }

    /// Reads a comma-separated list of names (empty items are skipped; a name may repeat).
    pub fn parse(text: &str) -> Result<PointKinds, String> {
        let mut set = PointKinds::NONE;
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let bit = match item.split_once(':') {
                Some(("pilots", kind)) => PilotKind::parse(kind).ok().map(Self::pilot_bit),
                Some(("tourism", category)) => TourismCategory::parse(category).ok().map(Self::site_bit),
                _ => None,
            };
            match bit {
                Some(bit) => set.0 |= bit,
                None => {
                    let known: Vec<String> = Self::names().collect();
                    return Err(format!("'{item}' is not a kind of point: {}", known.join(", ")));
                }
            }
        }
        Ok(set)
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn has_pilot(self, kind: PilotKind) -> bool {
        self.0 & Self::pilot_bit(kind) != 0
    }

    pub fn has_site(self, category: TourismCategory) -> bool {
        self.0 & Self::site_bit(category) != 0
    }

    /// Whether the set holds the kind a tile layer (`pilots`, `tourism`) writes as `key`.
    pub fn has(self, layer: &str, key: &str) -> bool {
        match layer {
            "pilots" => PilotKind::parse(key).is_ok_and(|k| self.has_pilot(k)),
            "tourism" => TourismCategory::parse(key).is_ok_and(|c| self.has_site(c)),
            _ => false,
        }
    }

    /// One number per set, for cache keys and ETags.
    pub fn bits(self) -> u8 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_kinds_read_the_names_the_viewer_writes() {
        let set = PointKinds::parse("tourism:homestay, pilots:smart_village,,tourism:homestay").unwrap();
        assert!(set.has_site(TourismCategory::Homestay) && set.has_pilot(PilotKind::SmartVillage));
        assert!(!set.has_site(TourismCategory::OcopProduct) && !set.has_pilot(PilotKind::SmartCommune));
        assert!(PointKinds::parse("").unwrap().is_empty());
        assert!(set.has("tourism", "homestay") && set.has("pilots", "smart_village"));
        assert!(!set.has("tourism", "craft_village") && !set.has("pilots", "homestay") && !set.has("districts", "homestay"));
        let every = PointKinds::names().collect::<Vec<_>>().join(",");
        let all = PointKinds::parse(&every).unwrap();
        assert!(PilotKind::ALL.iter().all(|&k| all.has_pilot(k)) && TourismCategory::ALL.iter().all(|&c| all.has_site(c)));
        assert_eq!(all.bits().count_ones() as usize, PilotKind::ALL.len() + TourismCategory::ALL.len());
        for bad in ["homestay", "tourism:spa", "pilots:homestay", "towns:x"] {
            let e = PointKinds::parse(bad).unwrap_err();
            assert!(e.contains(&format!("'{bad}'")) && e.contains("tourism:ocop_product"), "{e}");
        }
    }

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
