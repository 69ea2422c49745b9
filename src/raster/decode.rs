//! Reads the layers of an MVT tile back: the raster renderer draws exactly the
//! geometry the vector tiles carry (same simplification, same clipping, same
//! quantisation), so the PNG and the MapLibre map cannot disagree.
//!
//! Steps: 1. split the tile into layers (field 3), each into its name, keys, values
//! and features; 2. for a feature, resolve a property by key through its packed tags;
//! 3. decode geometry commands (MoveTo, LineTo, ClosePath with zig-zag deltas) into
//! rings on the 4096 grid.

/// A protobuf reader over a byte slice; malformed input ends the read (`None`).
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.buf.get(self.pos)?;
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }

    /// The next field: (number, wire type, payload for length-delimited fields, or
    /// the varint value).
    fn field(&mut self) -> Option<(u32, Field<'a>)> {
        if self.pos >= self.buf.len() {
            return None;
        }
        let key = self.varint()?;
        let number = (key >> 3) as u32;
        let field = match key & 7 {
            0 => Field::Varint(self.varint()?),
            1 => {
                let b = self.buf.get(self.pos..self.pos + 8)?;
                self.pos += 8;
                Field::Fixed64(u64::from_le_bytes(b.try_into().ok()?))
            }
            2 => {
                let len = self.varint()? as usize;
                let b = self.buf.get(self.pos..self.pos.checked_add(len)?)?;
                self.pos += len;
                Field::Bytes(b)
            }
            5 => {
                let b = self.buf.get(self.pos..self.pos + 4)?;
                self.pos += 4;
                Field::Fixed32(u32::from_le_bytes(b.try_into().ok()?))
            }
            _ => return None,
        };
        Some((number, field))
    }
}

enum Field<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32(u32),
}

/// A property value (the kinds the renderer reads).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Str(&'a str),
    Number(f64),
    Bool(bool),
}

impl<'a> Value<'a> {
    pub fn as_str(&self) -> Option<&'a str> {
        match *self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

fn value(buf: &[u8]) -> Option<Value<'_>> {
    let mut r = Reader::new(buf);
    let mut out = None;
    while let Some((n, f)) = r.field() {
        out = match (n, f) {
            (1, Field::Bytes(b)) => Some(Value::Str(std::str::from_utf8(b).ok()?)),
            (2, Field::Fixed32(v)) => Some(Value::Number(f64::from(f32::from_bits(v)))),
            (3, Field::Fixed64(v)) => Some(Value::Number(f64::from_bits(v))),
            (4 | 5, Field::Varint(v)) => Some(Value::Number(v as i64 as f64)),
            (6, Field::Varint(v)) => Some(Value::Number(((v >> 1) as i64 ^ -((v & 1) as i64)) as f64)),
            (7, Field::Varint(v)) => Some(Value::Bool(v != 0)),
            _ => out,
        };
    }
    out
}

/// MVT geometry types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeomType {
    Unknown,
    Point,
    LineString,
    Polygon,
}

pub struct Feature<'a> {
    pub geom_type: GeomType,
    tags: &'a [u8],
    geometry: &'a [u8],
}

pub struct Layer<'a> {
    pub name: &'a str,
    pub extent: u32,
    keys: Vec<&'a str>,
    values: Vec<Option<Value<'a>>>,
    pub features: Vec<Feature<'a>>,
}

/// The layers of a tile (an empty tile has none). Malformed parts are skipped.
pub fn layers(tile: &[u8]) -> Vec<Layer<'_>> {
    let mut out = Vec::new();
    let mut r = Reader::new(tile);
    while let Some((n, f)) = r.field() {
        if let (3, Field::Bytes(b)) = (n, f) {
            out.push(layer(b));
        }
    }
    out
}

fn layer(buf: &[u8]) -> Layer<'_> {
    let mut l = Layer { name: "", extent: 4096, keys: Vec::new(), values: Vec::new(), features: Vec::new() };
    let mut r = Reader::new(buf);
    while let Some((n, f)) = r.field() {
        match (n, f) {
            (1, Field::Bytes(b)) => l.name = std::str::from_utf8(b).unwrap_or(""),
            (2, Field::Bytes(b)) => l.features.push(feature(b)),
            (3, Field::Bytes(b)) => l.keys.push(std::str::from_utf8(b).unwrap_or("")),
            (4, Field::Bytes(b)) => l.values.push(value(b)),
            (5, Field::Varint(v)) => l.extent = v as u32,
            _ => {}
        }
    }
    l
}

fn feature(buf: &[u8]) -> Feature<'_> {
    let mut f = Feature { geom_type: GeomType::Unknown, tags: &[], geometry: &[] };
    let mut r = Reader::new(buf);
    while let Some((n, field)) = r.field() {
        match (n, field) {
            (2, Field::Bytes(b)) => f.tags = b,
            (3, Field::Varint(v)) => {
                f.geom_type = match v {
                    1 => GeomType::Point,
                    2 => GeomType::LineString,
                    3 => GeomType::Polygon,
                    _ => GeomType::Unknown,
                }
            }
            (4, Field::Bytes(b)) => f.geometry = b,
            _ => {}
        }
    }
    f
}

impl<'a> Layer<'a> {
    /// The index of a key in this layer, to look properties up by index.
    pub fn key_index(&self, key: &str) -> Option<u32> {
        self.keys.iter().position(|k| *k == key).map(|i| i as u32)
    }

    /// The value of property `key` (an index from [`Layer::key_index`]) of a feature.
    pub fn property(&self, feature: &Feature<'a>, key: u32) -> Option<Value<'a>> {
        let mut r = Reader::new(feature.tags);
        while let (Some(k), Some(v)) = (r.varint(), r.varint()) {
            if k == u64::from(key) {
                return self.values.get(v as usize).copied().flatten();
            }
        }
        None
    }
}

impl Feature<'_> {
    /// Calls `ring` with each closed ring of a polygon (or each part of a line or
    /// point set), in grid coordinates; `buf` is reused between rings.
    pub fn rings(&self, buf: &mut Vec<[i32; 2]>, mut ring: impl FnMut(&[[i32; 2]])) {
        let mut r = Reader::new(self.geometry);
        let (mut x, mut y) = (0i32, 0i32);
        buf.clear();
        while let Some(command) = r.varint() {
            let (id, count) = (command & 7, command >> 3);
            match id {
                1 | 2 => {
                    if id == 1 && !buf.is_empty() {
                        ring(buf);
                        buf.clear();
                    }
                    for _ in 0..count {
                        let (Some(dx), Some(dy)) = (r.varint(), r.varint()) else { return };
                        x = x.wrapping_add(zigzag(dx));
                        y = y.wrapping_add(zigzag(dy));
                        buf.push([x, y]);
                    }
                }
                7 => {
                    if !buf.is_empty() {
                        ring(buf);
                        buf.clear();
                    }
                }
                _ => return,
            }
        }
        if !buf.is_empty() {
            ring(buf);
            buf.clear();
        }
    }
}

fn zigzag(v: u64) -> i32 {
    ((v >> 1) as i32) ^ -((v & 1) as i32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tile::mvt::{GeomType as G, Geometry, Layer as W, Value as V};

    #[test]
    fn reads_back_what_the_encoder_wrote() {
        let mut g = Geometry::default();
        g.ring(&[[0, 0], [10, 0], [10, 10], [0, 10]]);
        g.ring(&[[2, 2], [2, 4], [4, 4]]);
        let mut layer = W::new("communes");
        layer.add(Some(7), G::Polygon, &g, &[("level", Some(V::Str("nang_cao".into()))), ("stars", Some(V::Int(4)))]);
        let mut out = Vec::new();
        layer.write(&mut out);
        let layers = layers(&out);
        assert_eq!(layers.len(), 1);
        let l = &layers[0];
        assert_eq!((l.name, l.extent, l.features.len()), ("communes", 4096, 1));
        let f = &l.features[0];
        assert_eq!(f.geom_type, GeomType::Polygon);
        assert_eq!(l.property(f, l.key_index("level").unwrap()), Some(Value::Str("nang_cao")));
        assert_eq!(l.property(f, l.key_index("stars").unwrap()), Some(Value::Number(4.0)));
        assert_eq!(l.key_index("nope"), None);
        let mut rings = Vec::new();
        f.rings(&mut Vec::new(), |r| rings.push(r.to_vec()));
        assert_eq!(rings, vec![vec![[0, 0], [10, 0], [10, 10], [0, 10]], vec![[2, 2], [2, 4], [4, 4]]]);
    }

    #[test]
    fn garbage_is_skipped_not_a_panic() {
        assert!(layers(&[0xff, 0xff, 0xff]).is_empty());
        let _ = layers(&[0x1a, 0x05, 0x0a, 0x10]);
    }
}
