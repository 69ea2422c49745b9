//! A PMTiles v3 archive writer (the spec: github.com/protomaps/PMTiles, `spec/v3`).
//!
//! The maintained `pmtiles` crate writes archives only from a version that needs a newer
//! Rust than this project's minimum, so the format is written here, faithfully:
//!   1. tiles arrive in ascending tile id ([`tile_id`]: zoom, then the Hilbert curve);
//!      their bytes are appended to a data file beside the output, each distinct content
//!      once (deduplicated by its SHA-256); a tile equal to the one just before it
//!      extends that entry's run length, any other repeat points at the stored bytes;
//!   2. at the end the directory is serialised (entry count, delta-coded tile ids, run
//!      lengths, lengths, offsets with 0 meaning "right after the previous entry", all
//!      varints, gzipped); when it does not fit the first 16 KiB with the header, it is
//!      cut into leaf directories and the root points at them (run length 0), leaves
//!      growing by a fifth until the root fits, as go-pmtiles does;
//!   3. the file is header (127 bytes) | root directory | metadata (gzipped JSON) | leaf
//!      directories | tile data, written under a temporary name and renamed into place.

use super::PyramidError;
use crate::tile::TileId;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const HEADER_LEN: usize = 127;
/// The header and the root directory fit the first request of a client.
const ROOT_BUDGET: usize = 16_384 - HEADER_LEN;
const COMPRESSION_GZIP: u8 = 2;
const TILE_TYPE_MVT: u8 = 1;

/// The PMTiles tile id: the tiles of all lower zooms, then the Hilbert index of (x, y).
pub fn tile_id(t: TileId) -> u64 {
    let z = u32::from(t.z);
    let base = ((1u64 << (2 * z)) - 1) / 3;
    let (mut x, mut y) = (u64::from(t.x), u64::from(t.y));
    let mut d = 0u64;
    let mut s = if z == 0 { 0 } else { 1u64 << (z - 1) };
    while s > 0 {
        let rx = u64::from(x & s > 0);
        let ry = u64::from(y & s > 0);
        d += s * s * ((3 * rx) ^ ry);
        // Rotate the quadrant so the curve stays continuous.
        if ry == 0 {
            if rx == 1 {
                x = s - 1 - (x & (s - 1));
                y = s - 1 - (y & (s - 1));
            }
            std::mem::swap(&mut x, &mut y);
        }
        x &= s - 1;
        y &= s - 1;
        s >>= 1;
    }
    base + d
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    tile_id: u64,
    offset: u64,
    length: u32,
    run_length: u32,
}

/// What the header says of the tiles besides the directory.
pub struct HeaderInfo {
    pub minzoom: u8,
    pub maxzoom: u8,
    /// west, south, east, north (degrees).
    pub bounds: [f64; 4],
    /// lon, lat, zoom.
    pub center: [f64; 3],
}

pub struct PmtilesWriter {
    out: PathBuf,
    data_path: PathBuf,
    data: BufWriter<File>,
    data_len: u64,
    entries: Vec<Entry>,
    stored: HashMap<[u8; 32], (u64, u32)>,
    addressed: u64,
}

impl PmtilesWriter {
    pub fn create(out: &Path) -> Result<PmtilesWriter, PyramidError> {
        let data_path = super::sibling(out, "tile-data");
        let file = File::create(&data_path).map_err(|e| PyramidError::io(&data_path, e))?;
        Ok(PmtilesWriter {
            out: out.to_path_buf(),
            data_path,
            data: BufWriter::with_capacity(1 << 20, file),
            data_len: 0,
            entries: Vec::new(),
            stored: HashMap::new(),
            addressed: 0,
        })
    }

    /// Step 1. Tiles must come in ascending tile id; `hash` is the SHA-256 of `data`.
    pub fn add(&mut self, tile: TileId, data: &[u8], hash: &[u8; 32]) -> Result<(), PyramidError> {
        let id = tile_id(tile);
        if let Some(last) = self.entries.last() {
            assert!(id > last.tile_id, "tiles must be added in ascending tile id");
        }
        self.addressed += 1;
        if let Some(&(offset, length)) = self.stored.get(hash) {
            if let Some(last) = self.entries.last_mut() {
                if last.offset == offset && last.tile_id + u64::from(last.run_length) == id {
                    last.run_length += 1;
                    return Ok(());
                }
            }
            self.entries.push(Entry { tile_id: id, offset, length, run_length: 1 });
            return Ok(());
        }
        let length = u32::try_from(data.len()).expect("a tile is far below 4 GiB");
        self.data.write_all(data).map_err(|e| PyramidError::io(&self.data_path, e))?;
        self.stored.insert(*hash, (self.data_len, length));
        self.entries.push(Entry { tile_id: id, offset: self.data_len, length, run_length: 1 });
        self.data_len += u64::from(length);
        Ok(())
    }

    /// Removes the data file of an archive given up half way.
    pub fn abandon(self) {
        drop(self.data);
        let _ = std::fs::remove_file(&self.data_path);
    }

    /// Steps 2–3; returns (addressed tiles, distinct contents, archive bytes).
    pub fn finish(self, metadata: &serde_json::Value, info: &HeaderInfo) -> Result<(u64, u64, u64), PyramidError> {
        let PmtilesWriter { out, data_path, data, data_len, entries, stored, addressed } = self;
        let data = data.into_inner().map_err(|e| PyramidError::io(&data_path, e.into_error()))?;
        drop(data);
        let (root, leaves) = directories(&entries).map_err(|e| PyramidError::io(&out, e))?;
        let meta = gzip_best(metadata.to_string().as_bytes()).map_err(|e| PyramidError::io(&out, e))?;
        let root_offset = HEADER_LEN as u64;
        let meta_offset = root_offset + root.len() as u64;
        let leaf_offset = meta_offset + meta.len() as u64;
        let data_offset = leaf_offset + leaves.len() as u64;
        let mut h = Vec::with_capacity(HEADER_LEN);
        h.extend_from_slice(b"PMTiles");
        h.push(3);
        for v in [root_offset, root.len() as u64, meta_offset, meta.len() as u64, leaf_offset, leaves.len() as u64, data_offset, data_len] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        for v in [addressed, entries.len() as u64, stored.len() as u64] {
            h.extend_from_slice(&v.to_le_bytes());
        }
        // Clustered: tile data is in tile id order (repeats point back).
        h.extend_from_slice(&[1, COMPRESSION_GZIP, COMPRESSION_GZIP, TILE_TYPE_MVT, info.minzoom, info.maxzoom]);
        let e7 = |v: f64| ((v * 1e7).round() as i32).to_le_bytes();
        for v in [info.bounds[0], info.bounds[1], info.bounds[2], info.bounds[3]] {
            h.extend_from_slice(&e7(v));
        }
        h.push(info.center[2].round().clamp(f64::from(info.minzoom), f64::from(info.maxzoom)) as u8);
        h.extend_from_slice(&e7(info.center[0]));
        h.extend_from_slice(&e7(info.center[1]));
        debug_assert_eq!(h.len(), HEADER_LEN);

        let partial = super::sibling(&out, "partial");
        let write = || -> std::io::Result<u64> {
            let mut w = BufWriter::with_capacity(1 << 20, File::create(&partial)?);
            w.write_all(&h)?;
            w.write_all(&root)?;
            w.write_all(&meta)?;
            w.write_all(&leaves)?;
            let copied = std::io::copy(&mut File::open(&data_path)?, &mut w)?;
            if copied != data_len {
                return Err(std::io::Error::other(format!("tile data holds {copied} bytes, {data_len} expected")));
            }
            w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            Ok(data_offset + data_len)
        };
        let written = write().map_err(|e| PyramidError::io(&partial, e));
        let _ = std::fs::remove_file(&data_path);
        let written = written?;
        std::fs::rename(&partial, &out).map_err(|e| PyramidError::io(&out, e))?;
        Ok((addressed, stored.len() as u64, written))
    }
}

/// Step 2: the root directory and the leaf directories (both gzipped).
fn directories(entries: &[Entry]) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    if entries.len() < 16_384 {
        let root = serialize(entries)?;
        if root.len() <= ROOT_BUDGET {
            return Ok((root, Vec::new()));
        }
    }
    let mut leaf_size = (entries.len() as f64 / 3500.0).max(4096.0);
    loop {
        let mut roots = Vec::new();
        let mut leaves = Vec::new();
        for chunk in entries.chunks(leaf_size as usize) {
            let leaf = serialize(chunk)?;
            roots.push(Entry { tile_id: chunk[0].tile_id, offset: leaves.len() as u64, length: leaf.len() as u32, run_length: 0 });
            leaves.extend_from_slice(&leaf);
        }
        let root = serialize(&roots)?;
        if root.len() <= ROOT_BUDGET {
            return Ok((root, leaves));
        }
        leaf_size *= 1.2;
    }
}

fn serialize(entries: &[Entry]) -> std::io::Result<Vec<u8>> {
    let mut b = Vec::with_capacity(entries.len() * 6 + 8);
    varint(&mut b, entries.len() as u64);
    let mut last = 0;
    for e in entries {
        varint(&mut b, e.tile_id - last);
        last = e.tile_id;
    }
    for e in entries {
        varint(&mut b, u64::from(e.run_length));
    }
    for e in entries {
        varint(&mut b, u64::from(e.length));
    }
    for (i, e) in entries.iter().enumerate() {
        let follows = i > 0 && e.offset == entries[i - 1].offset + u64::from(entries[i - 1].length);
        varint(&mut b, if follows { 0 } else { e.offset + 1 });
    }
    gzip_best(&b)
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn gzip_best(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(raw)?;
    e.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(z: u8, x: u32, y: u32) -> TileId {
        TileId { z, x, y }
    }

    #[test]
    fn tile_ids_follow_the_spec() {
        // The spec's examples (and the Hilbert order of zoom 1: 0,0 → 0,1 → 1,1 → 1,0).
        assert_eq!(tile_id(t(0, 0, 0)), 0);
        assert_eq!(tile_id(t(1, 0, 0)), 1);
        assert_eq!(tile_id(t(1, 0, 1)), 2);
        assert_eq!(tile_id(t(1, 1, 1)), 3);
        assert_eq!(tile_id(t(1, 1, 0)), 4);
        assert_eq!(tile_id(t(2, 0, 0)), 5);
        assert_eq!(tile_id(t(12, 3423, 1763)), 19_078_479);
        // Every id of a zoom is distinct and within the zoom's range.
        for z in 0..=5u8 {
            let n = 1u32 << z;
            let base = ((1u64 << (2 * u32::from(z))) - 1) / 3;
            let mut ids: Vec<u64> = (0..n).flat_map(|x| (0..n).map(move |y| tile_id(t(z, x, y)))).collect();
            ids.sort_unstable();
            assert_eq!(ids, (base..base + u64::from(n) * u64::from(n)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn varints_are_little_endian_base_128() {
        let mut b = Vec::new();
        varint(&mut b, 0);
        varint(&mut b, 127);
        varint(&mut b, 128);
        varint(&mut b, 300);
        assert_eq!(b, [0, 127, 0x80, 1, 0xac, 2]);
    }

    fn read_varint(b: &[u8], at: &mut usize) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let byte = b[*at];
            *at += 1;
            v |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return v;
            }
            shift += 7;
        }
    }

    #[test]
    fn repeats_are_stored_once_and_neighbours_become_runs() {
        let dir = std::env::temp_dir().join(format!("bando-pmtiles-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("t.pmtiles");
        let mut w = PmtilesWriter::create(&out).unwrap();
        let (sea, land) = (b"sea-tile".to_vec(), b"land".to_vec());
        let hash = |d: &[u8]| -> [u8; 32] { <sha2::Sha256 as sha2::Digest>::digest(d).into() };
        // z1 in tile id order: 1, 2, 3 repeat one content (a run); 4 differs; z2's first
        // tile (id 5) repeats the first content again, after another: a back reference.
        let tiles = [(t(1, 0, 0), &sea), (t(1, 0, 1), &sea), (t(1, 1, 1), &sea), (t(1, 1, 0), &land), (t(2, 0, 0), &sea)];
        for (tile, data) in tiles {
            w.add(tile, data, &hash(data)).unwrap();
        }
        let info = HeaderInfo { minzoom: 1, maxzoom: 2, bounds: [100.0, 8.0, 110.0, 24.0], center: [105.0, 16.0, 5.0] };
        let (addressed, contents, bytes) = w.finish(&serde_json::json!({"name": "t"}), &info).unwrap();
        let file = std::fs::read(&out).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!((addressed, contents, bytes), (5, 2, file.len() as u64));
        let u64_at = |i: usize| u64::from_le_bytes(file[i..i + 8].try_into().unwrap());
        assert_eq!(&file[..8], b"PMTiles\x03");
        assert_eq!((u64_at(72), u64_at(80), u64_at(88)), (5, 3, 2), "addressed, entries, contents");
        assert_eq!(file[118], 2, "center zoom clamped to the archive's zooms");
        let data = &file[u64_at(56) as usize..];
        assert_eq!(data, b"sea-tileland");
        let mut root = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&file[u64_at(8) as usize..(u64_at(8) + u64_at(16)) as usize]), &mut root).unwrap();
        let mut at = 0;
        let n = read_varint(&root, &mut at) as usize;
        let mut fields = Vec::new();
        for _ in 0..4 * n {
            fields.push(read_varint(&root, &mut at));
        }
        assert_eq!(at, root.len());
        // Delta ids, run lengths, lengths, offsets (0: right after the previous one).
        assert_eq!(fields, [1, 3, 1, 3, 1, 1, 8, 4, 8, 1, 0, 1]);
    }

    #[test]
    fn big_directories_split_into_leaves_and_the_root_fits() {
        let entries: Vec<Entry> = (0..200_000u64).map(|i| Entry { tile_id: i * 3, offset: i * 1000 + (i % 7), length: 900 + (i % 97) as u32, run_length: 1 }).collect();
        let (root, leaves) = directories(&entries).unwrap();
        assert!(root.len() <= ROOT_BUDGET);
        assert!(!leaves.is_empty());
        let small = &entries[..10];
        let (root, leaves) = directories(small).unwrap();
        assert!(leaves.is_empty());
        assert!(!root.is_empty());
    }
}
