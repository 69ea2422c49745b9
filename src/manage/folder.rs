//! The published records as the CSV files the loaders read, in `DATA_DIR/published/`.
//!
//! Steps of [`stage`] and [`promote`]: 1. write every kind's file into a fresh staging
//! folder; 2. (the caller builds the atlas from it to validate it); 3. move the folder in
//! force aside, rename the staging folder to `published`, delete the old one. Readers of
//! the folder (a reload) see one whole publication's files; a crash between the renames
//! leaves no `published` folder, which the next start writes again from the database.

use super::ManageError;
use crate::atlas::Inputs;
use crate::model::{write_csv, RecordKind};
use crate::store::RecordSet;
use std::path::{Path, PathBuf};

/// The folder in force inside the data folder.
pub const PUBLISHED: &str = "published";
const STAGING: &str = "published.next";
const OLD: &str = "published.old";

pub fn published_dir(data_dir: &Path) -> PathBuf {
    data_dir.join(PUBLISHED)
}

/// Writes `records` into `dir` (emptied first), one file per kind.
pub fn write(dir: &Path, records: &RecordSet) -> Result<(), ManageError> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(ManageError::io(dir))?;
    }
    std::fs::create_dir_all(dir).map_err(ManageError::io(dir))?;
    for kind in RecordKind::ALL {
        let path = dir.join(kind.file_name());
        let text = write_csv(kind, records.get(&kind).into_iter().flatten());
        std::fs::write(&path, text).map_err(ManageError::io(&path))?;
    }
    Ok(())
}

/// Writes `records` into the staging folder of `data_dir` and returns it.
pub fn stage(data_dir: &Path, records: &RecordSet) -> Result<PathBuf, ManageError> {
    let dir = data_dir.join(STAGING);
    write(&dir, records)?;
    Ok(dir)
}

/// Makes the staging folder the one in force.
pub fn promote(data_dir: &Path) -> Result<(), ManageError> {
    let (staging, published, old) = (data_dir.join(STAGING), data_dir.join(PUBLISHED), data_dir.join(OLD));
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(ManageError::io(&old))?;
    }
    if published.exists() {
        std::fs::rename(&published, &old).map_err(ManageError::io(&published))?;
    }
    std::fs::rename(&staging, &published).map_err(ManageError::io(&staging))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(ManageError::io(&old))?;
    }
    Ok(())
}

/// `configured` with every record file taken from `dir` (boundaries, the criteria
/// catalog and the targets stay as configured).
pub fn inputs(configured: &Inputs, dir: &Path) -> Inputs {
    let file = |kind: RecordKind| Some(dir.join(kind.file_name()));
    Inputs {
        commune_results: file(RecordKind::CommuneResult),
        district_results: file(RecordKind::DistrictResult),
        province_results: file(RecordKind::ProvinceResult),
        pilots: file(RecordKind::Pilot),
        tourism: file(RecordKind::Tourism),
        criteria: file(RecordKind::Criteria),
        ..configured.clone()
    }
}
