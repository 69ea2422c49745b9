//! Details of one unit: `GET /api/v1/communes/{code}`, `/api/v1/districts/{code}`,
//! `/api/v1/provinces/{code}`.
//!
//! Steps per request: 1. parse the code (400 naming `code` when it is not a GSO code
//! of the right length) and `edition` / `year` / `geometry`; 2. find the unit in the
//! edition (404 naming the code and edition); 3. gather its parents, its levels by year
//! (every year of the data), its children counted by level at the moment asked (`year`, or
//! a day with `date`), for communes and districts the checklist of the criteria set they
//! are assessed on then ([`standing::checklist`]), and for communes the crosswalk to the
//! other edition and, on request, the boundary as GeoJSON.

use super::meta::Meta;
use super::params::{self, Params};
use super::{ApiError, AppState};
use crate::atlas::{Atlas, EditionAtlas};
use crate::load::CrosswalkRelation;
use crate::model::{AsOf, CommuneCode, DistrictCode, Edition, ProvinceCode};
use crate::standing::{self, LevelCounts};
use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::{json, Value};

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

/// How many of the communes at `positions` stood at each level at `as_of`.
fn level_counts(atlas: &Atlas, edition: &EditionAtlas, positions: impl Iterator<Item = usize>, as_of: AsOf) -> LevelCounts {
    let mut counts = LevelCounts::default();
    for i in positions {
        counts.add(standing::commune_key(atlas, edition, i, as_of));
    }
    counts
}

/// `year`, and `date` when the moment asked for is a day.
fn moment(body: &mut Value, as_of: AsOf) {
    body["year"] = json!(as_of.year());
    if let Some(day) = as_of.day() {
        body["date"] = json!(day);
    }
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
    let atlas = state.atlas.current();
    let (e, as_of, with_geometry) = (params::edition(&query)?, params::as_of(&query, &atlas.years())?, geometry_wanted(&query)?);
    let edition = atlas.edition(e);
    let i = edition.position(code).ok_or_else(|| ApiError::NotFound(format!("no commune {code} in edition {e}")))?;
    let c = &edition.communes[i];
    let area = edition.index.area(i);
    let district = c.district.and_then(|d| edition.districts.get(&d)).map(|d| json!({"code": d.code, "name": d.name}));
    let province = edition.provinces.get(&c.province).map(|p| json!({"code": p.code, "name": p.name}));
    let levels: Vec<Value> = atlas
        .years()
        .map(|y| {
            let at = AsOf::Year(y);
            let key = standing::commune_key(&atlas, edition, i, at);
            match e {
                Edition::E2024 => json!({"year": y, "level": key, "ntm": standing::commune_level(&atlas, c, at)}),
                Edition::E2025 => json!({"year": y, "level": key, "former_communes": standing::former_levels(&atlas, i, at)}),
            }
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
        "level": standing::commune_key(&atlas, edition, i, as_of),
        "levels": levels,
        "crosswalk": {"edition": other.edition, "communes": crosswalk},
        "meta": Meta::of(&atlas),
    });
    moment(&mut body, as_of);
    if e == Edition::E2024 {
        body["criteria"] = json!(standing::commune_checklist(&atlas, c, as_of));
    }
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
    let atlas = state.atlas.current();
    let as_of = params::as_of(&query, &atlas.years())?;
    let edition = atlas.edition(Edition::E2024);
    let d = edition.districts.get(&code).ok_or_else(|| ApiError::NotFound(format!("no district {code} in edition 2024")))?;
    let members = (0..edition.communes.len()).filter(|&i| edition.communes[i].district == Some(code));
    let province = edition.provinces.get(&d.province).map(|p| json!({"code": p.code, "name": p.name}));
    let levels: Vec<Value> = atlas.years().map(|y| json!({"year": y, "ntm": standing::district_level(&atlas, code, AsOf::Year(y))})).collect();
    let mut body = json!({
        "district": {"code": d.code, "name": d.name},
        "edition": Edition::E2024,
        "province": province,
        "ntm": standing::district_level(&atlas, code, as_of),
        "levels": levels,
        "communes": level_counts(&atlas, edition, members, as_of),
        "criteria": standing::district_checklist(&atlas, code, as_of),
        "meta": Meta::of(&atlas),
    });
    moment(&mut body, as_of);
    Ok(Json(body))
}

pub async fn province(State(state): State<AppState>, Path(code): Path<String>, Query(query): Query<Params>) -> Result<Json<Value>, ApiError> {
    let code = ProvinceCode::parse(&code).map_err(|e| ApiError::bad("code", e.to_string()))?;
    let atlas = state.atlas.current();
    let (e, as_of) = (params::edition(&query)?, params::as_of(&query, &atlas.years())?);
    let edition = atlas.edition(e);
    let p = edition.provinces.get(&code).ok_or_else(|| ApiError::NotFound(format!("no province {code} in edition {e}")))?;
    let members = (0..edition.communes.len()).filter(|&i| edition.communes[i].province == code);
    let mut body = json!({
        "province": {"code": p.code, "name": p.name},
        "edition": e,
        "communes": level_counts(&atlas, edition, members, as_of),
        "meta": Meta::of(&atlas),
    });
    moment(&mut body, as_of);
    if e == Edition::E2024 {
        let districts: Vec<&crate::model::District> = edition.districts.values().filter(|d| d.province == code).collect();
        let mut by_level = LevelCounts::default();
        for d in &districts {
            by_level.add(standing::district_level(&atlas, d.code, as_of).key());
        }
        body["completed_year"] = json!(standing::province_completed(&atlas, code, as_of));
        let completed = |y| standing::province_completed(&atlas, code, AsOf::Year(y)).is_some();
        body["levels"] = json!(atlas.years().map(|y| json!({"year": y, "completed": completed(y)})).collect::<Vec<_>>());
        body["districts"] = json!({"total": districts.len(), "by_level": by_level.by_key()});
    }
    Ok(Json(body))
}
