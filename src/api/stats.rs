//! `GET /api/v1/stats?edition=&year=&province=&district=&format=json|csv`: counts,
//! shares, the 2021–2025 series, the units meeting each criterion and indicator, and
//! progress against the targets for the nation, a province or a district (see
//! [`crate::stats`]). CSV is one row per measure
//! (`scope,edition,year,measure,value`), chosen by `format=csv` or `Accept: text/csv`.

use super::answer_cache::Answer;
use super::params::{self, Params};
use super::{ApiError, AppState};
use crate::model::{DistrictCode, ProvinceCode};
use crate::snapshot::Snapshot;
use crate::stats::{self, StatsQuery};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

/// Steps: read the question; serve the answer kept for it in this data version, or compute
/// it off the HTTP worker threads and keep it ([`super::answer_cache::AnswerCache`]).
pub async fn stats(State(state): State<AppState>, headers: HeaderMap, Query(params): Query<Params>) -> Result<Response, ApiError> {
    let atlas = state.atlas.current();
    let as_of = params::as_of(&params, &atlas.years())?;
    let q = StatsQuery {
        edition: params::edition(&params)?,
        year: as_of.year(),
        day: as_of.day(),
        province: code(&params, "province", ProvinceCode::parse)?,
        district: code(&params, "district", DistrictCode::parse)?,
    };
    let format = format(&params, &headers)?;
    // Everything that shapes the answer, after parsing (so `year=2024` and `year=02024`
    // are one question).
    let key = format!("{}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}", atlas.version, q.edition, q.year, q.day, q.province, q.district, format);
    let answer = state.stats_answers.get_or_compute(key, move || answer(&atlas, q, format)).await?;
    Ok(answer.into_response())
}

/// The answer's body and headers (CPU work: run on the blocking pool).
fn answer(atlas: &Snapshot, q: StatsQuery, format: Format) -> Result<Answer, ApiError> {
    let body = stats::document(atlas, q).map_err(|e| match e {
        e if e.is_unknown() => ApiError::UnknownValue { parameter: e.parameter(), message: e.to_string() },
        e => ApiError::bad(e.parameter(), e.to_string()),
    })?;
    let internal = |e: &dyn std::fmt::Display| ApiError::Internal(e.to_string());
    match format {
        Format::Json => {
            let bytes = serde_json::to_vec(&body).map_err(|e| internal(&e))?;
            Ok(Answer { body: bytes.into(), headers: vec![(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))] })
        }
        Format::Csv => {
            // The scope asked is the scope answered (a district's province is only checked).
            let scope = match (&q.district, &q.province) {
                (Some(d), _) => format!("district:{d}"),
                (None, Some(p)) => format!("province:{p}"),
                (None, None) => "nation".to_string(),
            };
            let text = stats::to_csv(&scope, q.edition.year(), q.year, &stats::rows(&body)).map_err(|e| internal(&e))?;
            let name = format!("attachment; filename=\"bando-stats-{}-{}-{}.csv\"", scope.replace(':', "-"), q.edition, q.year);
            let mut headers = vec![(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"))];
            if let Ok(v) = HeaderValue::from_str(&name) {
                headers.push((header::CONTENT_DISPOSITION, v));
            }
            // The data is sample data unless every layer is real: say so beside the CSV.
            headers.push((HeaderName::from_static("x-bando-sample"), HeaderValue::from_static(if atlas.has_sample_data() { "true" } else { "false" })));
            headers.push((header::VARY, HeaderValue::from_static("Accept")));
            Ok(Answer { body: text.into(), headers })
        }
    }
}

fn code<C>(params: &Params, name: &'static str, parse: fn(&str) -> Result<C, crate::model::CodeError>) -> Result<Option<C>, ApiError> {
    match params.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => parse(text).map(Some).map_err(|e| ApiError::bad(name, e.to_string())),
    }
}

/// `format=json|csv`; without it, CSV when the client accepts `text/csv` and not JSON.
fn format(params: &Params, headers: &HeaderMap) -> Result<Format, ApiError> {
    match params.get("format").map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).as_deref() {
        Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some(other) => Err(ApiError::bad("format", format!("'{other}' is not a format (expected json or csv)"))),
        None => {
            let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
            let wants_csv = accept.contains("text/csv") && !accept.contains("application/json");
            Ok(if wants_csv { Format::Csv } else { Format::Json })
        }
    }
}

/// The OpenAPI 3 `paths` entries of this module's routes.
pub fn openapi_paths() -> Value {
    // OpenAPI 3.0: a value that may be null says `nullable` (a type list is 3.1 only).
    let share = json!({"type": "number", "nullable": true, "minimum": 0, "maximum": 1});
    let counts = json!({"type": "object", "properties": {
        "total": {"type": "integer"}, "eligible": {"type": "integer"}, "not_applicable": {"type": "integer"},
        "no_data": {"type": "integer"}, "chua_dat": {"type": "integer"}, "dat_chuan": {"type": "integer"},
        "nang_cao": {"type": "integer"}, "kieu_mau": {"type": "integer"}, "ntm": {"type": "integer"},
        "ntm_share": share, "nang_cao_share_of_ntm": share, "kieu_mau_share_of_ntm": share}});
    let target = json!({"type": "object",
        "required": ["id", "scope", "computed_for", "applied", "deadline", "source", "label", "unit", "target", "actual", "met", "on_track", "trajectory"],
        "properties": {
        "id": {"type": "string"},
        "scope": {"type": "string", "description": "Who the target is set for: nation, region:ID, province:NN (63-province structure), commune:NNNNN (edition 2024) or commune:NNNNN@2025",
                  "pattern": "^(nation|region:[a-z_]+|province:[0-9]{2}|commune:[0-9]{5}(@2025)?)$"},
        "computed_for": {"type": "string", "description": "The units the actual is computed on: the target's own scope, or the statistics' scope (province:NN, province:NN@2025, district:NNN) when the target is applied to it"},
        "applied": {"type": "boolean", "description": "True when a target of a wider scope is computed for the statistics' scope"},
        "deadline": {"type": "string", "format": "date"},
        "source": {"type": "object", "required": ["document", "article"], "properties": {"document": {"type": "string"}, "article": {"type": "string"}}},
        "label": {"type": "object", "properties": {"vi": {"type": "string"}, "en": {"type": "string"}}},
        "unit": {"type": "string", "enum": ["share", "count"]}, "target": {"type": "number"},
        "actual": {"type": "number", "nullable": true, "description": "Null when the data cannot measure the target (see reason)"},
        "met": {"type": "boolean", "nullable": true, "description": "actual ≥ target; null with a null actual"},
        "on_track": {"type": "boolean", "nullable": true, "description": "actual ≥ the straight line from the first year with data to the target at the deadline, read at the end of the year; a met target is on track"},
        "trajectory": {"type": "object", "nullable": true, "properties": {
            "from_year": {"type": "integer"}, "from_actual": {"type": "number"}, "expected": {"type": "number", "description": "The line's value at the end of the year"}}},
        "reason": {"type": "string", "description": "Why actual is null"}}});
    let criterion = json!({"type": "object",
        "required": ["id", "set", "unit", "item", "label_vi", "label_en", "eligible", "met", "met_by_level", "not_met", "no_data", "missing", "share"],
        "properties": {
        "id": {"type": "string", "description": "{set}.{item}, e.g. xa_ntm_2021.8.4"},
        "set": {"type": "string"}, "unit": {"type": "string", "enum": ["commune", "district"]},
        "item": {"type": "string", "description": "Criterion (8) or indicator (8.4)"},
        "label_vi": {"type": "string"}, "label_en": {"type": "string"},
        "eligible": {"type": "integer", "description": "The scope's xã (commune sets) or districts with a xã (district sets)"},
        "met": {"type": "integer", "description": "Met by the row in force at the end of the year, or by a recognised level at least the set's"},
        "met_by_level": {"type": "integer", "description": "Of met, those met by level alone"},
        "not_met": {"type": "integer", "description": "The row in force says not met"},
        "no_data": {"type": "integer"},
        "missing": {"type": "integer", "description": "eligible − met: units still to bring to the item"},
        "share": share}});
    let series = json!({"type": "object", "properties": {
        "year": {"type": "integer"}, "eligible": {"type": "integer"}, "ntm": {"type": "integer"}, "ntm_share": share,
        "nang_cao": {"type": "integer"}, "kieu_mau": {"type": "integer"},
        "nang_cao_share_of_ntm": share, "kieu_mau_share_of_ntm": share}});
    let tally = json!({"type": "object", "additionalProperties": {"type": "integer"}});
    let body = json!({"type": "object", "required": ["scope", "communes", "districts", "provinces", "pilots", "tourism", "series", "criteria", "targets", "meta"], "properties": {
        "scope": {"type": "object", "description": "edition, year, level (nation|province|district), province, district, region, counted"},
        "communes": counts,
        "communes_2025": {"type": "object", "description": "Edition 2025 only: its own communes by the level the map shows (weakest former xã)",
                          "properties": {"total": {"type": "integer"}, "by_level": tally}},
        "districts": {"type": "object", "properties": {"total": {"type": "integer"}, "eligible": {"type": "integer"}, "completed": {"type": "integer"}, "completed_share": share, "by_level": tally}},
        "provinces": {"type": "object", "properties": {"total": {"type": "integer"}, "completed": {"type": "integer"}}},
        "pilots": {"type": "object", "properties": {"total": {"type": "integer"}, "by_kind": tally, "by_field": tally}},
        "tourism": {"type": "object", "properties": {"total": {"type": "integer"}, "by_category": tally}},
        "series": {"type": "array", "items": series, "minItems": 5, "maxItems": 5},
        "criteria": {"type": "array", "items": criterion, "description": "Each criterion and indicator of the sets that apply in the year (state in force at the end of the year)"},
        "targets": {"type": "array", "items": target, "description": "Decision 263/QĐ-TTg's targets and those of the targets table (geodata/targets/targets.csv)"},
        "meta": {"type": "object"}}});
    let error = super::error_schema();
    let parameters = json!([
        {"name": "edition", "in": "query", "required": false, "description": "Boundary edition of the scope; 2025 is counted through the crosswalk on the former (2024) communes", "schema": {"type": "integer", "enum": [2024, 2025], "default": 2024}},
        {"name": "year", "in": "query", "required": false, "description": "Levels and criteria in force at the end of this year: one of the years the data covers (default: the last)", "schema": {"type": "integer"}},
        {"name": "date", "in": "query", "required": false, "description": "A day (YYYY-MM-DD): counts and criteria shares in force on that day; the series and the targets stay by year (the date's year)", "schema": {"type": "string", "format": "date"}},
        {"name": "province", "in": "query", "required": false, "description": "GSO province code of the edition (e.g. 01)", "schema": {"type": "string", "pattern": "^[0-9]{1,2}$"}},
        {"name": "district", "in": "query", "required": false, "description": "GSO district code (edition 2024 only, e.g. 018)", "schema": {"type": "string", "pattern": "^[0-9]{1,3}$"}},
        {"name": "format", "in": "query", "required": false, "description": "json (default) or csv; without it, Accept: text/csv chooses CSV", "schema": {"type": "string", "enum": ["json", "csv"]}}
    ]);
    json!({
        "/api/v1/stats": {
            "get": {
                "summary": "NTM statistics and progress against the 2025 targets for the nation, a province or a district",
                "operationId": "stats",
                "tags": ["statistics"],
                "parameters": parameters,
                "responses": {
                    "200": {"description": "Statistics",
                            "content": {
                                "application/json": {"schema": body},
                                "text/csv": {"schema": {"type": "string", "description": "Header scope,edition,year,measure,value; one row per measure (communes.ntm_share, series.2023.ntm, criteria.xa_ntm_2021.8.4.share, targets.ntm_share.met, …)"}}}},
                    "400": {"description": "A bad parameter (year, edition, format, a malformed code, a district with edition 2025), named in error.parameter", "content": {"application/json": {"schema": error}}},
                    "404": {"description": "No province or district has that code; error.parameter names which", "content": {"application/json": {"schema": error}}}
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_paths_describe_the_route_its_parameters_and_errors() {
        let paths = super::openapi_paths();
        let op = &paths["/api/v1/stats"]["get"];
        let names: Vec<&str> = op["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["edition", "year", "date", "province", "district", "format"]);
        assert!(op["responses"]["200"]["content"]["application/json"]["schema"].is_object());
        assert!(op["responses"]["400"].is_object());
    }
}
