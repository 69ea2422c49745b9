//! The tile archives of a publication, served at the usual tile URLs
//! (`bando serve --tiles DIR`: `GET /tiles/{map}/{z}/{x}/{y}.mvt?edition=&year=`).
//!
//! Steps ([`PublishedTiles::open`]): 1. read `DIR/manifest.json`; 2. open every archive it
//! lists (`site_archive`, each with its view: map, edition, year) after checking its size
//! against the manifest (a full checksum of hundreds of megabytes would delay the start;
//! `bando serve --publication` verifies every file); 3. per request, [`PublishedTiles::archive`]
//! finds the archive of the view whose zooms hold the tile; the API reads the tile from it
//! (the same gzip bytes the live server renders) and names it with the publication's
//! data version.

use super::manifest::{ArchiveView, Manifest, ManifestError};
use crate::pyramid::pmtiles_read::PmtilesReader;
use std::path::Path;
use std::sync::Arc;

/// Why the archives could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum TilesError {
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    #[error("{0}: the publication has no tile archives (publish it with a bando that writes the map's site)")]
    NoArchives(String),
    #[error("{path}: {message}")]
    Archive { path: String, message: String },
}

pub struct PublishedTiles {
    /// The data version of the publication (in the tiles' ETags).
    pub data_version: String,
    archives: Vec<(ArchiveView, Arc<PmtilesReader>)>,
}

impl PublishedTiles {
    /// Steps 1–2.
    pub fn open(dir: &Path) -> Result<PublishedTiles, TilesError> {
        let manifest = Manifest::read(dir)?;
        let mut archives = Vec::new();
        for f in manifest.files.iter().filter(|f| f.role == "site_archive") {
            let Some(view) = f.view.clone() else { continue };
            let path = dir.join(&f.path);
            let fail = |message: String| TilesError::Archive { path: path.display().to_string(), message };
            let bytes = std::fs::metadata(&path).map_err(|e| fail(e.to_string()))?.len();
            if bytes != f.bytes {
                return Err(fail(format!("{bytes} bytes; the manifest says {}: a publication may be in progress", f.bytes)));
            }
            archives.push((view, Arc::new(PmtilesReader::open(&path).map_err(|e| fail(e.to_string()))?)));
        }
        if archives.is_empty() {
            return Err(TilesError::NoArchives(dir.display().to_string()));
        }
        Ok(PublishedTiles { data_version: manifest.data_version, archives })
    }

    /// Step 3: the archive of (`map`, `edition`, `year`) whose zooms hold `z`.
    pub fn archive(&self, map: &str, edition: u16, year: u16, z: u8) -> Option<Arc<PmtilesReader>> {
        self.archives
            .iter()
            .find(|(v, r)| v.map == map && v.edition == edition && v.year == year && (r.minzoom..=r.maxzoom).contains(&z))
            .map(|(_, r)| r.clone())
    }

    /// How many archives are served.
    pub fn len(&self) -> usize {
        self.archives.len()
    }

    pub fn is_empty(&self) -> bool {
        self.archives.is_empty()
    }
}
