//! Submissions: the records an office uploads, kept as a draft until an admin approves or
//! rejects them.
//!
//! Steps of a submission's life: 1. [`Store::create_draft`] stores the uploaded records
//! with, for each, the published fields at that moment (its base: an approval compares
//! it with what is published then to find conflicts); 2. [`Store::diff`] shows what it
//! would change, per record and column; 3. [`Store::submit`] hands it to review;
//! 4. [`Store::reject`] or [`Store::approve`](super::publications) ends it. The status only
//! moves draft → submitted → approved | rejected (an admin may approve a draft directly).

use super::records::{check_width, fields_json, now, parse_fields, published_set, unit_code, RecordSet, RecordsError};
use super::Store;
use crate::model::{Record, RecordKind};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use std::collections::HashSet;

pub type SubmissionId = i64;

/// Where a submission is in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Approved,
    Rejected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        [Status::Draft, Status::Submitted, Status::Approved, Status::Rejected].into_iter().find(|s| s.as_str() == text)
    }
}

/// A submission without its records.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Submission {
    pub id: SubmissionId,
    pub created_by: String,
    /// Seconds since the epoch (UTC), as every time of the store.
    pub created_at: i64,
    pub file_name: String,
    pub status: Status,
    /// The provinces the uploader acted for.
    pub provinces: Vec<String>,
    pub records: u64,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<i64>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub review_comment: Option<String>,
    pub decision: Option<String>,
    /// The publication an approval made.
    pub publication: Option<i64>,
}

/// Which submissions [`Store::list_submissions`] returns (every condition given must hold).
#[derive(Debug, Clone, Default)]
pub struct SubmissionFilter {
    pub created_by: Option<String>,
    pub status: Option<Status>,
    pub province: Option<String>,
}

/// What a submission changes in one record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordDiff {
    pub kind: RecordKind,
    pub key: String,
    /// The published fields; `None` for a new record.
    pub old: Option<Vec<String>>,
    pub new: Vec<String>,
    /// The columns whose value changes (every non-empty one for a new record).
    pub changed: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub column: &'static str,
    pub old: String,
    pub new: String,
}

impl Store {
    /// Stores `records` as a new draft of `username` for `provinces`, each with the
    /// published fields of its key at this moment. Two records with one key are refused.
    pub fn create_draft(
        &self,
        username: &str,
        provinces: &[String],
        file_name: &str,
        records: Vec<Record>,
    ) -> Result<SubmissionId, RecordsError> {
        let mut seen = HashSet::new();
        for record in &records {
            check_width(record)?;
            if !seen.insert((record.kind, record.key())) {
                return Err(RecordsError::DuplicateKey { kind: record.kind, key: record.key() });
            }
        }
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO submissions (created_by, created_at, file_name, status) VALUES (?1, ?2, ?3, 'draft')",
            params![username, now(), file_name],
        )?;
        let id = tx.last_insert_rowid();
        {
            let mut province = tx.prepare("INSERT OR IGNORE INTO submission_provinces (submission, province) VALUES (?1, ?2)")?;
            for p in provinces {
                province.execute(params![id, p])?;
            }
            // The base is read in this transaction, so it is the value published when the
            // draft is made.
            let mut insert = tx.prepare(
                "INSERT INTO submission_records (submission, kind, key, unit_code, fields, base) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut published = tx.prepare("SELECT fields FROM records WHERE kind = ?1 AND key = ?2")?;
            for record in &records {
                let (kind, key) = (record.kind.as_str(), record.key());
                let base: Option<String> = published.query_row(params![kind, key], |r| r.get(0)).optional()?;
                let fields = match &base {
                    Some(old) => published_spelling_of_numbers(record, &parse_fields(kind, &key, old)?),
                    None => record.fields.clone(),
                };
                insert.execute(params![id, kind, key, unit_code(record), fields_json(&fields), base])?;
            }
        }
        tx.commit()?;
        Ok(id)
    }

    /// The submission `id`.
    pub fn submission(&self, id: SubmissionId) -> Result<Submission, RecordsError> {
        let conn = self.read()?;
        read_submission(&conn, id)?.ok_or(RecordsError::NoSubmission(id))
    }

    /// The submissions matching `filter`, newest first.
    pub fn list_submissions(&self, filter: &SubmissionFilter) -> Result<Vec<Submission>, RecordsError> {
        let mut conn = self.read()?;
        let conn = conn.transaction()?;
        let mut select = conn.prepare(
            "SELECT id FROM submissions s
             WHERE (?1 IS NULL OR created_by = ?1) AND (?2 IS NULL OR status = ?2)
               AND (?3 IS NULL OR EXISTS (SELECT 1 FROM submission_provinces p WHERE p.submission = s.id AND p.province = ?3))
             ORDER BY id DESC",
        )?;
        let ids: Vec<i64> = select
            .query_map(params![filter.created_by, filter.status.map(Status::as_str), filter.province], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.into_iter().map(|id| read_submission(&conn, id)?.ok_or(RecordsError::NoSubmission(id))).collect()
    }

    /// The records `id` would change against what is published now, in kind and key
    /// order; records equal to the published ones are left out.
    pub fn diff(&self, id: SubmissionId) -> Result<Vec<RecordDiff>, RecordsError> {
        let mut conn = self.read()?;
        let conn = conn.transaction()?;
        read_submission(&conn, id)?.ok_or(RecordsError::NoSubmission(id))?;
        let mut select = conn.prepare(
            "SELECT s.kind, s.key, s.fields, r.fields FROM submission_records s
             LEFT JOIN records r ON r.kind = s.kind AND r.key = s.key
             WHERE s.submission = ?1 ORDER BY s.kind, s.key",
        )?;
        let mut rows = select.query(params![id])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let (kind_text, key, new, old): (String, String, String, Option<String>) = (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
            if old.as_deref() == Some(new.as_str()) {
                continue;
            }
            let kind = RecordKind::parse(&kind_text)
                .ok_or_else(|| RecordsError::Corrupt { kind: kind_text.clone(), key: key.clone(), message: "unknown kind".into() })?;
            let new = parse_fields(&kind_text, &key, &new)?;
            let old = old.map(|o| parse_fields(&kind_text, &key, &o)).transpose()?;
            let changed = field_changes(kind, old.as_deref(), &new);
            if !changed.is_empty() {
                out.push(RecordDiff { kind, key, old, new, changed });
            }
        }
        Ok(out)
    }

    /// Hands a draft to review.
    pub fn submit(&self, id: SubmissionId, username: &str) -> Result<(), RecordsError> {
        let conn = self.conn();
        require_status(&conn, id, &[Status::Draft], "submitting", "a draft")?;
        conn.execute(
            "UPDATE submissions SET status = 'submitted', submitted_by = ?2, submitted_at = ?3 WHERE id = ?1",
            params![id, username, now()],
        )?;
        Ok(())
    }

    /// Rejects a submitted submission; nothing published changes. (A draft is still its
    /// editor's: it is not in review, so there is nothing to reject yet.)
    pub fn reject(&self, id: SubmissionId, admin: &str, comment: &str) -> Result<(), RecordsError> {
        let conn = self.conn();
        require_status(&conn, id, &[Status::Submitted], "rejecting", "a submitted submission")?;
        conn.execute(
            "UPDATE submissions SET status = 'rejected', reviewed_by = ?2, reviewed_at = ?3, review_comment = ?4 WHERE id = ?1",
            params![id, admin, now(), comment],
        )?;
        Ok(())
    }

    /// The published records with submission `id`'s records applied (for a preview).
    pub fn merged_with(&self, id: SubmissionId) -> Result<RecordSet, RecordsError> {
        let mut conn = self.read()?;
        let conn = conn.transaction()?;
        read_submission(&conn, id)?.ok_or(RecordsError::NoSubmission(id))?;
        let mut set = published_set(&conn)?;
        let mut select = conn.prepare("SELECT kind, key, fields FROM submission_records WHERE submission = ?1")?;
        let mut rows = select.query(params![id])?;
        while let Some(row) = rows.next()? {
            let (kind_text, key, fields): (String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
            let Some(kind) = RecordKind::parse(&kind_text) else { continue };
            let record = Record { kind, fields: parse_fields(&kind_text, &key, &fields)? };
            let list = set.entry(kind).or_default();
            match list.binary_search_by(|r| r.key().cmp(&key)) {
                Ok(i) => list[i] = record,
                Err(i) => list.insert(i, record),
            }
        }
        Ok(set)
    }
}

/// The columns whose value differs (for a new record, every non-empty one).
/// `record`'s fields, where a number column holds the same number as the published record
/// `old` written otherwise, with the published text: a workbook cell gives `50` for the
/// `50.0` of a CSV file, and an office that uploads its template unchanged changes nothing.
fn published_spelling_of_numbers(record: &Record, old: &[String]) -> Vec<String> {
    let number = |text: &str| text.trim().parse::<f64>().ok().filter(|v| v.is_finite());
    record
        .kind
        .columns()
        .iter()
        .zip(record.fields.iter().zip(old))
        .map(|(column, (new, old))| {
            let same = RecordKind::is_number_column(column) && new != old && number(new).is_some_and(|n| Some(n) == number(old));
            if same { old.clone() } else { new.clone() }
        })
        .collect()
}

pub(super) fn field_changes(kind: RecordKind, old: Option<&[String]>, new: &[String]) -> Vec<FieldChange> {
    kind.columns()
        .iter()
        .enumerate()
        .filter_map(|(i, column)| {
            let before = old.map_or("", |o| o[i].as_str());
            (before != new[i] || (old.is_none() && !new[i].is_empty()))
                .then(|| FieldChange { column, old: before.to_string(), new: new[i].clone() })
        })
        .collect()
}

/// The status of `id`, refused unless it is one of `allowed`.
pub(super) fn require_status(
    conn: &Connection,
    id: SubmissionId,
    allowed: &[Status],
    action: &'static str,
    allowed_text: &'static str,
) -> Result<Status, RecordsError> {
    let text: Option<String> = conn.query_row("SELECT status FROM submissions WHERE id = ?1", params![id], |r| r.get(0)).optional()?;
    let text = text.ok_or(RecordsError::NoSubmission(id))?;
    match Status::parse(&text) {
        Some(s) if allowed.contains(&s) => Ok(s),
        _ => Err(RecordsError::Status { id, status: text, action, allowed: allowed_text }),
    }
}

pub(super) fn read_submission(conn: &Connection, id: SubmissionId) -> Result<Option<Submission>, RecordsError> {
    let row = conn
        .query_row(
            "SELECT id, created_by, created_at, file_name, status, submitted_by, submitted_at, reviewed_by, reviewed_at,
                    review_comment, decision, publication,
                    (SELECT COUNT(*) FROM submission_records WHERE submission = s.id)
             FROM submissions s WHERE id = ?1",
            params![id],
            |r| {
                let status: String = r.get(4)?;
                Ok(Submission {
                    id: r.get(0)?,
                    created_by: r.get(1)?,
                    created_at: r.get(2)?,
                    file_name: r.get(3)?,
                    status: Status::parse(&status).unwrap_or(Status::Draft),
                    provinces: Vec::new(),
                    records: r.get::<_, i64>(12)? as u64,
                    submitted_by: r.get(5)?,
                    submitted_at: r.get(6)?,
                    reviewed_by: r.get(7)?,
                    reviewed_at: r.get(8)?,
                    review_comment: r.get(9)?,
                    decision: r.get(10)?,
                    publication: r.get(11)?,
                })
            },
        )
        .optional()?;
    let Some(mut submission) = row else { return Ok(None) };
    let mut provinces = conn.prepare_cached("SELECT province FROM submission_provinces WHERE submission = ?1 ORDER BY province")?;
    submission.provinces = provinces.query_map(params![id], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(Some(submission))
}
