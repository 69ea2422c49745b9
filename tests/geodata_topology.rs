//! The generated boundaries form a partition: neighbours share borders exactly (the
//! same vertices on both sides), cells do not overlap, and districts and provinces
//! are exactly the union of their communes. Read with flatgeobuf directly.

mod common;
use common::repo;
use geo::{Area, Contains, MultiPolygon, Point};
use std::collections::HashMap;

fn read(name: &str) -> Vec<MultiPolygon<f64>> {
    use flatgeobuf::{FallibleStreamingIterator, FgbReader};
    use geozero::ToGeo;
    let path = repo().join("geodata").join(name);
    let mut file = std::io::BufReader::new(std::fs::File::open(&path).expect("geodata file"));
    let mut reader = FgbReader::open(&mut file).expect("fgb").select_all_seq().expect("select");
    let mut out = Vec::new();
    while let Some(f) = reader.next().expect("feature") {
        match f.to_geo().expect("geometry") {
            geo::Geometry::MultiPolygon(m) => out.push(m),
            other => panic!("{name}: unexpected {other:?}"),
        }
    }
    out
}

type Key = [u64; 4];

fn key(a: geo::Coord<f64>, b: geo::Coord<f64>) -> Key {
    [a.x.to_bits(), a.y.to_bits(), b.x.to_bits(), b.y.to_bits()]
}

/// Checks that the communes of `edition` form a partition; `known_unshared` lists, exactly,
/// the inland edges known to miss their twin across the border.
fn check_partition(edition: u16, known_unshared: &[&str]) {
    let cells = read(&format!("communes-{edition}.fgb"));
    let provinces = read(&format!("provinces-{edition}.fgb"));
    // No overlaps: the cells' areas add up to the area of their union.
    let cells_area: f64 = cells.iter().map(|c| c.unsigned_area()).sum();
    let union_area: f64 = provinces.iter().map(|p| p.unsigned_area()).sum();
    assert!((cells_area - union_area).abs() < 1e-6 * union_area, "edition {edition}: {cells_area} vs {union_area}");

    // Every directed edge either has its exact reverse in a neighbour, or has no
    // cell at all on its outer side (it is on the coast or the border).
    let mut directed: HashMap<Key, usize> = HashMap::new();
    for (i, c) in cells.iter().enumerate() {
        for p in &c.0 {
            for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
                for l in ring.lines() {
                    directed.insert(key(l.start, l.end), i);
                }
            }
        }
    }
    let boxes: Vec<geo::Rect<f64>> = cells.iter().map(|c| geo::BoundingRect::bounding_rect(c).unwrap()).collect();
    let mut unmatched_inland = Vec::new();
    let mut shared = 0;
    for (&k, &i) in &directed {
        if directed.contains_key(&[k[2], k[3], k[0], k[1]]) {
            shared += 1;
            continue;
        }
        let (a, b) = (geo::Coord { x: f64::from_bits(k[0]), y: f64::from_bits(k[1]) }, geo::Coord { x: f64::from_bits(k[2]), y: f64::from_bits(k[3]) });
        let (dx, dy) = (b.x - a.x, b.y - a.y);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1e-6 {
            continue;
        }
        // Rings are oriented (exterior CCW, holes CW): the outer side is on the right.
        let probe = Point::new((a.x + b.x) / 2.0 + dy / len * 1e-6, (a.y + b.y) / 2.0 - dx / len * 1e-6);
        let across = cells
            .iter()
            .zip(&boxes)
            .enumerate()
            .filter(|(j, (_, bx))| *j != i && bx.contains(&probe))
            .find(|(_, (c, _))| c.contains(&probe));
        if let Some((j, _)) = across {
            unmatched_inland.push(format!("cell {i} edge {a:?}->{b:?} borders cell {j} without a shared edge"));
        }
    }
    assert!(shared > 10_000, "edition {edition}: only {shared} shared edges");
    unmatched_inland.sort();
    let known: Vec<String> = known_unshared.iter().map(|s| s.to_string()).collect();
    assert!(unmatched_inland == known, "edition {edition}: {} edges not shared (known: {}): {:#?}", unmatched_inland.len(), known.len(), unmatched_inland);
}

#[test]
fn edition_2024_cells_share_borders_exactly() {
    check_partition(2024, &[]);
}

#[test]
fn edition_2025_cells_share_borders_exactly() {
    // The real 2025 communes, cleaned: no exception, not even a jog of a few
    // centimetres where the source's neighbours do not quite meet.
    check_partition(2025, &[]);
}

#[test]
fn districts_cover_exactly_their_communes() {
    let communes: f64 = read("communes-2024.fgb").iter().map(|c| c.unsigned_area()).sum();
    let districts: f64 = read("districts-2024.fgb").iter().map(|c| c.unsigned_area()).sum();
    assert!((communes - districts).abs() < 1e-6 * communes, "{communes} vs {districts}");
}

/// Code, label point and geometry of every commune of an edition.
fn read_communes(edition: u16) -> Vec<(String, Point<f64>, MultiPolygon<f64>)> {
    common::sources::embedded_communes(edition).into_iter().map(|c| (c.code, c.label, c.shape)).collect()
}

#[test]
fn edition_2024_is_nested_in_the_2025_communes_the_crosswalk_names() {
    let old = read_communes(2024);
    let new = read_communes(2025);
    let mut targets: HashMap<String, Vec<String>> = HashMap::new();
    for row in common::sources::csv_rows(repo().join("geodata/crosswalk-2024-2025.csv")) {
        targets.entry(row["code_2024"].clone()).or_default().push(row["code_2025"].clone());
    }
    let new_by_code: HashMap<&str, &MultiPolygon<f64>> = new.iter().map(|(c, _, m)| (c.as_str(), m)).collect();
    // Every 2024 commune's label point lies in one of the 2025 communes it went into.
    let astray: Vec<&str> = old
        .iter()
        .filter(|(code, label, _)| !targets[code].iter().any(|t| new_by_code[t.as_str()].contains(label)))
        .map(|(code, _, _)| code.as_str())
        .collect();
    assert!(astray.is_empty(), "{} communes of 2024 outside their 2025 communes: {:?}", astray.len(), &astray[..astray.len().min(10)]);
    // A 2025 commune whose 2024 communes all went into it alone is exactly their union.
    let mut predecessors: HashMap<&str, Vec<&str>> = HashMap::new();
    for (code, to) in &targets {
        for t in to {
            predecessors.entry(t.as_str()).or_default().push(code.as_str());
        }
    }
    let old_area: HashMap<&str, f64> = old.iter().map(|(c, _, m)| (c.as_str(), m.unsigned_area())).collect();
    let mut whole = 0;
    for (code, shape) in &new_by_code {
        let Some(from) = predecessors.get(code) else { continue };
        if from.iter().any(|c| targets[*c].len() > 1) {
            continue;
        }
        whole += 1;
        let sum: f64 = from.iter().map(|c| old_area[c]).sum();
        let area = shape.unsigned_area();
        // Equal but for the border points put into the 2025 border, rounded to the 1e-7°
        // grid: each moves the border by under 1e-7° along part of an edge.
        let perimeter: f64 = shape.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).flat_map(|r| r.lines()).map(|l| l.dx().hypot(l.dy())).sum();
        assert!((sum - area).abs() <= 1e-7 * perimeter, "2025 commune {code}: its 2024 communes cover {sum}, it is {area} (perimeter {perimeter})");
    }
    assert!(whole > 2_000, "only {whole} 2025 communes made of whole 2024 communes");
    // Only the 2025 communes that took no 2024 commune (island districts without
    // communes in 2024) lie outside edition 2024.
    let left_out: Vec<&str> = new_by_code.keys().filter(|c| !predecessors.contains_key(*c)).copied().collect();
    let total_old: f64 = old_area.values().sum();
    let total_new: f64 = new_by_code.iter().filter(|(c, _)| predecessors.contains_key(*c)).map(|(_, m)| m.unsigned_area()).sum();
    assert!((total_old - total_new).abs() < 1e-6 * total_new, "{total_old} vs {total_new}");
    assert!(left_out.len() <= 5, "{left_out:?}");
}
