//! The compact search index of a static publication: one JSON file per boundary edition
//! that the viewer loads once and searches in the browser, with no server.
//!
//! Steps ([`SearchIndex::compact`]): 1. keep the entries of the edition (its communes,
//! districts and provinces) and the pilots and tourism sites (which belong to no
//! edition); 2. write each as one array `[kind, code, name, core, parent, lon, lat, west,
//! south, east, north]`: `core` is the name folded without diacritics and without its
//! administrative prefix ([`super::names`], as the server matches it), `parent` the
//! position of its first parent in the same list (commune → district or province,
//! district → province, site → commune; −1 for none), so a client rebuilds the label and
//! matches the parents a query names; 3. round positions to about a metre and boxes to
//! about ten metres, which is all a view needs; 4. the administrative prefixes the
//! server strips from queries go with the file, so both strip the same words.

use super::{names, HitKind, SearchIndex};
use crate::model::Edition;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The kinds in the order of the file's `kinds` (the tie-break order of equal scores).
const KINDS: [HitKind; 5] = [HitKind::Commune, HitKind::District, HitKind::Province, HitKind::Pilot, HitKind::Tourism];

fn round(v: f64, digits: i32) -> Value {
    let f = 10f64.powi(digits);
    json!((v * f).round() / f)
}

impl SearchIndex {
    /// The compact index of `edition`; see the module doc.
    pub fn compact(&self, edition: Edition) -> Value {
        let kept: Vec<usize> = (0..self.entries.len()).filter(|&i| self.entries[i].edition.is_none_or(|e| e == edition)).collect();
        // A parent is named by kind and code; codes are unique within a kind and edition.
        let position: HashMap<(HitKind, &str), usize> =
            kept.iter().enumerate().map(|(at, &i)| ((self.entries[i].kind, self.entries[i].code.as_str()), at)).collect();
        let rows: Vec<Value> = kept
            .iter()
            .map(|&i| {
                let (e, forms) = (&self.entries[i], &self.forms[i]);
                let parent = e.parents.first().and_then(|p| position.get(&(p.kind, p.code.as_str()))).map_or(-1, |&at| at as i64);
                let kind = KINDS.iter().position(|k| *k == e.kind).unwrap_or(0);
                let [w, s, east, n] = e.bbox;
                json!([kind, e.code, e.name, forms.core(), parent, round(e.point.lon, 5), round(e.point.lat, 5), round(w, 4), round(s, 4), round(east, 4), round(n, 4)])
            })
            .collect();
        json!({
            "edition": edition,
            "kinds": KINDS,
            "prefixes": names::PREFIXES.iter().map(|p| p.trim_end()).collect::<Vec<_>>(),
            "fields": ["kind", "code", "name", "core", "parent", "lon", "lat", "west", "south", "east", "north"],
            "entries": rows,
        })
    }
}
