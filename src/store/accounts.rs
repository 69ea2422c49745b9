//! Management accounts: who may sign in, with which role, for which provinces.
//!
//! Roles: `admin` (the central office: every province, accounts, approval), `province`
//! (an editor of one or more provinces of the edition in force, [`PROVINCE_EDITION`]) and
//! `reviewer` (reads drafts, changes nothing). Passwords are hashed with argon2id at the
//! `argon2` crate's default parameters and a random salt; the hash never leaves this
//! module (an [`Account`] has no field for it).
//!
//! Every change (add, disable, enable, role, password) is written together with its
//! entry in the authentication log, in one transaction. Disabling an account, changing
//! its role or resetting its password also ends its sessions.

use super::auth_log::{append, AuthEvent, AuthEventKind, Origin};
use super::tokens::unix_now;
use super::{Store, StoreError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rusqlite::{params, Connection, OptionalExtension};
use std::sync::OnceLock;

/// The boundary edition whose province codes editors are scoped to (the edition in force).
pub const PROVINCE_EDITION: u16 = 2025;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// What an account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Province,
    Reviewer,
}

impl Role {
    pub fn parse(text: &str) -> Option<Role> {
        match text.trim().to_ascii_lowercase().as_str() {
            "admin" => Some(Role::Admin),
            "province" => Some(Role::Province),
            "reviewer" => Some(Role::Reviewer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Province => "province",
            Role::Reviewer => "reviewer",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account as the rest of bando sees it: no password hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Province codes of [`PROVINCE_EDITION`], sorted (empty unless the role is `province`).
    pub provinces: Vec<String>,
    pub disabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A password in clear, between the keyboard and the hash. `Debug` never shows it.
pub struct Password(String);

impl Password {
    /// Refuses passwords under [`MIN_PASSWORD_CHARS`] characters.
    pub fn new(text: String) -> Result<Password, AccountError> {
        if text.chars().count() < MIN_PASSWORD_CHARS {
            return Err(AccountError::Invalid {
                field: "password",
                message: format!("the password must have at least {MIN_PASSWORD_CHARS} characters"),
            });
        }
        Ok(Password(text))
    }

    /// A password offered at login (no length rule: the hash decides).
    pub fn offered(text: String) -> Password {
        Password(text)
    }

    fn hash(&self) -> Result<String, AccountError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).expect("the operating system's random source");
        let salt = SaltString::encode_b64(&salt).map_err(|e| AccountError::Hash(e.to_string()))?;
        Argon2::default().hash_password(self.0.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| AccountError::Hash(e.to_string()))
    }

    fn verify(&self, hash: &str) -> bool {
        PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(self.0.as_bytes(), &parsed).is_ok())
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// Why an account call was refused; the field names what to fix.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("username: an account named '{0}' already exists")]
    Exists(String),
    #[error("username: no account named '{0}'")]
    Unknown(String),
    #[error("password hash: {0}")]
    Hash(String),
}

impl From<rusqlite::Error> for AccountError {
    fn from(e: rusqlite::Error) -> Self {
        AccountError::Store(e.into())
    }
}

/// A new account.
#[derive(Debug)]
pub struct NewAccount {
    pub username: String,
    /// The username when empty.
    pub display_name: String,
    pub role: Role,
    pub provinces: Vec<String>,
    pub password: Password,
}

/// Checks a username: 2–64 characters of letters, digits, `.`, `_`, `-`, `@`.
pub fn check_username(username: &str) -> Result<(), AccountError> {
    let ok = (2..=64).contains(&username.chars().count())
        && username.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AccountError::Invalid { field: "username", message: format!("'{username}' is not 2–64 letters, digits, '.', '_', '-' or '@'") })
    }
}

/// The province list a role takes, sorted and deduplicated: two-digit codes, at least one
/// for `province`, none for the others. Whether each code exists in the edition is the
/// caller's check (it knows the boundaries).
pub fn check_provinces(role: Role, provinces: &[String]) -> Result<Vec<String>, AccountError> {
    let mut codes: Vec<String> = provinces.iter().map(|p| p.trim().to_string()).collect();
    codes.sort();
    codes.dedup();
    let bad: Vec<&str> = codes.iter().filter(|c| c.len() != 2 || !c.bytes().all(|b| b.is_ascii_digit())).map(String::as_str).collect();
    if !bad.is_empty() {
        return Err(AccountError::Invalid { field: "provinces", message: format!("{} is not a two-digit province code of edition {PROVINCE_EDITION}", bad.join(", ")) });
    }
    match role {
        Role::Province if codes.is_empty() => Err(AccountError::Invalid { field: "provinces", message: "a province editor needs at least one province code (--province 42)".into() }),
        Role::Admin | Role::Reviewer if !codes.is_empty() => Err(AccountError::Invalid { field: "provinces", message: format!("the {role} role takes no province (it covers all of them)") }),
        _ => Ok(codes),
    }
}

const ACCOUNT_COLUMNS: &str = "id, username, display_name, role, disabled, created_at, updated_at FROM accounts";

fn account_row(conn: &Connection, r: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    let id: i64 = r.get(0)?;
    let role: String = r.get(3)?;
    let mut stmt = conn.prepare_cached("SELECT province_code FROM account_provinces WHERE account_id = ?1 AND edition = ?2 ORDER BY province_code")?;
    let provinces = stmt.query_map(params![id, PROVINCE_EDITION], |p| p.get(0))?.collect::<Result<_, _>>()?;
    Ok(Account {
        id,
        username: r.get(1)?,
        display_name: r.get(2)?,
        // The CHECK constraint of the table keeps other values out.
        role: Role::parse(&role).unwrap_or(Role::Reviewer),
        provinces,
        disabled: r.get::<_, i64>(4)? != 0,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
    })
}

/// The account `id` (for the session and token lookups of this module's siblings).
pub(crate) fn read_account(conn: &Connection, id: i64) -> Result<Option<Account>, StoreError> {
    Ok(conn.query_row(&format!("SELECT {ACCOUNT_COLUMNS} WHERE id = ?1"), [id], |r| account_row(conn, r)).optional()?)
}

fn by_name(conn: &Connection, username: &str) -> Result<Option<Account>, StoreError> {
    Ok(conn.query_row(&format!("SELECT {ACCOUNT_COLUMNS} WHERE username = ?1"), [username], |r| account_row(conn, r)).optional()?)
}

fn set_provinces(conn: &Connection, id: i64, provinces: &[String]) -> Result<(), StoreError> {
    conn.execute("DELETE FROM account_provinces WHERE account_id = ?1 AND edition = ?2", params![id, PROVINCE_EDITION])?;
    for code in provinces {
        conn.execute("INSERT INTO account_provinces (account_id, edition, province_code) VALUES (?1, ?2, ?3)", params![id, PROVINCE_EDITION, code])?;
    }
    Ok(())
}

/// A hash to check unknown usernames against, so that a login for a name that does not
/// exist takes as long as one with a wrong password (no user enumeration by timing).
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| Password("decoy password, never valid".into()).hash().unwrap_or_default())
}

/// Why a login failed (for the log; the client is told only "wrong username or password").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginRefusal {
    UnknownUser,
    WrongPassword,
    Disabled,
}

impl LoginRefusal {
    pub fn as_str(self) -> &'static str {
        match self {
            LoginRefusal::UnknownUser => "unknown username",
            LoginRefusal::WrongPassword => "wrong password",
            LoginRefusal::Disabled => "account disabled",
        }
    }
}

impl Store {
    /// Adds an account.
    pub fn add_account(&self, new: NewAccount, origin: Origin<'_>) -> Result<Account, AccountError> {
        let username = new.username.trim().to_string();
        check_username(&username)?;
        let provinces = check_provinces(new.role, &new.provinces)?;
        let display_name = if new.display_name.trim().is_empty() { username.clone() } else { new.display_name.trim().to_string() };
        let hash = new.password.hash()?;
        let now = unix_now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if by_name(&tx, &username)?.is_some() {
            return Err(AccountError::Exists(username));
        }
        tx.execute(
            "INSERT INTO accounts (username, display_name, role, password_hash, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![username, display_name, new.role.as_str(), hash, now],
        )?;
        let id = tx.last_insert_rowid();
        set_provinces(&tx, id, &provinces)?;
        let detail = Some(describe_role(new.role, &provinces));
        append(&tx, &AuthEvent { kind: AuthEventKind::AccountAdded, username: &username, origin, detail }, now)?;
        let account = read_account(&tx, id)?.expect("the account just added");
        tx.commit()?;
        Ok(account)
    }

    /// Every account, by username.
    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&format!("SELECT {ACCOUNT_COLUMNS} ORDER BY username"))?;
        let rows = stmt.query_map([], |r| account_row(&conn, r))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One account by username (any case).
    pub fn account(&self, username: &str) -> Result<Option<Account>, StoreError> {
        by_name(&self.conn(), username.trim())
    }

    /// Disables (`true`) or enables an account; disabling ends its sessions. Its API
    /// tokens stop working while it is disabled.
    pub fn set_disabled(&self, username: &str, disabled: bool, origin: Origin<'_>) -> Result<Account, AccountError> {
        self.change(username, origin, |tx, account, now| {
            if account.disabled == disabled {
                return Ok(None);
            }
            tx.execute("UPDATE accounts SET disabled = ?2, updated_at = ?3 WHERE id = ?1", params![account.id, disabled as i64, now])?;
            if disabled {
                tx.execute("DELETE FROM sessions WHERE account_id = ?1", [account.id])?;
                Ok(Some((AuthEventKind::AccountDisabled, None)))
            } else {
                Ok(Some((AuthEventKind::AccountEnabled, None)))
            }
        })
    }

    /// Changes an account's role and provinces; ends its sessions so the new rights
    /// apply at the next login.
    pub fn set_role(&self, username: &str, role: Role, provinces: &[String], origin: Origin<'_>) -> Result<Account, AccountError> {
        let provinces = check_provinces(role, provinces)?;
        self.change(username, origin, |tx, account, now| {
            if account.role == role && account.provinces == provinces {
                return Ok(None);
            }
            tx.execute("UPDATE accounts SET role = ?2, updated_at = ?3 WHERE id = ?1", params![account.id, role.as_str(), now])?;
            set_provinces(tx, account.id, &provinces)?;
            tx.execute("DELETE FROM sessions WHERE account_id = ?1", [account.id])?;
            let detail = format!("{} → {}", describe_role(account.role, &account.provinces), describe_role(role, &provinces));
            Ok(Some((AuthEventKind::RoleChanged, Some(detail))))
        })
    }

    /// Sets a new password and ends the account's sessions.
    pub fn reset_password(&self, username: &str, password: &Password, origin: Origin<'_>) -> Result<Account, AccountError> {
        let hash = password.hash()?;
        self.change(username, origin, |tx, account, now| {
            tx.execute("UPDATE accounts SET password_hash = ?2, updated_at = ?3 WHERE id = ?1", params![account.id, hash, now])?;
            tx.execute("DELETE FROM sessions WHERE account_id = ?1", [account.id])?;
            Ok(Some((AuthEventKind::PasswordReset, None)))
        })
    }

    /// Runs `apply` on the account in one transaction and logs the event it returns.
    fn change(
        &self,
        username: &str,
        origin: Origin<'_>,
        apply: impl FnOnce(&Connection, &Account, i64) -> Result<Option<(AuthEventKind, Option<String>)>, AccountError>,
    ) -> Result<Account, AccountError> {
        let now = unix_now();
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let account = by_name(&tx, username.trim())?.ok_or_else(|| AccountError::Unknown(username.trim().to_string()))?;
        if let Some((kind, detail)) = apply(&tx, &account, now)? {
            append(&tx, &AuthEvent { kind, username: &account.username, origin, detail }, now)?;
        }
        let account = read_account(&tx, account.id)?.expect("the account just changed");
        tx.commit()?;
        Ok(account)
    }

    /// Checks a username and password. The hash is checked even for an unknown name or
    /// a disabled account, so the three refusals take the same time.
    pub fn check_login(&self, username: &str, password: &Password) -> Result<Result<Account, LoginRefusal>, StoreError> {
        let found: Option<(i64, String)> = self
            .conn()
            .query_row("SELECT id, password_hash FROM accounts WHERE username = ?1", [username.trim()], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        // The slow hash runs without holding the connection.
        let Some((id, hash)) = found else {
            password.verify(decoy_hash());
            return Ok(Err(LoginRefusal::UnknownUser));
        };
        if !password.verify(&hash) {
            return Ok(Err(LoginRefusal::WrongPassword));
        }
        match read_account(&self.conn(), id)? {
            Some(account) if !account.disabled => Ok(Ok(account)),
            _ => Ok(Err(LoginRefusal::Disabled)),
        }
    }
}

/// `province 42, 45` or `admin`, for the log.
fn describe_role(role: Role, provinces: &[String]) -> String {
    if provinces.is_empty() {
        role.to_string()
    } else {
        format!("{role} {}", provinces.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(tag: &str) -> (Store, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("bando-accounts-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        (Store::open(&dir).unwrap(), dir)
    }

    fn new(username: &str, role: Role, provinces: &[&str], password: &str) -> NewAccount {
        NewAccount {
            username: username.into(),
            display_name: String::new(),
            role,
            provinces: provinces.iter().map(|p| p.to_string()).collect(),
            password: Password::new(password.into()).unwrap(),
        }
    }

    #[test]
    fn passwords_are_argon2id_hashes_and_logins_check_them() {
        let (store, dir) = store("login");
        let account = store.add_account(new("ha.tinh", Role::Province, &["42", "42"], "mật khẩu dài đủ"), Origin::COMMAND_LINE).unwrap();
        assert_eq!(account.provinces, vec!["42"]);
        assert_eq!(account.display_name, "ha.tinh");
        let hash: String = store.conn().query_row("SELECT password_hash FROM accounts", [], |r| r.get(0)).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(!hash.contains("mật khẩu"));
        let ok = store.check_login("HA.TINH", &Password::offered("mật khẩu dài đủ".into())).unwrap();
        assert_eq!(ok.unwrap().id, account.id);
        assert_eq!(store.check_login("ha.tinh", &Password::offered("wrong one!!".into())).unwrap(), Err(LoginRefusal::WrongPassword));
        assert_eq!(store.check_login("nobody", &Password::offered("whatever123".into())).unwrap(), Err(LoginRefusal::UnknownUser));
        store.set_disabled("ha.tinh", true, Origin::COMMAND_LINE).unwrap();
        assert_eq!(store.check_login("ha.tinh", &Password::offered("mật khẩu dài đủ".into())).unwrap(), Err(LoginRefusal::Disabled));
        let events: Vec<String> = store.auth_log(10).unwrap().into_iter().map(|e| e.event).collect();
        assert_eq!(events, ["account_disabled", "account_added"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn roles_take_their_provinces_and_changes_are_logged() {
        let (store, dir) = store("roles");
        assert!(matches!(Password::new("short".into()), Err(AccountError::Invalid { field: "password", .. })));
        let e = store.add_account(new("x1", Role::Province, &[], "long enough pw"), Origin::COMMAND_LINE).unwrap_err();
        assert!(e.to_string().starts_with("provinces:"), "{e}");
        let e = store.add_account(new("x1", Role::Admin, &["42"], "long enough pw"), Origin::COMMAND_LINE).unwrap_err();
        assert!(e.to_string().starts_with("provinces:"), "{e}");
        let e = store.add_account(new("x1", Role::Province, &["4"], "long enough pw"), Origin::COMMAND_LINE).unwrap_err();
        assert!(e.to_string().contains("two-digit"), "{e}");
        let e = store.add_account(new("bad name", Role::Admin, &[], "long enough pw"), Origin::COMMAND_LINE).unwrap_err();
        assert!(e.to_string().starts_with("username:"), "{e}");
        store.add_account(new("editor", Role::Province, &["42"], "long enough pw"), Origin::COMMAND_LINE).unwrap();
        assert!(matches!(store.add_account(new("Editor", Role::Admin, &[], "long enough pw"), Origin::COMMAND_LINE), Err(AccountError::Exists(_))));
        let origin = Origin { actor: Some("boss"), client: "10.0.0.1" };
        let changed = store.set_role("editor", Role::Admin, &[], origin).unwrap();
        assert_eq!((changed.role, changed.provinces.len()), (Role::Admin, 0));
        let last = &store.auth_log(1).unwrap()[0];
        assert_eq!((last.event.as_str(), last.actor.as_deref(), last.client.as_str()), ("role_changed", Some("boss"), "10.0.0.1"));
        assert_eq!(last.detail.as_deref(), Some("province 42 → admin"));
        assert!(matches!(store.set_role("ghost", Role::Admin, &[], origin), Err(AccountError::Unknown(_))));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn debug_output_hides_the_password() {
        let shown = format!("{:?}", new("a1", Role::Admin, &[], "s3cret-password"));
        assert!(!shown.contains("s3cret"), "{shown}");
    }
}
