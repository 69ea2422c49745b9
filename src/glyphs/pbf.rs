//! Encodes a glyph range in the protocol buffer format MapLibre reads
//! (`glyphs.proto` of mapbox/glyph-pbf-composite), by hand: three small messages.
//!
//! ```text
//! message glyphs    { repeated fontstack stacks = 1; }
//! message fontstack { required string name = 1; required string range = 2; repeated glyph glyphs = 3; }
//! message glyph     { required uint32 id = 1; optional bytes bitmap = 2; required uint32 width = 3;
//!                     required uint32 height = 4; required sint32 left = 5; required sint32 top = 6;
//!                     required uint32 advance = 7; }
//! ```

/// One glyph of a range: an SDF bitmap of `(width + 2·buffer) × (height + 2·buffer)`
/// bytes and its metrics in pixels at the range's em size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glyph {
    /// The Unicode code point.
    pub id: u32,
    /// Empty for glyphs without ink (spaces).
    pub bitmap: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// From the pen position to the bitmap's left edge (without the buffer).
    pub left: i32,
    /// The bitmap's top edge relative to the line's ascender (negative below it).
    pub top: i32,
    pub advance: u32,
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn key(out: &mut Vec<u8>, field: u32, wire: u32) {
    varint(out, u64::from(field << 3 | wire));
}

fn bytes(out: &mut Vec<u8>, field: u32, data: &[u8]) {
    key(out, field, 2);
    varint(out, data.len() as u64);
    out.extend_from_slice(data);
}

fn uint(out: &mut Vec<u8>, field: u32, v: u32) {
    key(out, field, 0);
    varint(out, u64::from(v));
}

fn sint(out: &mut Vec<u8>, field: u32, v: i32) {
    key(out, field, 0);
    varint(out, u64::from(((v << 1) ^ (v >> 31)) as u32));
}

/// The `glyphs` message holding one fontstack `name` with the glyphs of `range`
/// (written `start-end`).
pub fn encode(name: &str, range: &str, glyphs: &[Glyph]) -> Vec<u8> {
    let mut stack = Vec::new();
    bytes(&mut stack, 1, name.as_bytes());
    bytes(&mut stack, 2, range.as_bytes());
    let mut g = Vec::new();
    for glyph in glyphs {
        g.clear();
        uint(&mut g, 1, glyph.id);
        if !glyph.bitmap.is_empty() {
            bytes(&mut g, 2, &glyph.bitmap);
        }
        uint(&mut g, 3, glyph.width);
        uint(&mut g, 4, glyph.height);
        sint(&mut g, 5, glyph.left);
        sint(&mut g, 6, glyph.top);
        uint(&mut g, 7, glyph.advance);
        bytes(&mut stack, 3, &g);
    }
    let mut out = Vec::with_capacity(stack.len() + 8);
    bytes(&mut out, 1, &stack);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_fields_with_their_wire_types() {
        let g = Glyph { id: 0x1EA1, bitmap: vec![7; 3], width: 1, height: 1, left: -2, top: -20, advance: 13 };
        let out = encode("F", "7680-7935", &[g]);
        // glyphs.stacks (field 1, length-delimited), then fontstack.name "F".
        assert_eq!(out[0], 0x0a);
        assert_eq!(&out[2..5], &[0x0a, 1, b'F']);
        // fontstack.range
        assert_eq!(out[5], 0x12);
        assert_eq!(&out[7..16], b"7680-7935");
        // fontstack.glyphs[0]: id 0x1EA1 as a varint, bitmap, then left -2 zigzagged to 3.
        assert_eq!(out[16], 0x1a);
        assert_eq!(&out[18..21], &[0x08, 0xa1, 0x3d]);
        assert_eq!(&out[21..26], &[0x12, 3, 7, 7, 7]);
        assert!(out.windows(2).any(|w| w == [0x28, 3]), "left -2 → zigzag 3");
        assert!(out.windows(2).any(|w| w == [0x30, 39]), "top -20 → zigzag 39");
    }
}
