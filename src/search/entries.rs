//! The things a search can find, each with what a hit shows: communes and provinces of
//! both editions, the districts of edition 2024, pilot models and tourism sites.
//!
//! Steps: 1. communes: name, parents, the bounding box of the commune's polygon and its
//! label point; 2. districts and provinces: the union of their communes' boxes, and as
//! point the label point of the member commune nearest the box's centre (so the point
//! always lies inside the unit); 3. pilots and tourism sites: their position, their
//! commune as parents, the commune's box grown to hold the position.

use crate::atlas::{Atlas, EditionAtlas};
use crate::model::{Commune, Edition, LonLat};
use serde::Serialize;
use std::collections::BTreeMap;

/// What kind of thing a hit is; the order is the tie-break order of equal scores: the
/// larger unit first, as a reader who types "Phú Thọ" or "Quảng Ninh" most likely means
/// the province, and the nine communes of that name are still listed right after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Province,
    District,
    Commune,
    Pilot,
    Tourism,
}

#[derive(Debug, Clone, Serialize)]
pub struct Parent {
    pub kind: HitKind,
    pub code: String,
    pub name: String,
}

/// One findable thing with everything its hit shows.
#[derive(Debug, Clone)]
pub struct Entry {
    pub kind: HitKind,
    /// The code (communes, districts, provinces) or id (pilots, tourism sites).
    pub code: String,
    pub name: String,
    /// The name followed by its parents' names.
    pub label: String,
    /// None for pilots and tourism sites, which belong to no boundary edition.
    pub edition: Option<Edition>,
    pub parents: Vec<Parent>,
    pub bbox: [f64; 4],
    pub point: LonLat,
}

/// Every findable thing, and the crosswalk's (2024 commune, 2025 commune) pairs as
/// positions in that list.
pub fn collect(atlas: &Atlas) -> (Vec<Entry>, Vec<(u32, u32)>) {
    let mut out = Vec::new();
    // Where each edition's communes start in `out`.
    let mut first_commune = [0u32; 2];
    for (k, edition) in atlas.editions.iter().enumerate() {
        first_commune[k] = out.len() as u32;
        let boxes: Vec<[f64; 4]> = (0..edition.communes.len()).map(|i| commune_box(edition, i)).collect();
        for (i, c) in edition.communes.iter().enumerate() {
            let parents = parents_of(edition, c);
            out.push(entry(HitKind::Commune, c.code.to_string(), &c.name, Some(edition.edition), parents, boxes[i], point_of(c, boxes[i])));
        }
        let mut districts: BTreeMap<_, Vec<usize>> = BTreeMap::new();
        let mut provinces: BTreeMap<_, Vec<usize>> = BTreeMap::new();
        for (i, c) in edition.communes.iter().enumerate() {
            if let Some(d) = c.district {
                districts.entry(d).or_default().push(i);
            }
            provinces.entry(c.province).or_default().push(i);
        }
        for (code, members) in districts {
            let Some(d) = edition.districts.get(&code) else { continue };
            let (bbox, point) = union(edition, &boxes, &members);
            let parents = edition.provinces.get(&d.province).map(province_parent).into_iter().collect();
            out.push(entry(HitKind::District, code.to_string(), &d.name, Some(edition.edition), parents, bbox, point));
        }
        for (code, members) in provinces {
            let Some(p) = edition.provinces.get(&code) else { continue };
            let (bbox, point) = union(edition, &boxes, &members);
            out.push(entry(HitKind::Province, code.to_string(), &p.name, Some(edition.edition), Vec::new(), bbox, point));
        }
    }
    // Pilots and tourism sites belong to communes of edition 2024.
    let old = atlas.edition(Edition::E2024);
    let place = |commune, position: LonLat| match old.position(commune) {
        Some(i) => {
            let c = &old.communes[i];
            let mut parents = vec![Parent { kind: HitKind::Commune, code: c.code.to_string(), name: c.name.clone() }];
            parents.extend(parents_of(old, c));
            let [x0, y0, x1, y1] = commune_box(old, i);
            let bbox = [x0.min(position.lon), y0.min(position.lat), x1.max(position.lon), y1.max(position.lat)];
            (parents, bbox)
        }
        None => (Vec::new(), [position.lon, position.lat, position.lon, position.lat]),
    };
    for p in &atlas.pilots {
        let (parents, bbox) = place(p.commune, p.position);
        out.push(entry(HitKind::Pilot, p.id.clone(), &p.name, None, parents, bbox, p.position));
    }
    for t in &atlas.tourism {
        let (parents, bbox) = place(t.commune, t.position);
        out.push(entry(HitKind::Tourism, t.id.clone(), &t.name, None, parents, bbox, t.position));
    }
    let [old, new] = [Edition::E2024, Edition::E2025].map(|e| first_commune[e.index()]);
    let crosswalk = atlas.crosswalk.iter().map(|l| (old + l.old, new + l.new)).collect();
    (out, crosswalk)
}

fn entry(kind: HitKind, code: String, name: &str, edition: Option<Edition>, parents: Vec<Parent>, bbox: [f64; 4], point: LonLat) -> Entry {
    let mut label = name.to_string();
    for p in &parents {
        label.push_str(", ");
        label.push_str(&p.name);
    }
    Entry { kind, code, name: name.to_string(), label, edition, parents, bbox, point }
}

fn province_parent(p: &crate::model::Province) -> Parent {
    Parent { kind: HitKind::Province, code: p.code.to_string(), name: p.name.clone() }
}

fn parents_of(edition: &EditionAtlas, c: &Commune) -> Vec<Parent> {
    let district = c.district.and_then(|d| edition.districts.get(&d)).map(|d| Parent {
        kind: HitKind::District,
        code: d.code.to_string(),
        name: d.name.clone(),
    });
    let province = edition.provinces.get(&c.province).map(province_parent);
    district.into_iter().chain(province).collect()
}

/// The box of the commune's polygon; a point box at its label point when it has no
/// polygon.
fn commune_box(edition: &EditionAtlas, i: usize) -> [f64; 4] {
    let area = edition.index.area(i);
    if !area.is_empty() {
        return area.bbox();
    }
    let p = edition.communes[i].label_point.unwrap_or(LonLat::new(0.0, 0.0));
    [p.lon, p.lat, p.lon, p.lat]
}

fn point_of(c: &Commune, [x0, y0, x1, y1]: [f64; 4]) -> LonLat {
    c.label_point.unwrap_or(LonLat::new((x0 + x1) / 2.0, (y0 + y1) / 2.0))
}

fn union(edition: &EditionAtlas, boxes: &[[f64; 4]], members: &[usize]) -> ([f64; 4], LonLat) {
    let bbox = members.iter().fold([f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY], |b, &i| {
        let m = boxes[i];
        [b[0].min(m[0]), b[1].min(m[1]), b[2].max(m[2]), b[3].max(m[3])]
    });
    let centre = LonLat::new((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
    let dist = |p: LonLat| (p.lon - centre.lon).powi(2) + (p.lat - centre.lat).powi(2);
    let point = members
        .iter()
        .map(|&i| point_of(&edition.communes[i], boxes[i]))
        .min_by(|a, b| dist(*a).total_cmp(&dist(*b)))
        .unwrap_or(centre);
    (bbox, point)
}
