//! Vector tile content over real HTTP, decoded with an independent MVT decoder
//! (geozero's protobuf types): tiles over land carry the layers TileJSON announces,
//! gzip and identity carry the same tile, the cache changes nothing.

mod common;
use common::{Raw, Server};
use geozero::mvt::{Message, Tile};
use std::io::Read;

/// z8 tile holding central Hà Nội (105.47°E–106.88°E, 20.63°N–21.94°N).
const HA_NOI: &str = "/tiles/ntm/8/203/112.mvt";
const GZIP: (&str, &str) = ("Accept-Encoding", "gzip");

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("valid gzip");
    out
}

fn decode(r: &Raw) -> Tile {
    assert_ne!(r.status, 204, "the tile over land came back empty: these tests need the tile renderer (tile::render_mvt)");
    assert_eq!(r.status, 200, "{:?}", r.headers);
    assert_eq!(r.header("content-type"), Some("application/vnd.mapbox-vector-tile"));
    let raw = if r.header("content-encoding") == Some("gzip") { gunzip(&r.body) } else { r.body.clone() };
    Tile::decode(&raw[..]).expect("a valid MVT")
}

fn layer_names(tile: &Tile) -> Vec<&str> {
    tile.layers.iter().map(|l| l.name.as_str()).collect()
}

#[test]
fn ha_noi_tile_has_communes_in_gzip_and_identity() {
    let server = Server::start(&[]);
    let gz = server.get_raw(HA_NOI, &[GZIP]);
    let id = server.get_raw(HA_NOI, &[]);
    let tile = decode(&gz);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(id.header("content-encoding").is_none());
    assert_eq!(gunzip(&gz.body), id.body, "the two representations carry the same tile");
    let communes = tile.layers.iter().find(|l| l.name == "communes").unwrap_or_else(|| panic!("no communes layer in {:?}", layer_names(&tile)));
    assert!(communes.features.len() > 10, "{} communes in a z8 tile over Hà Nội", communes.features.len());
    assert_eq!(communes.extent.unwrap_or(4096), 4096);
    assert!(communes.features.iter().all(|f| !f.geometry.is_empty()));
}

#[test]
fn tiles_carry_the_layers_tilejson_announces() {
    let server = Server::start(&[]);
    for (map, must) in [("ntm", "communes"), ("tourism", "communes")] {
        let tj = server.get_raw(&format!("/tiles/{map}.json"), &[]).json();
        decode(&server.get_raw(&format!("/tiles/{map}/8/203/112.mvt"), &[GZIP]));
        let announced: Vec<String> =
            tj["vector_layers"].as_array().expect("vector_layers").iter().map(|l| l["id"].as_str().expect("id").to_string()).collect();
        assert!(announced.iter().any(|l| l == must), "{map}: {announced:?}");
        for l in tj["vector_layers"].as_array().unwrap() {
            assert!(l["fields"].is_object(), "TileJSON 3.0 requires fields: {l}");
        }
        let tile = decode(&server.get_raw(&format!("/tiles/{map}/8/203/112.mvt"), &[GZIP]));
        for name in layer_names(&tile) {
            assert!(announced.iter().any(|l| l == name), "{map}: layer {name} is not in TileJSON {announced:?}");
        }
    }
}

#[test]
fn the_cache_changes_nothing_and_views_differ() {
    let cached = Server::start(&[]);
    let cold = Server::start(&["--tile-cache-mb", "0"]);
    let first = cached.get_raw(HA_NOI, &[GZIP]);
    let second = cached.get_raw(HA_NOI, &[GZIP]);
    let uncached = cold.get_raw(HA_NOI, &[GZIP]);
    decode(&first);
    assert_eq!(first.body, second.body);
    assert_eq!(gunzip(&first.body), gunzip(&uncached.body));
    assert_eq!(first.header("etag"), uncached.header("etag"), "the ETag depends on the data, not the server");
    // Identity from the cached gzip body equals a fresh render.
    assert_eq!(cached.get_raw(HA_NOI, &[]).body, gunzip(&first.body));
    // Another boundary edition draws other communes.
    let e2025 = cached.get_raw(&format!("{HA_NOI}?edition=2025"), &[GZIP]);
    assert_ne!(gunzip(&e2025.body), gunzip(&first.body));
}
