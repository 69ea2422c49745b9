//! Versioned schema migrations, kept in `migrations/` and compiled into the binary.
//!
//! Steps, per migration, in one IMMEDIATE transaction (the write lock first, so
//! concurrent openers never apply one twice): 1. read the database's `user_version` (0
//! for a new file); 2. refuse a database written by a newer bando (its version is past
//! the last migration known here); 3. apply the next migration together with the bump of
//! `user_version`, so a crash leaves the schema at one version or the next.

use super::StoreError;
use rusqlite::Connection;

/// The migrations in order; migration `i` brings the schema to version `i + 1`.
/// Append only: a released migration is never edited.
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_store", include_str!("../../migrations/0001_store.sql")),
    ("0002_records", include_str!("../../migrations/0002_records.sql")),
    ("0003_accounts", include_str!("../../migrations/0003_accounts.sql")),
];

/// Brings `conn`'s schema to the last version.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    loop {
        // IMMEDIATE: the write lock is taken before the version is read, so two processes
        // opening a new folder at once (a server and `bando user add`) apply each
        // migration once; the second waits, then sees the new version.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current: usize = tx.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
        if current > MIGRATIONS.len() {
            return Err(StoreError::Schema(format!(
                "the database is at schema version {current}, newer than this bando knows ({}); use a newer bando",
                MIGRATIONS.len()
            )));
        }
        let Some((name, sql)) = MIGRATIONS.get(current) else { return Ok(()) };
        tx.execute_batch(sql).map_err(|e| StoreError::Schema(format!("migration {name} failed: {e}")))?;
        // PRAGMA takes no parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", current + 1))?;
        tx.commit()?;
    }
}

/// The schema version of `conn`.
pub fn version(conn: &Connection) -> Result<usize, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize)
}
