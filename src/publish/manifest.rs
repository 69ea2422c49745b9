//! `manifest.json` of a published folder: which files make the publication, each with its
//! size and SHA-256, and the data version they build.
//!
//! The manifest is written last and by rename, so that a reader sees the previous
//! publication or the whole new one; every file it names lives under a folder named by
//! the data version, which never changes once written (a CDN may cache it for ever).
//! Readers verify each file against its checksum before trusting it ([`Manifest::verify`]).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// The manifest's file name in a published folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// What `format` says, so that a reader refuses a folder of another kind.
pub const FORMAT: &str = "bando-publication";
pub const FORMAT_VERSION: u32 = 1;

/// The whole publication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    /// The atlas version the data files build (as in every answer's `meta.data_version`).
    pub data_version: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub published_at: String,
    /// True when any data file is the embedded sample.
    pub sample: bool,
    pub files: Vec<FileEntry>,
}

/// One file of the publication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    /// Relative to the published folder, with `/`.
    pub path: String,
    /// What the file is: a data input (`commune_results`, `boundaries_2024`, …), `export`,
    /// or a file of the map's site (`site_archive`, `site_style`, `site_glyphs`,
    /// `site_search`, `site_stats`, `site_document`, `site_viewer`, `site_vendor`; `site_index`, the
    /// root page pointing at the current site).
    pub role: String,
    /// The embedded sample data (data inputs only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sample: bool,
    pub bytes: u64,
    pub sha256: String,
    /// The view a tile archive (`site_archive`) holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<ArchiveView>,
}

/// The view of a published tile archive: what `GET /tiles/{map}/…?edition=&year=` it
/// answers (`bando serve --tiles`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveView {
    pub map: String,
    pub edition: u16,
    pub year: u16,
}

/// A manifest that cannot be trusted, with the reason.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("{path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("{path}: the file does not match the manifest ({message}); a publication may be in progress")]
    Mismatch { path: String, message: String },
}

impl Manifest {
    /// Reads `dir/manifest.json` and checks its format.
    pub fn read(dir: &Path) -> Result<Manifest, ManifestError> {
        let path = dir.join(MANIFEST_FILE);
        let unreadable = |message: String| ManifestError::Unreadable { path: path.display().to_string(), message };
        let text = std::fs::read(&path).map_err(|e| unreadable(e.to_string()))?;
        let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| unreadable(format!("not a publication manifest: {e}")))?;
        if manifest.format != FORMAT || manifest.format_version != FORMAT_VERSION {
            return Err(unreadable(format!("format {} {} is not {FORMAT} {FORMAT_VERSION}", manifest.format, manifest.format_version)));
        }
        if let Some(bad) = manifest.files.iter().find(|f| !is_plain_relative(&f.path)) {
            return Err(unreadable(format!("file path {:?} leaves the folder", bad.path)));
        }
        Ok(manifest)
    }

    /// Checks every file's size and checksum; the first mismatch is the error.
    pub fn verify(&self, dir: &Path) -> Result<(), ManifestError> {
        for f in &self.files {
            let path = dir.join(&f.path);
            let mismatch = |message: String| ManifestError::Mismatch { path: path.display().to_string(), message };
            let (bytes, sha256) = file_digest(&path).map_err(|e| mismatch(e.to_string()))?;
            if bytes != f.bytes || sha256 != f.sha256 {
                return Err(mismatch(format!("{bytes} bytes, SHA-256 {sha256}; the manifest says {} bytes, {}", f.bytes, f.sha256)));
            }
        }
        Ok(())
    }

    /// The file of `role`, if the publication has one.
    pub fn file(&self, role: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.role == role)
    }
}

/// Size and lower-case hex SHA-256 of a file, read in blocks.
pub fn file_digest(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((bytes, hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()))
}

/// A manifest names files inside its folder only: no absolute path, no `..`.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty() && !path.starts_with('/') && !path.contains('\\') && path.split('/').all(|part| !part.is_empty() && part != "." && part != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_outside_the_folder_are_refused() {
        for bad in ["", "/etc/passwd", "../x", "data/../../x", "a//b", "a\\b", "./a"] {
            assert!(!is_plain_relative(bad), "{bad:?}");
        }
        assert!(is_plain_relative("data/abc/results-communes.csv"));
    }
}
