//! Glyph ranges over real HTTP (`GET /fonts/{fontstack}/{range}.pbf`): every range the
//! styles' text needs answers 200 with a glyphs.proto message (decoded here by hand,
//! independently of the service's encoder) that holds an SDF glyph for each code point
//! of every name the maps write; the names are read from the reference tables and the
//! pilot and tourism files, not from the service. Bad fontstacks and ranges are refused.

mod common;
use common::sources::{csv_rows, geodata};
use common::{reference, Server};
use std::collections::{BTreeMap, BTreeSet};

/// Every name a map labels: communes, districts, provinces (both editions), pilots,
/// tourism sites.
fn names() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (file, columns) in [
        (reference("communes-2024.csv"), &["name", "district_name", "province_name"][..]),
        (reference("communes-2025.csv"), &["name", "province_name"][..]),
        (geodata("pilots.csv"), &["name"][..]),
        (geodata("tourism.csv"), &["name"][..]),
    ] {
        for row in csv_rows(file) {
            out.extend(columns.iter().map(|c| row[*c].clone()));
        }
    }
    out
}

/// A protobuf field: number and either a varint or bytes.
enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
}

fn fields(mut b: &[u8]) -> Vec<(u32, Field<'_>)> {
    fn varint(b: &mut &[u8]) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let byte = b[0];
            *b = &b[1..];
            v |= u64::from(byte & 0x7f) << shift;
            if byte < 0x80 {
                return v;
            }
            shift += 7;
        }
    }
    let mut out = Vec::new();
    while !b.is_empty() {
        let key = varint(&mut b);
        let (number, wire) = ((key >> 3) as u32, key & 7);
        match wire {
            0 => out.push((number, Field::Varint(varint(&mut b)))),
            2 => {
                let n = varint(&mut b) as usize;
                out.push((number, Field::Bytes(&b[..n])));
                b = &b[n..];
            }
            other => panic!("unexpected wire type {other}"),
        }
    }
    out
}

/// A decoded glyph: width, height, bitmap length, advance.
struct Glyph {
    width: u64,
    height: u64,
    bitmap: usize,
    advance: u64,
}

/// Decodes a glyphs message: (fontstack name, range, glyphs by code point).
fn decode(body: &[u8]) -> (String, String, BTreeMap<u32, Glyph>) {
    let stacks = fields(body);
    assert_eq!(stacks.len(), 1, "one fontstack per answer");
    let Field::Bytes(stack) = stacks[0].1 else { panic!("fontstack is a message") };
    let (mut name, mut range, mut glyphs) = (String::new(), String::new(), BTreeMap::new());
    for (number, field) in fields(stack) {
        match (number, field) {
            (1, Field::Bytes(b)) => name = String::from_utf8(b.to_vec()).expect("name"),
            (2, Field::Bytes(b)) => range = String::from_utf8(b.to_vec()).expect("range"),
            (3, Field::Bytes(g)) => {
                let (mut id, mut glyph) = (None, Glyph { width: 0, height: 0, bitmap: 0, advance: 0 });
                for (n, f) in fields(g) {
                    match (n, f) {
                        (1, Field::Varint(v)) => id = Some(v as u32),
                        (2, Field::Bytes(b)) => glyph.bitmap = b.len(),
                        (3, Field::Varint(v)) => glyph.width = v,
                        (4, Field::Varint(v)) => glyph.height = v,
                        (7, Field::Varint(v)) => glyph.advance = v,
                        _ => {}
                    }
                }
                glyphs.insert(id.expect("glyph id"), glyph);
            }
            _ => {}
        }
    }
    (name, range, glyphs)
}

#[test]
fn every_range_the_names_need_decodes_with_their_glyphs() {
    let server = Server::shared();
    let names = names();
    for must in ["Hưng Yên", "Quảng Ngãi"] {
        assert!(names.iter().any(|n| n.contains(must)), "{must} is not among the names");
    }
    // The template and font of the styles' symbol layers.
    let (_, style) = server.get_json("/styles/ntm.json");
    let template = style["glyphs"].as_str().expect("glyphs").to_string();
    let fonts: BTreeSet<String> = style["layers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["type"] == "symbol")
        .map(|l| l["layout"]["text-font"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect::<Vec<_>>().join(","))
        .collect();
    assert_eq!(fonts.len(), 1, "{fonts:?}");
    let fontstack = fonts.into_iter().next().unwrap();
    let mut needed: BTreeMap<u32, BTreeSet<char>> = BTreeMap::new();
    for c in names.iter().flat_map(|n| n.chars()) {
        needed.entry(c as u32 / 256).or_default().insert(c);
    }
    // Vietnamese needs at least Basic Latin, Latin-1, Latin Extended-A/B and U+1E00–U+1EFF.
    for range in [0, 1, 30] {
        assert!(needed.contains_key(&range), "the names use no letter of range {range}");
    }
    for (range, chars) in &needed {
        let (start, end) = (range * 256, range * 256 + 255);
        let url = template.replace("{fontstack}", &fontstack.replace(' ', "%20")).replace("{range}", &format!("{start}-{end}"));
        let path = url.strip_prefix(&server.url("")).expect("glyphs on this server");
        let r = server.get_raw(path, &[]);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some("application/x-protobuf"));
        assert!(r.header("cache-control").is_some_and(|c| c.contains("max-age=")), "{path}");
        let (name, range_text, glyphs) = decode(&r.body);
        assert_eq!(name, fontstack);
        assert_eq!(range_text, format!("{start}-{end}"));
        for c in chars {
            let g = glyphs.get(&(*c as u32)).unwrap_or_else(|| panic!("{path}: no glyph for {c:?} (U+{:04X})", *c as u32));
            if c.is_whitespace() {
                assert!(g.advance > 0, "space has an advance");
                continue;
            }
            // An SDF bitmap padded by 3 px on each side.
            assert!(g.width > 0 && g.height > 0, "{c}");
            assert_eq!(g.bitmap as u64, (g.width + 6) * (g.height + 6), "{c}");
            assert!(g.advance > 0, "{c}");
        }
    }
    // The letters of "Hưng Yên" and "Quảng Ngãi" are in the answers above.
    for c in "Hưng YênQuảng Ngãi".chars() {
        assert!(needed.get(&(c as u32 / 256)).is_some_and(|s| s.contains(&c)), "{c}");
    }
}

#[test]
fn glyph_ranges_are_cached_and_bad_requests_are_refused() {
    let server = Server::shared();
    let path = "/fonts/Noto%20Sans%20Regular/7680-7935.pbf";
    let first = server.get_raw(path, &[]);
    assert_eq!(first.status, 200);
    let etag = first.header("etag").expect("etag").to_string();
    let again = server.get_raw(path, &[("If-None-Match", &etag)]);
    assert_eq!(again.status, 304);
    assert_eq!(server.get_raw(path, &[]).body, first.body, "the same bytes every time");
    // Another range has another tag.
    let other = server.get_raw("/fonts/Noto%20Sans%20Regular/0-255.pbf", &[("If-None-Match", &etag)]);
    assert_eq!(other.status, 200);
    // A stack naming only our font is served; a font we do not have is 404 naming it.
    assert_eq!(server.get_raw("/fonts/Noto%20Sans%20Regular,Noto%20Sans%20Regular/0-255.pbf", &[]).status, 200);
    let unknown = server.get_raw("/fonts/Open%20Sans%20Bold/0-255.pbf", &[]);
    assert_eq!(unknown.status, 404);
    assert!(unknown.json()["error"]["message"].as_str().unwrap().contains("Open Sans Bold"));
    for bad in ["0-254.pbf", "1-256.pbf", "65536-65791.pbf", "abc.pbf"] {
        let r = server.get_raw(&format!("/fonts/Noto%20Sans%20Regular/{bad}"), &[]);
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.json()["error"]["parameter"], "range", "{bad}");
    }
}
