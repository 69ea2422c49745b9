//! `bando db check`: is the database whole, and does what is published agree with the
//! publication log and the change log?
//!
//! Steps: 1. `PRAGMA integrity_check` (pages, indexes) and `PRAGMA foreign_key_check`;
//! 2. recompute each record's digest from its fields: a difference names a record
//! edited behind the store's back; 3. recompute the counts per kind and the checksum and
//! compare them with the latest publication's; 4. for every record field the change log
//! touched, the last logged `new` value must be the field's value now.

use super::records::{digest, parse_fields, Checksum, RecordsError};
use super::publications::current_publication;
use super::Store;
use crate::model::RecordKind;
use std::collections::{BTreeMap, HashMap};

/// What [`Store::check`] found; clean when `problems` is empty.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CheckReport {
    pub records: u64,
    pub publication: Option<i64>,
    pub changes: u64,
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

impl std::fmt::Display for CheckReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let publication = self.publication.map_or_else(|| "none".to_string(), |p| p.to_string());
        writeln!(f, "records: {}, publication in force: {publication}, change log rows: {}", self.records, self.changes)?;
        if self.problems.is_empty() {
            return writeln!(f, "check passed: the database is whole and agrees with its publication and change logs");
        }
        writeln!(f, "check FAILED, {} problem(s):", self.problems.len())?;
        for p in &self.problems {
            writeln!(f, "  - {p}")?;
        }
        Ok(())
    }
}

/// Problems listed beyond this many are counted, not listed (a wholesale corruption
/// would otherwise print every record).
const MAX_LISTED: usize = 200;

impl Store {
    /// Checks the database (see the module doc).
    pub fn check(&self) -> Result<CheckReport, RecordsError> {
        let conn = self.conn();
        let mut report = CheckReport::default();
        let mut problems = Vec::new();

        // 1. Pages and references.
        let mut integrity = conn.prepare("PRAGMA integrity_check")?;
        for line in integrity.query_map([], |r| r.get::<_, String>(0))? {
            let line = line?;
            if line != "ok" {
                problems.push(format!("integrity: {line}"));
            }
        }
        let mut foreign = conn.prepare("PRAGMA foreign_key_check")?;
        for row in foreign.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, String>(2)?)))? {
            let (table, rowid, parent) = row?;
            problems.push(format!("table {table} row {rowid:?} refers to a missing row of {parent}"));
        }

        // 2–3. Records against their digests, the counts and the checksum.
        let mut counts: BTreeMap<String, u64> = RecordKind::ALL.iter().map(|k| (k.as_str().to_string(), 0)).collect();
        let mut checksum = Checksum::default();
        let mut fields_now: HashMap<(String, String), Vec<String>> = HashMap::new();
        let mut select = conn.prepare("SELECT kind, key, fields, digest FROM records")?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            let (kind, key, fields, stored): (String, String, String, Vec<u8>) = (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            report.records += 1;
            *counts.entry(kind.clone()).or_default() += 1;
            let computed = digest(&kind, &key, &fields);
            checksum.add(&computed);
            if stored != computed {
                problems.push(format!("record {kind} {key}: its fields were changed outside bando (they no longer match their digest)"));
            }
            match parse_fields(&kind, &key, &fields) {
                Ok(list) => {
                    fields_now.insert((kind, key), list);
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        let publication = current_publication(&conn)?;
        report.publication = publication.as_ref().map(|p| p.id);
        match &publication {
            Some(p) => {
                let logged: BTreeMap<&String, &u64> = p.counts.iter().filter(|(_, n)| **n > 0).collect();
                let now: BTreeMap<&String, &u64> = counts.iter().filter(|(_, n)| **n > 0).collect();
                if logged != now {
                    problems.push(format!("publication {}: it counted {logged:?} records, the table holds {now:?}", p.id));
                }
                if p.checksum != checksum.hex() {
                    problems.push(format!(
                        "publication {}: its checksum {} differs from the records' {} (records were added, removed or changed outside bando)",
                        p.id,
                        p.checksum,
                        checksum.hex()
                    ));
                }
            }
            None if report.records > 0 => problems.push(format!("{} records but no publication", report.records)),
            None => {}
        }

        // 4. The change log's last word on each field.
        report.changes = conn.query_row("SELECT COUNT(*) FROM changes", [], |r| r.get::<_, i64>(0))? as u64;
        let mut last = conn.prepare(
            "SELECT c.kind, c.key, c.field, c.new FROM changes c
             JOIN (SELECT MAX(id) AS id FROM changes GROUP BY kind, key, field) m ON m.id = c.id",
        )?;
        let mut rows = last.query([])?;
        while let Some(row) = rows.next()? {
            let (kind, key, field, new): (String, String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            let Some(fields) = fields_now.get(&(kind.clone(), key.clone())) else {
                problems.push(format!("record {kind} {key}: in the change log but not published"));
                continue;
            };
            let index = RecordKind::parse(&kind).and_then(|k| k.column_index(&field));
            match index {
                Some(i) if fields[i] == new => {}
                Some(i) => problems.push(format!(
                    "record {kind} {key}: {field} is '{}' but the change log's last value is '{new}'",
                    fields[i]
                )),
                None => problems.push(format!("change log: unknown field {field} of {kind} {key}")),
            }
        }

        if problems.len() > MAX_LISTED {
            let more = problems.len() - MAX_LISTED;
            problems.truncate(MAX_LISTED);
            problems.push(format!("… and {more} more"));
        }
        report.problems = problems;
        Ok(report)
    }
}
