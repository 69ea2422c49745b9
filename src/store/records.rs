//! The published records: what the public map shows, one row per [`Record`], and the
//! seeding of a new store (publication 1).
//!
//! A record is stored as its kind, its key ([`Record::key`]), its unit code (the commune,
//! district or province it belongs to, for history) and its fields as a JSON array of
//! text. Each row also keeps a digest of its content so that `db check` can name a row
//! edited behind the store's back, and the publication log keeps the XOR of all digests
//! (a checksum an approval updates from the rows it changes alone).
//!
//! Steps of [`Store::seed`]: 1. refuse when a publication exists; 2. in one transaction,
//! insert every record with one prepared statement; 3. let the caller validate the
//! records as stored (build an atlas from them); 4. append publication 1 and commit.

use super::publications::{insert_publication, Publication};
use super::{Store, StoreError};
use crate::model::{Record, RecordKind};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Why a records, submissions or history call failed.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the store is already seeded: publication {0} exists")]
    AlreadySeeded(i64),
    #[error("{kind} records: the key {key} appears more than once")]
    DuplicateKey { kind: RecordKind, key: String },
    #[error("{kind} record {key}: {count} fields, the kind has {expected} columns")]
    WrongWidth { kind: RecordKind, key: String, count: usize, expected: usize },
    #[error("stored {kind} record {key} is unreadable: {message}")]
    Corrupt { kind: String, key: String, message: String },
    #[error("submission {0} does not exist")]
    NoSubmission(i64),
    #[error("submission {id} is {status}; {action} is only possible for {allowed}")]
    Status { id: i64, status: String, action: &'static str, allowed: &'static str },
    #[error("the records were refused: {0}")]
    Invalid(String),
    #[error("{path}: {message}")]
    File { path: std::path::PathBuf, message: String },
}

/// All published records by kind, each list in key order.
pub type RecordSet = BTreeMap<RecordKind, Vec<Record>>;

impl Store {
    /// True once publication 1 exists.
    pub fn is_seeded(&self) -> Result<bool, RecordsError> {
        Ok(latest_publication_id(&self.conn())?.is_some())
    }

    /// The published records of `kind`, in key order.
    pub fn published(&self, kind: RecordKind) -> Result<Vec<Record>, RecordsError> {
        published_of(&*self.read()?, kind)
    }

    /// At most `limit` published records of `kind` in key order, from the first key after
    /// `after` (from the first when `None`): a page of a long list.
    pub fn published_page(&self, kind: RecordKind, after: Option<&str>, limit: usize) -> Result<Vec<Record>, RecordsError> {
        let conn = self.read()?;
        let mut select = conn.prepare_cached(
            "SELECT key, fields FROM records WHERE kind = ?1 AND (?2 IS NULL OR key > ?2) ORDER BY key LIMIT ?3",
        )?;
        let rows = select.query(params![kind.as_str(), after, limit as i64])?;
        read_records(rows, kind)
    }

    /// Every published record, by kind.
    pub fn published_all(&self) -> Result<RecordSet, RecordsError> {
        // One read transaction: every kind from the same publication.
        let mut conn = self.read()?;
        let tx = conn.transaction()?;
        published_set(&tx)
    }

    /// The published record of `kind` with `key`, if any.
    pub fn published_record(&self, kind: RecordKind, key: &str) -> Result<Option<Record>, RecordsError> {
        let conn = self.read()?;
        let text: Option<String> = conn
            .query_row("SELECT fields FROM records WHERE kind = ?1 AND key = ?2", params![kind.as_str(), key], |r| r.get(0))
            .optional()?;
        text.map(|t| Ok(Record { kind, fields: parse_fields(kind.as_str(), key, &t)? })).transpose()
    }

    /// Seeds a new store with `records` as publication 1 (by `by`), with no validation.
    pub fn seed(&self, records: Vec<Record>, by: &str) -> Result<Publication, RecordsError> {
        self.seed_checked(records, by, &[], |_| Ok(())).map(|(p, ())| p)
    }

    /// The kinds publication 1 took from the embedded sample files (the map keeps saying
    /// its data is a sample while they are served).
    pub fn sample_kinds(&self) -> Result<Vec<RecordKind>, RecordsError> {
        let text: Option<String> = self
            .read()?
            .query_row("SELECT value FROM store_meta WHERE key = 'sample_kinds'", [], |r| r.get(0))
            .optional()?;
        Ok(text.unwrap_or_default().split(',').filter_map(RecordKind::parse).collect())
    }

    /// Seeds a new store; `validate` sees the records as stored (inside the transaction)
    /// and its error leaves the store empty.
    /// `sample_kinds`: the kinds read from the embedded sample files.
    pub fn seed_checked<T>(
        &self,
        records: Vec<Record>,
        by: &str,
        sample_kinds: &[RecordKind],
        validate: impl FnOnce(&RecordSet) -> Result<T, String>,
    ) -> Result<(Publication, T), RecordsError> {
        let mut conn = self.conn();
        if let Some(id) = latest_publication_id(&conn)? {
            return Err(RecordsError::AlreadySeeded(id));
        }
        let tx = conn.transaction()?;
        let mut checksum = Checksum::default();
        let mut counts: BTreeMap<String, u64> = RecordKind::ALL.iter().map(|k| (k.as_str().to_string(), 0)).collect();
        {
            let mut insert = tx.prepare("INSERT INTO records (kind, key, unit_code, fields, digest) VALUES (?1, ?2, ?3, ?4, ?5)")?;
            for record in &records {
                check_width(record)?;
                let key = record.key();
                let fields = fields_json(&record.fields);
                let digest = digest(record.kind.as_str(), &key, &fields);
                match insert.execute(params![record.kind.as_str(), key, unit_code(record), fields, &digest[..]]) {
                    Ok(_) => {}
                    Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::ConstraintViolation => {
                        return Err(RecordsError::DuplicateKey { kind: record.kind, key });
                    }
                    Err(e) => return Err(e.into()),
                }
                checksum.add(&digest);
                *counts.entry(record.kind.as_str().to_string()).or_default() += 1;
            }
        }
        let kinds: Vec<&str> = sample_kinds.iter().map(|k| k.as_str()).collect();
        tx.execute("INSERT OR REPLACE INTO store_meta (key, value) VALUES ('sample_kinds', ?1)", params![kinds.join(",")])?;
        let stored = published_set(&tx)?;
        let checked = validate(&stored).map_err(RecordsError::Invalid)?;
        let publication = insert_publication(&tx, by, None, None, &counts, &checksum, records.len() as u64)?;
        tx.commit()?;
        Ok((publication, checked))
    }

    /// Replaces the table of unit code → province code that filters the change log by
    /// province (communes and districts of edition 2024, and provinces themselves).
    pub fn set_unit_provinces(&self, pairs: impl IntoIterator<Item = (String, String)>) -> Result<(), RecordsError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("DELETE FROM unit_provinces", [])?;
        {
            let mut insert = tx.prepare("INSERT OR REPLACE INTO unit_provinces (unit_code, province) VALUES (?1, ?2)")?;
            for (unit, province) in pairs {
                insert.execute(params![unit, province])?;
            }
        }
        tx.commit()?;
        Ok(())
    }
}

pub(super) fn published_of(conn: &Connection, kind: RecordKind) -> Result<Vec<Record>, RecordsError> {
    let mut select = conn.prepare_cached("SELECT key, fields FROM records WHERE kind = ?1 ORDER BY key")?;
    let rows = select.query(params![kind.as_str()])?;
    read_records(rows, kind)
}

/// The records of `kind` from rows of `SELECT key, fields`.
fn read_records(mut rows: rusqlite::Rows<'_>, kind: RecordKind) -> Result<Vec<Record>, RecordsError> {
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let key: String = row.get(0)?;
        let text: String = row.get(1)?;
        out.push(Record { kind, fields: parse_fields(kind.as_str(), &key, &text)? });
    }
    Ok(out)
}

pub(super) fn published_set(conn: &Connection) -> Result<RecordSet, RecordsError> {
    RecordKind::ALL.iter().map(|&k| Ok((k, published_of(conn, k)?))).collect()
}

pub(super) fn latest_publication_id(conn: &Connection) -> Result<Option<i64>, rusqlite::Error> {
    conn.query_row("SELECT MAX(id) FROM publications", [], |r| r.get(0))
}

/// A record must have one field per column of its kind.
pub(super) fn check_width(record: &Record) -> Result<(), RecordsError> {
    let expected = record.kind.columns().len();
    if record.fields.len() != expected {
        return Err(RecordsError::WrongWidth { kind: record.kind, key: record.key(), count: record.fields.len(), expected });
    }
    Ok(())
}

/// The fields as stored: a JSON array of strings.
pub(super) fn fields_json(fields: &[String]) -> String {
    serde_json::to_string(fields).expect("a list of strings always serialises")
}

/// Stored fields back to a list, checked against the kind's width.
pub(super) fn parse_fields(kind: &str, key: &str, text: &str) -> Result<Vec<String>, RecordsError> {
    let corrupt = |message: String| RecordsError::Corrupt { kind: kind.to_string(), key: key.to_string(), message };
    let fields: Vec<String> = serde_json::from_str(text).map_err(|e| corrupt(format!("fields are not a JSON list of text: {e}")))?;
    let expected = RecordKind::parse(kind).ok_or_else(|| corrupt(format!("unknown kind '{kind}'")))?.columns().len();
    if fields.len() != expected {
        return Err(corrupt(format!("{} fields, the kind has {expected} columns", fields.len())));
    }
    Ok(fields)
}

/// The first 16 bytes of SHA-256 over kind, key and stored fields.
pub(super) fn digest(kind: &str, key: &str, fields_json: &str) -> [u8; 16] {
    let mut hasher = Sha256::new();
    for part in [kind, key, fields_json] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    let full = hasher.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&full[..16]);
    out
}

/// The code of the unit a record belongs to: the commune of a result, pilot or tourism
/// site, the district or province of theirs, the unit of a criteria row.
pub(super) fn unit_code(record: &Record) -> &str {
    record.get(record.kind.unit_column())
}

/// The XOR of record digests: independent of order, so adding and removing a record's
/// digest keeps it equal to the checksum of the whole table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Checksum([u8; 16]);

impl Checksum {
    pub(super) fn add(&mut self, digest: &[u8]) {
        for (a, b) in self.0.iter_mut().zip(digest) {
            *a ^= b;
        }
    }

    pub(super) fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub(super) fn from_hex(text: &str) -> Option<Checksum> {
        if text.len() != 32 {
            return None;
        }
        let mut out = [0u8; 16];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Checksum(out))
    }
}

/// Seconds since 1970-01-01 UTC, now.
pub(super) fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Seconds since the epoch at 00:00 UTC of `day`.
pub(super) fn day_start(day: crate::model::Day) -> i64 {
    let text = day.to_string();
    let num = |r: std::ops::Range<usize>| text[r].parse::<i64>().unwrap_or(0);
    days_from_civil(num(0..4), num(5..7), num(8..10)) * 86_400
}

/// `YYYY-MM-DDTHH:MM:SSZ` of seconds since the epoch (UTC).
pub fn format_utc(seconds: i64) -> String {
    let (days, rest) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest / 60 % 60, rest % 60)
}

/// Days since 1970-01-01 of a Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_round_trip_through_days() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(951_782_400 + 3661), "2000-02-29T01:01:01Z");
        let day = crate::model::Day::parse("2024-03-01").unwrap();
        assert_eq!(format_utc(day_start(day)), "2024-03-01T00:00:00Z");
    }

    #[test]
    fn checksum_is_independent_of_order_and_round_trips_as_hex() {
        let (a, b) = (digest("k", "1", "[]"), digest("k", "2", "[]"));
        let (mut x, mut y) = (Checksum::default(), Checksum::default());
        x.add(&a);
        x.add(&b);
        y.add(&b);
        y.add(&a);
        assert_eq!(x, y);
        assert_eq!(Checksum::from_hex(&x.hex()), Some(x));
        y.add(&b);
        assert_ne!(x, y);
    }
}
