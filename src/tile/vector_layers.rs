//! What each layer of a view's tiles carries, field by field, for TileJSON's
//! `vector_layers`: the layers and fields depend on the map, the edition and the criteria
//! sets of the year.

use super::criteria::Fields;
use super::layers::COMMUNE_LABEL_MIN_ZOOM;
use super::MapKind;
use crate::model::{CriteriaCatalog, Edition, UnitScope};
use std::collections::BTreeMap;

/// Describes a layer for TileJSON's `vector_layers`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LayerInfo {
    pub id: &'static str,
    pub description: &'static str,
    pub minzoom: u8,
    pub maxzoom: u8,
    /// Field name → description, as TileJSON 3.0 expects.
    pub fields: BTreeMap<String, String>,
}

/// The layers a map's tiles carry in `year` (the criteria sets of that year), for TileJSON.
pub fn vector_layers(map: MapKind, edition: Edition, catalog: &CriteriaCatalog, year: u16) -> Vec<LayerInfo> {
    let full = map == MapKind::Ntm;
    let criteria = |unit: UnitScope| if full { Fields::new(catalog, unit, year).describe(catalog, edition == Edition::E2025) } else { Vec::new() };
    let layer = |id, description, fields: &[(&'static str, &'static str)], extra: Vec<(String, String)>| LayerInfo {
        id,
        description,
        minzoom: 0,
        maxzoom: super::MAX_ZOOM,
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).chain(extra).collect(),
    };
    let mut commune_fields = vec![
        ("code", "String: GSO commune code"),
        ("name", "String: commune name"),
        ("kind", "String: xa | phuong | thi_tran | dac_khu"),
        ("level", "String: chua_dat | dat_chuan | nang_cao | kieu_mau | not_applicable | no_data"),
    ];
    if full {
        match edition {
            Edition::E2024 => commune_fields.extend([
                ("level_year", "Number: year the level was recognised"),
                ("criteria_met", "Number: criteria met of the 19"),
            ]),
            Edition::E2025 => commune_fields.extend([
                ("former_total", "Number: former (2024) communes merged into it"),
                ("former_chua_dat", "Number: of them, not yet NTM"),
                ("former_dat_chuan", "Number: of them, NTM"),
                ("former_nang_cao", "Number: of them, advanced NTM"),
                ("former_kieu_mau", "Number: of them, model NTM"),
                ("former_not_applicable", "Number: of them, wards and townships"),
            ]),
        }
    }
    let mut layers = vec![layer("communes", "Communes coloured by NTM level; at low zoom a commune smaller than a pixel is merged with neighbours of its province into one feature, which carries the attributes of the largest", &commune_fields, criteria(UnitScope::Commune))];
    let mut labels = layer("commune_labels", "Commune label points (from zoom 10)", &[("name", "String: commune name"), ("rank", "Number: label priority, lower first (by area)")], Vec::new());
    labels.minzoom = COMMUNE_LABEL_MIN_ZOOM;
    layers.push(labels);
    if edition.has_districts() {
        layers.push(layer(
            "districts",
            "Districts: polygons (at low zoom a district smaller than a pixel is merged with neighbours of its province into one feature, which carries the attributes of the largest); from zoom 8, label points (label=true) with code, name and rank only",
            &[("code", "String"), ("name", "String"), ("level", "String: chua_dat | dat_chuan | nang_cao | kieu_mau | no_data, or not_applicable for a district without a xã"), ("level_year", "Number"), ("islets", "Boolean: the district's islets too small to outline, to fill only"), ("label", "Boolean: label point"), ("rank", "Number: label priority, lower first (by area)")],
            criteria(UnitScope::District),
        ));
    }
    let province_fields: &[(&str, &str)] = if edition == Edition::E2024 {
        &[("code", "String"), ("name", "String"), ("completed_year", "Number: year NTM was completed"), ("islets", "Boolean: the province's islets too small to outline, to fill only"), ("label", "Boolean: label point"), ("rank", "Number: label priority, lower first (by area)")]
    } else {
        &[("code", "String"), ("name", "String"), ("label", "Boolean: label point"), ("rank", "Number: label priority, lower first (by area)")]
    };
    layers.push(layer("provinces", "Provinces: polygons; from zoom 5, label points (label=true) with code, name and rank only", province_fields, Vec::new()));
    let pilot_fields: &[(&str, &str)] = if full {
        &[("id", "String"), ("kind", "String: smart_commune | ecommerce_commune | smart_village"), ("name", "String"), ("field", "String: leading field"), ("commune", "String: commune code"), ("approved_year", "Number")]
    } else {
        &[("id", "String"), ("kind", "String")]
    };
    layers.push(layer("pilots", "Pilot models; below zoom 10, thinned to points at least 12 px apart (smart communes first)", pilot_fields, Vec::new()));
    let tourism_fields: &[(&str, &str)] = if full {
        &[("id", "String"), ("category", "String")]
    } else {
        &[("id", "String"), ("category", "String: rural_tourism_site | homestay | craft_village | ocop_product"), ("name", "String"), ("stars", "Number: OCOP stars"), ("commune", "String: commune code"), ("url", "String")]
    };
    layers.push(layer("tourism", "Rural tourism sites; below zoom 10, thinned to points at least 12 px apart (5-star OCOP products first)", tourism_fields, Vec::new()));
    layers
}

#[cfg(test)]
mod tests {
    #[test]
    fn point_layers_describe_the_thinning_they_get() {
        use super::super::thin::{ALL_POINTS_FROM_ZOOM, SPACING_PX};
        let catalog = crate::model::CriteriaCatalog::default();
        for map in [super::super::MapKind::Ntm, super::super::MapKind::Tourism] {
            let layers = super::vector_layers(map, crate::model::Edition::E2025, &catalog, 2024);
            for id in ["pilots", "tourism"] {
                let d = layers.iter().find(|l| l.id == id).map(|l| l.description).unwrap_or_default();
                assert!(d.contains(&format!("below zoom {ALL_POINTS_FROM_ZOOM},")) && d.contains(&format!("{SPACING_PX} px")), "{id}: {d}");
            }
        }
    }
}
