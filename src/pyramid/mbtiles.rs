//! An MBTiles 1.3 archive writer (SQLite; the spec: github.com/mapbox/mbtiles-spec).
//!
//! Steps:
//!   1. create the deduplicating schema under a temporary name: `images` (one row per
//!      distinct tile content, keyed by its SHA-256 in hex), `map` (one row per tile,
//!      pointing at its image) and the `tiles` view the spec names, joining the two;
//!   2. add each tile in one transaction, with the TMS row (`tile_row = 2^z - 1 - y`);
//!   3. write `metadata` (name, format `pbf`, bounds, center, zooms, attribution,
//!      description, `json` with `vector_layers`) and rename the file into place.

use super::PyramidError;
use crate::tile::TileId;
use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};

pub struct MbtilesWriter {
    out: PathBuf,
    partial: PathBuf,
    db: Connection,
    addressed: u64,
    contents: u64,
}

impl MbtilesWriter {
    pub fn create(out: &Path) -> Result<MbtilesWriter, PyramidError> {
        let partial = super::sibling(out, "partial");
        let _ = std::fs::remove_file(&partial);
        let sql = |e| PyramidError::sqlite(&partial, e);
        let db = Connection::open(&partial).map_err(sql)?;
        // One writer, a file renamed into place at the end: no journal is needed.
        db.execute_batch(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             PRAGMA application_id = 0x4d504258;
             CREATE TABLE metadata (name TEXT NOT NULL, value TEXT);
             CREATE UNIQUE INDEX name ON metadata (name);
             CREATE TABLE images (tile_id TEXT NOT NULL, tile_data BLOB NOT NULL);
             CREATE UNIQUE INDEX images_id ON images (tile_id);
             CREATE TABLE map (zoom_level INTEGER NOT NULL, tile_column INTEGER NOT NULL, tile_row INTEGER NOT NULL, tile_id TEXT NOT NULL);
             CREATE UNIQUE INDEX map_index ON map (zoom_level, tile_column, tile_row);
             CREATE VIEW tiles AS
               SELECT map.zoom_level AS zoom_level, map.tile_column AS tile_column, map.tile_row AS tile_row, images.tile_data AS tile_data
               FROM map JOIN images ON images.tile_id = map.tile_id;
             BEGIN;",
        )
        .map_err(sql)?;
        Ok(MbtilesWriter { out: out.to_path_buf(), partial, db, addressed: 0, contents: 0 })
    }

    /// Step 2; `hash` is the SHA-256 of `data`.
    pub fn add(&mut self, tile: TileId, data: &[u8], hash: &[u8; 32]) -> Result<(), PyramidError> {
        let id: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        let row = (1u64 << tile.z) - 1 - u64::from(tile.y);
        let sql = |e| PyramidError::sqlite(&self.partial, e);
        let new = self.db.prepare_cached("INSERT OR IGNORE INTO images (tile_id, tile_data) VALUES (?1, ?2)").map_err(sql)?.execute(params![id, data]).map_err(sql)?;
        self.contents += new as u64;
        self.db
            .prepare_cached("INSERT INTO map (zoom_level, tile_column, tile_row, tile_id) VALUES (?1, ?2, ?3, ?4)")
            .map_err(sql)?
            .execute(params![tile.z, tile.x, row, id])
            .map_err(sql)?;
        self.addressed += 1;
        Ok(())
    }

    /// Removes the file of an archive given up half way.
    pub fn abandon(self) {
        drop(self.db);
        let _ = std::fs::remove_file(&self.partial);
    }

    /// Step 3; returns (addressed tiles, distinct contents, archive bytes).
    pub fn finish(self, metadata: &[(&str, String)]) -> Result<(u64, u64, u64), PyramidError> {
        let sql = |e| PyramidError::sqlite(&self.partial, e);
        for (name, value) in metadata {
            self.db.execute("INSERT INTO metadata (name, value) VALUES (?1, ?2)", params![name, value]).map_err(sql)?;
        }
        self.db.execute_batch("COMMIT;").map_err(sql)?;
        let MbtilesWriter { out, partial, db, addressed, contents } = self;
        db.close().map_err(|(_, e)| PyramidError::sqlite(&partial, e))?;
        std::fs::rename(&partial, &out).map_err(|e| PyramidError::io(&out, e))?;
        let bytes = std::fs::metadata(&out).map_err(|e| PyramidError::io(&out, e))?.len();
        Ok((addressed, contents, bytes))
    }
}
