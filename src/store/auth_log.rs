//! The authentication log: an append-only table of logins, failures, logouts, token and
//! account changes, with the username concerned, who acted and the client's address.
//!
//! Steps: callers build an [`AuthEvent`] and [`Store::log_auth`] appends it (account
//! changes append theirs inside the same transaction as the change, via [`append`]).
//! Nothing secret is ever written: an event has no field that could hold a password or
//! a token, only names, addresses and a short free-text detail set by bando's own code.

use super::{Store, StoreError};
use rusqlite::{params, Connection};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthEventKind {
    LoginOk,
    LoginFailed,
    /// A login refused by the rate limit (the password was not even checked).
    LoginThrottled,
    Logout,
    TokenCreated,
    TokenRevoked,
    AccountAdded,
    AccountDisabled,
    AccountEnabled,
    RoleChanged,
    PasswordReset,
}

impl AuthEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthEventKind::LoginOk => "login_ok",
            AuthEventKind::LoginFailed => "login_failed",
            AuthEventKind::LoginThrottled => "login_throttled",
            AuthEventKind::Logout => "logout",
            AuthEventKind::TokenCreated => "token_created",
            AuthEventKind::TokenRevoked => "token_revoked",
            AuthEventKind::AccountAdded => "account_added",
            AuthEventKind::AccountDisabled => "account_disabled",
            AuthEventKind::AccountEnabled => "account_enabled",
            AuthEventKind::RoleChanged => "role_changed",
            AuthEventKind::PasswordReset => "password_reset",
        }
    }
}

/// Who acts and from where: the signed-in username (or `None` for the command line
/// and for logins) and the client's address (`command line` for the CLI).
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    pub actor: Option<&'a str>,
    pub client: &'a str,
}

impl Origin<'static> {
    /// The `bando user …` commands, run by whoever can read the data folder.
    pub const COMMAND_LINE: Origin<'static> = Origin { actor: None, client: "command line" };
}

/// One event to append.
#[derive(Debug, Clone)]
pub struct AuthEvent<'a> {
    pub kind: AuthEventKind,
    /// The account the event is about (the name typed, for a failed login).
    pub username: &'a str,
    pub origin: Origin<'a>,
    /// A short explanation written by bando (e.g. `wrong password`, `role province → admin`).
    pub detail: Option<String>,
}

/// One row of the log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuthLogEntry {
    pub id: i64,
    pub at: i64,
    pub event: String,
    pub username: String,
    pub actor: Option<String>,
    pub client: String,
    pub detail: Option<String>,
}

/// Appends `event` on `conn` (inside the caller's transaction, when there is one).
pub(crate) fn append(conn: &Connection, event: &AuthEvent<'_>, now: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO auth_log (at, event, username, actor, client, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![now, event.kind.as_str(), event.username, event.origin.actor, event.origin.client, event.detail],
    )?;
    Ok(())
}

impl Store {
    /// Appends one event to the authentication log.
    pub fn log_auth(&self, event: &AuthEvent<'_>) -> Result<(), StoreError> {
        append(&self.conn(), event, super::tokens::unix_now())
    }

    /// The last `limit` events, newest first.
    pub fn auth_log(&self, limit: usize) -> Result<Vec<AuthLogEntry>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, at, event, username, actor, client, detail FROM auth_log ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(AuthLogEntry {
                id: r.get(0)?,
                at: r.get(1)?,
                event: r.get(2)?,
                username: r.get(3)?,
                actor: r.get(4)?,
                client: r.get(5)?,
                detail: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
