//! Districts and provinces from commune arcs: an arc used once by a group's
//! communes is on the group's border; arcs used twice within a group, once each way, are
//! inside it. Chaining the border arcs gives the group's rings, made of the very arcs its
//! communes use, so their borders coincide at every zoom.
//!
//! Steps ([`dissolve`]):
//!   1. per group and arc, the net use: uses forward minus uses backward. An arc two
//!      neighbours share cancels out; one that overlapping communes both run the same way
//!      (real boundary files have such overlaps) counts twice. The border is every arc of
//!      non-zero net use, in the net direction, as many times as that use: at every node
//!      as many border arcs then leave as arrive, so every chain closes. Keeping only arcs
//!      used exactly once would leave a chain open at such an overlap and lose the ring
//!      (a whole province, once);
//!   2. chain the border arcs end to start into rings;
//!   3. a ring is an exterior when its signed area says so;
//!   4. each exterior is followed by the holes inside it ([`nest`]).
//!
//! Real boundary files leave thin gaps between neighbouring communes; inside a group such
//! a gap is a hole of the dissolved ring, which a province outline would draw as a small
//! loop. [`drop_gaps`] takes those holes out (steps: a hole under [`MAX_GAP_KM2`] that
//! holds no unit's label point is a gap, not the land of another group).

use super::mercator::{bounds, dist2, in_box, unproject};
use super::topology::{ArcRef, Topology};
use std::collections::HashMap;

/// Largest hole of a group that may be a gap the source left between its units (km²), as
/// `bando geodata build` fills those between communes (its planar step): the holes the
/// real 2025 communes leave inside provinces are mostly slivers of a few m² to a few
/// thousand, a few compact ones up to 0.9 km²; the land of another group inside one (an
/// enclave) is a whole unit, with its label point.
pub const MAX_GAP_KM2: f64 = 1.0;

/// Earth's circumference at the equator (km): one unit of the projected square.
const EQUATOR_KM: f64 = 40_075.016_686;

/// A dissolved ring: its arcs, and whether it is an exterior.
pub struct GroupRing {
    pub exterior: bool,
    pub arcs: Vec<ArcRef>,
}

/// Rings of each group; `group_of[u]` is unit `u`'s group (None: in no group).
pub fn dissolve(topo: &Topology, group_of: &[Option<u32>], groups: usize) -> Vec<Vec<GroupRing>> {
    // Step 1: the net use of each arc by each group.
    let mut net: HashMap<(u32, u32), i32> = HashMap::new();
    for (u, g) in group_of.iter().enumerate() {
        let Some(g) = *g else { continue };
        for ring in topo.rings_of(u) {
            for &r in topo.arcs_of(ring) {
                *net.entry((g, r.index() as u32)).or_insert(0) += if r.reversed() { -1 } else { 1 };
            }
        }
    }
    let mut keys: Vec<((u32, u32), i32)> = net.into_iter().filter(|&(_, n)| n != 0).collect();
    keys.sort_unstable();
    let mut border: Vec<Vec<ArcRef>> = vec![Vec::new(); groups];
    for ((g, arc), n) in keys {
        let r = if n > 0 { ArcRef(arc as i32) } else { ArcRef(!(arc as i32)) };
        border[g as usize].extend(std::iter::repeat_n(r, n.unsigned_abs() as usize));
    }
    let ends = |r: ArcRef| {
        let a = topo.arc(r.index());
        let (s, e) = (a[0], a[a.len() - 1]);
        if r.reversed() { (e, s) } else { (s, e) }
    };
    let key = |p: [f64; 2]| (p[0].to_bits(), p[1].to_bits());
    border
        .into_iter()
        .map(|arcs| {
            let mut by_start: HashMap<(u64, u64), Vec<usize>> = HashMap::new();
            for (k, &r) in arcs.iter().enumerate() {
                by_start.entry(key(ends(r).0)).or_default().push(k);
            }
            let mut used = vec![false; arcs.len()];
            let mut rings = Vec::new();
            for first in 0..arcs.len() {
                if used[first] {
                    continue;
                }
                used[first] = true;
                let start = key(ends(arcs[first]).0);
                let mut ring = vec![arcs[first]];
                let mut at = key(ends(arcs[first]).1);
                let mut closed = at == start;
                while !closed {
                    let Some(next) = by_start.get(&at).and_then(|c| c.iter().copied().find(|&k| !used[k])) else { break };
                    used[next] = true;
                    ring.push(arcs[next]);
                    at = key(ends(arcs[next]).1);
                    closed = at == start;
                }
                if closed {
                    let exterior = signed_area(topo, &ring) < 0.0;
                    rings.push(GroupRing { exterior, arcs: ring });
                }
            }
            nest(topo, rings)
        })
        .collect()
}

/// Step 4: each exterior followed by the holes inside it. MVT (and MapLibre reading it)
/// takes a hole as part of the exterior before it; the chaining leaves them in no order,
/// and a hole after the wrong exterior fills the enclave it should leave open. A hole goes
/// to the smallest exterior that holds the midpoint of its longest segment (a hole's
/// segments are never its exterior's, so that point is not on the exterior).
fn nest(topo: &Topology, rings: Vec<GroupRing>) -> Vec<GroupRing> {
    let (exteriors, holes): (Vec<GroupRing>, Vec<GroupRing>) = rings.into_iter().partition(|r| r.exterior);
    if holes.is_empty() || exteriors.is_empty() {
        // Nothing to order (rings wound against the source's convention come out as holes alone).
        return exteriors.into_iter().chain(holes).collect();
    }
    let shapes: Vec<(Vec<[f64; 2]>, [f64; 4], f64)> = exteriors
        .iter()
        .map(|r| {
            let points = ring_points(topo, &r.arcs);
            let bbox = bounds(&points);
            (points, bbox, signed_area(topo, &r.arcs).abs())
        })
        .collect();
    let mut holes_of: Vec<Vec<GroupRing>> = exteriors.iter().map(|_| Vec::new()).collect();
    for hole in holes {
        let points = ring_points(topo, &hole.arcs);
        let longest = points.windows(2).max_by(|a, b| dist2(a[0], a[1]).total_cmp(&dist2(b[0], b[1])));
        let probe = longest.map_or(points[0], |w| [(w[0][0] + w[1][0]) / 2.0, (w[0][1] + w[1][1]) / 2.0]);
        let owner = shapes
            .iter()
            .enumerate()
            .filter(|(_, (ring, b, _))| in_box(*b, probe) && contains(ring, probe))
            .min_by(|a, b| a.1 .2.total_cmp(&b.1 .2))
            .or_else(|| shapes.iter().enumerate().max_by(|a, b| a.1 .2.total_cmp(&b.1 .2)))
            .map(|(k, _)| k);
        if let Some(k) = owner {
            holes_of[k].push(hole);
        }
    }
    exteriors.into_iter().zip(holes_of).flat_map(|(exterior, holes)| std::iter::once(exterior).chain(holes)).collect()
}

/// Removes from `rings` the holes that are gaps between the group's own units: smaller than
/// [`MAX_GAP_KM2`] and holding none of `labels` (every unit's label point, in the topology's
/// projected coordinates). The group's fill then covers the gap and its outline has no loop
/// there.
pub fn drop_gaps(topo: &Topology, rings: &mut Vec<GroupRing>, labels: &[[f64; 2]]) {
    rings.retain(|ring| ring.exterior || !is_gap(topo, &ring.arcs, labels));
}

fn is_gap(topo: &Topology, arcs: &[ArcRef], labels: &[[f64; 2]]) -> bool {
    let points = ring_points(topo, arcs);
    let bbox = bounds(&points);
    // km per projected unit where the hole is (Mercator scale: the circumference × cos φ).
    let lat = unproject(0.0, (bbox[1] + bbox[3]) / 2.0)[1];
    let km = EQUATOR_KM * lat.to_radians().cos();
    if signed_area(topo, arcs).abs() * km * km > MAX_GAP_KM2 {
        return false;
    }
    !labels.iter().any(|&p| in_box(bbox, p) && contains(&points, p))
}

/// The ring's vertices in order (each arc's last vertex is the next one's first).
fn ring_points(topo: &Topology, arcs: &[ArcRef]) -> Vec<[f64; 2]> {
    let mut points = Vec::new();
    for &r in arcs {
        let a = topo.arc(r.index());
        if r.reversed() {
            points.extend(a.iter().rev().skip(usize::from(!points.is_empty())));
        } else {
            points.extend(a.iter().skip(usize::from(!points.is_empty())));
        }
    }
    points
}

/// Even-odd point in ring.
fn contains(ring: &[[f64; 2]], p: [f64; 2]) -> bool {
    let mut inside = false;
    for (a, b) in ring.iter().zip(ring.iter().cycle().skip(1)) {
        if (a[1] > p[1]) != (b[1] > p[1]) && p[0] < a[0] + (p[1] - a[1]) / (b[1] - a[1]) * (b[0] - a[0]) {
            inside = !inside;
        }
    }
    inside
}

/// Shoelace area in projected coordinates (y down): communes' exteriors, counter-
/// clockwise on the globe, come out negative.
pub fn signed_area(topo: &Topology, arcs: &[ArcRef]) -> f64 {
    let mut sum = 0.0;
    for &r in arcs {
        let a = topo.arc(r.index());
        let mut step = |p: [f64; 2], q: [f64; 2]| sum += p[0] * q[1] - q[0] * p[1];
        if r.reversed() {
            for w in a.windows(2).rev() {
                step(w[1], w[0]);
            }
        } else {
            for w in a.windows(2) {
                step(w[0], w[1]);
            }
        }
    }
    sum / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Units of one closed exterior ring each, in source coordinates (no projection).
    fn topo_of(units: &[Vec<[f64; 2]>]) -> Topology {
        let split: Vec<(Vec<f64>, Vec<f64>)> = units.iter().map(|r| (r.iter().map(|p| p[0]).collect(), r.iter().map(|p| p[1]).collect())).collect();
        Topology::build(split.len(), |u| std::iter::once((true, split[u].0.as_slice(), split[u].1.as_slice())), |x, y| [x, y])
    }

    fn square(x0: f64, x1: f64) -> Vec<[f64; 2]> {
        vec![[x0, 0.0], [x1, 0.0], [x1, 1.0], [x0, 1.0], [x0, 0.0]]
    }

    fn ring_areas(topo: &Topology, rings: &[GroupRing]) -> Vec<f64> {
        rings.iter().map(|r| signed_area(topo, &r.arcs).abs()).collect()
    }

    #[test]
    fn neighbours_dissolve_into_one_ring_without_their_shared_border() {
        let topo = topo_of(&[square(0.0, 1.0), square(1.0, 2.0)]);
        let rings = dissolve(&topo, &[Some(0), Some(0)], 1);
        assert_eq!(ring_areas(&topo, &rings[0]), vec![2.0]);
    }

    #[test]
    fn units_overlapping_along_an_arc_in_the_same_direction_still_close_their_ring() {
        // The right square given twice, as overlapping communes of a real file run the same
        // arcs the same way: those arcs count twice, the shared border three times.
        let topo = topo_of(&[square(0.0, 1.0), square(1.0, 2.0), square(1.0, 2.0)]);
        let rings = dissolve(&topo, &[Some(0); 3], 1);
        let areas = ring_areas(&topo, &rings[0]);
        assert!(areas.contains(&2.0), "the union of the squares is one of the rings: {areas:?}");
        assert!(areas.iter().all(|&a| a == 1.0 || a == 2.0), "{areas:?}");
    }

    /// Eight cells of side `side` (projected units, at the equator) around an empty one.
    fn ring_of_cells(side: f64) -> Topology {
        // Each grid line computed once, so that neighbours share their vertices bit for bit.
        let at = |k: u32| 0.5 + f64::from(k) * side;
        // Wound as projected communes' exteriors are (negative shoelace area, y down).
        let cell = |i: u32, j: u32| vec![[at(i), at(j)], [at(i), at(j + 1)], [at(i + 1), at(j + 1)], [at(i + 1), at(j)], [at(i), at(j)]];
        topo_of(&(0..3).flat_map(|j| (0..3).map(move |i| (i, j))).filter(|&(i, j)| (i, j) != (1, 1)).map(|(i, j)| cell(i, j)).collect::<Vec<_>>())
    }

    #[test]
    fn a_small_hole_without_a_unit_is_a_gap_and_goes() {
        // Cells of 1e-6 units (40 m at the equator): the hole is 0.0016 km².
        let side = 1e-6;
        let topo = ring_of_cells(side);
        let mut rings = dissolve(&topo, &[Some(0); 8], 1).remove(0);
        assert_eq!(rings.iter().map(|r| r.exterior).collect::<Vec<_>>(), [true, false], "an exterior and the empty cell's hole");
        let centre = [0.5 + 1.5 * side, 0.5 + 1.5 * side];
        // A unit's label point in the hole: the land of another group, kept.
        let mut kept = dissolve(&topo, &[Some(0); 8], 1).remove(0);
        drop_gaps(&topo, &mut kept, &[[0.5 + 0.5 * side, 0.5 + 0.5 * side], centre]);
        assert_eq!(kept.len(), 2, "an enclave is not a gap");
        // No label point in it: a gap, dropped; the exterior stays.
        drop_gaps(&topo, &mut rings, &[[0.5 + 0.5 * side, 0.5 + 0.5 * side], [0.5 + 3.5 * side, centre[1]]]);
        assert_eq!(rings.len(), 1);
        assert!(rings[0].exterior);
    }

    #[test]
    fn each_hole_follows_the_exterior_that_holds_it() {
        // The ring of eight cells (an exterior and its hole) and an island cell apart.
        let side = 1.0;
        let mut units: Vec<Vec<[f64; 2]>> = Vec::new();
        let at = |k: u32| f64::from(k) * side;
        let cell = |i: u32, j: u32| vec![[at(i), at(j)], [at(i), at(j + 1)], [at(i + 1), at(j + 1)], [at(i + 1), at(j)], [at(i), at(j)]];
        for j in 0..3 {
            for i in 0..3 {
                if (i, j) != (1, 1) {
                    units.push(cell(i, j));
                }
            }
        }
        units.push(cell(5, 5));
        let topo = topo_of(&units);
        let rings = dissolve(&topo, &[Some(0); 9], 1).remove(0);
        let area = |r: &GroupRing| signed_area(&topo, &r.arcs).abs();
        assert_eq!(rings.iter().map(|r| (r.exterior, area(r))).filter(|r| !r.0).count(), 1);
        // Whatever order the chaining gives, the hole comes right after the 3 × 3 exterior.
        let (mut exteriors, holes): (Vec<GroupRing>, Vec<GroupRing>) = rings.into_iter().partition(|r| r.exterior);
        exteriors.sort_by(|a, b| area(a).total_cmp(&area(b)));
        for order in [[0, 1, 2], [2, 0, 1], [0, 2, 1]] {
            let pool: Vec<&GroupRing> = holes.iter().chain(&exteriors).collect();
            let given = order.iter().map(|&k| GroupRing { exterior: pool[k].exterior, arcs: pool[k].arcs.clone() }).collect();
            let nested: Vec<(bool, f64)> = nest(&topo, given).iter().map(|r| (r.exterior, area(r))).collect();
            let at_hole = nested.iter().position(|r| !r.0).expect("the hole is kept");
            assert_eq!(nested[at_hole - 1], (true, 9.0), "{order:?}: {nested:?}");
        }
    }

    #[test]
    fn a_hole_over_a_square_kilometre_is_not_a_gap() {
        // Cells of 3e-5 units (1.2 km): the hole is 1.4 km².
        let topo = ring_of_cells(3e-5);
        let mut rings = dissolve(&topo, &[Some(0); 8], 1).remove(0);
        drop_gaps(&topo, &mut rings, &[]);
        assert_eq!(rings.len(), 2, "a hole of 1.4 km² is kept");
    }
}
