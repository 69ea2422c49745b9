//! API tokens for scripts, and the secret helpers sessions share.
//!
//! A token is `bando_` followed by 32 random bytes in URL-safe base64. It is shown once,
//! when created; the database keeps only its SHA-256, so a copy of the database opens
//! nothing. Steps of a request with `Authorization: Bearer <token>`
//! ([`Store::token_editor`]): 1. hash the offered text; 2. find the token by its hash
//! (a unique index: no scan, no comparison of secrets in Rust); 3. refuse it when revoked
//! or when its account is disabled; 4. note when it was last used.

use super::accounts::{read_account, Account};
use super::auth_log::{append, AuthEvent, AuthEventKind, Origin};
use super::{Store, StoreError};
use base64::Engine;
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

/// Seconds since 1970 (UTC): the unit of every time in the store.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// A secret's text (a session cookie, a CSRF token, an API token). Its `Debug` shows no
/// character of it, so it cannot reach a log through `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// 32 random bytes from the operating system, URL-safe base64, after `prefix`.
    pub fn random(prefix: &str) -> Secret {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system's random source");
        Secret(format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// Wraps text received from a client.
    pub fn from_text(text: &str) -> Secret {
        Secret(text.to_string())
    }

    /// The text, to send to its owner (a cookie, a form field, the token answer).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the text: what the database keeps.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::digest(self.0.as_bytes()).into()
    }

    /// Whether `offered` is this secret, in time independent of where they differ.
    pub fn matches(&self, offered: &str) -> bool {
        use subtle::ConstantTimeEq;
        self.0.len() == offered.len() && bool::from(self.0.as_bytes().ct_eq(offered.as_bytes()))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The prefix of API tokens (recognisable in a script or a secret scanner).
pub const TOKEN_PREFIX: &str = "bando_";

/// An API token as listed: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub account_id: i64,
    pub username: String,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// Why a token call was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("name: give the token a name of 1 to 100 characters (what the script does)")]
    Name,
    #[error("no token {0}")]
    Unknown(i64),
}

impl From<rusqlite::Error> for TokenError {
    fn from(e: rusqlite::Error) -> Self {
        TokenError::Store(e.into())
    }
}

const TOKEN_COLUMNS: &str =
    "t.id, t.account_id, a.username, t.name, t.created_at, t.last_used_at, t.revoked_at FROM api_tokens t JOIN accounts a ON a.id = t.account_id";

fn read_token(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: r.get(0)?,
        account_id: r.get(1)?,
        username: r.get(2)?,
        name: r.get(3)?,
        created_at: r.get(4)?,
        last_used_at: r.get(5)?,
        revoked_at: r.get(6)?,
    })
}

impl Store {
    /// Creates a token for `account`; the secret is returned here and never again.
    pub fn create_token(&self, account: &Account, name: &str, origin: Origin<'_>) -> Result<(ApiToken, Secret), TokenError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(TokenError::Name);
        }
        let secret = Secret::random(TOKEN_PREFIX);
        let now = unix_now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO api_tokens (account_id, name, token_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![account.id, name, secret.hash().as_slice(), now],
        )?;
        let id = tx.last_insert_rowid();
        let detail = Some(format!("token {id} \u{201c}{name}\u{201d}"));
        append(&tx, &AuthEvent { kind: AuthEventKind::TokenCreated, username: &account.username, origin, detail }, now)?;
        let token = tx.query_row(&format!("SELECT {TOKEN_COLUMNS} WHERE t.id = ?1"), [id], read_token)?;
        tx.commit()?;
        Ok((token, secret))
    }

    /// The tokens of one account (`Some(id)`) or of all (`None`), newest first.
    pub fn tokens(&self, account_id: Option<i64>) -> Result<Vec<ApiToken>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!("SELECT {TOKEN_COLUMNS} WHERE ?1 IS NULL OR t.account_id = ?1 ORDER BY t.id DESC"))?;
        let rows = stmt.query_map([account_id], read_token)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One token by id.
    pub fn token(&self, id: i64) -> Result<Option<ApiToken>, StoreError> {
        Ok(self.conn().query_row(&format!("SELECT {TOKEN_COLUMNS} WHERE t.id = ?1"), [id], read_token).optional()?)
    }

    /// Revokes token `id` (revoking it again changes nothing).
    pub fn revoke_token(&self, id: i64, origin: Origin<'_>) -> Result<ApiToken, TokenError> {
        let now = unix_now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let token = tx.query_row(&format!("SELECT {TOKEN_COLUMNS} WHERE t.id = ?1"), [id], read_token).optional()?.ok_or(TokenError::Unknown(id))?;
        if token.revoked_at.is_none() {
            tx.execute("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1", params![id, now])?;
            let detail = Some(format!("token {id} \u{201c}{}\u{201d}", token.name));
            append(&tx, &AuthEvent { kind: AuthEventKind::TokenRevoked, username: &token.username, origin, detail }, now)?;
        }
        let token = tx.query_row(&format!("SELECT {TOKEN_COLUMNS} WHERE t.id = ?1"), [id], read_token)?;
        tx.commit()?;
        Ok(token)
    }

    /// The account and token id behind `offered`, when it is a live token of an enabled
    /// account (steps of the module doc).
    pub fn token_editor(&self, offered: &Secret) -> Result<Option<(Account, i64)>, StoreError> {
        let now = unix_now();
        let conn = self.conn();
        let found: Option<(i64, i64)> = conn
            .query_row(
                "SELECT id, account_id FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL",
                [offered.hash().as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((token_id, account_id)) = found else { return Ok(None) };
        let Some(account) = read_account(&conn, account_id)? else { return Ok(None) };
        if account.disabled {
            return Ok(None);
        }
        // Minute resolution is enough for "last used" and spares a write per request.
        conn.execute("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1 AND (last_used_at IS NULL OR last_used_at < ?2 - 60)", params![token_id, now])?;
        Ok(Some((account, token_id)))
    }
}
