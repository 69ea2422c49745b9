//! Reads tiles out of a PMTiles v3 archive (the spec: github.com/protomaps/PMTiles,
//! `spec/v3`), as `bando serve --tiles` does for the archives of a publication.
//!
//! Steps: at open, 1. read and check the 127-byte header (magic, version 3, gzip
//! directories); 2. read the root directory and decode it (gzip, then varints: entry
//! count, delta-coded tile ids, run lengths, lengths, offsets where 0 means "right after
//! the previous entry"). Per tile: 3. find the entry with the greatest tile id at or below
//! the tile's ([`super::pmtiles::tile_id`]); a run length of 0 points at a leaf directory,
//! read and searched the same way (at most three levels deep); else the tile is there
//! when its id lies within the run; 4. read its bytes with a positioned read (the file is
//! never loaded whole: a national archive is hundreds of megabytes).

use super::pmtiles::tile_id;
use crate::tile::TileId;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const HEADER_LEN: usize = 127;
const GZIP: u8 = 2;
/// Leaf directories nest at most this deep (the spec's writers use one level).
const MAX_DEPTH: usize = 4;

#[derive(Debug, Clone, Copy)]
struct Entry {
    tile_id: u64,
    offset: u64,
    length: u64,
    run_length: u64,
}

/// An open archive.
pub struct PmtilesReader {
    path: PathBuf,
    file: File,
    root: Vec<Entry>,
    leaves_at: u64,
    data_at: u64,
    pub minzoom: u8,
    pub maxzoom: u8,
}

fn bad(path: &Path, message: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {message}", path.display()))
}

impl PmtilesReader {
    /// Steps 1–2.
    pub fn open(path: &Path) -> std::io::Result<PmtilesReader> {
        let file = File::open(path)?;
        let mut h = [0u8; HEADER_LEN];
        file.read_exact_at(&mut h, 0)?;
        if &h[..7] != b"PMTiles" || h[7] != 3 {
            return Err(bad(path, "not a PMTiles v3 archive"));
        }
        let u = |at: usize| u64::from_le_bytes(h[at..at + 8].try_into().expect("8 bytes"));
        if h[97] != GZIP {
            return Err(bad(path, format!("directory compression {} is not gzip", h[97])));
        }
        let mut reader = PmtilesReader { path: path.to_path_buf(), file, root: Vec::new(), leaves_at: u(40), data_at: u(56), minzoom: h[100], maxzoom: h[101] };
        reader.root = reader.directory(u(8), u(16))?;
        Ok(reader)
    }

    /// Steps 3–4: the stored bytes of `tile` (gzip MVT for bando's archives); `None` when
    /// the archive does not hold it.
    pub fn get(&self, tile: TileId) -> std::io::Result<Option<Vec<u8>>> {
        let id = tile_id(tile);
        let mut dir = std::borrow::Cow::Borrowed(&self.root);
        for _ in 0..MAX_DEPTH {
            let at = dir.partition_point(|e| e.tile_id <= id);
            let Some(e) = at.checked_sub(1).map(|i| dir[i]) else { return Ok(None) };
            if e.run_length == 0 {
                dir = std::borrow::Cow::Owned(self.directory(self.leaves_at + e.offset, e.length)?);
                continue;
            }
            if id >= e.tile_id + e.run_length {
                return Ok(None);
            }
            let mut bytes = vec![0u8; e.length as usize];
            self.file.read_exact_at(&mut bytes, self.data_at + e.offset)?;
            return Ok(Some(bytes));
        }
        Err(bad(&self.path, "leaf directories nest too deep"))
    }

    fn directory(&self, offset: u64, length: u64) -> std::io::Result<Vec<Entry>> {
        let mut gz = vec![0u8; length as usize];
        self.file.read_exact_at(&mut gz, offset)?;
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut raw)?;
        decode_directory(&raw).ok_or_else(|| bad(&self.path, format!("the directory at {offset} is truncated")))
    }
}

fn read_varint(b: &[u8], at: &mut usize) -> Option<u64> {
    let (mut v, mut shift) = (0u64, 0);
    loop {
        let byte = *b.get(*at)?;
        *at += 1;
        v |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(v);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

fn decode_directory(b: &[u8]) -> Option<Vec<Entry>> {
    let mut at = 0;
    let n = read_varint(b, &mut at)? as usize;
    // Each entry takes at least four bytes: a count beyond that is a broken file.
    if n > b.len() {
        return None;
    }
    let mut entries = vec![Entry { tile_id: 0, offset: 0, length: 0, run_length: 0 }; n];
    let mut last = 0u64;
    for e in entries.iter_mut() {
        last += read_varint(b, &mut at)?;
        e.tile_id = last;
    }
    for e in entries.iter_mut() {
        e.run_length = read_varint(b, &mut at)?;
    }
    for e in entries.iter_mut() {
        e.length = read_varint(b, &mut at)?;
    }
    for i in 0..n {
        let v = read_varint(b, &mut at)?;
        entries[i].offset = if v == 0 && i > 0 { entries[i - 1].offset + entries[i - 1].length } else { v.checked_sub(1)? };
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::super::pmtiles::{HeaderInfo, PmtilesWriter};
    use super::*;
    use sha2::Digest;

    #[test]
    fn reads_back_what_the_writer_wrote_with_leaf_directories() {
        let dir = std::env::temp_dir().join(format!("bando-pmtiles-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.pmtiles");
        let mut w = PmtilesWriter::create(&path).unwrap();
        // Enough distinct tiles (z0–z7, every other tile) for leaf directories.
        let mut tiles: Vec<(TileId, Vec<u8>)> = Vec::new();
        for z in 0..=7u8 {
            for x in 0..(1u32 << z) {
                for y in 0..(1u32 << z) {
                    if (x + y) % 2 == 0 {
                        let t = TileId { z, x, y };
                        tiles.push((t, format!("tile {z}/{x}/{y}").into_bytes()));
                    }
                }
            }
        }
        tiles.sort_by_key(|(t, _)| tile_id(*t));
        for (t, data) in &tiles {
            w.add(*t, data, &sha2::Sha256::digest(data).into()).unwrap();
        }
        w.finish(&serde_json::json!({}), &HeaderInfo { minzoom: 0, maxzoom: 7, bounds: [-180.0, -85.0, 180.0, 85.0], center: [0.0, 0.0, 0.0] }).unwrap();
        let r = PmtilesReader::open(&path).unwrap();
        assert_eq!((r.minzoom, r.maxzoom), (0, 7));
        for (t, data) in &tiles {
            assert_eq!(r.get(*t).unwrap().as_deref(), Some(&data[..]), "{t}");
        }
        assert_eq!(r.get(TileId { z: 7, x: 1, y: 0 }).unwrap(), None);
        assert_eq!(r.get(TileId { z: 9, x: 0, y: 0 }).unwrap(), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
