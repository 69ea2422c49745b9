//! The submission → review → publication workflow, over [`crate::store`]: the database is
//! the truth of what is published, and the atlas the public map answers from is built
//! from it.
//!
//! Steps:
//!   1. [`open`] a data folder at start: seed the store from the configured (or embedded)
//!      files as publication 1 when it is new ([`seed`]), write the published records as
//!      the CSV files the loaders read ([`folder`]), build the atlas from them;
//!   2. [`Publisher::approve`]: read the submission merged into the published records
//!      (a short read), build the atlas from them with no store lock held *before* the
//!      commit (a merge the loaders refuse publishes nothing), commit in a short
//!      transaction that first verifies nothing the merge was read from changed, swap the
//!      CSV folder, publish the new snapshot: the data version changes, so ETags change —
//!      except those of tiles far from every province the approval touched, which keep
//!      their cache entries and ETags ([`crate::snapshot::lineage`]); the replaced
//!      snapshot is freed later at normal priority ([`Publisher::free_retired`]), not
//!      by a request;
//!   3. [`Publisher::preview`]: the same build with a draft applied, published nowhere;
//!      [`preview`] keeps the last few and tells what a draft touches;
//!   4. [`Publisher::reload`] (SIGHUP, `POST /api/v1/admin/reload`): the atlas rebuilt
//!      from the store's published records, as at start.
//!
//! A crash between the commit and the folder swap is healed by the next start, which
//! always rewrites the folder from the database.

pub mod folder;
pub mod preview;
mod publish;
pub mod seed;
pub mod stress;

pub use publish::{open, Opened, Publisher};

use crate::store::{ApproveError, RecordsError, StoreError};
use std::path::PathBuf;

/// The user publication 1 is recorded as: the files the server was started with.
pub const SEED_USER: &str = "bando-seed";

/// Why a management step failed.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Records(#[from] RecordsError),
    #[error(transparent)]
    Approve(#[from] ApproveError),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the published records do not load:\n{0}")]
    Load(String),
}

impl ManageError {
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ManageError + '_ {
        move |source| ManageError::Io { path: path.to_path_buf(), source }
    }
}
