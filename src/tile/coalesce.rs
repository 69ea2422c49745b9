//! Which communes a low-zoom tile draws as one feature: at zoom 0 the whole country is a
//! few dozen pixels wide, and a commune a fraction of one. Drawing each sub-pixel commune
//! with its attributes fills the tile with features nobody can see (2,567 of them at zoom
//! 0 on the real 2025 communes). As a cartographer generalises a choropleth, and as
//! ArcGIS's *Eliminate* does, a commune too small for the zoom is merged into the
//! neighbour it shares the longest border with; the merged feature carries the attributes
//! of its largest commune, the colour a reader would see there anyway.
//!
//! Steps of [`plan`]:
//!   1. each commune's area (projected) and, for each pair of communes of one province that
//!      share arcs, the length of their common border;
//!   2. from the highest zoom at which some commune is smaller than [`MIN_FEATURE_AREA`] of
//!      the tile grid down to zoom 0, while the smallest cluster below that zoom's
//!      threshold has a neighbour, merge it into the neighbour it shares the longest border
//!      with (ties: the larger, then the lower position);
//!   3. after each zoom, keep its clusters of two or more communes, largest commune first.
//!
//! Clusters of a zoom are unions of the clusters of the zoom above, so features only ever
//! split when zooming in. They never cross a province border: a province is drawn anyway,
//! and a publication that touches a province changes no tile beyond that province's box
//! (what [`crate::snapshot`]'s tile lineage relies on). Arcs shared by two communes of a
//! cluster are interior and not drawn; the cluster's rings are made of the very arcs its
//! neighbours use ([`super::dissolve`]), so merging never opens a gap.
//!
//! Everything is ordered by commune position and compared with explicit tie-breaks:
//! the same boundaries give the same clusters, so tiles (and their ETags) are the same
//! from one start to the next.

use super::topology::Topology;
use super::EXTENT;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// A feature of the `communes` layer covers at least this many grid units² (of the 4,096
/// grid) at the zooms where communes are merged: one CSS pixel of a tile drawn 512 pixels
/// wide, as MapLibre draws vector tiles (8 × 8 units).
pub const MIN_FEATURE_AREA: f64 = 64.0;

/// Per zoom from 0, the clusters of that zoom with two or more communes (positions,
/// largest commune first). Zooms past the end merge nothing.
pub type Plan = Vec<Vec<Vec<usize>>>;

/// A cluster being grown: its communes, area and neighbours within the province, each
/// with the length of the border they share.
struct Cluster {
    members: Vec<usize>,
    area: f64,
    neighbours: BTreeMap<usize, f64>,
}

/// Steps 1–3 for the units of `topo`; `province[u]` is unit `u`'s province (units of
/// different provinces never merge).
pub fn plan<P: PartialEq>(topo: &Topology, province: &[P]) -> Plan {
    let area: Vec<f64> = (0..topo.unit_count()).map(|u| unit_area(topo, u)).collect();
    plan_units(&area, shared_borders(topo), province)
}

/// Steps 1–3 for groups of the units of `topo` (districts of communes): `group_of[u]` is
/// unit `u`'s group, of `province.len()` groups, and `province[g]` group `g`'s province.
/// A group's area is its units', and two groups share the borders their units share.
/// Clusters hold group numbers.
pub fn plan_groups<P: PartialEq>(topo: &Topology, group_of: &[Option<u32>], province: &[P]) -> Plan {
    let mut area = vec![0.0; province.len()];
    for (u, g) in group_of.iter().enumerate() {
        if let Some(g) = g {
            area[*g as usize] += unit_area(topo, u);
        }
    }
    let mut borders: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for ((a, b), length) in shared_borders(topo) {
        if let (Some(a), Some(b)) = (group_of[a], group_of[b]) {
            if a != b {
                let (a, b) = (a as usize, b as usize);
                *borders.entry((a.min(b), a.max(b))).or_default() += length;
            }
        }
    }
    plan_units(&area, borders, province)
}

/// Steps 2–3 over units of `area`, neighbours by `borders` (pairs, lower first).
fn plan_units<P: PartialEq>(area: &[f64], borders: BTreeMap<(usize, usize), f64>, province: &[P]) -> Plan {
    let n = area.len();
    let mut clusters: Vec<Cluster> = (0..n).map(|u| Cluster { members: vec![u], area: area[u], neighbours: BTreeMap::new() }).collect();
    for ((a, b), length) in borders {
        if province[a] == province[b] {
            *clusters[a].neighbours.entry(b).or_default() += length;
            *clusters[b].neighbours.entry(a).or_default() += length;
        }
    }
    // The threshold in unit² (the map is the unit square) at zoom z.
    let threshold = |z: u8| MIN_FEATURE_AREA / (f64::from(EXTENT) * f64::from(1u32 << z)).powi(2);
    let smallest = clusters.iter().filter(|c| !c.neighbours.is_empty()).map(|c| c.area).fold(f64::INFINITY, f64::min);
    let Some(top) = (0..=super::MAX_ZOOM).rev().find(|&z| smallest < threshold(z)) else {
        return Vec::new();
    };
    let mut plan: Plan = vec![Vec::new(); usize::from(top) + 1];
    for z in (0..=top).rev() {
        merge_below(&mut clusters, area, threshold(z));
        plan[usize::from(z)] = clusters.iter().filter(|c| c.members.len() > 1).map(|c| c.members.clone()).collect();
    }
    plan
}

/// Step 2 at one zoom: merges until no cluster with a neighbour is smaller than
/// `threshold`. A merged-away cluster is left with no members; the one it joined keeps
/// its largest commune first.
fn merge_below(clusters: &mut [Cluster], area: &[f64], threshold: f64) {
    // Positive floats order as their bits do; the heap holds (area, position), smallest first.
    let key = |c: &Cluster, id: usize| Reverse((c.area.to_bits(), id));
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> =
        clusters.iter().enumerate().filter(|(_, c)| c.area < threshold && !c.neighbours.is_empty()).map(|(id, c)| key(c, id)).collect();
    while let Some(Reverse((bits, id))) = heap.pop() {
        let small = &clusters[id];
        // Stale entries: merged away, or grown since they were pushed.
        if small.members.is_empty() || small.area.to_bits() != bits || small.area >= threshold {
            continue;
        }
        let Some(into) = small
            .neighbours
            .iter()
            .max_by(|(a, la), (b, lb)| la.total_cmp(lb).then(clusters[**a].area.total_cmp(&clusters[**b].area)).then(b.cmp(a)))
            .map(|(&to, _)| to)
        else {
            continue;
        };
        let taken = std::mem::replace(&mut clusters[id], Cluster { members: Vec::new(), area: 0.0, neighbours: BTreeMap::new() });
        for (&other, &length) in &taken.neighbours {
            clusters[other].neighbours.remove(&id);
            if other != into {
                *clusters[other].neighbours.entry(into).or_default() += length;
                *clusters[into].neighbours.entry(other).or_default() += length;
            }
        }
        let joined = &mut clusters[into];
        joined.area += taken.area;
        joined.members.extend(taken.members);
        // Largest commune first (ties: lower position): its attributes are the feature's.
        let first = (0..joined.members.len())
            .max_by(|&i, &j| area[joined.members[i]].total_cmp(&area[joined.members[j]]).then(joined.members[j].cmp(&joined.members[i])))
            .unwrap_or(0);
        joined.members.swap(0, first);
        if joined.area < threshold {
            heap.push(key(joined, into));
        }
    }
}

/// A unit's area in the projected unit square: its exteriors less its holes.
fn unit_area(topo: &Topology, unit: usize) -> f64 {
    topo.rings_of(unit)
        .iter()
        .map(|ring| {
            let a = super::dissolve::signed_area(topo, topo.arcs_of(ring)).abs();
            if ring.exterior { a } else { -a }
        })
        .sum::<f64>()
        .max(0.0)
}

/// Step 1: for each pair of units (lower position first) sharing arcs, the projected
/// length of their common border, in order of the pair.
fn shared_borders(topo: &Topology) -> BTreeMap<(usize, usize), f64> {
    const NONE: usize = usize::MAX;
    let mut users = vec![[NONE; 2]; topo.arc_count()];
    for u in 0..topo.unit_count() {
        for ring in topo.rings_of(u) {
            for a in topo.arcs_of(ring) {
                let slot = &mut users[a.index()];
                if slot[0] == NONE {
                    slot[0] = u;
                } else if slot[0] != u && slot[1] == NONE {
                    slot[1] = u;
                }
            }
        }
    }
    let mut borders = BTreeMap::new();
    for (i, [a, b]) in users.into_iter().enumerate() {
        if b == NONE {
            continue;
        }
        let length: f64 = topo.arc(i).windows(2).map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1])).sum();
        *borders.entry((a.min(b), a.max(b))).or_default() += length;
    }
    borders
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The topology of units given as one closed ring each, in grid units of zoom `z`
    /// (y down), placed in the middle of the unit square.
    fn topo_of(z: u8, units: &[Vec<[f64; 2]>]) -> Topology {
        let g = 1.0 / (f64::from(EXTENT) * f64::from(1u32 << z));
        let split: Vec<(Vec<f64>, Vec<f64>)> = units.iter().map(|r| (r.iter().map(|p| 0.5 + p[0] * g).collect(), r.iter().map(|p| 0.5 + p[1] * g).collect())).collect();
        Topology::build(split.len(), |u| std::iter::once((true, split[u].0.as_slice(), split[u].1.as_slice())), |x, y| [x, y])
    }

    /// A rectangle's ring, closed.
    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Vec<[f64; 2]> {
        vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    }

    #[test]
    fn a_commune_too_small_joins_the_neighbour_it_shares_most_border_with() {
        // At zoom 10, in grid units: A (100 × 2 = 200 units²) and the small T (8 × 2 = 16)
        // side by side, B (108 × 1.5 = 162) under both. T shares 2 units with A, 8 with B.
        let a = rect(0.0, 0.0, 100.0, 2.0);
        let t = rect(100.0, 0.0, 108.0, 2.0);
        // B's top edge has a vertex where A and T meet, as digitised neighbours do.
        let b = vec![[0.0, 2.0], [100.0, 2.0], [108.0, 2.0], [108.0, 3.5], [0.0, 3.5], [0.0, 2.0]];
        let topo = topo_of(10, &[a, t, b]);
        let plan = plan(&topo, &[1, 1, 1]);
        // T covers 64 units² from zoom 11: merging stops at 10.
        assert_eq!(plan.len(), 11, "{plan:?}");
        assert_eq!(plan[10], vec![vec![2, 1]], "T joins B (longest border), B (larger) named first");
        // At zoom 9 (the threshold is 256 units² of zoom 10) B + T (178) joins A (200).
        assert_eq!(plan[9], vec![vec![0, 2, 1]]);
        assert_eq!(plan[0], vec![vec![0, 2, 1]]);
    }

    #[test]
    fn communes_never_merge_across_a_province_border() {
        let cells: Vec<Vec<[f64; 2]>> = (0..4).map(|k| rect(f64::from(k) * 4.0, 0.0, f64::from(k) * 4.0 + 4.0, 4.0)).collect();
        let topo = topo_of(3, &cells);
        let plan = plan(&topo, &["a", "a", "b", "b"]);
        assert_eq!(plan[3], vec![vec![0, 1], vec![2, 3]]);
        assert_eq!(plan[0], vec![vec![0, 1], vec![2, 3]], "a province smaller than the threshold stays one feature");
    }

    #[test]
    fn groups_merge_by_their_units_area_and_borders_within_their_province() {
        // Six cells of 4 × 4 grid units of zoom 3 in a row, in four groups: g0 = cells 0
        // and 1 (32 units²) and g1 = cell 2 (16) in province a; g2 = cell 3 (16) and g3 =
        // cells 4 and 5 (32) in province b. Every group is under 64 units².
        let cells: Vec<Vec<[f64; 2]>> = (0..6).map(|k| rect(f64::from(k) * 4.0, 0.0, f64::from(k) * 4.0 + 4.0, 4.0)).collect();
        let topo = topo_of(3, &cells);
        let group_of = [Some(0), Some(0), Some(1), Some(2), Some(3), Some(3)];
        let plan = plan_groups(&topo, &group_of, &["a", "a", "b", "b"]);
        // g1 joins g0, its one neighbour in a (the larger named first); g2 joins g3.
        assert_eq!(plan[3], vec![vec![0, 1], vec![3, 2]], "{plan:?}");
        assert_eq!(plan[0], plan[3], "the provinces stay apart");
        // A unit in no group is left out, and so are its borders.
        let plan = plan_groups(&topo, &[Some(0), None, Some(1), None, None, None], &["a", "a"]);
        assert!(plan.iter().all(Vec::is_empty), "groups that share no border merge: {plan:?}");
    }

    #[test]
    fn clusters_of_a_zoom_are_unions_of_those_of_the_zoom_above() {
        let mut x = 0.0;
        let widths: Vec<f64> = (0..40).map(|k| 1.0 + f64::from(k % 7) * 3.0).collect();
        let cells: Vec<Vec<[f64; 2]>> = widths
            .iter()
            .map(|w| {
                let r = rect(x, 0.0, x + w, 2.0);
                x += w;
                r
            })
            .collect();
        let topo = topo_of(8, &cells);
        let plan = plan(&topo, &vec![0; widths.len()]);
        assert!(plan.len() > 1);
        for z in 1..plan.len() {
            for upper in &plan[z] {
                let holder = plan[z - 1].iter().find(|c| c.contains(&upper[0])).unwrap_or_else(|| panic!("zoom {z}: {upper:?} not merged at {}", z - 1));
                assert!(upper.iter().all(|u| holder.contains(u)), "zoom {z}: {upper:?} split at {}: {holder:?}", z - 1);
            }
        }
        // Each cluster names its largest commune first.
        for c in plan.iter().flatten() {
            assert!(c.iter().all(|&u| widths[u] <= widths[c[0]]), "{c:?}");
        }
    }

    #[test]
    fn communes_each_a_pixel_are_never_merged() {
        let topo = topo_of(0, &[rect(0.0, 0.0, 10.0, 10.0), rect(10.0, 0.0, 20.0, 10.0)]);
        assert!(plan(&topo, &[0, 0]).is_empty());
    }
}
