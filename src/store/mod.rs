//! The embedded database (SQLite, in `--data-dir`): accounts, submissions, the published
//! records, the append-only change log and the publication log. Boundaries stay files.
//!
//! Every SQL statement of bando lives under this module, behind [`Store`]'s methods, so
//! another backend (PostgreSQL, for several writers) can implement the same interface
//! later without the rest of the code noticing.
//!
//! Steps of [`Store::open`]: 1. create the data folder and open `bando.sqlite3` in it;
//! 2. set WAL mode (readers never wait for the writer), foreign keys and a busy timeout;
//! 3. run the migrations ([`migrate`]).
//!
//! One connection writes, behind a mutex: writes are rare (uploads, approvals, logins) and
//! short, and SQLite allows one writer at a time anyway. Nothing slow runs while it is
//! held: an approval builds its atlas between a short read and a short commit (see
//! `publications`). Reads of published records, submissions and history go through a
//! small pool of read-only connections ([`Store::read`]): in WAL mode they see the last
//! commit and never wait for the writer. Callers in async code run store calls on the
//! blocking pool.

pub mod accounts;
pub mod auth_log;
mod backup;
mod changes;
mod check;
mod migrate;
mod publications;
mod records;
pub mod sessions;
mod submissions;
pub mod tokens;

pub use accounts::{Account, AccountError, NewAccount, Password, Role};
pub use auth_log::{AuthEvent, AuthEventKind, Origin};
pub use changes::Change;
pub use check::CheckReport;
pub use migrate::MIGRATIONS;
pub use publications::{Approval, ApproveError, Conflict, ConflictChoice, Publication};
pub use records::{format_utc, RecordSet, RecordsError};
pub use sessions::{NewSession, Session};
pub use submissions::{FieldChange, RecordDiff, Status, Submission, SubmissionFilter, SubmissionId};
pub use tokens::{ApiToken, Secret, TokenError};

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The database file inside the data folder.
pub const DATABASE_FILE: &str = "bando.sqlite3";

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("data folder {path}: {source}")]
    Folder { path: PathBuf, source: std::io::Error },
    #[error("database schema: {0}")]
    Schema(String),
}

/// Idle read-only connections kept for reuse; more are opened when more readers run at
/// once, and the extra ones are closed when they come back.
const IDLE_READERS: usize = 4;

/// The embedded database of one data folder.
pub struct Store {
    dir: PathBuf,
    conn: Mutex<Connection>,
    /// Idle read-only connections (see [`Store::read`]).
    readers: Mutex<Vec<Connection>>,
}

/// A read-only connection lent by [`Store::read`]; it goes back to the pool on drop.
pub(crate) struct Reader<'a> {
    store: &'a Store,
    conn: Option<Connection>,
}

impl std::ops::Deref for Reader<'_> {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        self.conn.as_ref().expect("a reader holds its connection until dropped")
    }
}

impl std::ops::DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn.as_mut().expect("a reader holds its connection until dropped")
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        let Some(conn) = self.conn.take() else { return };
        // A read transaction left open would pin an old snapshot for the next borrower.
        if !conn.is_autocommit() {
            return;
        }
        let mut idle = self.store.readers.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
    }
}

impl Store {
    /// Opens (creating when absent) the database in `dir` and brings its schema up to date.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder { path: dir.to_path_buf(), source })?;
        let mut conn = Connection::open(dir.join(DATABASE_FILE))?;
        // WAL: public reads of history never wait for an approval being written.
        // synchronous=NORMAL is durable at checkpoints; the commit that publishes raises it
        // to FULL (see the publication code) so a published state survives power loss.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )?;
        migrate::migrate(&mut conn)?;
        Ok(Store { dir: dir.to_path_buf(), conn: Mutex::new(conn), readers: Mutex::new(Vec::new()) })
    }

    /// The data folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The one connection. A panic while it was held cannot leave a transaction open
    /// (rusqlite rolls back on drop), so a poisoned lock is safe to reuse.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A read-only connection: it never waits for the writer's lock, and sees what was
    /// committed when its statement (or read transaction) began.
    pub(crate) fn read(&self) -> Result<Reader<'_>, rusqlite::Error> {
        let idle = self.readers.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                let conn = Connection::open_with_flags(self.dir.join(DATABASE_FILE), flags)?;
                // A checkpoint may hold the WAL index briefly; wait rather than fail.
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                conn
            }
        };
        Ok(Reader { store: self, conn: Some(conn) })
    }

    /// The schema version (the number of migrations applied).
    pub fn schema_version(&self) -> Result<usize, StoreError> {
        migrate::version(&self.conn())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_a_new_folder_in_wal_mode_at_the_last_schema_and_reopens_it() {
        let dir = std::env::temp_dir().join(format!("bando-store-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir).unwrap();
        assert_eq!(store.schema_version().unwrap(), MIGRATIONS.len());
        let mode: String = store.conn().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
        drop(store);
        let again = Store::open(&dir).unwrap();
        assert_eq!(again.schema_version().unwrap(), MIGRATIONS.len());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refuses_a_database_from_a_newer_bando() {
        let dir = std::env::temp_dir().join(format!("bando-store-newer-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Connection::open(dir.join(DATABASE_FILE)).unwrap().execute_batch("PRAGMA user_version = 999").unwrap();
        let err = Store::open(&dir).err().expect("a newer schema is refused");
        assert!(err.to_string().contains("999"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
