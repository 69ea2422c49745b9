//! The public record of what was published, for a server with a managed data folder:
//!
//! - `GET /api/v1/communes/{code}/history`: every published change of a commune's
//!   records (its results, criteria, pilots and tourism sites), oldest first: record,
//!   field, old and new value, who submitted, who approved, when, on which decision;
//! - `GET /api/v1/publications`: every published version with its counts.
//!
//! Without `--data-dir` there is no history to tell: both answer 404 saying so.
//! Store reads run on the blocking pool (SQLite calls block).
//!
//! People are named by their accounts' display names (the office, as the admin wrote
//! it), never by their usernames: a username is half of what signs in, and the public
//! has no use for it. The management change log, behind a sign-in, keeps usernames.

use super::error::ApiError;
use super::AppState;
use crate::manage::Publisher;
use crate::store::{format_utc, Store};
use axum::extract::{Path, State};
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// The publisher of a managed server, or the 404 of a server without one.
pub(super) fn publisher(state: &AppState) -> Result<Arc<Publisher>, ApiError> {
    state.publisher.clone().ok_or_else(|| {
        ApiError::NotFound("this server keeps no publication history: it serves files read-only (start it with --data-dir)".into())
    })
}

/// Runs a store call on the blocking pool; a store failure is the server's (500).
pub(super) async fn blocking<T: Send + 'static>(call: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| ApiError::Internal(format!("store call failed: {e}")))?
        .map_err(ApiError::Internal)
}

pub async fn commune_history(State(state): State<AppState>, Path(code): Path<String>) -> Result<Json<Value>, ApiError> {
    if code.len() != 5 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad("code", format!("'{code}' is not a commune code (5 digits)")));
    }
    let publisher = publisher(&state)?;
    let unit = code.clone();
    let (mut changes, names) = blocking(move || {
        let store = publisher.store();
        Ok((store.history(&unit).map_err(|e| e.to_string())?, public_names(store)?))
    })
    .await?;
    for c in &mut changes {
        c.submitted_by = c.submitted_by.as_deref().map(|u| names.of(u));
        c.approved_by = names.of(&c.approved_by);
    }
    Ok(Json(json!({ "code": code, "changes": changes })))
}

/// Usernames → display names, for the public answers.
struct PublicNames(HashMap<String, String>);

impl PublicNames {
    /// The display name of `username`'s account; a name without an account (the seed's
    /// `bando-seed`) is told as it is.
    fn of(&self, username: &str) -> String {
        self.0.get(username).cloned().unwrap_or_else(|| username.to_string())
    }
}

fn public_names(store: &Store) -> Result<PublicNames, String> {
    let accounts = store.accounts().map_err(|e| e.to_string())?;
    Ok(PublicNames(accounts.into_iter().map(|a| (a.username, a.display_name)).collect()))
}

pub async fn publications(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let publisher = publisher(&state)?;
    let (list, names) = blocking(move || {
        let store = publisher.store();
        Ok((store.publications().map_err(|e| e.to_string())?, public_names(store)?))
    })
    .await?;
    let publications: Vec<Value> = list
        .iter()
        .map(|p| {
            json!({
                "id": p.id, "at": format_utc(p.at), "by": names.of(&p.by), "submission": p.submission,
                "decision": p.decision, "counts": p.counts, "changed": p.changed,
            })
        })
        .collect();
    Ok(Json(json!({ "publications": publications })))
}

/// OpenAPI operations of the routes above.
pub fn history_doc() -> Value {
    let change = json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "publication": {"type": "integer"}, "submission": {"type": "integer", "nullable": true},
        "kind": {"type": "string", "enum": ["commune_result", "district_result", "province_result", "criteria", "pilot", "tourism"]},
        "key": {"type": "string", "description": "The record's key columns joined by |"},
        "unit_code": {"type": "string"}, "field": {"type": "string"},
        "old": {"type": "string", "nullable": true, "description": "null when the record was new"}, "new": {"type": "string"},
        "submitted_by": {"type": "string", "nullable": true, "description": "The display name of the account that submitted it"}, "approved_by": {"type": "string", "description": "The display name of the approving account"},
        "at": {"type": "string", "description": "UTC, RFC 3339"}, "decision": {"type": "string", "nullable": true}}});
    json!({
        "summary": "Published changes of a commune's records",
        "description": "Every published change of the commune's results, criteria, pilots and tourism sites, oldest first, with who submitted and approved it and the decision. Only on a server with a managed data folder (`--data-dir`); 404 otherwise.",
        "parameters": [{"name": "code", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9]{5}$"}, "example": "00571"}],
        "responses": {
            "200": {"description": "The changes", "content": {"application/json": {"schema": {"type": "object", "properties": {
                "code": {"type": "string"}, "changes": {"type": "array", "items": change}}}}}},
            "400": {"description": "Not a commune code", "content": {"application/json": {"schema": super::error_schema()}}},
            "404": {"description": "The server keeps no history", "content": {"application/json": {"schema": super::error_schema()}}}
        }
    })
}

pub fn publications_doc() -> Value {
    json!({
        "summary": "Published versions of the data",
        "description": "Every publication, oldest first: when, by whom, the approved submission and decision, the records published by kind and how many it changed. Only on a server with a managed data folder (`--data-dir`).",
        "responses": {
            "200": {"description": "The publications", "content": {"application/json": {"schema": {"type": "object", "properties": {
                "publications": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "at": {"type": "string"}, "by": {"type": "string", "description": "The display name of the approving account"},
                    "submission": {"type": "integer", "nullable": true}, "decision": {"type": "string", "nullable": true},
                    "counts": {"type": "object", "additionalProperties": {"type": "integer"}}, "changed": {"type": "integer"}}}}}}}}},
            "404": {"description": "The server keeps no history", "content": {"application/json": {"schema": super::error_schema()}}}
        }
    })
}
