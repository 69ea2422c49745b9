//! Details of one unit: `GET /api/v1/communes/{code}`, `/api/v1/districts/{code}`,
//! `/api/v1/provinces/{code}`.
//!
//! Steps per request: 1. parse the code (400 naming `code` when it is not a GSO code
//! of the right length) and `edition` / `year` / `geometry`; 2. find the unit in the
//! edition (404 naming the code and edition); 3. gather its parents, its levels by year
//! (2021–2025), its children counted by level in `year`, and for communes the
//! crosswalk to the other edition and, on request, the boundary as GeoJSON.

use super::meta::Meta;
use super::params::{self, Params};
use super::{ApiError, AppState};
use crate::atlas::{Atlas, EditionAtlas};
use crate::load::CrosswalkRelation;
use crate::model::{CommuneCode, DistrictCode, Edition, ProvinceCode};
use crate::query::{former_levels, level_word, YEARS};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::{json, Map, Value};

fn geometry_wanted(query: &Params) -> Result<bool, ApiError> {
    match query.get("geometry").map(|s| s.trim().to_ascii_lowercase()) {
        None => Ok(false),
        Some(v) => match v.as_str() {
            "" | "false" | "0" | "no" => Ok(false),
            "true" | "1" | "yes" => Ok(true),
            _ => Err(ApiError::bad("geometry", format!("'{v}' is not true or false"))),
        },
    }
}

/// How many of the communes at `positions` were at each level in `year`.
fn level_counts(atlas: &Atlas, edition: &EditionAtlas, positions: impl Iterator<Item = usize>, year: u16) -> Value {
    let mut counts = Map::new();
    let keys = ["not_applicable", "no_data", "chua_dat", "dat_chuan", "nang_cao", "kieu_mau"];
    for k in keys {
        counts.insert(k.into(), json!(0));
    }
    let mut total = 0;
    for i in positions {
        total += 1;
        let word = level_word(atlas, edition, i, year);
        if let Some(n) = counts.get_mut(word) {
            *n = json!(n.as_u64().unwrap_or(0) + 1);
        }
    }
    counts.insert("total".into(), json!(total));
    Value::Object(counts)
}

fn relation(r: CrosswalkRelation) -> Value {
    match r {
        CrosswalkRelation::Whole => json!({"relation": "whole", "default": true}),
        CrosswalkRelation::PartDefault => json!({"relation": "part", "default": true}),
        CrosswalkRelation::Part => json!({"relation": "part", "default": false}),
    }
}

pub async fn commune(State(state): State<AppState>, Path(code): Path<String>, Query(query): Query<Params>) -> Result<Json<Value>, ApiError> {
    let code = CommuneCode::parse(&code).map_err(|e| ApiError::bad("code", e.to_string()))?;
    let (e, year, with_geometry) = (params::edition(&query)?, params::year(&query)?, geometry_wanted(&query)?);
    let atlas = state.atlas.current();
    let edition = atlas.edition(e);
    let i = edition.position(code).ok_or_else(|| ApiError::NotFound(format!("no commune {code} in edition {e}")))?;
    let c = &edition.communes[i];
    let area = edition.index.area(i);
    let district = c.district.and_then(|d| edition.districts.get(&d)).map(|d| json!({"code": d.code, "name": d.name}));
    let province = edition.provinces.get(&c.province).map(|p| json!({"code": p.code, "name": p.name}));
    let levels: Vec<Value> = YEARS
        .map(|y| match e {
            Edition::E2024 => json!({"year": y, "level": level_word(&atlas, edition, i, y), "ntm": atlas.commune_level(c, y)}),
            Edition::E2025 => json!({"year": y, "level": level_word(&atlas, edition, i, y),
                "former_communes": former_levels(&atlas, &edition.former[i], y)}),
        })
        .collect();
    let other = atlas.edition(match e {
        Edition::E2024 => Edition::E2025,
        Edition::E2025 => Edition::E2024,
    });
    let crosswalk: Vec<Value> = atlas
        .crosswalk
        .iter()
        .filter_map(|l| match e {
            Edition::E2024 => (l.old as usize == i).then_some((l.new as usize, l.relation)),
            Edition::E2025 => (l.new as usize == i).then_some((l.old as usize, l.relation)),
        })
        .map(|(j, r)| {
            let o = &other.communes[j];
            let mut v = json!({"code": o.code, "name": o.name, "kind": o.kind});
            if let (Value::Object(v), Value::Object(r)) = (&mut v, relation(r)) {
                v.extend(r);
            }
            v
        })
        .collect();
    let mut body = json!({
        "commune": {"code": c.code, "name": c.name, "kind": c.kind, "kind_label": c.kind.label_vi(),
            "label_point": c.label_point.map(|p| [p.lon, p.lat]), "bbox": area.bbox()},
        "edition": e,
        "district": district,
        "province": province,
        "year": year,
        "level": level_word(&atlas, edition, i, year),
        "levels": levels,
        "crosswalk": {"edition": other.edition, "communes": crosswalk},
        "meta": Meta::of(&atlas),
    });
    if with_geometry {
        let shape = geo::Geometry::MultiPolygon(area.to_multipolygon());
        body["geometry"] = serde_json::to_value(geojson::Geometry::from(&shape)).unwrap_or(Value::Null);
    }
    Ok(Json(body))
}

pub async fn district(State(state): State<AppState>, Path(code): Path<String>, Query(query): Query<Params>) -> Result<Json<Value>, ApiError> {
    let code = DistrictCode::parse(&code).map_err(|e| ApiError::bad("code", e.to_string()))?;
    if params::edition(&query)? == Edition::E2025 {
        return Err(ApiError::bad("edition", "edition 2025 has no districts (districts are part of the 2024 edition)"));
    }
    let year = params::year(&query)?;
    let atlas = state.atlas.current();
    let edition = atlas.edition(Edition::E2024);
    let d = edition.districts.get(&code).ok_or_else(|| ApiError::NotFound(format!("no district {code} in edition 2024")))?;
    let members = (0..edition.communes.len()).filter(|&i| edition.communes[i].district == Some(code));
    let province = edition.provinces.get(&d.province).map(|p| json!({"code": p.code, "name": p.name}));
    let levels: Vec<Value> = YEARS.map(|y| json!({"year": y, "ntm": atlas.district_level(code, y)})).collect();
    Ok(Json(json!({
        "district": {"code": d.code, "name": d.name},
        "edition": Edition::E2024,
        "province": province,
        "year": year,
        "ntm": atlas.district_level(code, year),
        "levels": levels,
        "communes": level_counts(&atlas, edition, members, year),
        "meta": Meta::of(&atlas),
    })))
}

pub async fn province(State(state): State<AppState>, Path(code): Path<String>, Query(query): Query<Params>) -> Result<Json<Value>, ApiError> {
    let code = ProvinceCode::parse(&code).map_err(|e| ApiError::bad("code", e.to_string()))?;
    let (e, year) = (params::edition(&query)?, params::year(&query)?);
    let atlas = state.atlas.current();
    let edition = atlas.edition(e);
    let p = edition.provinces.get(&code).ok_or_else(|| ApiError::NotFound(format!("no province {code} in edition {e}")))?;
    let members = (0..edition.communes.len()).filter(|&i| edition.communes[i].province == code);
    let mut body = json!({
        "province": {"code": p.code, "name": p.name},
        "edition": e,
        "year": year,
        "communes": level_counts(&atlas, edition, members, year),
        "meta": Meta::of(&atlas),
    });
    if e == Edition::E2024 {
        let districts: Vec<&crate::model::District> = edition.districts.values().filter(|d| d.province == code).collect();
        let mut by_level = Map::new();
        for k in ["no_data", "chua_dat", "dat_chuan", "nang_cao", "kieu_mau"] {
            by_level.insert(k.into(), json!(0));
        }
        for d in &districts {
            let word = atlas.district_level(d.code, year).level().map_or("no_data", |l| l.as_str());
            if let Some(n) = by_level.get_mut(word) {
                *n = json!(n.as_u64().unwrap_or(0) + 1);
            }
        }
        body["completed_year"] = json!(atlas.province_completed(code, year));
        body["levels"] = json!(YEARS.map(|y| json!({"year": y, "completed": atlas.province_completed(code, y).is_some()})).collect::<Vec<_>>());
        body["districts"] = json!({"total": districts.len(), "by_level": by_level});
    }
    Ok(Json(body))
}
