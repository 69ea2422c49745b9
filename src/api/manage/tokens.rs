//! API tokens for scripts: `POST /api/v1/manage/tokens` creates one for the signed-in
//! account and answers its secret once; `GET` lists the account's tokens (an admin's
//! `?all=true` lists everyone's), never a secret; `DELETE /api/v1/manage/tokens/{id}`
//! revokes one (one's own, or any for an admin). Creation and revocation go to the
//! authentication log.

use super::auth::{Client, Editor};
use super::error::ManageError;
use crate::api::AppState;
use crate::store::{Origin, Store};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::sync::Arc;

/// The body of `POST /api/v1/manage/tokens`.
#[derive(Debug, serde::Deserialize)]
pub struct NewToken {
    name: String,
}

#[derive(Debug, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    all: bool,
}

pub(super) fn store(state: &AppState) -> Result<Arc<Store>, ManageError> {
    state.store.clone().ok_or(ManageError::NoStore)
}

/// Runs a store call on the blocking pool.
pub(super) async fn blocking<T: Send + 'static, E: Into<ManageError> + Send + 'static>(f: impl FnOnce() -> Result<T, E> + Send + 'static) -> Result<T, ManageError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ManageError::Internal(e.to_string()))?.map_err(Into::into)
}

/// `POST /api/v1/manage/tokens`.
pub async fn create(State(state): State<AppState>, editor: Editor, client: Client, Json(body): Json<NewToken>) -> Result<Response, ManageError> {
    let store = store(&state)?;
    let name = editor.username.clone();
    let (token, secret) = blocking(move || {
        let account = store.account(&name)?.ok_or_else(|| crate::store::AccountError::Unknown(name.clone()))?;
        store.create_token(&account, &body.name, Origin { actor: Some(&name), client: &client.address }).map_err(ManageError::from)
    })
    .await?;
    tracing::info!(username = %editor.username, token_id = token.id, token_name = %token.name, "API token created");
    let mut answer = serde_json::to_value(&token).map_err(|e| ManageError::Internal(e.to_string()))?;
    answer["token"] = json!(secret.expose());
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `GET /api/v1/manage/tokens`.
pub async fn list(State(state): State<AppState>, editor: Editor, Query(q): Query<ListQuery>) -> Result<Json<serde_json::Value>, ManageError> {
    let store = store(&state)?;
    if q.all {
        editor.require_admin()?;
    }
    let scope = (!q.all).then_some(editor.account_id);
    let tokens = blocking(move || store.tokens(scope)).await?;
    Ok(Json(json!({"tokens": tokens})))
}

/// `DELETE /api/v1/manage/tokens/{id}`.
pub async fn revoke(State(state): State<AppState>, editor: Editor, client: Client, Path(id): Path<String>) -> Result<StatusCode, ManageError> {
    let store = store(&state)?;
    let id: i64 = id.parse().map_err(|_| ManageError::BadRequest { field: "id", message: format!("'{id}' is not a token id") })?;
    let actor = editor.username.clone();
    let is_admin = editor.is_admin();
    let own = editor.account_id;
    let revoked = blocking(move || {
        // Someone else's token is reported as absent, not forbidden: ids are not probed.
        match store.token(id)? {
            Some(t) if t.account_id == own || is_admin => {}
            _ => return Err(ManageError::NotFound(format!("no token {id}"))),
        }
        store.revoke_token(id, Origin { actor: Some(&actor), client: &client.address }).map_err(ManageError::from)
    })
    .await?;
    tracing::info!(username = %editor.username, token_id = revoked.id, owner = %revoked.username, "API token revoked");
    Ok(StatusCode::NO_CONTENT)
}
