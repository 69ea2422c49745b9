//! Approval and the publication log: a submission's records become the published ones,
//! all at once, with every changed field logged.
//!
//! Steps of [`Store::approve_checked`]; the slow part (the caller's validation, an atlas
//! build of several seconds) holds no lock and no transaction, so uploads, sign-ins and
//! pages go on meanwhile:
//!   1. plan, in one short read transaction on a read-only connection: check the status
//!      (draft or submitted); compare each record's base (published when the draft was
//!      made) with what is published now: a difference is a conflict (another approval
//!      changed it since); conflicts refuse the approval unless the admin chose to
//!      overwrite them or keep the published values; merge the records to apply into the
//!      published ones;
//!   2. hand the merged records to the caller's validation (the atlas build), with no
//!      lock held: its error publishes nothing;
//!   3. commit, in one short IMMEDIATE transaction with `synchronous=FULL` (a published
//!      state survives power loss; NORMAL again after): first verify that what the plan
//!      read still holds — the publication in force is the one merged into (records only
//!      change with a publication) and the submission is in the status approved from;
//!      then upsert the changed records (counts and checksum updated from them alone),
//!      append the publication row and one change row per changed field, mark the
//!      submission approved;
//!   4. when the verification fails (another approval published meanwhile, or the
//!      submission was rejected), plan and validate once more from the new state; a
//!      second change in between refuses the approval with [`ApproveError::Changed`].

use super::records::{
    digest, latest_publication_id, now, parse_fields, published_set, Checksum, RecordSet, RecordsError,
};
use super::submissions::{field_changes, require_status, Status, SubmissionId};
use super::Store;
use crate::model::RecordKind;
use crate::model::Record;
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};
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

/// An admin's approval of one submission: who, why, under which decision, and what to do
/// with records another approval changed since the draft was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub submission: SubmissionId,
    /// The approving admin's username.
    pub admin: String,
    pub comment: String,
    /// The decision number published with the change (e.g. `123/QĐ-UBND`).
    pub decision: Option<String>,
    pub conflicts: ConflictChoice,
}

impl Approval {
    /// Approval of `submission` by `admin`, with no comment nor decision, refusing conflicts.
    pub fn new(submission: SubmissionId, admin: &str) -> Approval {
        Approval { submission, admin: admin.to_string(), comment: String::new(), decision: None, conflicts: ConflictChoice::Refuse }
    }

    pub fn comment(mut self, comment: &str) -> Approval {
        self.comment = comment.to_string();
        self
    }

    pub fn decision(mut self, decision: Option<&str>) -> Approval {
        self.decision = decision.map(str::to_string);
        self
    }

    pub fn conflicts(mut self, choice: ConflictChoice) -> Approval {
        self.conflicts = choice;
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApproveError {
    #[error(transparent)]
    Records(#[from] RecordsError),
    #[error("{} record(s) were changed by another approval since the draft was made (first: {} {}); choose to overwrite them or keep the published values", .0.len(), .0[0].kind, .0[0].key)]
    Conflicts(Vec<Conflict>),
    #[error("the merged records were refused; nothing was published: {0}")]
    Invalid(String),
    #[error("submission {id} was not approved: the published records or its status changed while the merge was being checked, twice in a row (last: {what}); nothing was published, approve it again")]
    Changed { id: SubmissionId, what: String },
}

impl From<rusqlite::Error> for ApproveError {
    fn from(e: rusqlite::Error) -> Self {
        ApproveError::Records(RecordsError::Sqlite(e))
    }
}

impl Store {
    /// Approves a submission without validating the merged records (see
    /// [`Store::approve_checked`]).
    pub fn approve(&self, approval: &Approval) -> Result<Publication, ApproveError> {
        self.approve_checked(approval, |_| Ok(())).map(|(p, ())| p)
    }

    /// Approves a submission (see the module doc for the steps); `validate` sees every
    /// published record after the merge, before the commit, with no lock held; its error
    /// publishes nothing. It runs twice when another publication or a review lands
    /// while it runs.
    pub fn approve_checked<T>(
        &self,
        approval: &Approval,
        mut validate: impl FnMut(&RecordSet) -> Result<T, String>,
    ) -> Result<(Publication, T), ApproveError> {
        let mut changed = None;
        for _ in 0..2 {
            let plan = self.plan_approval(approval)?;
            let checked = validate(&plan.merged).map_err(ApproveError::Invalid)?;
            match self.commit_approval(approval, plan) {
                Ok(publication) => return Ok((publication, checked)),
                Err(Stale(what)) => changed = Some(what),
                Err(Failed(e)) => return Err(e),
            }
        }
        Err(ApproveError::Changed { id: approval.submission, what: changed.unwrap_or_default() })
    }

    /// Step 1: what the approval would write, read in one read transaction.
    fn plan_approval(&self, approval: &Approval) -> Result<Plan, ApproveError> {
        let mut conn = self.read()?;
        let tx = conn.transaction()?;
        plan_in(&tx, approval)
    }

    /// Step 3: the commit, after verifying the plan still holds.
    fn commit_approval(&self, approval: &Approval, plan: Plan) -> Result<Publication, CommitError> {
        let mut conn = self.conn();
        conn.execute_batch("PRAGMA synchronous = FULL").map_err(|e| Failed(e.into()))?;
        let result = commit_in(&mut conn, approval, plan);
        // Back to NORMAL for the rest (sessions, drafts): their loss at power failure is harmless.
        conn.execute_batch("PRAGMA synchronous = NORMAL").map_err(|e| Failed(e.into()))?;
        result
    }

    /// The publication log, oldest first.
    pub fn publications(&self) -> Result<Vec<Publication>, RecordsError> {
        let conn = self.read()?;
        let mut select = conn.prepare_cached("SELECT id, at, by, submission, decision, counts, checksum, changed FROM publications ORDER BY id")?;
        let rows = select.query_map([], publication_row)?.collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().collect()
    }

    /// The publication in force (the last one).
    pub fn current_publication(&self) -> Result<Option<Publication>, RecordsError> {
        current_publication(&*self.read()?)
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

/// What an approval writes, and what it was read from.
struct Plan {
    /// The status approved from.
    status: Status,
    /// The publication in force when the plan was read.
    head: Option<i64>,
    submitter: String,
    /// The records that change.
    apply: Vec<Pending>,
    /// Every published record with `apply` merged in.
    merged: RecordSet,
}

/// Why a commit did not happen: what the plan read changed meanwhile (plan again), or an
/// error to report.
enum CommitError {
    Stale(String),
    Failed(ApproveError),
}
use CommitError::{Failed, Stale};

fn plan_in(tx: &Transaction<'_>, approval: &Approval) -> Result<Plan, ApproveError> {
    let id = approval.submission;
    let status = require_status(tx, id, &[Status::Draft, Status::Submitted], "approving", "a draft or a submitted submission")?;
    let (created_by, submitted_by): (String, Option<String>) =
        tx.query_row("SELECT created_by, submitted_by FROM submissions WHERE id = ?1", params![id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let head = latest_publication_id(tx)?;

    let mut conflicts = Vec::new();
    let mut apply = Vec::new();
    for p in pending_records(tx, id)? {
        if p.published.as_deref() == Some(p.fields.as_str()) {
            continue; // Already published as proposed: nothing to change, nothing to conflict.
        }
        if p.published != p.base {
            match approval.conflicts {
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

    let mut merged = published_set(tx)?;
    for p in &apply {
        let record = Record { kind: p.kind, fields: parse_fields(p.kind.as_str(), &p.key, &p.fields)? };
        let list = merged.entry(p.kind).or_default();
        match list.binary_search_by(|r| r.key().as_str().cmp(p.key.as_str())) {
            Ok(i) => list[i] = record,
            Err(i) => list.insert(i, record),
        }
    }
    Ok(Plan { status, head, submitter: submitted_by.unwrap_or(created_by), apply, merged })
}

fn commit_in(conn: &mut Connection, approval: &Approval, plan: Plan) -> Result<Publication, CommitError> {
    let failed = |e: rusqlite::Error| Failed(e.into());
    // IMMEDIATE: the write lock is taken before the checks, so nothing lands between them
    // and the writes.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(failed)?;
    let id = approval.submission;
    let head = latest_publication_id(&tx).map_err(failed)?;
    if head != plan.head {
        return Err(Stale(format!("publication {} was published", head.unwrap_or_default())));
    }
    match require_status(&tx, id, &[plan.status], "approving", "a draft or a submitted submission") {
        Ok(_) => {}
        Err(RecordsError::Status { status, .. }) => return Err(Stale(format!("it became {status}"))),
        Err(e) => return Err(Failed(e.into())),
    }
    let publication = write_approval(&tx, approval, &plan).map_err(Failed)?;
    tx.commit().map_err(failed)?;
    Ok(publication)
}

/// The writes of a verified plan: records, publication, change log, submission.
fn write_approval(tx: &Transaction<'_>, approval: &Approval, plan: &Plan) -> Result<Publication, ApproveError> {
    let (id, admin, decision) = (approval.submission, approval.admin.as_str(), approval.decision.as_deref());
    // Records, counts and checksum.
    let previous = current_publication(tx)?;
    let (mut counts, mut checksum) = match &previous {
        Some(p) => (p.counts.clone(), Checksum::from_hex(&p.checksum).unwrap_or_default()),
        None => (BTreeMap::new(), Checksum::default()),
    };
    {
        let mut upsert = tx.prepare_cached(
            "INSERT INTO records (kind, key, unit_code, fields, digest) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (kind, key) DO UPDATE SET unit_code = excluded.unit_code, fields = excluded.fields, digest = excluded.digest",
        )?;
        for p in &plan.apply {
            let new_digest = digest(p.kind.as_str(), &p.key, &p.fields);
            match &p.published_digest {
                Some(old) => checksum.add(old),
                None => *counts.entry(p.kind.as_str().to_string()).or_default() += 1,
            }
            checksum.add(&new_digest);
            upsert.execute(params![p.kind.as_str(), p.key, p.unit_code, p.fields, &new_digest[..]])?;
        }
    }

    // Publication and change log.
    let publication = insert_publication(tx, admin, Some(id), decision, &counts, &checksum, plan.apply.len() as u64)?;
    {
        let mut log = tx.prepare_cached(
            "INSERT INTO changes (publication, submission, kind, key, unit_code, field, old, new, submitted_by, approved_by, at, decision)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?;
        for p in &plan.apply {
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
                    plan.submitter,
                    admin,
                    publication.at,
                    decision
                ])?;
            }
        }
    }

    // The submission.
    tx.execute(
        "UPDATE submissions SET status = 'approved', reviewed_by = ?2, reviewed_at = ?3, review_comment = ?4, decision = ?5, publication = ?6
         WHERE id = ?1",
        params![id, admin, publication.at, approval.comment, decision, publication.id],
    )?;
    Ok(publication)
}

fn pending_records(tx: &Connection, id: SubmissionId) -> Result<Vec<Pending>, ApproveError> {
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
