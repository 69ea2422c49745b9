//! Mapbox Vector Tile 2.1 encoding, by hand: the format is small (three messages)
//! and this is the hot end of every tile request.
//!
//! Steps per layer: 1. intern keys and values; 2. encode each feature's geometry as
//! zig-zag delta commands (MoveTo, LineTo, ClosePath) on the integer grid; 3. write
//! the layer message (version 2, extent 4096). The tile is the concatenation of its
//! layers (field 3 of `Tile`).
//!
//! Attributes come two ways: as `(name, value)` pairs, interned by name and value; or,
//! for the many attributes that repeat from feature to feature of every tile (the units'
//! criteria), as [`Tags`]: index pairs into a [`Dictionary`] made once, which a layer maps
//! to its own indices through two arrays, so such an attribute costs two array reads
//! instead of a key search and a hash lookup. Both ways give the same bytes.

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

/// FNV-1a for the small interning maps: keys are short attribute names and values,
/// where SipHash's flood resistance buys nothing and costs most of the lookup.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(crate::fnv::OFFSET)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = crate::fnv::fold(self.0, bytes);
    }
    // Whole words (the values' discriminants, integers and doubles' bits) in one step
    // each instead of one per byte; `finish` folds the high bits down, where a double's
    // differ.
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(crate::fnv::PRIME);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_isize(&mut self, n: isize) {
        self.write_u64(n as u64);
    }
    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
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

/// Attribute names and values shared by many features of many tiles, made once (the
/// units' criteria at a moment). Values are best ordered by how often features use them:
/// a layer maps the first [`NEAR_VALUES`] through an array.
#[derive(Debug, Default)]
pub struct Dictionary {
    pub keys: Vec<String>,
    pub values: Vec<Value<'static>>,
}

/// One feature's attributes from a [`Dictionary`]: `(key, value)` index pairs, in the order
/// they are written.
#[derive(Clone, Copy)]
pub struct Tags<'d> {
    pub dictionary: &'d Dictionary,
    pub pairs: &'d [[u32; 2]],
}

/// Dictionary values below this index map to a layer's values through an array (grown as
/// far as used); the rest, rare measured values, through a hash map.
pub const NEAR_VALUES: usize = 1024;

/// Not yet in the layer.
const UNSEEN: u32 = u32::MAX;

/// Builds one layer.
pub struct Layer<'a> {
    name: &'static str,
    /// Keys are usually static names; criteria keys are made per tile from the catalog.
    keys: Vec<&'a str>,
    /// Keys whose values differ from feature to feature (a commune's code): their
    /// values are appended without the interning lookup, which could never hit.
    distinct: &'static [&'static str],
    values: Vec<Value<'a>>,
    /// Strings are looked up by `&str`, so a repeated value costs no allocation.
    string_index: FnvMap<Cow<'a, str>, u32>,
    scalar_index: FnvMap<ScalarKey, u32>,
    features: Vec<u8>,
    count: usize,
    /// The feature's tags, already encoded as the packed varints of its `tags` field.
    tags: Vec<u8>,
    /// The [`Dictionary`] of the [`Tags`] seen (a layer takes one), by address.
    dictionary: Option<*const Dictionary>,
    /// Dictionary key → this layer's key (`UNSEEN`).
    dictionary_keys: Vec<u32>,
    /// Dictionary value → this layer's value (`UNSEEN`): the first [`NEAR_VALUES`] by array.
    near_values: Vec<u32>,
    far_values: FnvMap<u32, u32>,
}

impl<'a> Layer<'a> {
    pub fn new(name: &'static str) -> Layer<'a> {
        Layer {
            name,
            keys: Vec::new(),
            distinct: &[],
            values: Vec::new(),
            string_index: FnvMap::default(),
            scalar_index: FnvMap::default(),
            // Most layers of a tile fit: growing from empty would copy them ~10 times.
            features: Vec::with_capacity(2048),
            count: 0,
            tags: Vec::new(),
            dictionary: None,
            dictionary_keys: Vec::new(),
            near_values: Vec::new(),
            far_values: FnvMap::default(),
        }
    }

    /// A layer whose `keys` take a different value on every feature.
    pub fn with_distinct(name: &'static str, keys: &'static [&'static str]) -> Layer<'a> {
        Layer { distinct: keys, ..Layer::new(name) }
    }

    /// Adds a feature; attributes with `None` are left out.
    pub fn add(&mut self, id: Option<u64>, kind: GeomType, geometry: &Geometry, attributes: &[(&'a str, Option<Value<'a>>)]) {
        self.add_with(id, kind, geometry, attributes, None, &[]);
    }

    /// Adds a feature whose attributes are `head`, then `shared`, then `tail` (attributes
    /// with `None` are left out): the same bytes as [`Layer::add`] with the three in a row.
    pub fn add_with(&mut self, id: Option<u64>, kind: GeomType, geometry: &Geometry, head: &[(&'a str, Option<Value<'a>>)], shared: Option<Tags<'a>>, tail: &[(&'a str, Option<Value<'a>>)]) {
        if geometry.is_empty() {
            return;
        }
        self.tags.clear();
        if self.tags.capacity() == 0 {
            self.tags.reserve(128);
        }
        for (position, (key, value)) in head.iter().enumerate() {
            self.push_attribute(position, key, value.as_ref());
        }
        if let Some(shared) = shared {
            self.push_shared(shared);
        }
        for (position, (key, value)) in tail.iter().enumerate() {
            self.push_attribute(head.len() + position, key, value.as_ref());
        }
        // The feature is written in place: its length first, computed from its parts.
        let field_len = |number: u32, len: usize| varint_len(u64::from(number << 3)) + varint_len(len as u64) + len;
        let mut len = 2 + field_len(4, geometry.encoded.len()); // type (1 + 1) and geometry
        if let Some(id) = id {
            len += 1 + varint_len(id);
        }
        if !self.tags.is_empty() {
            len += field_len(2, self.tags.len());
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
            bytes_field(out, 2, &self.tags);
        }
        tag(out, 3, 0);
        varint(out, kind as u64);
        bytes_field(out, 4, &geometry.encoded);
        self.count += 1;
    }

    /// Appends the tag pair (key `k`, value `v`), encoded.
    fn tag(&mut self, k: u32, v: u32) {
        varint(&mut self.tags, u64::from(k));
        varint(&mut self.tags, u64::from(v));
    }

    /// The attribute `key` = `value` (at `position` in the feature's list) as a tag pair.
    fn push_attribute(&mut self, position: usize, key: &'a str, value: Option<&Value<'a>>) {
        let Some(value) = value else { return };
        let k = self.key(position, key);
        let v = if self.distinct.contains(&key) {
            self.values.push(value.clone());
            self.values.len() as u32 - 1
        } else {
            self.intern(value)
        };
        self.tag(k, v);
    }

    /// The layer's index of `key`, added when new.
    fn key(&mut self, position: usize, key: &'a str) -> u32 {
        // Features of a layer list their attributes in the same order, so the key
        // at this position is usually the one already interned there.
        if self.keys.get(position).is_some_and(|k| std::ptr::eq(*k, key) || *k == key) {
            return position as u32;
        }
        // Else the same name is usually the same (static) string: a scan by address of
        // the layer's few keys (a few dozen at most) is cheaper than hashing the name, and
        // a scan by text finds the rest without a map to fill for every tile.
        if let Some(k) = self.keys.iter().position(|k| std::ptr::eq(*k, key)).or_else(|| self.keys.iter().position(|k| *k == key)) {
            return k as u32;
        }
        if self.keys.capacity() == 0 {
            self.keys.reserve(32);
        }
        self.keys.push(key);
        self.keys.len() as u32 - 1
    }

    /// The tag pairs of `shared`, mapped to the layer's indices (by name and value the
    /// first time each is seen in this layer, as [`Layer::push_attribute`] would).
    fn push_shared(&mut self, shared: Tags<'a>) {
        let dictionary = shared.dictionary;
        if self.dictionary != Some(dictionary as *const Dictionary) {
            // A layer takes its shared attributes from one dictionary; another one starts
            // the mapping over (correct, only slower).
            self.dictionary = Some(dictionary as *const Dictionary);
            self.dictionary_keys.clear();
            self.dictionary_keys.resize(dictionary.keys.len(), UNSEEN);
            self.near_values.clear();
            // Values by array as far as used: a small tile uses a few of the first.
            self.far_values.clear();
        }
        for &[key, value] in shared.pairs {
            let slot = &mut self.dictionary_keys[key as usize];
            let k = if *slot != UNSEEN {
                *slot
            } else {
                let name = dictionary.keys[key as usize].as_str();
                // Position past the feature's list: no positional guess.
                let k = self.key(usize::MAX, name);
                self.dictionary_keys[key as usize] = k;
                k
            };
            let index = value as usize;
            let known = if index < NEAR_VALUES { self.near_values.get(index).copied().filter(|&v| v != UNSEEN) } else { self.far_values.get(&value).copied() };
            let v = match known {
                Some(v) => v,
                None => {
                    let v = self.intern(&dictionary.values[index]);
                    if index < NEAR_VALUES {
                        if self.near_values.len() <= index {
                            let len = (index + 1).max(2 * self.near_values.len()).clamp(32, NEAR_VALUES);
                            self.near_values.resize(len, UNSEEN);
                        }
                        self.near_values[index] = v;
                    } else {
                        self.far_values.insert(value, v);
                    }
                    v
                }
            };
            self.tag(k, v);
        }
    }

    fn intern(&mut self, value: &Value<'a>) -> u32 {
        let next = self.values.len() as u32;
        if self.values.capacity() == 0 {
            // A layer that has features has a few dozen values: grown from empty, they and
            // their maps would be reallocated several times per tile.
            self.values.reserve(64);
            self.string_index.reserve(32);
            self.scalar_index.reserve(32);
        }
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
    fn shared_tags_write_the_same_bytes_as_the_same_attributes_by_name() {
        // Values shared with the features' own attributes (2, "met") and keys seen first
        // through either path must be numbered exactly as by name.
        let dictionary = Dictionary { keys: vec!["crit_a".into(), "ind_a_1_1".into(), "code".into()], values: vec![Value::Int(2), Value::Str("met".into()), Value::Double(1.5)] };
        type Named<'x> = &'x [(&'x str, Option<Value<'x>>)];
        let features: [(Named, &[[u32; 2]], Named); 3] = [
            (&[("level", Some(Value::Int(2))), ("x", None)], &[[0, 0], [1, 1]], &[]),
            (&[("status", Some(Value::Str("met".into())))], &[[1, 1], [2, 2], [0, 2]], &[("label", Some(Value::Bool(true)))]),
            (&[("level", Some(Value::Int(3)))], &[], &[("crit_a", Some(Value::Int(3)))]),
        ];
        let mut g = Geometry::default();
        g.point([1, 2]);
        let (mut shared, mut named) = (Layer::new("l"), Layer::new("l"));
        for (head, pairs, tail) in features {
            shared.add_with(Some(7), GeomType::Point, &g, head, Some(Tags { dictionary: &dictionary, pairs }), tail);
            let mut all: Vec<(&str, Option<Value>)> = head.to_vec();
            all.extend(pairs.iter().map(|&[k, v]| (dictionary.keys[k as usize].as_str(), Some(dictionary.values[v as usize].clone()))));
            all.extend(tail.iter().cloned());
            named.add(Some(7), GeomType::Point, &g, &all);
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        shared.write(&mut a);
        named.write(&mut b);
        assert_eq!(a, b);
        assert!(!a.is_empty());
    }

    #[test]
    fn empty_layers_are_not_written() {
        let mut tile = Vec::new();
        Layer::new("x").write(&mut tile);
        assert!(tile.is_empty());
    }
}
