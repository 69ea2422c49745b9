//! `GET /api/v1/criteria`: the national criteria sets, each criterion with its
//! indicators, its names (or its number where no name is sourced) and the decision that
//! defines the set.

use super::meta::Meta;
use super::AppState;
use crate::model::{CriteriaItem, CriteriaSet};
use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

pub async fn criteria(State(state): State<AppState>) -> Json<Value> {
    let atlas = state.atlas.current();
    let sets: Vec<Value> = atlas.criteria.catalog.sets.iter().map(set_json).collect();
    Json(json!({ "sets": sets, "meta": Meta::of(&atlas) }))
}

fn set_json(set: &CriteriaSet) -> Value {
    let criteria: Vec<Value> = set
        .criteria()
        .map(|c| {
            let indicators: Vec<Value> =
                set.items.iter().filter(|i| i.number.criterion == c.number.criterion && i.number.is_indicator()).map(item_json).collect();
            let mut v = item_json(c);
            v["indicators"] = Value::Array(indicators);
            v
        })
        .collect();
    json!({
        "id": set.id, "unit": set.unit, "level": set.level,
        "first_year": set.first_year, "last_year": set.last_year,
        "decision": set.decision, "decision_date": set.decision_date,
        "name_vi": set.name_vi, "name_en": set.name_en,
        "criteria": criteria,
    })
}

fn item_json(item: &CriteriaItem) -> Value {
    json!({
        "number": item.number, "name_vi": item.name_vi, "name_en": item.name_en,
        "label_vi": item.label_vi(), "label_en": item.label_en(),
    })
}

/// The OpenAPI operation.
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
