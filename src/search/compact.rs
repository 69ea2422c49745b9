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
//! server strips from queries go with the file, so both strip the same words; 5. on
//! edition 2025, each commune also carries `former`: the 2024 communes it took (the
//! crosswalk), each as `[name, core, district name, province name]`, so a reader who
//! types an old name ("Dương Xá Gia Lâm") finds the commune that took it, as the server's
//! search does.

use super::{names, HitKind, SearchIndex};
use crate::model::Edition;
use serde_json::{json, Value};
use std::collections::HashMap;

/// The kinds in the order of the file's `kinds` (the tie-break order of equal scores).
const KINDS: [HitKind; 5] = [HitKind::Province, HitKind::District, HitKind::Commune, HitKind::Pilot, HitKind::Tourism];

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
        // Step 5: the 2024 communes each 2025 commune took, in code order.
        let mut former: HashMap<usize, Vec<usize>> = HashMap::new();
        if edition == Edition::E2025 {
            for (old, new) in self.places.all_successors() {
                for &n in new {
                    former.entry(n as usize).or_default().push(old as usize);
                }
            }
            former.values_mut().for_each(|olds| olds.sort_by(|&a, &b| self.entries[a].code.cmp(&self.entries[b].code)));
        }
        let rows: Vec<Value> = kept
            .iter()
            .map(|&i| {
                let (e, forms) = (&self.entries[i], &self.forms[i]);
                let parent = e.parents.first().and_then(|p| position.get(&(p.kind, p.code.as_str()))).map_or(-1, |&at| at as i64);
                let kind = KINDS.iter().position(|k| *k == e.kind).unwrap_or(0);
                let [w, s, east, n] = e.bbox;
                let mut row = vec![json!(kind), json!(e.code), json!(e.name), json!(forms.core()), json!(parent)];
                row.extend([round(e.point.lon, 5), round(e.point.lat, 5), round(w, 4), round(s, 4), round(east, 4), round(n, 4)]);
                if let Some(olds) = former.get(&i) {
                    let olds: Vec<Value> = olds
                        .iter()
                        .map(|&o| {
                            let old = &self.entries[o];
                            let mut named = vec![json!(old.name), json!(self.forms[o].core())];
                            named.extend(old.parents.iter().map(|p| json!(p.name)));
                            Value::Array(named)
                        })
                        .collect();
                    row.push(Value::Array(olds));
                }
                Value::Array(row)
            })
            .collect();
        json!({
            "edition": edition,
            "kinds": KINDS,
            "prefixes": names::PREFIXES.iter().map(|p| p.trim_end()).collect::<Vec<_>>(),
            "abbreviations": names::ABBREVIATIONS,
            "initials": names::INITIALS,
            "type_words_en": names::TYPE_WORDS_EN,
            "fields": ["kind", "code", "name", "core", "parent", "lon", "lat", "west", "south", "east", "north", "former"],
            "entries": rows,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atlas::{self, Inputs};

    /// Edition 2025's file names, on each commune, the 2024 communes it took, read from
    /// the crosswalk; edition 2024's carries none.
    #[test]
    fn a_2025_commune_carries_the_2024_communes_it_took() {
        let (atlas, _) = atlas::build(&Inputs::embedded(crate::config::EMBEDDED_GEODATA)).expect("embedded data");
        let index = SearchIndex::build(&atlas);
        let fields = |doc: &Value| doc["fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect::<Vec<_>>();
        let new = index.compact(Edition::E2025);
        let former_at = fields(&new).iter().position(|f| f == "former").expect("a former field");
        // Every crosswalk line appears once, on its 2025 commune.
        let mut listed = 0;
        for row in new["entries"].as_array().unwrap() {
            let Some(olds) = row.get(former_at) else { continue };
            let code = row[1].as_str().unwrap();
            for old in olds.as_array().unwrap() {
                let name = old[0].as_str().unwrap();
                let (old_communes, new_communes) = (&atlas.edition(Edition::E2024).communes, &atlas.edition(Edition::E2025).communes);
                let line = atlas.crosswalk.iter().find(|l| old_communes[l.old as usize].name == name && new_communes[l.new as usize].code.to_string() == code);
                assert!(line.is_some(), "{name} is not a former commune of {code}");
                assert_eq!(old[1], names::core(&names::normalise(name)), "{old}");
                listed += 1;
            }
        }
        assert_eq!(listed, atlas.crosswalk.len());
        let duong_xa = new["entries"].as_array().unwrap().iter().find(|r| r[1] == "00565").expect("the 2025 commune 00565");
        let olds = duong_xa[former_at].to_string();
        assert!(olds.contains("\"Xã Dương Xá\",\"duong xa\",\"Huyện Gia Lâm\""), "{olds}");
        let old = index.compact(Edition::E2024);
        assert!(old["entries"].as_array().unwrap().iter().all(|r| r.get(former_at).is_none()));
    }
}
