//! A deterministic run of approvals for the crash test (`bando db stress-approvals N`,
//! hidden): the test kills the process at random moments and checks that the store is
//! at the state of one publication of this sequence, never between two.
//!
//! The sequence: with publication `p` in force (1 = the seed), approval `p` changes the
//! first [`RECORDS_PER_KIND`] commune results (in key order) to decision `stress-{p}`
//! and the first as many criteria rows to note `stress-{p}`, drafted by
//! [`EDITOR`] and approved by [`ADMIN`]; it stops once publication `count + 1` exists.

use crate::model::{Record, RecordKind};
use super::ManageError;
use crate::store::{Approval, Store};

pub const RECORDS_PER_KIND: usize = 1500;
pub const EDITOR: &str = "stress-editor";
pub const ADMIN: &str = "stress-admin";

/// The kinds and column each approval changes.
pub const TOUCHED: [(RecordKind, &str); 2] = [(RecordKind::CommuneResult, "decision"), (RecordKind::Criteria, "note")];

/// The value approval `n` writes.
pub fn value(n: i64) -> String {
    format!("stress-{n}")
}

/// Runs approvals until `count` of them (after the seed) are published.
pub fn run(store: &Store, count: u64) -> Result<(), ManageError> {
    loop {
        let current = store.current_publication()?.ok_or_else(|| ManageError::Load("the store is not seeded".into()))?.id;
        if current > count as i64 {
            return Ok(());
        }
        let mut records = Vec::new();
        for (kind, column) in TOUCHED {
            let index = kind.column_index(column).expect("a column of the kind");
            records.extend(store.published_page(kind, None, RECORDS_PER_KIND)?.into_iter().map(|mut r: Record| {
                r.fields[index] = value(current);
                r
            }));
        }
        let id = store.create_draft(EDITOR, &[], "stress.csv", records)?;
        store.submit(id, EDITOR)?;
        store.approve(&Approval::new(id, ADMIN).comment("stress").decision(Some(&format!("QD-{current}"))))?;
    }
}

