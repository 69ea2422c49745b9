//! Browser sessions of the management pages.
//!
//! A login creates a session: a random 32-byte token for the cookie (the database keeps
//! its SHA-256 only) and a CSRF token for the forms of that session. A session ends at
//! logout, after [`IDLE_SECS`] without a request, [`ABSOLUTE_SECS`] after the login
//! whatever the activity, or when its account is disabled, changes role or gets a new
//! password. Steps of [`Store::session`]: 1. find the session by the hash of the cookie;
//! 2. drop it when expired; 3. load its account (refused when disabled); 4. push the idle
//! deadline forward (at most once a minute, to spare writes).

use super::accounts::{read_account, Account};
use super::auth_log::{append, AuthEvent, AuthEventKind, Origin};
use super::tokens::{unix_now, Secret};
use super::{Store, StoreError};
use rusqlite::{params, OptionalExtension};

/// A session ends after this long without a request (12 h).
pub const IDLE_SECS: i64 = 12 * 3600;
/// A session ends this long after the login, whatever the activity (7 days).
pub const ABSOLUTE_SECS: i64 = 7 * 24 * 3600;

/// A session just created: the secrets to hand to the browser.
#[derive(Debug)]
pub struct NewSession {
    /// The cookie value.
    pub secret: Secret,
    pub csrf: Secret,
    pub expires_at: i64,
}

/// A live session and its account.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub account: Account,
    pub csrf: Secret,
    pub created_at: i64,
    pub expires_at: i64,
}

impl Store {
    /// Opens a session for `account` (after its password was checked) and logs the login.
    pub fn create_session(&self, account: &Account, client: &str) -> Result<NewSession, StoreError> {
        let now = unix_now();
        let (secret, csrf) = (Secret::random(""), Secret::random(""));
        let expires_at = now + ABSOLUTE_SECS;
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        // Expired sessions of anyone are cleared here: logins are rare, so this is cheap.
        tx.execute("DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?1 - ?2", params![now, IDLE_SECS])?;
        tx.execute(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, client, created_at, last_seen_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
            params![secret.hash().as_slice(), account.id, csrf.expose(), client, now, expires_at],
        )?;
        let origin = Origin { actor: Some(&account.username), client };
        append(&tx, &AuthEvent { kind: AuthEventKind::LoginOk, username: &account.username, origin, detail: None }, now)?;
        tx.commit()?;
        Ok(NewSession { secret, csrf, expires_at })
    }

    /// The live session of the cookie `offered` (steps of the module doc).
    pub fn session(&self, offered: &Secret) -> Result<Option<Session>, StoreError> {
        self.session_at(offered, unix_now())
    }

    /// [`Store::session`] at the time `now` (tests move the clock).
    pub fn session_at(&self, offered: &Secret, now: i64) -> Result<Option<Session>, StoreError> {
        let conn = self.conn();
        let found: Option<(i64, i64, String, i64, i64, i64)> = conn
            .query_row(
                "SELECT id, account_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = ?1",
                [offered.hash().as_slice()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?;
        let Some((id, account_id, csrf, created_at, last_seen_at, expires_at)) = found else { return Ok(None) };
        if now >= expires_at || now >= last_seen_at + IDLE_SECS {
            conn.execute("DELETE FROM sessions WHERE id = ?1", [id])?;
            return Ok(None);
        }
        let Some(account) = read_account(&conn, account_id)?.filter(|a| !a.disabled) else { return Ok(None) };
        if now >= last_seen_at + 60 {
            conn.execute("UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1", params![id, now])?;
        }
        Ok(Some(Session { id, account, csrf: Secret::from_text(&csrf), created_at, expires_at }))
    }

    /// Ends the session of the cookie `offered` and logs the logout; `false` when there
    /// was none.
    pub fn end_session(&self, offered: &Secret, client: &str) -> Result<bool, StoreError> {
        let now = unix_now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let account_id: Option<i64> =
            tx.query_row("SELECT account_id FROM sessions WHERE token_hash = ?1", [offered.hash().as_slice()], |r| r.get(0)).optional()?;
        let Some(account_id) = account_id else { return Ok(false) };
        tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [offered.hash().as_slice()])?;
        if let Some(account) = read_account(&tx, account_id)? {
            let origin = Origin { actor: Some(&account.username), client };
            append(&tx, &AuthEvent { kind: AuthEventKind::Logout, username: &account.username, origin, detail: None }, now)?;
        }
        tx.commit()?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewAccount, Password, Role};

    #[test]
    fn sessions_expire_when_idle_or_old_and_end_with_the_account() {
        let dir = std::env::temp_dir().join(format!("bando-sessions-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir).unwrap();
        let new = NewAccount { username: "a1".into(), display_name: "A".into(), role: Role::Admin, provinces: vec![], password: Password::new("0123456789".into()).unwrap() };
        let account = store.add_account(new, Origin::COMMAND_LINE).unwrap();
        let s = store.create_session(&account, "127.0.0.1").unwrap();
        assert!(!format!("{s:?}").contains(s.secret.expose()));
        let stored: Vec<u8> = store.conn().query_row("SELECT token_hash FROM sessions", [], |r| r.get(0)).unwrap();
        assert_eq!(stored, s.secret.hash().to_vec());
        let now = unix_now();
        let live = store.session_at(&s.secret, now + 10).unwrap().expect("live");
        assert!(live.csrf.matches(s.csrf.expose()));
        assert!(store.session_at(&Secret::from_text("forged"), now).unwrap().is_none());
        // Kept alive by a request every 11 hours, it still ends after 7 days.
        let mut t = now;
        while t + 11 * 3600 < now + ABSOLUTE_SECS {
            t += 11 * 3600;
            assert!(store.session_at(&s.secret, t).unwrap().is_some(), "alive at +{}h", (t - now) / 3600);
        }
        assert!(store.session_at(&s.secret, now + ABSOLUTE_SECS).unwrap().is_none());
        // Idle for 12 hours: gone.
        let s2 = store.create_session(&account, "127.0.0.1").unwrap();
        assert!(store.session_at(&s2.secret, now + IDLE_SECS + 1).unwrap().is_none());
        // Disabling the account ends its sessions.
        let s3 = store.create_session(&account, "127.0.0.1").unwrap();
        store.set_disabled("a1", true, Origin::COMMAND_LINE).unwrap();
        assert!(store.session(&s3.secret).unwrap().is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
