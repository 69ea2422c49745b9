//! The last step of cleaning ([`super::planar`]): closes the jogs left where two
//! neighbours' borders run within a hair of each other without sharing vertices, so
//! that every border between two communes is the same vertices on both sides.
//!
//! Such jogs get past the earlier steps in three ways, all seen in the real 2025 file:
//! a vertex just over [`super::planar::NODE_TOLERANCE`] off the neighbour's edge (1.2
//! to 1.4 units: out of the node step's reach, and the overlap step cuts nothing, as
//! the boolean operation snaps the crossing next to that vertex onto it); a corner one
//! source step (1e-6°) away from the neighbour's, in a sliver that touches the outer
//! border and so is no hole to fill; and a vertex 0.55 units off an edge whose
//! insertion re-creates the sliver the overlap step has just cut, so that steps 1–2
//! stop at their pass limit with it in place.
//!
//! Steps, repeated until a pass changes nothing:
//!   1. loose edges: the edges no commune runs along the other way: the coast, the
//!      national border and the jogs (a later pass looks only around what the one
//!      before it changed);
//!   2. every loose vertex of a commune within [`SNAP_TOLERANCE`] of a loose edge of
//!      another is put on that edge (on the nearest one, once). One of the commune's
//!      own vertices is put there only next to where it already is: the ring then
//!      doubles back on itself (a spike a → b → a), and the spike is cut off, which
//!      hands the sliver to the neighbour;
//!   3. a ring is changed only if its new segments cross or touch no other segment of
//!      its commune and it keeps its orientation; a change refused is counted.

use super::grid::{self, Pt, Ring, Shape};
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};
use std::collections::{BTreeSet, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// How far (grid units, 1e-7°) a loose vertex may lie off a neighbour's loose edge and
/// be put on it: one step of the source's 6-decimal digitising (about 11 cm). The
/// widest jog of the real 2025 file is a corner 10 units from its neighbour's, 6.4
/// off the neighbour's edge.
pub const SNAP_TOLERANCE: f64 = 10.0;
/// Passes at most (one closes every jog of the real file; the next finds nothing).
const MAX_PASSES: usize = 4;

/// What closing the jogs did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct JogReport {
    /// Vertices put on a neighbour's edge.
    pub snapped: usize,
    /// Spikes cut off after that (slivers handed to the neighbour).
    pub spikes: usize,
    /// Vertices left off an edge because the ring would cross itself.
    pub refused: usize,
    pub passes: usize,
}

type Vertex = GeomWithData<Pt, usize>;

/// Closes the jogs between the communes of `shapes` (see the module doc).
pub fn close(shapes: &mut [Shape]) -> JogReport {
    let mut report = JogReport::default();
    let mut region = None;
    let mut refused = BTreeSet::new();
    for _ in 0..MAX_PASSES {
        report.passes += 1;
        let (snapped, spikes, changed) = pass(shapes, region.as_deref(), &mut refused);
        report.snapped += snapped;
        report.spikes += spikes;
        if snapped == 0 {
            break;
        }
        // A later pass can only find jogs a change made: it looks around the changes.
        region = Some(changed);
    }
    report.refused = refused.len();
    report
}

/// One pass of steps 1–3 within `region` (everywhere when None): vertices snapped,
/// spikes cut, and the boxes of the rings changed, widened by twice the tolerance (so
/// that they hold every edge a vertex near them belongs to). `refused` keeps the
/// (commune, vertex) pairs left off an edge, and loses those a later pass puts on.
fn pass(shapes: &mut [Shape], region: Option<&[[i64; 4]]>, refused: &mut BTreeSet<(usize, Pt)>) -> (usize, usize, Vec<[i64; 4]>) {
    let (loose_edges, vertices) = loose(shapes, region);
    let tree = RTree::bulk_load(vertices);
    let reach = SNAP_TOLERANCE.ceil() as i64;
    let (mut snapped, mut spikes) = (0, 0);
    let mut changed = Vec::new();
    for chunk in loose_edges.chunk_by(|a, b| a.0 == b.0) {
        let c = chunk[0].0;
        let is_loose = |p: Pt, q: Pt| chunk.binary_search(&(c, p, q)).is_ok();
        let mut own: Option<HashSet<Pt>> = None;
        let slots: Vec<(usize, usize)> = shapes[c].iter().enumerate().flat_map(|(pi, p)| (0..p.len()).map(move |ri| (pi, ri))).collect();
        for (pi, ri) in slots {
            let ring = &shapes[c][pi][ri];
            let n = ring.len();
            // (point, distance, edge, position along it) for every candidate.
            let mut found: Vec<(Pt, f64, usize, f64)> = Vec::new();
            for i in 0..n {
                let (p, q) = (ring[i], ring[(i + 1) % n]);
                if !is_loose(p, q) {
                    continue;
                }
                let env = AABB::from_corners([p[0].min(q[0]) - reach, p[1].min(q[1]) - reach], [p[0].max(q[0]) + reach, p[1].max(q[1]) + reach]);
                for v in tree.locate_in_envelope(&env) {
                    let x = *v.geom();
                    if v.data == c || x == p || x == q {
                        continue;
                    }
                    let Some((t, d)) = grid::position_on(p, q, x, SNAP_TOLERANCE) else { continue };
                    // One of its own vertices only where it makes a spike to cut off:
                    // anywhere else the ring would pinch itself.
                    let own = own.get_or_insert_with(|| shapes[c].iter().flatten().flatten().copied().collect());
                    if own.contains(&x) && x != ring[(i + n - 1) % n] && x != ring[(i + 2) % n] {
                        continue;
                    }
                    found.push((x, d, i, t));
                }
            }
            if found.is_empty() {
                continue;
            }
            // A point near a vertex is near both its edges: it goes on the nearer one
            // only, once.
            found.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
            found.dedup_by_key(|f| f.0);
            found.sort_by(|a, b| a.2.cmp(&b.2).then(a.3.total_cmp(&b.3)).then(a.0.cmp(&b.0)));
            let mut grown: Ring = Vec::with_capacity(n + found.len());
            let mut next = found.iter().peekable();
            for (i, p) in ring.iter().enumerate() {
                grown.push(*p);
                while let Some(f) = next.next_if(|f| f.2 == i) {
                    grown.push(f.0);
                }
            }
            let (cut, new) = without_spikes(grown);
            match new.filter(|r| acceptable(&shapes[c], (pi, ri), r)) {
                Some(r) => {
                    for f in &found {
                        refused.remove(&(c, f.0));
                    }
                    snapped += found.len();
                    spikes += cut;
                    let b = shapes[c][pi][ri].iter().chain(&r).fold([i64::MAX, i64::MAX, i64::MIN, i64::MIN], |b, p| [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])]);
                    changed.push([b[0] - 2 * reach, b[1] - 2 * reach, b[2] + 2 * reach, b[3] + 2 * reach]);
                    shapes[c][pi][ri] = r;
                    own = None;
                }
                None => refused.extend(found.iter().map(|f| (c, f.0))),
            }
        }
    }
    (snapped, spikes, changed)
}

/// Step 1, within `region` (everywhere when None): the loose directed edges
/// `(commune, from, to)`, those no commune runs along the other way, sorted; and their
/// ends with their commune, sorted and without repeats. Both sides of a shared edge have
/// the same box, so the region never splits a pair.
fn loose(shapes: &[Shape], region: Option<&[[i64; 4]]>) -> (Vec<(usize, Pt, Pt)>, Vec<Vertex>) {
    let inside = |p: Pt, q: Pt| {
        region.is_none_or(|boxes| boxes.iter().any(|b| p[0].max(q[0]) >= b[0] && p[0].min(q[0]) <= b[2] && p[1].max(q[1]) >= b[1] && p[1].min(q[1]) <= b[3]))
    };
    let edges = |c: usize| {
        shapes[c].iter().flatten().flat_map(move |r| (0..r.len()).map(move |i| (c, r[i], r[(i + 1) % r.len()]))).filter(move |e| inside(e.1, e.2))
    };
    let count = (0..shapes.len()).flat_map(edges).count();
    let mut all: HashSet<u128, BuildHasherDefault<EdgeHasher>> = HashSet::with_capacity_and_hasher(count, Default::default());
    all.extend((0..shapes.len()).flat_map(edges).map(|(_, p, q)| edge_key(p, q)));
    let mut loose: Vec<(usize, Pt, Pt)> = (0..shapes.len()).flat_map(edges).filter(|(_, p, q)| !all.contains(&edge_key(*q, *p))).collect();
    drop(all);
    loose.sort_unstable();
    loose.dedup();
    let mut vertices: Vec<(Pt, usize)> = loose.iter().flat_map(|&(c, p, q)| [(p, c), (q, c)]).collect();
    vertices.sort_unstable();
    vertices.dedup();
    (loose, vertices.into_iter().map(|(p, u)| Vertex::new(p, u)).collect())
}

/// An edge packed exactly into 128 bits: grid coordinates fit in 32 (|x| ≤ 1.8e9 < 2^31).
fn edge_key(p: Pt, q: Pt) -> u128 {
    let c = |v: i64| u128::from(i32::try_from(v).expect("grid coordinates fit in 32 bits") as u32);
    (c(p[0]) << 96) | (c(p[1]) << 64) | (c(q[0]) << 32) | c(q[1])
}

/// SplitMix64 of an edge key's halves: the std hasher (SipHash, keyed for untrusted
/// input) would cost seconds over the millions of edges of the real file.
#[derive(Default)]
struct EdgeHasher(u64);

impl Hasher for EdgeHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0 ^ u64::from(b));
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = mix(v as u64 ^ mix((v >> 64) as u64));
    }
}

fn mix(v: u64) -> u64 {
    let mut z = v.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The ring with its spikes (a → b → a) cut off and repeated points dropped: how many
/// spikes were cut, and the ring, None when fewer than 3 points remain.
fn without_spikes(ring: Ring) -> (usize, Option<Ring>) {
    let mut cut = 0;
    let mut out: Ring = Vec::with_capacity(ring.len());
    for p in ring {
        if out.last() == Some(&p) {
            continue;
        }
        if out.len() >= 2 && out[out.len() - 2] == p {
            out.pop();
            cut += 1;
            continue;
        }
        out.push(p);
    }
    // Where the ring closes, from its last point back to its first.
    loop {
        let n = out.len();
        if n < 3 {
            return (cut, None);
        }
        if out[0] == out[n - 1] {
            out.pop();
        } else if out[n - 2] == out[0] {
            out.pop();
            cut += 1;
        } else if out[1] == out[n - 1] {
            out.remove(0);
            cut += 1;
        } else {
            return (cut, Some(out));
        }
    }
}

/// Step 3: whether ring `at` of `shape` may become `new`: the same orientation, and no
/// segment it did not have before crossing or touching another segment of the shape.
fn acceptable(shape: &Shape, at: (usize, usize), new: &Ring) -> bool {
    let old = &shape[at.0][at.1];
    if (grid::ring_area2(new) > 0) != (grid::ring_area2(old) > 0) || grid::ring_area2(new) == 0 {
        return false;
    }
    let segments = |r: &Ring| -> Vec<[Pt; 2]> { (0..r.len()).map(|i| [r[i], r[(i + 1) % r.len()]]).collect() };
    let before: HashSet<[Pt; 2]> = segments(old).into_iter().collect();
    let mine = segments(new);
    let others: Vec<[Pt; 2]> = shape
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| p.iter().enumerate().map(move |(ri, r)| ((pi, ri), r)))
        .filter(|(k, _)| *k != at)
        .flat_map(|(_, r)| segments(r))
        .collect();
    // Conflicts are checked with every segment: the ring's neighbours of a segment
    // share an end with it and only conflict if they fold back along it.
    mine.iter()
        .enumerate()
        .filter(|(_, s)| !before.contains(*s))
        .all(|(i, s)| mine.iter().enumerate().all(|(j, t)| j == i || !grid::conflict(*s, *t)) && others.iter().all(|t| !grid::conflict(*s, *t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Directed edges of `shapes` with no reverse in any shape that are not on the
    /// outline of the box `[0, w] × [y0, y1]`.
    fn unshared(shapes: &[Shape], w: i64, y0: i64, y1: i64) -> Vec<[Pt; 2]> {
        let edges: Vec<[Pt; 2]> = shapes.iter().flatten().flatten().flat_map(|r| (0..r.len()).map(move |i| [r[i], r[(i + 1) % r.len()]])).collect();
        let on_box = |p: Pt, q: Pt| (p[0] == q[0] && (p[0] == 0 || p[0] == w)) || (p[1] == q[1] && (p[1] == y0 || p[1] == y1));
        edges.iter().filter(|e| !edges.contains(&[e[1], e[0]]) && !on_box(e[0], e[1])).copied().collect()
    }

    fn total_area2(shapes: &[Shape]) -> i128 {
        shapes.iter().map(grid::shape_area2).sum()
    }

    #[test]
    fn corners_one_source_step_apart_are_put_on_each_others_edges() {
        // Left and right halves of a 2000 × 1000 box; their border bends at (1000, 500)
        // on the left and at (1006, 503) on the right: a sliver between them.
        let left = vec![vec![vec![[0, 0], [1000, 0], [1000, 500], [1000, 1000], [0, 1000]]]];
        let right = vec![vec![vec![[1000, 0], [2000, 0], [2000, 1000], [1000, 1000], [1006, 503]]]];
        let mut shapes = vec![left, right];
        assert_eq!(unshared(&shapes, 2000, 0, 1000).len(), 4);
        let report = close(&mut shapes);
        assert_eq!((report.snapped, report.spikes, report.refused), (2, 0, 0), "{report:?}");
        assert_eq!(unshared(&shapes, 2000, 0, 1000), Vec::<[Pt; 2]>::new(), "{shapes:?}");
        assert_eq!(total_area2(&shapes), 2 * 2000 * 1000);
        // Nothing left to do: a second run changes nothing.
        let again = shapes.clone();
        assert_eq!(close(&mut shapes).snapped, 0);
        assert_eq!(shapes, again);
    }

    #[test]
    fn a_sliver_behind_a_shared_vertex_is_cut_off_as_a_spike() {
        // a (south-west) reaches out along y = 0 to (1010, 0) in a thin wedge; b (north)
        // dips to (1000, -1), 1 unit under a's edge: both cover the sliver A, X, Y. c
        // (south-east) meets both along the wedge's lower side.
        let (a0, x, y, z, p1) = ([0, 0], [1000, -1], [1010, 0], [2000, 0], [900, -50]);
        let a = vec![vec![vec![a0, [0, -1000], [900, -1000], p1, x, y]]];
        let b = vec![vec![vec![a0, x, y, z, [2000, 1000], [0, 1000]]]];
        let c = vec![vec![vec![z, y, x, p1, [900, -1000], [2000, -1000]]]];
        let mut shapes = vec![a, b, c];
        assert_eq!(total_area2(&shapes), 2 * 2000 * 2000 + 1010, "the sliver counts twice");
        let report = close(&mut shapes);
        assert_eq!((report.snapped, report.spikes, report.refused), (1, 1, 0), "{report:?}");
        assert_eq!(unshared(&shapes, 2000, -1000, 1000), Vec::<[Pt; 2]>::new(), "{shapes:?}");
        assert_eq!(total_area2(&shapes), 2 * 2000 * 2000);
        assert_eq!(shapes[0][0][0], vec![a0, [0, -1000], [900, -1000], p1, x]);
    }

    #[test]
    fn a_vertex_is_not_put_where_the_ring_would_cross_itself() {
        // a: a notch from the top reaches down to 1 unit above a's bottom edge; b's
        // corner lies 6 units above that edge, beyond the notch: on the edge, the ring
        // would cut through its own notch.
        let a = vec![vec![vec![[0, 0], [1000, 0], [1000, 200], [510, 200], [500, 1], [490, 200], [0, 200]]]];
        let b = vec![vec![vec![[520, 6], [600, 50], [520, 50]]]];
        let mut shapes = vec![a, b];
        let before = shapes.clone();
        let report = close(&mut shapes);
        assert_eq!((report.snapped, report.refused, report.passes), (0, 1, 1), "{report:?}");
        assert_eq!(shapes, before);
    }

    #[test]
    fn spikes_are_cut_off_anywhere_in_the_ring() {
        let ring = vec![[0, 0], [10, 0], [20, 0], [10, 0], [10, 10], [0, 10]];
        assert_eq!(without_spikes(ring), (1, Some(vec![[0, 0], [10, 0], [10, 10], [0, 10]])));
        // Around the closing point, both ways.
        let ring = vec![[5, -5], [0, 0], [10, 0], [10, 10], [0, 10], [0, 0]];
        assert_eq!(without_spikes(ring), (1, Some(vec![[0, 0], [10, 0], [10, 10], [0, 10]])));
        let ring = vec![[0, 0], [5, -5], [0, 0], [10, 0], [10, 10], [0, 10]];
        assert_eq!(without_spikes(ring).1.map(|r| grid::ring_area2(&r)), Some(200));
        assert_eq!(without_spikes(vec![[0, 0], [10, 0], [0, 0]]), (1, None));
    }
}
