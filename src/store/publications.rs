//! Approval and the publication log: a submission's records become the published ones,
//! all at once, with every changed field logged.
//!
//! Steps of [`Store::approve_checked`], in one transaction committed with
//! `synchronous=FULL` (a published state survives power loss; NORMAL again after):
//!   1. check the status (draft or submitted);
//!   2. compare each record's base (published when the draft was made) with what is
//!      published now: a difference is a conflict (another approval changed it since);
//!      conflicts refuse the approval unless the admin chose to overwrite them or keep
//!      the published values;
//!   3. upsert the changed records, updating counts and the checksum from them alone;
//!   4. append the publication row and one change row per changed field;
//!   5. mark the submission approved;
//!   6. hand the merged records to the caller's validation (the atlas build): its error
//!      rolls everything back;
//!   7. commit.

use super::records::{
    digest, latest_publication_id, now, parse_fields, published_set, Checksum, RecordSet, RecordsError,
};
use super::submissions::{field_changes, require_status, Status, SubmissionId};
use super::Store;
use crate::model::RecordKind;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::Serialize;
use std::collections::BTreeMap;

/// One published version of the records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publication {
    pub id: i64,
    /// Seconds since the epoch (UTC).
    pub at: i64,
    pub by: String,
    /// The approved submission (none for publication 1, the seed).
    pub submission: Option<SubmissionId>,
    pub decision: Option<String>,
    /// Records published, by kind (`commune_result`, …).
    pub counts: BTreeMap<String, u64>,
    /// Hex of the XOR of the records' digests (see `db check`).
    pub checksum: String,
    /// Records this publication added or changed.
    pub changed: u64,
}

/// What to do with records changed by another approval since the draft was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConflictChoice {
    /// Refuse the approval and list the conflicts.
    #[default]
    Refuse,
    /// Publish the submission's values anyway.
    Overwrite,
    /// Leave those records as published; publish the rest.
    KeepPublished,
}

/// A record another approval changed after the draft was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub kind: RecordKind,
    pub key: String,
    /// Published when the draft was made (`None`: absent then).
    pub base: Option<Vec<String>>,
    /// Published now.
    pub published: Option<Vec<String>>,
    /// What the submission proposes.
    pub proposed: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApproveError {
    #[error(transparent)]
    Records(#[from] RecordsError),
    #[error("{} record(s) were changed by another approval since the draft was made (first: {} {}); choose to overwrite them or keep the published values", .0.len(), .0[0].kind, .0[0].key)]
    Conflicts(Vec<Conflict>),
    #[error("the merged records were refused; nothing was published: {0}")]
    Invalid(String),
}

impl From<rusqlite::Error> for ApproveError {
    fn from(e: rusqlite::Error) -> Self {
        ApproveError::Records(RecordsError::Sqlite(e))
    }
}

impl Store {
    /// Approves submission `id` without validating the merged records (see
    /// [`Store::approve_checked`]).
    pub fn approve(
        &self,
        id: SubmissionId,
        admin: &str,
        comment: &str,
        decision: Option<&str>,
        choice: ConflictChoice,
    ) -> Result<Publication, ApproveError> {
        self.approve_checked(id, admin, comment, decision, choice, |_| Ok(())).map(|(p, ())| p)
    }

    /// Approves submission `id` (see the module doc for the steps); `validate` sees every
    /// published record after the merge, before the commit, and its error publishes
    /// nothing.
    pub fn approve_checked<T>(
        &self,
        id: SubmissionId,
        admin: &str,
        comment: &str,
        decision: Option<&str>,
        choice: ConflictChoice,
        validate: impl FnOnce(&RecordSet) -> Result<T, String>,
    ) -> Result<(Publication, T), ApproveError> {
        let mut conn = self.conn();
        conn.execute_batch("PRAGMA synchronous = FULL")?;
        let result = approve_in(&mut conn, id, admin, comment, decision, choice, validate);
        // Back to NORMAL for the rest (sessions, drafts): their loss at power failure is harmless.
        conn.execute_batch("PRAGMA synchronous = NORMAL")?;
        result
    }

    /// The publication log, oldest first.
    pub fn publications(&self) -> Result<Vec<Publication>, RecordsError> {
        let conn = self.conn();
        let mut select = conn.prepare("SELECT id, at, by, submission, decision, counts, checksum, changed FROM publications ORDER BY id")?;
        let rows = select.query_map([], publication_row)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().collect()
    }

    /// The publication in force (the last one).
    pub fn current_publication(&self) -> Result<Option<Publication>, RecordsError> {
        current_publication(&self.conn())
    }
}

pub(super) fn current_publication(conn: &Connection) -> Result<Option<Publication>, RecordsError> {
    conn.query_row(
        "SELECT id, at, by, submission, decision, counts, checksum, changed FROM publications ORDER BY id DESC LIMIT 1",
        [],
        publication_row,
    )
    .optional()?
    .transpose()
}

type PublicationRow = Result<Publication, RecordsError>;

fn publication_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<PublicationRow> {
    let counts: String = r.get(5)?;
    let id: i64 = r.get(0)?;
    let parsed = serde_json::from_str(&counts)
        .map_err(|e| RecordsError::Corrupt { kind: "publication".into(), key: id.to_string(), message: format!("counts: {e}") });
    Ok(parsed.map(|counts| Publication {
        id,
        at: r.get(1).unwrap_or_default(),
        by: r.get(2).unwrap_or_default(),
        submission: r.get(3).unwrap_or_default(),
        decision: r.get(4).unwrap_or_default(),
        counts,
        checksum: r.get(6).unwrap_or_default(),
        changed: r.get::<_, i64>(7).unwrap_or_default() as u64,
    }))
}

/// Appends a publication row and returns it.
pub(super) fn insert_publication(
    tx: &Transaction<'_>,
    by: &str,
    submission: Option<SubmissionId>,
    decision: Option<&str>,
    counts: &BTreeMap<String, u64>,
    checksum: &Checksum,
    changed: u64,
) -> Result<Publication, RecordsError> {
    let at = now();
    let counts_text = serde_json::to_string(counts).expect("counts serialise");
    tx.execute(
        "INSERT INTO publications (at, by, submission, decision, counts, checksum, changed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![at, by, submission, decision, counts_text, checksum.hex(), changed as i64],
    )?;
    Ok(Publication {
        id: tx.last_insert_rowid(),
        at,
        by: by.to_string(),
        submission,
        decision: decision.map(str::to_string),
        counts: counts.clone(),
        checksum: checksum.hex(),
        changed,
    })
}

/// One record of the submission with what is published now.
struct Pending {
    kind: RecordKind,
    key: String,
    unit_code: String,
    fields: String,
    base: Option<String>,
    published: Option<String>,
    published_digest: Option<Vec<u8>>,
}

fn approve_in<T>(
    conn: &mut Connection,
    id: SubmissionId,
    admin: &str,
    comment: &str,
    decision: Option<&str>,
    choice: ConflictChoice,
    validate: impl FnOnce(&RecordSet) -> Result<T, String>,
) -> Result<(Publication, T), ApproveError> {
    let tx = conn.transaction()?;
    // 1. Status.
    require_status(&tx, id, &[Status::Draft, Status::Submitted], "approving", "a draft or a submitted submission")?;
    let (created_by, submitted_by): (String, Option<String>) =
        tx.query_row("SELECT created_by, submitted_by FROM submissions WHERE id = ?1", params![id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let submitter = submitted_by.unwrap_or(created_by);
    let pending = pending_records(&tx, id)?;

    // 2. Conflicts.
    let mut conflicts = Vec::new();
    let mut apply = Vec::new();
    for p in pending {
        if p.published.as_deref() == Some(p.fields.as_str()) {
            continue; // Already published as proposed: nothing to change, nothing to conflict.
        }
        if p.published != p.base {
            match choice {
                ConflictChoice::Refuse => conflicts.push(conflict(&p)?),
                ConflictChoice::KeepPublished => continue,
                ConflictChoice::Overwrite => apply.push(p),
            }
        } else {
            apply.push(p);
        }
    }
    if !conflicts.is_empty() {
        return Err(ApproveError::Conflicts(conflicts));
    }

    // 3. Records, counts and checksum.
    let previous = super::publications::current_publication(&tx)?;
    let (mut counts, mut checksum) = match &previous {
        Some(p) => (p.counts.clone(), Checksum::from_hex(&p.checksum).unwrap_or_default()),
        None => (BTreeMap::new(), Checksum::default()),
    };
    {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO records (kind, key, unit_code, fields, digest) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (kind, key) DO UPDATE SET unit_code = excluded.unit_code, fields = excluded.fields, digest = excluded.digest",
        )?;
        for p in &apply {
            let new_digest = digest(p.kind.as_str(), &p.key, &p.fields);
            match &p.published_digest {
                Some(old) => checksum.add(old),
                None => *counts.entry(p.kind.as_str().to_string()).or_default() += 1,
            }
            checksum.add(&new_digest);
            upsert.execute(params![p.kind.as_str(), p.key, p.unit_code, p.fields, &new_digest[..]])?;
        }
    }

    // 4. Publication and change log.
    let publication = insert_publication(&tx, admin, Some(id), decision, &counts, &checksum, apply.len() as u64)?;
    {
        let mut log = tx.prepare_cached(
            "INSERT INTO changes (publication, submission, kind, key, unit_code, field, old, new, submitted_by, approved_by, at, decision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for p in &apply {
            let new = parse_fields(p.kind.as_str(), &p.key, &p.fields)?;
            let old = p.published.as_deref().map(|o| parse_fields(p.kind.as_str(), &p.key, o)).transpose()?;
            for change in field_changes(p.kind, old.as_deref(), &new) {
                let old_value = old.as_ref().map(|_| change.old.as_str());
                log.execute(params![
                    publication.id,
                    id,
                    p.kind.as_str(),
                    p.key,
                    p.unit_code,
                    change.column,
                    old_value,
                    change.new,
                    submitter,
                    admin,
                    publication.at,
                    decision
                ])?;
            }
        }
    }

    // 5. The submission.
    tx.execute(
        "UPDATE submissions SET status = 'approved', reviewed_by = ?2, reviewed_at = ?3, review_comment = ?4, decision = ?5, publication = ?6
         WHERE id = ?1",
        params![id, admin, publication.at, comment, decision, publication.id],
    )?;

    // 6. Validation of the whole merged state, then 7. commit.
    let merged = published_set(&tx)?;
    let checked = validate(&merged).map_err(ApproveError::Invalid)?;
    debug_assert!(latest_publication_id(&tx)? == Some(publication.id));
    tx.commit()?;
    Ok((publication, checked))
}

fn pending_records(tx: &Transaction<'_>, id: SubmissionId) -> Result<Vec<Pending>, ApproveError> {
    let mut select = tx.prepare_cached(
        "SELECT s.kind, s.key, s.unit_code, s.fields, s.base, r.fields, r.digest FROM submission_records s
         LEFT JOIN records r ON r.kind = s.kind AND r.key = s.key
         WHERE s.submission = ?1 ORDER BY s.kind, s.key",
    )?;
    let mut rows = select.query(params![id])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let kind_text: String = row.get(0)?;
        let key: String = row.get(1)?;
        let kind = RecordKind::parse(&kind_text)
            .ok_or_else(|| RecordsError::Corrupt { kind: kind_text.clone(), key: key.clone(), message: "unknown kind".into() })?;
        out.push(Pending {
            kind,
            key,
            unit_code: row.get(2)?,
            fields: row.get(3)?,
            base: row.get(4)?,
            published: row.get(5)?,
            published_digest: row.get(6)?,
        });
    }
    Ok(out)
}

fn conflict(p: &Pending) -> Result<Conflict, RecordsError> {
    let parse = |text: &Option<String>| text.as_deref().map(|t| parse_fields(p.kind.as_str(), &p.key, t)).transpose();
    Ok(Conflict {
        kind: p.kind,
        key: p.key.clone(),
        base: parse(&p.base)?,
        published: parse(&p.published)?,
        proposed: parse_fields(p.kind.as_str(), &p.key, &p.fields)?,
    })
}
