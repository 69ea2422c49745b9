//! Mapbox Vector Tile 2.1 encoding, by hand: the format is small (three messages)
//! and this is the hot end of every tile request.
//!
//! Steps per layer: 1. intern keys and values; 2. encode each feature's geometry as
//! zig-zag delta commands (MoveTo, LineTo, ClosePath) on the integer grid; 3. write
//! the layer message (version 2, extent 4096). The tile is the concatenation of its
//! layers (field 3 of `Tile`).

use std::borrow::Cow;
use std::collections::HashMap;

/// An attribute value; strings are usually borrowed from the atlas, so a feature's
/// attributes cost no allocation.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Double(f64),
    Bool(bool),
}

/// Non-string values by identity (doubles by their bits), for interning.
#[derive(Hash, PartialEq, Eq)]
enum ScalarKey {
    Int(i64),
    Double(u64),
    Bool(bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeomType {
    Point = 1,
    Polygon = 3,
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn tag(out: &mut Vec<u8>, field: u32, wire: u32) {
    varint(out, u64::from((field << 3) | wire));
}

fn bytes_field(out: &mut Vec<u8>, field: u32, bytes: &[u8]) {
    tag(out, field, 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

fn packed_len(values: &[u32]) -> usize {
    values.iter().map(|&v| varint_len(u64::from(v))).sum()
}

/// A packed repeated field, written in place (its length is computed first, so no
/// temporary buffer is needed).
fn packed(out: &mut Vec<u8>, field: u32, values: &[u32]) {
    tag(out, field, 2);
    varint(out, packed_len(values) as u64);
    for &v in values {
        varint(out, u64::from(v));
    }
}

/// FNV-1a for the small interning maps: keys are short attribute names and values,
/// where SipHash's flood resistance buys nothing and costs most of the lookup.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

type FnvMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

fn zigzag(v: i32) -> u32 {
    ((v << 1) ^ (v >> 31)) as u32
}

/// Geometry commands for one feature, on the integer tile grid, kept already encoded
/// as the packed varints of the `geometry` field: a feature then costs one copy.
#[derive(Default)]
pub struct Geometry {
    encoded: Vec<u8>,
    cursor: (i32, i32),
}

impl Geometry {
    pub fn clear(&mut self) {
        self.encoded.clear();
        self.cursor = (0, 0);
    }

    pub fn is_empty(&self) -> bool {
        self.encoded.is_empty()
    }

    fn command(&mut self, id: u32, count: usize) {
        varint(&mut self.encoded, u64::from(id | ((count as u32) << 3)));
    }

    fn delta(&mut self, p: [i32; 2]) {
        varint(&mut self.encoded, u64::from(zigzag(p[0] - self.cursor.0)));
        varint(&mut self.encoded, u64::from(zigzag(p[1] - self.cursor.1)));
        self.cursor = (p[0], p[1]);
    }

    pub fn point(&mut self, p: [i32; 2]) {
        self.command(1, 1);
        self.delta(p);
    }

    /// A ring without its closing point (the ClosePath command closes it); it must
    /// have at least three points and the winding the spec asks for its role.
    pub fn ring(&mut self, ring: &[[i32; 2]]) {
        debug_assert!(ring.len() >= 3);
        // At most 5 bytes per coordinate delta, plus the three commands.
        self.encoded.reserve(ring.len() * 10 + 15);
        self.command(1, 1);
        self.delta(ring[0]);
        self.command(2, ring.len() - 1);
        for &p in &ring[1..] {
            self.delta(p);
        }
        self.command(7, 1);
    }
}

/// Builds one layer.
pub struct Layer<'a> {
    name: &'static str,
    /// Keys are usually static names; criteria keys are made per tile from the catalog.
    keys: Vec<&'a str>,
    key_index: FnvMap<&'a str, u32>,
    /// Keys whose values differ from feature to feature (a commune's code): their
    /// values are appended without the interning lookup, which could never hit.
    distinct: &'static [&'static str],
    values: Vec<Value<'a>>,
    /// Strings are looked up by `&str`, so a repeated value costs no allocation.
    string_index: FnvMap<Cow<'a, str>, u32>,
    scalar_index: FnvMap<ScalarKey, u32>,
    features: Vec<u8>,
    count: usize,
    tags: Vec<u32>,
}

impl<'a> Layer<'a> {
    pub fn new(name: &'static str) -> Layer<'a> {
        Layer {
            name,
            keys: Vec::new(),
            key_index: FnvMap::default(),
            distinct: &[],
            values: Vec::new(),
            string_index: FnvMap::default(),
            scalar_index: FnvMap::default(),
            // Most layers of a tile fit: growing from empty would copy them ~10 times.
            features: Vec::with_capacity(2048),
            count: 0,
            tags: Vec::new(),
        }
    }

    /// A layer whose `keys` take a different value on every feature.
    pub fn with_distinct(name: &'static str, keys: &'static [&'static str]) -> Layer<'a> {
        Layer { distinct: keys, ..Layer::new(name) }
    }

    /// Adds a feature; attributes with `None` are left out.
    pub fn add(&mut self, id: Option<u64>, kind: GeomType, geometry: &Geometry, attributes: &[(&'a str, Option<Value<'a>>)]) {
        if geometry.is_empty() {
            return;
        }
        self.tags.clear();
        for (position, (key, value)) in attributes.iter().enumerate() {
            let Some(value) = value else { continue };
            // Features of a layer list their attributes in the same order, so the key
            // at this position is usually the one already interned there.
            let at_position = self.keys.get(position).is_some_and(|k| std::ptr::eq(*k, *key) || k == key);
            // Else the same name is usually the same string (static, or the criteria
            // names a tile borrows from one table): a scan by address of the layer's few
            // keys is cheaper than hashing the name.
            let known = if at_position {
                Some(position as u32)
            } else {
                self.keys.iter().position(|k| std::ptr::eq(*k, *key)).map(|k| k as u32).or_else(|| self.key_index.get(key).copied())
            };
            let k = match known {
                Some(k) => k,
                None => {
                    let k = self.keys.len() as u32;
                    self.keys.push(key);
                    self.key_index.insert(key, k);
                    k
                }
            };
            let v = if self.distinct.contains(&&**key) {
                self.values.push(value.clone());
                self.values.len() as u32 - 1
            } else {
                self.intern(value)
            };
            self.tags.extend([k, v]);
        }
        // The feature is written in place: its length first, computed from its parts.
        let field_len = |number: u32, len: usize| varint_len(u64::from(number << 3)) + varint_len(len as u64) + len;
        let mut len = 2 + field_len(4, geometry.encoded.len()); // type (1 + 1) and geometry
        if let Some(id) = id {
            len += 1 + varint_len(id);
        }
        if !self.tags.is_empty() {
            len += field_len(2, packed_len(&self.tags));
        }
        let out = &mut self.features;
        out.reserve(len + 10);
        tag(out, 2, 2);
        varint(out, len as u64);
        if let Some(id) = id {
            tag(out, 1, 0);
            varint(out, id);
        }
        if !self.tags.is_empty() {
            packed(out, 2, &self.tags);
        }
        tag(out, 3, 0);
        varint(out, kind as u64);
        bytes_field(out, 4, &geometry.encoded);
        self.count += 1;
    }

    fn intern(&mut self, value: &Value<'a>) -> u32 {
        let next = self.values.len() as u32;
        let key = match value {
            Value::Str(text) => {
                if let Some(&v) = self.string_index.get(text.as_ref()) {
                    return v;
                }
                self.string_index.insert(text.clone(), next);
                self.values.push(value.clone());
                return next;
            }
            Value::Int(i) => ScalarKey::Int(*i),
            Value::Double(d) => ScalarKey::Double(d.to_bits()),
            Value::Bool(b) => ScalarKey::Bool(*b),
        };
        *self.scalar_index.entry(key).or_insert_with(|| {
            self.values.push(value.clone());
            next
        })
    }

    /// Appends the layer (as field 3 of `Tile`) to `tile`; empty layers are skipped.
    /// Every length is computed before its message is written, so the layer goes
    /// straight into `tile` without intermediate buffers.
    pub fn write(self, tile: &mut Vec<u8>) {
        if self.count == 0 {
            return;
        }
        let field = |number: u32, len: usize| varint_len(u64::from(number << 3)) + varint_len(len as u64) + len;
        let value_len = |v: &Value| match v {
            Value::Str(s) => field(1, s.len()),
            Value::Double(_) => 9,
            Value::Int(i) => 1 + varint_len(((i << 1) ^ (i >> 63)) as u64),
            Value::Bool(_) => 2,
        };
        let len = 2 // version
            + field(1, self.name.len())
            + self.features.len()
            + self.keys.iter().map(|k| field(3, k.len())).sum::<usize>()
            + self.values.iter().map(|v| field(4, value_len(v))).sum::<usize>()
            + 1 + varint_len(u64::from(super::EXTENT));
        tile.reserve(len + 8);
        tag(tile, 3, 2);
        varint(tile, len as u64);
        tag(tile, 15, 0);
        varint(tile, 2);
        bytes_field(tile, 1, self.name.as_bytes());
        tile.extend_from_slice(&self.features);
        for k in &self.keys {
            bytes_field(tile, 3, k.as_bytes());
        }
        for v in &self.values {
            tag(tile, 4, 2);
            varint(tile, value_len(v) as u64);
            match v {
                Value::Str(s) => bytes_field(tile, 1, s.as_bytes()),
                Value::Double(d) => {
                    tag(tile, 3, 1);
                    tile.extend_from_slice(&d.to_le_bytes());
                }
                Value::Int(i) => {
                    tag(tile, 6, 0);
                    varint(tile, ((i << 1) ^ (i >> 63)) as u64);
                }
                Value::Bool(b) => {
                    tag(tile, 7, 0);
                    varint(tile, u64::from(*b));
                }
            }
        }
        tag(tile, 5, 0);
        varint(tile, u64::from(super::EXTENT));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_the_spec_example_polygon() {
        // Spec 4.3.5.3 example: ring (3,6) (8,12) (20,34) → 9 3 6 18 5 6 12 22 15.
        let mut g = Geometry::default();
        g.ring(&[[3, 6], [8, 12], [20, 34]]);
        let mut expected = Vec::new();
        for v in [9u64, 6, 12, 18, 10, 12, 24, 44, 15] {
            varint(&mut expected, v);
        }
        assert_eq!(g.encoded, expected);
    }

    #[test]
    fn varint_lengths() {
        for v in [0u64, 1, 127, 128, 16_383, 16_384, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            varint(&mut out, v);
            assert_eq!(varint_len(v), out.len(), "{v}");
        }
    }

    #[test]
    fn zigzag_matches_the_spec() {
        assert_eq!([zigzag(0), zigzag(-1), zigzag(1), zigzag(-2), zigzag(2)], [0, 1, 2, 3, 4]);
    }

    #[test]
    fn keys_and_values_are_interned_once() {
        let mut layer = Layer::new("communes");
        let mut g = Geometry::default();
        g.point([1, 2]);
        for code in ["00571", "00565", "00571"] {
            layer.add(None, GeomType::Point, &g, &[("code", Some(Value::Str(code.into()))), ("level", Some(Value::Int(2))), ("year", Some(Value::Int(2)))]);
        }
        assert_eq!(layer.keys, vec!["code", "level", "year"]);
        assert_eq!(layer.values, vec![Value::Str("00571".into()), Value::Int(2), Value::Str("00565".into())]);
        // Feature 3 reuses the tags of feature 1.
        assert_eq!(layer.count, 3);
    }

    #[test]
    fn distinct_keys_skip_interning_and_others_still_share() {
        let mut layer = Layer::with_distinct("communes", &["code"]);
        let mut g = Geometry::default();
        g.point([1, 2]);
        for code in ["00571", "00571"] {
            layer.add(None, GeomType::Point, &g, &[("code", Some(Value::Str(code.into()))), ("kind", Some(Value::Str("xa".into())))]);
        }
        assert_eq!(layer.values, vec![Value::Str("00571".into()), Value::Str("xa".into()), Value::Str("00571".into())]);
    }

    #[test]
    fn empty_layers_are_not_written() {
        let mut tile = Vec::new();
        Layer::new("x").write(&mut tile);
        assert!(tile.is_empty());
    }
}
