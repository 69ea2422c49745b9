//! Criteria routes.
//! - `GET /api/v1/criteria`: the national criteria sets, each criterion with its
//!   indicators, its names (or its number where no name is sourced) and the decision that
//!   defines the set;
//! - `GET /api/v1/communes/{code}/criteria?from=&to=` (or `?date=`): a commune's checklist
//!   year by year (or on a day), from [`crate::standing`].
//!
//! Steps per checklist request: 1. parse the code (edition 2024: criteria are recorded on
//! the communes the results were recognised on) and the years or the date, within the
//! catalog's years (400 naming the parameter); 2. find the commune (404); 3. one checklist
//! per year, or one for the date.

use super::meta::Meta;
use super::params::{self, Params};
use super::{ApiError, AppState};
use crate::model::{AsOf, CommuneCode, Edition};
use crate::standing;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde_json::{json, Value};

pub async fn criteria(State(state): State<AppState>) -> Json<Value> {
    let atlas = state.atlas.current();
    let sets = crate::atlas::documents::criteria_sets(&atlas);
    Json(json!({ "sets": sets, "meta": Meta::of(&atlas) }))
}

/// The checklists of one edition-2024 commune, by year or on a date.
pub async fn commune_criteria(State(state): State<AppState>, Path(code): Path<String>, Query(query): Query<Params>) -> Result<Json<Value>, ApiError> {
    let code = CommuneCode::parse(&code).map_err(|e| ApiError::bad("code", e.to_string()))?;
    if let Some(e) = query.get("edition").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        if Edition::parse(e).ok() != Some(Edition::E2024) {
            return Err(ApiError::bad("edition", format!("'{e}': criteria are recorded on the communes of edition 2024, where results were recognised")));
        }
    }
    let atlas = state.atlas.current();
    let years = atlas.years();
    let (first, last) = (*years.start(), *years.end());
    let year = |name: &'static str, default: u16| -> Result<u16, ApiError> {
        match query.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => Ok(default),
            Some(t) => t.parse::<u16>().ok().filter(|y| years.contains(y)).ok_or_else(|| {
                ApiError::bad(name, format!("'{t}' is not a year of the data ({first}–{last})"))
            }),
        }
    };
    let date = match params::as_of(&query, &years)? {
        AsOf::Day(d) => Some(d),
        AsOf::Year(_) => None,
    };
    let (from, to) = (year("from", first)?, year("to", last)?);
    if from > to {
        return Err(ApiError::bad("from", format!("from {from} is after to {to}")));
    }
    let edition = atlas.edition(Edition::E2024);
    let commune = edition.commune(code).ok_or_else(|| ApiError::NotFound(format!("no commune {code} in edition 2024")))?;
    let entry = |as_of: AsOf| {
        json!({"level": standing::commune_level(&atlas, commune, as_of), "checklist": standing::commune_checklist(&atlas, commune, as_of)})
    };
    let mut body = json!({
        "commune": {"code": commune.code, "name": commune.name, "kind": commune.kind},
        "meta": Meta::of(&atlas),
    });
    match date {
        Some(d) => {
            body["date"] = json!(d);
            body["state"] = entry(AsOf::Day(d));
        }
        None => {
            let years: Vec<Value> = (from..=to)
                .map(|y| {
                    let mut v = entry(AsOf::Year(y));
                    v["year"] = json!(y);
                    v
                })
                .collect();
            body["years"] = Value::Array(years);
        }
    }
    Ok(Json(body))
}

/// The OpenAPI operation of the commune checklist.
pub fn commune_doc() -> Value {
    let year = |name: &str, what: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "integer"}, "description": what});
    let checklist = json!({"type": "object", "nullable": true, "description": "null for phường, thị trấn and đặc khu, or where no set covers the year", "properties": {
        "set": {"type": "string"}, "decision": {"type": "string"},
        "criteria_met": {"type": "integer"}, "criteria_total": {"type": "integer"},
        "missing": {"type": "array", "items": {"type": "string"}, "description": "Criteria whose latest row says not met"},
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "number": {"type": "string"}, "label_vi": {"type": "string"}, "label_en": {"type": "string"},
            "status": {"type": "string", "enum": ["met", "not_met", "met_by_level", "no_data"]},
            "assessment": {"type": "object", "description": "The row the status comes from"}}}}}});
    json!({
        "summary": "A commune's criteria checklist by year (or on a date): each criterion and indicator of the set it is assessed on, and what is missing",
        "tags": ["criteria"],
        "parameters": [
            {"name": "code", "in": "path", "required": true, "schema": {"type": "string"}, "example": "00571", "description": "Commune code of edition 2024"},
            year("from", "First year (default: the first year of the criteria sets)"),
            year("to", "Last year (default: the last year of the criteria sets)"),
            {"name": "date", "in": "query", "required": false, "schema": {"type": "string", "format": "date"}, "description": "The state on that day instead of by year"},
        ],
        "responses": {
            "200": {"description": "Checklists", "content": {"application/json": {"schema": {"type": "object", "properties": {
                "commune": {"type": "object"},
                "years": {"type": "array", "items": {"type": "object", "properties": {"year": {"type": "integer"}, "level": {"type": "object"}, "checklist": checklist.clone()}}},
                "date": {"type": "string"}, "state": {"type": "object", "properties": {"level": {"type": "object"}, "checklist": checklist}},
                "meta": {"$ref": "#/components/schemas/Meta"}}}}}},
            "400": {"description": "A bad parameter, named"}, "404": {"description": "No such commune"}},
    })
}

/// The OpenAPI operation of the catalog.
pub fn doc() -> Value {
    let item = json!({"type": "object", "properties": {
        "number": {"type": "string", "example": "8.4"},
        "name_vi": {"type": "string", "nullable": true, "description": "As the defining decision writes it; null where no source is on hand"},
        "name_en": {"type": "string", "nullable": true},
        "label_vi": {"type": "string", "description": "The name, or \"Tiêu chí N\" / \"Chỉ tiêu N.M\""},
        "label_en": {"type": "string"}}});
    let mut criterion = item.clone();
    criterion["properties"]["indicators"] = json!({"type": "array", "items": item});
    json!({
        "summary": "The national NTM criteria sets (commune and district, NTM and nâng cao) with their criteria and indicators",
        "tags": ["criteria"],
        "responses": {"200": {"description": "Every criteria set", "content": {"application/json": {"schema": {"type": "object", "properties": {
            "sets": {"type": "array", "items": {"type": "object", "properties": {
                "id": {"type": "string", "example": "xa_ntm_2021"},
                "unit": {"type": "string", "enum": ["commune", "district"]},
                "level": {"type": "string", "enum": ["dat_chuan", "nang_cao", "kieu_mau"]},
                "first_year": {"type": "integer"}, "last_year": {"type": "integer"},
                "decision": {"type": "string", "example": "318/QĐ-TTg"}, "decision_date": {"type": "string", "format": "date"},
                "name_vi": {"type": "string"}, "name_en": {"type": "string"},
                "criteria": {"type": "array", "items": criterion}}}},
            "meta": {"$ref": "#/components/schemas/Meta"}}}}}}},
    })
}
