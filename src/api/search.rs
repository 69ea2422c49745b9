//! `GET /api/v1/search?q=&limit=&edition=`: communes, districts, provinces, pilot
//! models and tourism sites by name (see [`crate::search`] for the matching).

use super::answer_cache::Answer;
use super::meta::Meta;
use super::params::{self, Params};
use super::{ApiError, AppState};
use crate::search::{DEFAULT_LIMIT, MAX_LIMIT};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// Longest query accepted, in characters (longer text is no name).
const MAX_QUERY_CHARS: usize = 200;

/// Steps: check the question; serve the answer kept for it in this data version, or
/// search off the HTTP worker threads and keep the answer
/// ([`super::answer_cache::AnswerCache`]: the day a result makes the news, thousands of
/// readers type the same few names).
pub async fn search(State(state): State<AppState>, Query(params): Query<Params>) -> Result<Response, ApiError> {
    let q = params.get("q").map(|s| s.trim()).unwrap_or("");
    if q.is_empty() {
        return Err(ApiError::bad("q", "the parameter 'q' (a name to search for) is required"));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad("q", format!("the query is longer than {MAX_QUERY_CHARS} characters")));
    }
    let limit = limit(&params)?;
    let edition = params::edition(&params)?;
    let atlas = state.atlas.current();
    let key = format!("{}|{edition:?}|{limit}|{q}", atlas.version);
    let q = q.to_string();
    let answer = state
        .search_answers
        .get_or_compute(key, move || {
            let hits = atlas.search_index().search(&q, edition, limit);
            let body = serde_json::to_vec(&json!({ "query": q, "edition": edition, "hits": hits, "meta": Meta::of(&atlas) }))
                .map_err(|e| ApiError::Internal(e.to_string()))?;
            Ok(Answer { body: body.into(), headers: vec![(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))] })
        })
        .await?;
    Ok(answer.into_response())
}

fn limit(params: &Params) -> Result<usize, ApiError> {
    match params.get("limit").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_LIMIT),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(ApiError::bad("limit", format!("'{text}' is not a whole number from 1 to {MAX_LIMIT}"))),
        },
    }
}

/// The OpenAPI 3 `paths` entries of this module's routes.
pub fn openapi_paths() -> Value {
    let kinds = json!(["commune", "district", "province", "pilot", "tourism"]);
    let parent = json!({"type": "object", "properties": {
        "kind": {"type": "string", "enum": kinds}, "code": {"type": "string"}, "name": {"type": "string"}}});
    let hit = json!({
        "type": "object",
        "required": ["kind", "code", "name", "label", "edition", "parents", "bbox", "point", "score"],
        "properties": {
            "kind": {"type": "string", "enum": kinds},
            "code": {"type": "string", "description": "GSO code; the id for pilots and tourism sites"},
            "name": {"type": "string"},
            "label": {"type": "string", "description": "Name followed by the parents' names"},
            "edition": {"type": "integer", "nullable": true, "description": "null for pilots and tourism sites"},
            "parents": {"type": "array", "items": parent},
            "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4, "description": "[min_lon, min_lat, max_lon, max_lat]"},
            "point": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2, "description": "[lon, lat]: label point or site position, inside bbox"},
            "score": {"type": "number", "minimum": 0, "maximum": 1}
        }
    });
    let error = super::error_schema();
    json!({
        "/api/v1/search": {
            "get": {
                "summary": "Find communes, districts, provinces, pilot models and tourism sites by name",
                "description": "Case- and diacritics-insensitive (\"duong xa\" finds \"Xã Dương Xá\"), with or without the administrative prefix (Xã, Phường, Huyện, Thành phố, …), with the spaces left out (\"duongxa\"), as a prefix while typing, and tolerant of typos (sound-alike letters such as s/x cost half an edit). Ranked: exact name 1.0 (with the prefix if the query has one), the same name under another prefix 0.985, exact without spaces 0.97, name beginning with the query 0.85–0.95, every query word a word of the name 0.65–0.75, typo matches 0.30–0.55; things of another boundary edition than asked lose 0.02; ties by kind (commune, district, province, pilot, tourism) then code.",
                "operationId": "search",
                "tags": ["search"],
                "parameters": [
                    {"name": "q", "in": "query", "required": true, "description": "The name, or part of it, optionally followed by its district and province (\"phu cat quoc oai\", \"Dương Xá, Gia Lâm, Hà Nội\")", "schema": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS}, "example": "duong xa"},
                    {"name": "limit", "in": "query", "required": false, "description": "Most hits to return", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}},
                    {"name": "edition", "in": "query", "required": false, "description": "Boundary edition whose units rank first", "schema": {"type": "integer", "enum": [2024, 2025], "default": 2024}}
                ],
                "responses": {
                    "200": {
                        "description": "Hits, best first",
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "required": ["query", "hits", "meta"],
                            "properties": {
                                "query": {"type": "string"},
                                "edition": {"type": "integer"},
                                "hits": {"type": "array", "items": hit},
                                "meta": {"type": "object"}
                            }
                        }}}
                    },
                    "400": {"description": "A bad parameter (q missing or empty, limit outside 1–50, edition not 2024 or 2025), named in error.parameter",
                            "content": {"application/json": {"schema": error}}}
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
        let op = &paths["/api/v1/search"]["get"];
        let names: Vec<&str> = op["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["q", "limit", "edition"]);
        assert!(op["responses"]["200"]["content"]["application/json"]["schema"].is_object());
        assert!(op["responses"]["400"].is_object());
    }
}
