//! A read replica's side of a publication: the atlas built from a published folder,
//! trusted only once every file matches the manifest.
//!
//! Steps ([`load`]): 1. read `manifest.json`; 2. verify every file's size and SHA-256;
//! 3. build the atlas from the data folder (read as a `--geodata` folder; files the
//!    manifest does not mark as sample are given as the user's files, so answers tell
//!    sample from real data as on the publishing server); 4. verify again, so that a
//!    publication written during the build is not half-read. A replica that follows the
//!    folder reads the manifest on a timer and calls [`load`] when its data version is not
//!    the one it serves; on any error it keeps what it serves.

use super::folder::{COMMUNE_RESULTS, DISTRICT_RESULTS, PILOTS, PROVINCE_RESULTS, TOURISM};
use super::manifest::{Manifest, ManifestError};
use crate::atlas::{self, Atlas, Inputs};
use std::path::{Path, PathBuf};

/// Why a publication was not loaded.
#[derive(Debug, thiserror::Error)]
pub enum ReplicaError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("the publication has no data files")]
    NoData,
    #[error("the published data does not load:\n{0}")]
    Load(String),
}

/// Steps 1–4 of the module doc: the manifest and the atlas it describes.
pub fn load(dir: &Path) -> Result<(Manifest, Atlas), ReplicaError> {
    let manifest = Manifest::read(dir)?;
    manifest.verify(dir)?;
    let inputs = inputs(dir, &manifest)?;
    let (atlas, _) = atlas::build(&inputs).map_err(|e| ReplicaError::Load(e.to_string()))?;
    manifest.verify(dir)?;
    Ok((manifest, atlas))
}

/// The atlas inputs of a published data folder.
fn inputs(dir: &Path, manifest: &Manifest) -> Result<Inputs, ReplicaError> {
    let data = manifest.file("commune_results").ok_or(ReplicaError::NoData)?;
    let data_dir: PathBuf = dir.join(data.path.rsplit_once('/').map_or("", |(folder, _)| folder));
    let mut inputs = Inputs::embedded(&data_dir);
    let user = |role: &str, name: &str| manifest.file(role).filter(|f| !f.sample).map(|_| data_dir.join(name));
    inputs.commune_results = user("commune_results", COMMUNE_RESULTS);
    inputs.district_results = user("district_results", DISTRICT_RESULTS);
    inputs.province_results = user("province_results", PROVINCE_RESULTS);
    inputs.pilots = user("pilots", PILOTS);
    inputs.tourism = user("tourism", TOURISM);
    inputs.criteria = user("criteria", atlas::CRITERIA_FILE);
    inputs.boundaries = ["boundaries_2024", "boundaries_2025"]
        .iter()
        .filter_map(|role| manifest.file(role))
        .map(|f| dir.join(&f.path))
        .collect();
    Ok(inputs)
}
