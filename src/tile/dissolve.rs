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
//!   3. a ring is an exterior when its signed area says so.

use super::topology::{ArcRef, Topology};
use std::collections::HashMap;

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
            rings
        })
        .collect()
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
}
