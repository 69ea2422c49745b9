//! Districts and provinces from commune arcs: an arc used once by a group's
//! communes is on the group's border; arcs used twice within a group are inside it.
//! Chaining the border arcs gives the group's rings, made of the very arcs its
//! communes use, so their borders coincide at every zoom.

use super::topology::{ArcRef, Topology};
use std::collections::HashMap;

/// A dissolved ring: its arcs, and whether it is an exterior.
pub struct GroupRing {
    pub exterior: bool,
    pub arcs: Vec<ArcRef>,
}

/// Rings of each group; `group_of[u]` is unit `u`'s group (None: in no group).
pub fn dissolve(topo: &Topology, group_of: &[Option<u32>], groups: usize) -> Vec<Vec<GroupRing>> {
    // Count the uses of each arc by each group, keeping the direction it is used in.
    let mut uses: HashMap<(u32, u32), (u32, ArcRef)> = HashMap::new();
    for (u, g) in group_of.iter().enumerate() {
        let Some(g) = *g else { continue };
        for ring in topo.rings_of(u) {
            for &r in topo.arcs_of(ring) {
                uses.entry((r.index() as u32, g)).or_insert((0, r)).0 += 1;
            }
        }
    }
    let mut border: Vec<Vec<ArcRef>> = vec![Vec::new(); groups];
    let mut keys: Vec<_> = uses.into_iter().filter(|(_, (n, _))| *n == 1).map(|((_, g), (_, r))| (g, r)).collect();
    keys.sort_by_key(|(g, r)| (*g, r.index(), r.reversed()));
    for (g, r) in keys {
        border[g as usize].push(r);
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
