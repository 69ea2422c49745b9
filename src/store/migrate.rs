//! Versioned schema migrations, kept in `migrations/` and compiled into the binary.
//!
//! Steps: 1. read the database's `user_version` (0 for a new file); 2. apply every newer
//! migration in order, each in its own transaction together with the bump of
//! `user_version`, so a crash leaves the schema at one version or the next; 3. refuse a
//! database written by a newer bando (its version is past the last migration known here).

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
    let current: usize = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
    if current > MIGRATIONS.len() {
        return Err(StoreError::Schema(format!(
            "the database is at schema version {current}, newer than this bando knows ({}); use a newer bando",
            MIGRATIONS.len()
        )));
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql).map_err(|e| StoreError::Schema(format!("migration {name} failed: {e}")))?;
        // PRAGMA takes no parameters; the value is our own integer.
        tx.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
        tx.commit()?;
    }
    Ok(())
}

/// The schema version of `conn`.
pub fn version(conn: &Connection) -> Result<usize, StoreError> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize)
}
