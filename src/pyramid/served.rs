//! The bytes of one vector tile of one view exactly as `GET /tiles/{map}/{z}/{x}/{y}.mvt`
//! serves them to a gzip client, and exactly as `bando export --map` writes them.
//!
//! Steps: 1. render the MVT ([`crate::tile::render_mvt`]); 2. an empty tile stays empty
//! (the server answers it 204, archives leave it out); 3. else gzip it once, at level 1.

use crate::snapshot::Snapshot;
use crate::tile::{render_mvt, TileId, TileView};
use std::io::{Read, Write};

/// The gzip MVT of `tile` in `view`; empty when nothing falls in the tile.
pub fn served_mvt(snapshot: &Snapshot, view: TileView, tile: TileId) -> std::io::Result<Vec<u8>> {
    let raw = render_mvt(snapshot, snapshot.tiles(view.edition), view, tile);
    if raw.is_empty() {
        return Ok(raw);
    }
    gzip(&raw)
}

/// Level 1: tiles compress to about a third either way, and a cold tile should not
/// wait for the slower levels (a z5 tile takes several ms at the default level).
pub fn gzip(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(raw.len() / 2 + 64), flate2::Compression::fast());
    encoder.write_all(raw)?;
    let mut gz = encoder.finish()?;
    // The body may be kept for a long time in the tile cache, which counts its length:
    // give back the spare capacity (about a third of the buffer) so that what is counted
    // is what is held.
    gz.shrink_to_fit();
    Ok(gz)
}

pub fn gunzip(gz: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(gz.len() * 3);
    flate2::read::GzDecoder::new(gz).read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_round_trips() {
        let raw: Vec<u8> = (0..10_000u32).map(|i| (i % 13) as u8).collect();
        let gz = gzip(&raw).unwrap();
        assert!(gz.len() < raw.len() / 4);
        assert_eq!(&gz[..2], &[0x1f, 0x8b]);
        assert_eq!(gunzip(&gz).unwrap(), raw);
    }
}
