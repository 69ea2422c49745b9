//! Topology-preserving simplification of a partition on the grid (see [`super::planar`]).
//!
//! Steps:
//!   1. cut the rings into arcs at junctions ([`crate::tile::topology`]): the border
//!      between two communes is one arc, simplified once and used by both sides, so the
//!      result has no gap and no overlap;
//!   2. rank every arc vertex by its Douglas–Peucker distance (a vertex is kept at
//!      tolerance t when its distance exceeds t: one ranking serves every tolerance);
//!      a closed arc (an island, a ring with no neighbour) keeps at least a triangle;
//!   3. simplify every arc at its own tolerance, starting from the base tolerance, and
//!      check the result: no two simplified segments may cross or touch (except where
//!      consecutive segments meet, or at arc ends), every commune keeps its area within
//!      [`MAX_AREA_ERROR`] and keeps its anchor point (the reference point) inside;
//!   4. halve the tolerance of every arc involved in a failed check and repeat, until
//!      none fails. At tolerance 0 an arc is its full source line, which passed every
//!      check before simplification, so the loop ends.

use super::grid::{self, Pt, Ring, Shape};
use super::planar::topology;
use crate::tile::topology::{ArcRef, Topology};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};

/// Largest relative change of a commune's planar area the simplification may make.
/// Half the 1 % promised for geodesic areas: the rest is margin for the overlaps and
/// gaps cleaning moved, and for the difference between planar and geodesic ratios.
pub const MAX_AREA_ERROR: f64 = 0.005;
/// Rounds of refinement after which the result is taken as it is (reported).
const MAX_ROUNDS: usize = 40;

/// The simplified shapes and what it took.
pub struct Generalized {
    pub shapes: Vec<Shape>,
    pub rounds: usize,
    /// Arcs whose tolerance was lowered at least once.
    pub refined_arcs: usize,
    /// Arcs still failing a check at the end (0 in a good build).
    pub unresolved: usize,
}

/// Simplifies `shapes` at `tolerance` (grid units). `anchors[u]`: a point that must
/// stay inside commune `u`.
pub fn generalize(shapes: &[Shape], anchors: &[Option<Pt>], tolerance: f64) -> Generalized {
    let topo = topology(shapes);
    let importance = rank(&topo);
    let mut tol = vec![tolerance; topo.arc_count()];
    let target: Vec<f64> = shapes.iter().map(|s| grid::shape_area2(s) as f64).collect();
    let mut rounds = 0;
    let mut refined = vec![false; topo.arc_count()];
    loop {
        rounds += 1;
        let kept = keep(&topo, &importance, &tol);
        let mut bad = crossing_arcs(&kept);
        for u in 0..topo.unit_count() {
            let rings = unit_rings(&topo, &kept, u);
            let area: f64 = rings.iter().map(|(_, r)| grid::ring_area2(r) as f64).sum();
            let area_off = (area - target[u]).abs() > MAX_AREA_ERROR * target[u].abs();
            // A ring too thin to keep its area's sign (exteriors counter-clockwise,
            // holes clockwise) would turn inside out.
            let degenerate = rings.iter().any(|(exterior, r)| r.len() < 3 || (grid::ring_area2(r) > 0) != *exterior);
            let lost_anchor = anchors[u].is_some_and(|a| !grid::rings_contain(rings.iter().map(|(_, r)| r), a));
            let arcs = topo.rings_of(u).iter().flat_map(|r| topo.arcs_of(r)).map(|r| r.index());
            if area_off || degenerate {
                bad.extend(arcs);
            } else if let (true, Some(a)) = (lost_anchor, anchors[u]) {
                // The border that passed over the anchor: the nearest arc still simplified.
                let nearest = arcs
                    .filter(|&i| tol[i] > 0.0)
                    .map(|i| (kept[i].windows(2).map(|w| segment_distance(a, w[0], w[1])).fold(f64::INFINITY, f64::min), i))
                    .min_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
                bad.extend(nearest.map(|n| n.1));
            }
        }
        bad.sort_unstable();
        bad.dedup();
        let failing = bad.len();
        bad.retain(|&a| tol[a] > 0.0);
        if bad.is_empty() || rounds == MAX_ROUNDS {
            // Arcs still failing: at full detail already, or out of rounds.
            let unresolved = failing;
            let shapes = (0..topo.unit_count()).map(|u| assemble(&shapes[u], unit_rings(&topo, &kept, u))).collect();
            return Generalized { shapes, rounds, refined_arcs: refined.iter().filter(|r| **r).count(), unresolved };
        }
        for a in bad {
            tol[a] = if tol[a] < 2.0 { 0.0 } else { tol[a] / 2.0 };
            refined[a] = true;
        }
    }
}

/// Douglas–Peucker distance of every arc vertex (arc ends: infinite), capped by its
/// parent's so that the kept set at any tolerance is the DP result at it.
fn rank(topo: &Topology) -> Vec<f64> {
    let mut out = vec![0.0; topo.points.len()];
    for i in 0..topo.arc_count() {
        let s = topo.starts[i] as usize;
        let arc = topo.arc(i);
        let imp = &mut out[s..s + arc.len()];
        let n = arc.len();
        imp[0] = f64::INFINITY;
        imp[n - 1] = f64::INFINITY;
        let mut stack = vec![(0usize, n - 1, f64::INFINITY)];
        while let Some((first, last, parent)) = stack.pop() {
            if last <= first + 1 {
                continue;
            }
            let (mut best, mut best_d) = (first + 1, -1.0);
            for k in first + 1..last {
                let d = distance(arc[k], arc[first], arc[last]);
                if d > best_d {
                    (best, best_d) = (k, d);
                }
            }
            let d = best_d.min(parent);
            imp[best] = d;
            stack.push((first, best, d));
            stack.push((best, last, d));
        }
        if arc[0] == arc[n - 1] {
            // A closed arc keeps a triangle: its two most important inner vertices.
            let mut inner: Vec<usize> = (1..n - 1).collect();
            inner.sort_by(|&a, &b| imp[b].total_cmp(&imp[a]).then(a.cmp(&b)));
            for &k in inner.iter().take(2) {
                imp[k] = f64::INFINITY;
            }
        }
    }
    out
}

fn segment_distance(p: Pt, a: Pt, b: Pt) -> f64 {
    let f = |q: Pt| [q[0] as f64, q[1] as f64];
    distance(f(p), f(a), f(b))
}

fn distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return (p[0] - a[0]).hypot(p[1] - a[1]);
    }
    let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0);
    (p[0] - a[0] - t * dx).hypot(p[1] - a[1] - t * dy)
}

/// Kept vertices of every arc, in arc order.
fn keep(topo: &Topology, importance: &[f64], tol: &[f64]) -> Vec<Vec<Pt>> {
    (0..topo.arc_count())
        .map(|i| {
            let s = topo.starts[i] as usize;
            topo.arc(i)
                .iter()
                .enumerate()
                .filter(|(k, _)| tol[i] == 0.0 || importance[s + k] > tol[i])
                .map(|(_, p)| [p[0] as i64, p[1] as i64])
                .collect()
        })
        .collect()
}

/// Unit `u`'s rings from the kept arcs: (exterior, ring).
fn unit_rings(topo: &Topology, kept: &[Vec<Pt>], u: usize) -> Vec<(bool, Ring)> {
    topo.rings_of(u)
        .iter()
        .map(|ring| {
            let mut points: Ring = Vec::new();
            for &r in topo.arcs_of(ring) {
                push_arc(&mut points, &kept[r.index()], r);
            }
            if points.len() > 1 && points.first() == points.last() {
                points.pop();
            }
            (ring.exterior, points)
        })
        .collect()
}

fn push_arc(points: &mut Ring, arc: &[Pt], r: ArcRef) {
    let skip = usize::from(!points.is_empty());
    if r.reversed() {
        points.extend(arc.iter().rev().skip(skip));
    } else {
        points.extend(arc.iter().skip(skip));
    }
}

type Segment = GeomWithData<Rectangle<[i64; 2]>, (u32, u32)>;

/// Arcs with a simplified segment that conflicts with another segment (of any arc,
/// its own included).
fn crossing_arcs(kept: &[Vec<Pt>]) -> Vec<usize> {
    let mut segments = Vec::new();
    for (i, arc) in kept.iter().enumerate() {
        for k in 0..arc.len().saturating_sub(1) {
            segments.push(Segment::new(Rectangle::from_corners(arc[k], arc[k + 1]), (i as u32, k as u32)));
        }
    }
    let seg = |(i, k): (u32, u32)| [kept[i as usize][k as usize], kept[i as usize][k as usize + 1]];
    let tree = RTree::bulk_load(segments);
    let mut bad = Vec::new();
    for s in tree.iter() {
        let env = AABB::from_corners(s.geom().lower(), s.geom().upper());
        for t in tree.locate_in_envelope_intersecting(&env) {
            // Each pair once, never a segment with itself.
            if t.data > s.data && grid::conflict(seg(s.data), seg(t.data)) {
                bad.extend([s.data.0 as usize, t.data.0 as usize]);
            }
        }
    }
    bad
}

/// Unit `u`'s rings back into polygons, in the source's structure: ring `k` of the
/// unit is the `k`-th ring of its source shape (polygon by polygon, exterior first).
fn assemble(source: &Shape, rings: Vec<(bool, Ring)>) -> Shape {
    let mut polygons: Shape = source.iter().map(|p| Vec::with_capacity(p.len())).collect();
    let owners = source.iter().enumerate().flat_map(|(k, p)| std::iter::repeat_n(k, p.len()));
    for (k, (_, ring)) in owners.zip(rings) {
        polygons[k].push(ring);
    }
    polygons
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wiggly_border_is_simplified_once_for_both_sides_and_keeps_its_anchor() {
        // Two communes split by a zigzag border; anchors close to the border.
        let border: Vec<Pt> = (0..=100).map(|i| [i * 100, if i % 2 == 0 { 5000 } else { 5030 }]).collect();
        let mut below: Ring = vec![[0, 0], [10_000, 0]];
        below.extend(border.iter().rev());
        let mut above: Ring = border.clone();
        above.extend([[10_000, 10_000], [0, 10_000]]);
        let (below, above) = (grid::open_ring(below).unwrap(), super::grid::open_ring(above).unwrap());
        let shapes = vec![vec![vec![below]], vec![vec![above]]];
        // Without anchors the 30-unit zigzag goes at tolerance 100.
        let loose = generalize(&shapes, &[None, None], 100.0);
        assert_eq!((loose.unresolved, loose.rounds), (0, 1));
        assert!(loose.shapes[0][0][0].len() <= 5, "{:?}", loose.shapes[0][0][0]);
        // An anchor in a tooth of the zigzag keeps the border where it is.
        let anchors = [Some([150, 5010]), Some([5000, 9000])];
        let g = generalize(&shapes, &anchors, 100.0);
        assert_eq!(g.unresolved, 0);
        let (a, b) = (&g.shapes[0][0][0], &g.shapes[1][0][0]);
        // Every border vertex of one side is a vertex of the other.
        let inner: Vec<&Pt> = a.iter().filter(|p| p[1] >= 5000).collect();
        assert!(inner.len() > 2 && inner.iter().all(|p| b.contains(p)));
        assert!(grid::rings_contain([a], [150, 5010]));
    }
}
