//! Accounts, for admins: `GET /api/v1/manage/accounts` lists them (never a password
//! hash), `POST` adds one, `PATCH /api/v1/manage/accounts/{username}` changes its role
//! and provinces, disables or enables it, or sets a new password. Province codes must be
//! provinces of the edition in force (2025) in the current data. Every change goes to the
//! authentication log (with the admin's name and address) and to the server log.
//!
//! The accounts page ([`super::accounts_page`]) calls the same [`add_account`] and
//! [`change_account`].
//!
//! An admin cannot disable or demote their own account: the last admin could otherwise
//! lock everyone out (the command line can still do anything).

use super::auth::{Client, Editor};
use super::error::ManageError;
use super::tokens::{blocking, store};
use crate::api::AppState;
use crate::model::Edition;
use crate::store::{Account, NewAccount, Origin, Password, Role};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::json;

/// The body of `POST /api/v1/manage/accounts`.
#[derive(serde::Deserialize)]
pub struct AddAccount {
    pub username: String,
    #[serde(default)]
    pub name: String,
    pub role: String,
    #[serde(default)]
    pub provinces: Vec<String>,
    pub password: String,
}

/// The body of `PATCH /api/v1/manage/accounts/{username}`: each field optional.
#[derive(serde::Deserialize)]
#[derive(Default)]
pub struct ChangeAccount {
    pub role: Option<String>,
    pub provinces: Option<Vec<String>>,
    pub disabled: Option<bool>,
    pub password: Option<String>,
}

fn parse_role(text: &str) -> Result<Role, ManageError> {
    Role::parse(text).ok_or_else(|| ManageError::BadRequest { field: "role", message: format!("'{text}' is not admin, province or reviewer") })
}

/// Refuses codes that are not provinces of edition 2025 in the current data.
fn check_known(state: &AppState, provinces: &[String]) -> Result<(), ManageError> {
    let snapshot = state.atlas.current();
    let known = &snapshot.edition(Edition::E2025).provinces;
    let unknown: Vec<&str> = provinces.iter().map(|p| p.trim()).filter(|p| !known.keys().any(|k| k.to_string() == *p)).collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(ManageError::BadRequest { field: "provinces", message: format!("{} is not a province code of edition 2025", unknown.join(", ")) })
    }
}

/// `GET /api/v1/manage/accounts`.
pub async fn list(State(state): State<AppState>, editor: Editor) -> Result<Json<serde_json::Value>, ManageError> {
    editor.require_admin()?;
    let store = store(&state)?;
    let accounts = blocking(move || store.accounts()).await?;
    Ok(Json(json!({"accounts": accounts})))
}

/// `POST /api/v1/manage/accounts`.
pub async fn add(State(state): State<AppState>, editor: Editor, client: Client, Json(body): Json<AddAccount>) -> Result<(StatusCode, Json<serde_json::Value>), ManageError> {
    let account = add_account(&state, &editor, &client, body).await?;
    Ok((StatusCode::CREATED, Json(json!(account))))
}

/// Adds an account (the JSON route and the accounts page's form).
pub async fn add_account(state: &AppState, editor: &Editor, client: &Client, body: AddAccount) -> Result<Account, ManageError> {
    editor.require_admin()?;
    let store = store(state)?;
    let role = parse_role(&body.role)?;
    check_known(state, &body.provinces)?;
    let new = NewAccount { username: body.username, display_name: body.name, role, provinces: body.provinces, password: Password::new(body.password)? };
    let actor = editor.username.clone();
    let address = client.address.clone();
    let account = blocking(move || store.add_account(new, Origin { actor: Some(&actor), client: &address })).await?;
    tracing::info!(username = %account.username, role = %account.role, provinces = ?account.provinces, by = %editor.username, client = %client.address, "account added");
    Ok(account)
}

/// `PATCH /api/v1/manage/accounts/{username}`.
pub async fn change(State(state): State<AppState>, editor: Editor, client: Client, Path(username): Path<String>, Json(body): Json<ChangeAccount>) -> Result<Json<serde_json::Value>, ManageError> {
    let account = change_account(&state, &editor, &client, username, body).await?;
    Ok(Json(json!(account)))
}

/// Changes an account (the JSON route and the accounts page's forms).
pub async fn change_account(state: &AppState, editor: &Editor, client: &Client, username: String, body: ChangeAccount) -> Result<Account, ManageError> {
    editor.require_admin()?;
    let store = store(state)?;
    let own = username.trim().eq_ignore_ascii_case(&editor.username);
    let role = body.role.as_deref().map(parse_role).transpose()?;
    if own && (body.disabled == Some(true) || role.is_some_and(|r| r != Role::Admin)) {
        return Err(ManageError::Conflict("an admin cannot disable or demote their own account; ask another admin or use `bando user`".into()));
    }
    if let Some(provinces) = &body.provinces {
        check_known(state, provinces)?;
    }
    let password = body.password.map(Password::new).transpose()?;
    let resetting = password.is_some();
    let (actor, address, name) = (editor.username.clone(), client.address.clone(), username.clone());
    let (before, after) = blocking(move || {
        let origin = Origin { actor: Some(&actor), client: &address };
        let before = store.account(&name)?.ok_or_else(|| crate::store::AccountError::Unknown(name.clone()))?;
        let mut after = before.clone();
        if role.is_some() || body.provinces.is_some() {
            let role = role.unwrap_or(before.role);
            let provinces = body.provinces.unwrap_or_else(|| if role == Role::Province { before.provinces.clone() } else { Vec::new() });
            after = store.set_role(&name, role, &provinces, origin)?;
        }
        if let Some(disabled) = body.disabled {
            after = store.set_disabled(&name, disabled, origin)?;
        }
        if let Some(password) = &password {
            after = store.reset_password(&name, password, origin)?;
        }
        Ok::<_, crate::store::AccountError>((before, after))
    })
    .await?;
    if (before.role, &before.provinces) != (after.role, &after.provinces) {
        tracing::info!(username = %after.username, from = %before.role, to = %after.role, provinces = ?after.provinces, by = %editor.username, client = %client.address, "role changed");
    }
    if before.disabled != after.disabled {
        tracing::info!(username = %after.username, disabled = after.disabled, by = %editor.username, client = %client.address, "account disabled or enabled");
    }
    if resetting {
        tracing::info!(username = %after.username, by = %editor.username, client = %client.address, "password reset");
    }
    Ok(after)
}
