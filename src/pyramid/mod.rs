//! Tile pyramids: the bytes of one tile as served ([`served_mvt`]), and whole pyramids
//! of a view written as PMTiles or MBTiles archives (`bando export --map`).
//!
//! Steps of [`export`]:
//!   1. check the request (zooms within 0–[`MAX_ZOOM`], min ≤ max);
//!   2. walk the pyramid on all cores ([`walk`]), each non-empty tile rendered once with
//!      the server's own renderer, so an archive holds byte for byte what
//!      `GET /tiles/{map}/{z}/{x}/{y}.mvt` serves a gzip client;
//!   3. the archive ([`pmtiles`] or [`mbtiles`]) deduplicates equal tiles (the sea and
//!      the inside of big communes repeat at depth) and carries the view's TileJSON
//!      ([`crate::tile::tilejson`]) as its metadata.
//!
//! Nothing here knows about HTTP: the server's tile pipeline calls [`served_mvt`] too.

pub mod mbtiles;
pub mod pmtiles;
pub mod pmtiles_read;
pub mod progress;
mod served;
pub mod walk;

pub use served::{gunzip, gzip, served_mvt};

use crate::snapshot::Snapshot;
use crate::tile::tilejson::document;
use crate::tile::{TileView, MAX_ZOOM};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum PyramidError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{path}: {source}")]
    Sqlite { path: PathBuf, source: rusqlite::Error },
    #[error("rendering failed: {0}")]
    Render(String),
    #[error("{0}")]
    Request(String),
}

impl PyramidError {
    fn io(path: &Path, source: std::io::Error) -> PyramidError {
        PyramidError::Io { path: path.to_path_buf(), source }
    }

    fn sqlite(path: &Path, source: rusqlite::Error) -> PyramidError {
        PyramidError::Sqlite { path: path.to_path_buf(), source }
    }
}

/// The archive formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    Pmtiles,
    Mbtiles,
}

impl ArchiveFormat {
    pub fn parse(text: &str) -> Option<ArchiveFormat> {
        match text {
            "pmtiles" => Some(ArchiveFormat::Pmtiles),
            "mbtiles" => Some(ArchiveFormat::Mbtiles),
            _ => None,
        }
    }
}

/// What to write.
#[derive(Debug, Clone, Copy)]
pub struct PyramidRequest {
    pub view: TileView,
    pub format: ArchiveFormat,
    pub minzoom: u8,
    pub maxzoom: u8,
}

impl PyramidRequest {
    /// Step 1: every problem of the request in one message.
    pub fn check(&self) -> Result<(), PyramidError> {
        let mut problems = Vec::new();
        for (name, z) in [("--minzoom", self.minzoom), ("--maxzoom", self.maxzoom)] {
            if z > MAX_ZOOM {
                problems.push(format!("{name} {z} is beyond the maximum zoom {MAX_ZOOM}"));
            }
        }
        if self.minzoom > self.maxzoom {
            problems.push(format!("--minzoom {} is above --maxzoom {}", self.minzoom, self.maxzoom));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(PyramidError::Request(problems.join("; ")))
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy)]
pub struct Written {
    /// Tiles in the archive (non-empty tiles of the pyramid).
    pub tiles: u64,
    /// Distinct tile contents stored.
    pub contents: u64,
    pub bytes: u64,
}

/// The view's TileJSON for an archive: no tile URL, the archive's zooms, every layer's
/// zooms clamped to them.
pub fn metadata(snapshot: &Snapshot, req: &PyramidRequest) -> serde_json::Value {
    let view = req.view;
    let mut doc = document(snapshot, view.map, view.edition, view.as_of.year(), None);
    doc["minzoom"] = req.minzoom.into();
    doc["maxzoom"] = req.maxzoom.into();
    if let Some(day) = view.as_of.day() {
        doc["date"] = day.to_string().into();
    }
    if let Some(layers) = doc["vector_layers"].as_array_mut() {
        for layer in layers {
            for key in ["minzoom", "maxzoom"] {
                if let Some(z) = layer[key].as_u64() {
                    layer[key] = z.clamp(u64::from(req.minzoom), u64::from(req.maxzoom)).into();
                }
            }
        }
    }
    if let Some(c) = doc["center"].as_array_mut() {
        if let Some(z) = c.get(2).and_then(|z| z.as_f64()) {
            c[2] = z.clamp(f64::from(req.minzoom), f64::from(req.maxzoom)).into();
        }
    }
    doc
}

/// Steps 2–3: writes the pyramid of `req` to `out`; `progress` sees the walk.
pub fn export(snapshot: &Snapshot, req: &PyramidRequest, out: &Path, progress: &mut dyn FnMut(&walk::Progress)) -> Result<Written, PyramidError> {
    req.check()?;
    let meta = metadata(snapshot, req);
    let number = |key: &str, i: usize| meta[key][i].as_f64().unwrap_or(0.0);
    let (tiles, contents, bytes) = match req.format {
        ArchiveFormat::Pmtiles => {
            let mut w = pmtiles::PmtilesWriter::create(out)?;
            if let Err(e) = walk::walk(snapshot, req.view, req.minzoom, req.maxzoom, &mut |t, data, hash| w.add(t, data, hash), progress) {
                w.abandon();
                return Err(e);
            }
            let info = pmtiles::HeaderInfo {
                minzoom: req.minzoom,
                maxzoom: req.maxzoom,
                bounds: [number("bounds", 0), number("bounds", 1), number("bounds", 2), number("bounds", 3)],
                center: [number("center", 0), number("center", 1), number("center", 2)],
            };
            w.finish(&meta, &info)?
        }
        ArchiveFormat::Mbtiles => {
            let mut w = mbtiles::MbtilesWriter::create(out)?;
            if let Err(e) = walk::walk(snapshot, req.view, req.minzoom, req.maxzoom, &mut |t, data, hash| w.add(t, data, hash), progress) {
                w.abandon();
                return Err(e);
            }
            w.finish(&mbtiles_metadata(&meta))?
        }
    };
    Ok(Written { tiles, contents, bytes })
}

/// The MBTiles `metadata` rows of the TileJSON: the spec's keys as text, the layers in
/// `json`.
fn mbtiles_metadata(meta: &serde_json::Value) -> Vec<(&'static str, String)> {
    let text = |key: &str| match &meta[key] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(a) => a.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(","),
        v => v.to_string(),
    };
    let json = serde_json::json!({ "vector_layers": meta["vector_layers"] });
    vec![
        ("name", text("name")),
        ("format", "pbf".into()),
        ("tile_compression", "gzip".into()),
        ("type", "overlay".into()),
        ("version", text("version")),
        ("description", text("description")),
        ("attribution", text("attribution")),
        ("bounds", text("bounds")),
        ("center", text("center")),
        ("minzoom", text("minzoom")),
        ("maxzoom", text("maxzoom")),
        ("json", json.to_string()),
    ]
}

/// A temporary file beside `out` (same folder, so a rename moves it into place).
fn sibling(out: &Path, tag: &str) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(format!(".{tag}-{}", std::process::id()));
    out.with_file_name(name)
}
