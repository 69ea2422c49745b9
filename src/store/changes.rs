//! The change log, read: a unit's published history and the changes of a period, for
//! the public history and the office's export. Rows are written by an approval only
//! (see `publications`), and SQLite triggers refuse any UPDATE or DELETE of them.

use super::records::{day_start, format_utc, RecordsError};
use super::Store;
use crate::model::Day;
use rusqlite::params;
use serde::Serialize;

/// One published field change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub id: i64,
    pub publication: i64,
    pub submission: Option<i64>,
    pub kind: String,
    pub key: String,
    /// The commune, district or province the record belongs to.
    pub unit_code: String,
    pub field: String,
    /// `None` when the record was new.
    pub old: Option<String>,
    pub new: String,
    pub submitted_by: Option<String>,
    pub approved_by: String,
    /// When it was published, UTC (`2025-03-31T08:00:00Z`).
    #[serde(serialize_with = "utc")]
    pub at: i64,
    pub decision: Option<String>,
}

fn utc<S: serde::Serializer>(seconds: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_utc(*seconds))
}

const COLUMNS: &str = "id, publication, submission, kind, key, unit_code, field, old, new, submitted_by, approved_by, at, decision";

fn change_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Change> {
    Ok(Change {
        id: r.get(0)?,
        publication: r.get(1)?,
        submission: r.get(2)?,
        kind: r.get(3)?,
        key: r.get(4)?,
        unit_code: r.get(5)?,
        field: r.get(6)?,
        old: r.get(7)?,
        new: r.get(8)?,
        submitted_by: r.get(9)?,
        approved_by: r.get(10)?,
        at: r.get(11)?,
        decision: r.get(12)?,
    })
}

impl Store {
    /// The published changes of the records of unit `unit_code` (a commune's results,
    /// criteria, pilots and tourism sites; a district's or province's own records), oldest
    /// first.
    pub fn history(&self, unit_code: &str) -> Result<Vec<Change>, RecordsError> {
        let conn = self.read()?;
        let mut select = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM changes WHERE unit_code = ?1 ORDER BY id"))?;
        let rows = select.query_map(params![unit_code], change_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }

    /// The changes published from the start of day `from` to the end of day `to` (UTC,
    /// both optional), of units in `provinces` (province codes; `None`: all), oldest
    /// first. A unit's province comes from [`Store::set_unit_provinces`].
    pub fn changes(&self, from: Option<Day>, to: Option<Day>, provinces: Option<&[String]>) -> Result<Vec<Change>, RecordsError> {
        let conn = self.read()?;
        let start = from.map_or(i64::MIN, day_start);
        let end = to.map_or(i64::MAX, |d| day_start(d) + 86_400);
        let list = provinces.map(|p| serde_json::to_string(p).expect("codes serialise"));
        let mut select = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM changes
             WHERE at >= ?1 AND at < ?2
               AND (?3 IS NULL
                    OR unit_code IN (SELECT value FROM json_each(?3))
                    OR unit_code IN (SELECT unit_code FROM unit_provinces WHERE province IN (SELECT value FROM json_each(?3))))
             ORDER BY id"
        ))?;
        let rows = select.query_map(params![start, end, list], change_row)?.collect::<Result<_, _>>()?;
        Ok(rows)
    }
}
