//! Vector tiles read back independently of bando's encoder: gzip with flate2, the
//! protobuf with geozero's MVT types (prost code generated from vector_tile.proto), and
//! the geometry commands decoded here per the MVT 2.1 spec.
//!
//! Steps: `tile_bytes` checks an HTTP answer and undoes its gzip, `decode` turns the
//! bytes into layers of features with their attributes and rings.

use super::Raw;
use geozero::mvt::{Message, Tile};
use std::collections::HashMap;
use std::io::Read;

pub fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).expect("valid gzip");
    out
}

/// The tile carried by a 200 answer, gunzipped when it came with `Content-Encoding: gzip`.
pub fn tile_bytes(r: &Raw) -> Vec<u8> {
    assert_ne!(r.status, 204, "the tile came back empty (204): {:?}", r.headers);
    assert_eq!(r.status, 200, "{:?}", r.headers);
    assert_eq!(r.header("content-type"), Some("application/vnd.mapbox-vector-tile"));
    if r.header("content-encoding") == Some("gzip") {
        gunzip(&r.body)
    } else {
        r.body.clone()
    }
}

/// A decoded feature: attributes as text and rings (tile grid coordinates, not closed;
/// a point is a ring of one).
pub struct Feature {
    pub id: Option<u64>,
    /// 1 point, 2 line, 3 polygon.
    pub kind: i32,
    pub attrs: HashMap<String, String>,
    pub rings: Vec<Vec<[i64; 2]>>,
}

/// Layers by name; every layer must be version 2 with extent 4096.
pub fn decode(bytes: &[u8]) -> HashMap<String, Vec<Feature>> {
    let tile = Tile::decode(bytes).expect("a valid MVT");
    let mut layers = HashMap::new();
    for layer in tile.layers {
        assert_eq!(layer.version, 2, "layer {}", layer.name);
        assert_eq!(layer.extent, Some(4096), "layer {}", layer.name);
        let value = |i: u32| {
            let v = &layer.values[i as usize];
            v.string_value
                .clone()
                .or(v.sint_value.map(|x| x.to_string()))
                .or(v.int_value.map(|x| x.to_string()))
                .or(v.uint_value.map(|x| x.to_string()))
                .or(v.double_value.map(|x| x.to_string()))
                .or(v.float_value.map(|x| x.to_string()))
                .or(v.bool_value.map(|x| x.to_string()))
                .unwrap_or_default()
        };
        let features = layer
            .features
            .iter()
            .map(|f| {
                let attrs = f.tags.chunks(2).map(|kv| (layer.keys[kv[0] as usize].clone(), value(kv[1]))).collect();
                Feature { id: f.id, kind: f.r#type.unwrap_or(0), attrs, rings: commands(&f.geometry) }
            })
            .collect();
        layers.insert(layer.name.clone(), features);
    }
    layers
}

/// Geometry commands to rings (or single points), per the MVT spec section 4.3.
fn commands(geometry: &[u32]) -> Vec<Vec<[i64; 2]>> {
    let (mut x, mut y) = (0i64, 0i64);
    let mut rings: Vec<Vec<[i64; 2]>> = Vec::new();
    let mut i = 0;
    let unzig = |v: u32| i64::from((v >> 1) as i32 ^ -((v & 1) as i32));
    while i < geometry.len() {
        let (cmd, count) = (geometry[i] & 7, geometry[i] >> 3);
        i += 1;
        match cmd {
            1 | 2 => {
                for _ in 0..count {
                    x += unzig(geometry[i]);
                    y += unzig(geometry[i + 1]);
                    i += 2;
                    if cmd == 1 {
                        rings.push(Vec::new());
                    }
                    rings.last_mut().expect("MoveTo first").push([x, y]);
                }
            }
            7 => {}
            other => panic!("unknown command {other}"),
        }
    }
    rings
}
