//! Vector tile content over real HTTP, decoded with an independent MVT decoder
//! (common::mvt): tiles over land carry the layers TileJSON announces and each commune's
//! class counted from the CSV files, gzip and identity carry the same tile, the cache
//! changes nothing.

mod common;
use common::mvt::{decode, gunzip, tile_bytes, Feature};
use common::{sources::results, Raw, Server};
use std::collections::HashMap;

/// z8 tile holding central Hà Nội (105.47°E–106.88°E, 20.63°N–21.94°N).
const HA_NOI: &str = "/tiles/ntm/8/203/112.mvt";
const GZIP: (&str, &str) = ("Accept-Encoding", "gzip");

fn layers(r: &Raw) -> HashMap<String, Vec<Feature>> {
    decode(&tile_bytes(r))
}

fn layer_names(tile: &HashMap<String, Vec<Feature>>) -> Vec<&str> {
    tile.keys().map(String::as_str).collect()
}

#[test]
fn ha_noi_tile_has_communes_in_gzip_and_identity() {
    let server = Server::shared();
    let gz = server.get_raw(HA_NOI, &[GZIP]);
    let id = server.get_raw(HA_NOI, &[]);
    let tile = layers(&gz);
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert!(id.header("content-encoding").is_none());
    assert_eq!(gunzip(&gz.body), id.body, "the two representations carry the same tile");
    let communes = tile.get("communes").unwrap_or_else(|| panic!("no communes layer in {:?}", layer_names(&tile)));
    assert!(communes.len() > 10, "{} communes in a z8 tile over Hà Nội", communes.len());
    assert!(communes.iter().all(|f| f.kind == 3 && !f.rings.is_empty()), "every commune is a polygon");
    // Every commune carries the class of 2025 (the default year) counted from the CSV files.
    let results = results();
    for f in communes {
        let code = &f.attrs["code"];
        assert_eq!(f.attrs["level"], results.class(code, 2025), "commune {code} in the Hà Nội tile");
    }
    assert!(communes.iter().any(|f| f.attrs["code"] == "00571"), "Dương Xá is in the Hà Nội tile");
}

#[test]
fn tiles_carry_the_layers_tilejson_announces() {
    let server = Server::shared();
    for (map, must) in [("ntm", "communes"), ("tourism", "communes")] {
        let tj = server.get_raw(&format!("/tiles/{map}.json"), &[]).json();
        let announced: Vec<String> =
            tj["vector_layers"].as_array().expect("vector_layers").iter().map(|l| l["id"].as_str().expect("id").to_string()).collect();
        assert!(announced.iter().any(|l| l == must), "{map}: {announced:?}");
        for l in tj["vector_layers"].as_array().unwrap() {
            assert!(l["fields"].is_object(), "TileJSON 3.0 requires fields: {l}");
        }
        let tile = layers(&server.get_raw(&format!("/tiles/{map}/8/203/112.mvt"), &[GZIP]));
        for name in layer_names(&tile) {
            assert!(announced.iter().any(|l| l == name), "{map}: layer {name} is not in TileJSON {announced:?}");
        }
    }
}

#[test]
fn the_cache_changes_nothing_and_views_differ() {
    let cached = Server::shared();
    let cold = Server::start(&["--tile-cache-mb", "0"]);
    let first = cached.get_raw(HA_NOI, &[GZIP]);
    let second = cached.get_raw(HA_NOI, &[GZIP]);
    let uncached = cold.get_raw(HA_NOI, &[GZIP]);
    layers(&first);
    assert_eq!(first.body, second.body);
    assert_eq!(gunzip(&first.body), gunzip(&uncached.body));
    assert_eq!(first.header("etag"), uncached.header("etag"), "the ETag depends on the data, not the server");
    // Identity from the cached gzip body equals a fresh render.
    assert_eq!(cached.get_raw(HA_NOI, &[]).body, gunzip(&first.body));
    // Another boundary edition draws other communes.
    let e2025 = cached.get_raw(&format!("{HA_NOI}?edition=2025"), &[GZIP]);
    assert_ne!(gunzip(&e2025.body), gunzip(&first.body));
}
