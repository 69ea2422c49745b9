//! Ring repair and validation: one ring at a time, no guessing.
//!
//! Steps for each ring:
//! 1. refuse non-finite coordinates (NaN, ±∞);
//! 2. close the ring when its last point differs from its first (counted);
//! 3. drop repeated consecutive points (counted);
//! 4. refuse degenerate rings (fewer than 3 distinct points, or zero area) — the caller
//!    decides whether that drops a hole / extra part or fails the feature;
//! 5. refuse self-intersecting rings: two non-adjacent edges that cross or touch, or two
//!    adjacent edges folding back on each other (a spike). Edges are sorted by their
//!    minimum x and swept, so only edges whose x-ranges overlap are compared;
//! 6. orient the ring: exteriors counter-clockwise, holes clockwise (counted).
//!
//! Anything that cannot be repaired without choosing between two readings of the data is
//! reported as a [`RingFault`] with the location to look at.

use geo::kernels::{Kernel, Orientation, RobustKernel};
use geo::line_intersection::{line_intersection, LineIntersection};
use geo::{Coord, Line, LineString};

/// Whether a ring bounds a polygon (exterior) or a hole in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingRole {
    Exterior,
    Hole,
}

/// What repairing one ring changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RingRepairs {
    pub closed: bool,
    pub removed_repeated_points: usize,
    pub reoriented: bool,
}

/// Why a ring was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum RingFault {
    /// A coordinate is NaN or infinite; `index` is its position in the ring as read.
    NonFinite { index: usize },
    /// Fewer than 3 distinct points, or all points on one line (zero area).
    Degenerate { distinct_points: usize },
    /// Two edges of the ring cross or touch at `at` (edges numbered from the first point).
    SelfIntersection { at: Coord<f64>, edges: (usize, usize) },
}

impl std::fmt::Display for RingFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RingFault::NonFinite { index } => write!(f, "coordinate {index} is not a finite number"),
            RingFault::Degenerate { distinct_points } if *distinct_points < 3 => {
                write!(f, "ring has only {distinct_points} distinct points (at least 3 needed)")
            }
            RingFault::Degenerate { .. } => write!(f, "ring has zero area (all points on one line)"),
            RingFault::SelfIntersection { at, edges } => {
                write!(f, "ring intersects itself at {:.5},{:.5} (edges {} and {})", at.x, at.y, edges.0, edges.1)
            }
        }
    }
}

/// Repairs one ring (see the module steps) and returns it closed and oriented for `role`.
pub fn repair_ring(coords: &[Coord<f64>], role: RingRole) -> Result<(LineString<f64>, RingRepairs), RingFault> {
    if let Some(index) = coords.iter().position(|c| !(c.x.is_finite() && c.y.is_finite())) {
        return Err(RingFault::NonFinite { index });
    }
    let mut repairs = RingRepairs::default();
    // Open form: distinct consecutive points, without the closing repeat.
    let mut open: Vec<Coord<f64>> = Vec::with_capacity(coords.len());
    for &c in coords {
        if open.last() != Some(&c) {
            open.push(c);
        }
    }
    let closed_as_read = coords.len() >= 2 && coords.first() == coords.last();
    repairs.closed = !closed_as_read && !coords.is_empty();
    // Points equal to the first one at the end are the closing point, or repeats of it.
    while open.len() > 1 && open.last() == open.first() {
        open.pop();
    }
    // Everything removed except the one closing point that a closed ring legitimately had.
    let kept_with_closing = open.len() + usize::from(closed_as_read);
    repairs.removed_repeated_points = coords.len().saturating_sub(kept_with_closing);

    let distinct = distinct_points_up_to_3(&open);
    if distinct < 3 {
        return Err(RingFault::Degenerate { distinct_points: distinct });
    }
    check_simple(&open)?;
    let area2 = twice_signed_area(&open);
    if area2 == 0.0 {
        return Err(RingFault::Degenerate { distinct_points: distinct });
    }
    let want_ccw = role == RingRole::Exterior;
    if (area2 > 0.0) != want_ccw {
        // Keep the first point first, reverse the direction of travel.
        open[1..].reverse();
        repairs.reoriented = true;
    }
    let first = open[0];
    open.push(first);
    Ok((LineString::new(open), repairs))
}

/// Counts distinct points, stopping at 3 (all a validity check needs).
fn distinct_points_up_to_3(points: &[Coord<f64>]) -> usize {
    let mut seen: Vec<Coord<f64>> = Vec::with_capacity(3);
    for &p in points {
        if !seen.contains(&p) {
            seen.push(p);
            if seen.len() == 3 {
                break;
            }
        }
    }
    seen.len()
}

/// Shoelace sum over the open ring: positive for counter-clockwise.
fn twice_signed_area(open: &[Coord<f64>]) -> f64 {
    let n = open.len();
    let origin = open[0]; // shift for precision
    let mut sum = 0.0;
    for i in 0..n {
        let a = open[i] - origin;
        let b = open[(i + 1) % n] - origin;
        sum += a.x * b.y - b.x * a.y;
    }
    sum
}

/// Fails when two edges of the open ring `p[0..n]` (edge i = p[i] → p[i+1 mod n])
/// intersect anywhere except at the vertex that adjacent edges share.
pub fn check_simple(open: &[Coord<f64>]) -> Result<(), RingFault> {
    let n = open.len();
    if n < 3 {
        return Ok(());
    }
    // Adjacent edges meet at their shared vertex; they must not fold back along each other.
    for i in 0..n {
        let (prev, v, next) = (open[(i + n - 1) % n], open[i], open[(i + 1) % n]);
        if RobustKernel::orient2d(prev, v, next) == Orientation::Collinear {
            let (a, b) = (prev - v, next - v);
            if a.x * b.x + a.y * b.y > 0.0 {
                return Err(RingFault::SelfIntersection { at: v, edges: ((i + n - 1) % n, i) });
            }
        }
    }
    if n == 3 {
        return Ok(()); // every pair of edges is adjacent
    }

    // Sweep: edges sorted by min x; each is compared with the following edges whose min x
    // does not exceed its max x. Cheap for real borders; when the x-ranges overlap too
    // much (a border running due north), fall back to an R-tree of edge boxes.
    let mut spans: Vec<EdgeBox> = (0..n).map(|i| EdgeBox::new(open[i], open[(i + 1) % n], i)).collect();
    spans.sort_unstable_by(|a, b| a.min[0].total_cmp(&b.min[0]));

    let mut crossings = Crossings { open, first: None };
    let mut budget = SWEEP_PAIRS_PER_EDGE.saturating_mul(n);
    for (k, s) in spans.iter().enumerate() {
        for t in &spans[k + 1..] {
            if t.min[0] > s.max[0] {
                break;
            }
            budget = budget.saturating_sub(1);
            if budget == 0 {
                return check_simple_rtree(spans, open);
            }
            if t.min[1] <= s.max[1] && t.max[1] >= s.min[1] {
                crossings.test(s.i, t.i);
            }
        }
    }
    crossings.result()
}

/// Candidate pairs the sweep may test, per edge, before the R-tree takes over.
const SWEEP_PAIRS_PER_EDGE: usize = 64;

/// The same check with an R-tree of edge boxes: O(n log n) whatever the shape.
fn check_simple_rtree(spans: Vec<EdgeBox>, open: &[Coord<f64>]) -> Result<(), RingFault> {
    let boxes: Vec<(rstar::AABB<[f64; 2]>, usize)> =
        spans.iter().map(|s| (rstar::AABB::from_corners(s.min, s.max), s.i)).collect();
    let tree = rstar::RTree::bulk_load(spans);
    let mut crossings = Crossings { open, first: None };
    for (envelope, i) in boxes {
        for t in tree.locate_in_envelope_intersecting(&envelope) {
            if t.i > i {
                crossings.test(i, t.i);
            }
        }
    }
    crossings.result()
}

/// The bounding box of edge `i`.
struct EdgeBox {
    min: [f64; 2],
    max: [f64; 2],
    i: usize,
}

impl EdgeBox {
    fn new(a: Coord<f64>, b: Coord<f64>, i: usize) -> Self {
        EdgeBox { min: [a.x.min(b.x), a.y.min(b.y)], max: [a.x.max(b.x), a.y.max(b.y)], i }
    }
}

impl rstar::RTreeObject for EdgeBox {
    type Envelope = rstar::AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        rstar::AABB::from_corners(self.min, self.max)
    }
}

/// Tests candidate edge pairs of one open ring and keeps the lowest-numbered crossing,
/// so the answer does not depend on the order pairs are tested in.
struct Crossings<'a> {
    open: &'a [Coord<f64>],
    first: Option<(usize, usize, Coord<f64>)>,
}

impl Crossings<'_> {
    fn test(&mut self, a: usize, b: usize) {
        let n = self.open.len();
        let (i, j) = if a < b { (a, b) } else { (b, a) };
        if j == i + 1 || (i == 0 && j == n - 1) {
            return; // adjacent: checked separately
        }
        if self.first.is_some_and(|(fi, fj, _)| (fi, fj) < (i, j)) {
            return;
        }
        let edge = |k: usize| Line::new(self.open[k], self.open[(k + 1) % n]);
        if let Some(x) = line_intersection(edge(i), edge(j)) {
            let at = match x {
                LineIntersection::SinglePoint { intersection, .. } => intersection,
                LineIntersection::Collinear { intersection } => intersection.start,
            };
            self.first = Some((i, j, at));
        }
    }

    fn result(self) -> Result<(), RingFault> {
        match self.first {
            Some((i, j, at)) => Err(RingFault::SelfIntersection { at, edges: (i, j) }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(x: f64, y: f64) -> Coord<f64> {
        Coord { x, y }
    }

    fn square_ccw() -> Vec<Coord<f64>> {
        vec![c(0., 0.), c(1., 0.), c(1., 1.), c(0., 1.), c(0., 0.)]
    }

    #[test]
    fn valid_ring_is_unchanged() {
        let (ring, r) = repair_ring(&square_ccw(), RingRole::Exterior).unwrap();
        assert_eq!(ring.0, square_ccw());
        assert_eq!(r, RingRepairs::default());
    }

    #[test]
    fn unclosed_ring_is_closed_and_counted() {
        let open = &square_ccw()[..4];
        let (ring, r) = repair_ring(open, RingRole::Exterior).unwrap();
        assert_eq!(ring.0, square_ccw());
        assert!(r.closed);
        assert_eq!(r.removed_repeated_points, 0);
    }

    #[test]
    fn repeated_points_are_dropped_and_counted() {
        let pts = vec![c(0., 0.), c(0., 0.), c(1., 0.), c(1., 1.), c(1., 1.), c(0., 1.), c(0., 0.), c(0., 0.)];
        let (ring, r) = repair_ring(&pts, RingRole::Exterior).unwrap();
        assert_eq!(ring.0, square_ccw());
        assert_eq!(r.removed_repeated_points, 3);
        assert!(!r.closed);
    }

    #[test]
    fn wrong_winding_is_reoriented() {
        let mut cw = square_ccw();
        cw.reverse();
        let (ring, r) = repair_ring(&cw, RingRole::Exterior).unwrap();
        assert!(r.reoriented);
        assert!(twice_signed_area(&ring.0[..4]) > 0.0);
        let (hole, r) = repair_ring(&square_ccw(), RingRole::Hole).unwrap();
        assert!(r.reoriented);
        assert!(twice_signed_area(&hole.0[..4]) < 0.0);
    }

    #[test]
    fn nan_is_refused() {
        let pts = vec![c(0., 0.), c(1., f64::NAN), c(1., 1.), c(0., 0.)];
        assert_eq!(repair_ring(&pts, RingRole::Exterior).unwrap_err(), RingFault::NonFinite { index: 1 });
    }

    #[test]
    fn two_distinct_points_is_degenerate() {
        let pts = vec![c(0., 0.), c(1., 0.), c(0., 0.), c(1., 0.), c(0., 0.)];
        let e = repair_ring(&pts, RingRole::Exterior).unwrap_err();
        assert_eq!(e, RingFault::Degenerate { distinct_points: 2 });
        assert!(e.to_string().contains("2 distinct points"));
    }

    #[test]
    fn collinear_ring_is_degenerate() {
        let pts = vec![c(0., 0.), c(1., 0.), c(2., 0.), c(0., 0.)];
        // Folds back on itself at (2,0): reported as a spike before its area is looked at.
        assert!(repair_ring(&pts, RingRole::Exterior).is_err());
    }

    #[test]
    fn bow_tie_is_refused_with_the_crossing() {
        let pts = vec![c(0., 0.), c(2., 2.), c(2., 0.), c(0., 2.), c(0., 0.)];
        match repair_ring(&pts, RingRole::Exterior).unwrap_err() {
            RingFault::SelfIntersection { at, edges } => {
                assert_eq!(at, c(1., 1.));
                assert_eq!(edges, (0, 2));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ring_touching_itself_at_a_vertex_is_refused() {
        // Two triangles sharing the vertex (1,1): a figure eight through one point.
        let pts = vec![c(0., 0.), c(1., 1.), c(2., 0.), c(2., 2.), c(1., 1.), c(0., 2.), c(0., 0.)];
        match repair_ring(&pts, RingRole::Exterior).unwrap_err() {
            RingFault::SelfIntersection { at, .. } => assert_eq!(at, c(1., 1.)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn spike_is_refused() {
        let pts = vec![c(0., 0.), c(2., 0.), c(2., 2.), c(2., 3.), c(2., 2.), c(0., 2.), c(0., 0.)];
        assert!(matches!(repair_ring(&pts, RingRole::Exterior).unwrap_err(), RingFault::SelfIntersection { .. }));
    }

    #[test]
    fn long_comb_is_checked_quickly_and_correctly() {
        // A comb with 20,000 teeth, valid; then one tooth bent across its neighbour.
        let mut pts = Vec::new();
        for k in 0..20_000 {
            let x = k as f64;
            pts.extend([c(x, 0.), c(x, 10.), c(x + 0.5, 10.), c(x + 0.5, 1.)]);
        }
        pts.extend([c(20_000., 1.), c(20_000., -1.), c(0., -1.)]);
        assert!(repair_ring(&pts, RingRole::Hole).is_ok());
        pts[4 * 500 + 2] = c(501.2, 10.);
        assert!(matches!(repair_ring(&pts, RingRole::Hole), Err(RingFault::SelfIntersection { .. })));
    }

    /// Up a zigzag whose edges all share one x-range, then back down: a simple ring on
    /// which a plain x-sweep would compare every pair of edges.
    fn due_north_zigzag(teeth: usize) -> Vec<Coord<f64>> {
        let mut pts: Vec<Coord<f64>> = (0..teeth).map(|k| c((k % 2) as f64 * 1e-3, k as f64 * 1e-2)).collect();
        pts.extend([c(1.0, teeth as f64 * 1e-2), c(1.0, -1.0)]);
        pts
    }

    #[test]
    fn due_north_border_falls_back_to_the_rtree_and_finds_crossings() {
        let pts = due_north_zigzag(50_000);
        let t = std::time::Instant::now();
        assert!(check_simple(&pts).is_ok());
        assert!(t.elapsed() < std::time::Duration::from_secs(20), "{:?}", t.elapsed());
        let mut bad = pts.clone();
        bad[30_000] = c(1e-3, 299.5); // a tooth pulled half a unit down, across its neighbours
        match check_simple(&bad) {
            Err(RingFault::SelfIntersection { at, .. }) => assert!((299.5..300.0).contains(&at.y), "{at:?}"),
            other => panic!("{other:?}"),
        }
    }

    /// A star-shaped (hence simple) ring around the origin, counter-clockwise.
    fn star_ring() -> impl Strategy<Value = Vec<Coord<f64>>> {
        prop::collection::vec(1.0f64..10.0, 3..40).prop_map(|radii| {
            let n = radii.len();
            radii
                .iter()
                .enumerate()
                .map(|(k, r)| {
                    let a = std::f64::consts::TAU * k as f64 / n as f64;
                    c(r * a.cos(), r * a.sin())
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn repaired_rings_are_closed_without_repeats_and_wound(
            ring in star_ring(), reverse in any::<bool>(), close in any::<bool>(),
            dup in prop::collection::vec(0usize..40, 0..5), hole in any::<bool>(),
        ) {
            let mut pts = ring.clone();
            for d in &dup { let i = d % pts.len(); pts.insert(i, pts[i]); }
            if reverse { pts.reverse(); }
            if close { pts.push(pts[0]); }
            let role = if hole { RingRole::Hole } else { RingRole::Exterior };
            let (out, r) = repair_ring(&pts, role).unwrap();
            let o = &out.0;
            prop_assert_eq!(o.first(), o.last());
            prop_assert!(o.windows(2).all(|w| w[0] != w[1]));
            prop_assert_eq!(o.len(), ring.len() + 1);
            let area = twice_signed_area(&o[..o.len() - 1]);
            let wound = if hole { area < 0.0 } else { area > 0.0 };
            prop_assert!(wound, "area {}", area);
            prop_assert_eq!(r.closed, !close && pts.first() != pts.last());
            prop_assert_eq!(r.removed_repeated_points, dup.len());
        }

        #[test]
        fn reversing_a_valid_ring_and_repairing_gives_the_same_ring(ring in star_ring()) {
            let (once, _) = repair_ring(&ring, RingRole::Exterior).unwrap();
            let mut rev = once.0.clone();
            rev.reverse();
            let (twice, r) = repair_ring(&rev, RingRole::Exterior).unwrap();
            prop_assert!(r.reoriented);
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn sweep_and_rtree_agree_with_all_pairs(ring in prop::collection::vec((0u8..12, 0u8..12), 4..30)) {
            // Small integer grid: many touching and collinear cases.
            let open: Vec<Coord<f64>> = ring.into_iter().map(|(x, y)| c(x.into(), y.into())).collect();
            let n = open.len();
            let spans = (0..n).map(|i| EdgeBox::new(open[i], open[(i + 1) % n], i)).collect();
            let mut all = Crossings { open: &open, first: None };
            for i in 0..n { for j in i + 1..n { all.test(i, j); } }
            let all = all.result();
            prop_assert_eq!(&all, &check_simple_rtree(spans, &open));
            // check_simple also looks at spikes first; without one, it must agree too.
            let spike = (0..n).any(|i| {
                let (a, v, b) = (open[(i + n - 1) % n], open[i], open[(i + 1) % n]);
                RobustKernel::orient2d(a, v, b) == Orientation::Collinear
                    && (a - v).x * (b - v).x + (a - v).y * (b - v).y > 0.0
            });
            if !spike {
                prop_assert_eq!(&all, &check_simple(&open));
            }
        }

        #[test]
        fn repair_is_idempotent(ring in star_ring(), hole in any::<bool>()) {
            let role = if hole { RingRole::Hole } else { RingRole::Exterior };
            let (once, _) = repair_ring(&ring, role).unwrap();
            let (twice, r) = repair_ring(&once.0, role).unwrap();
            prop_assert_eq!(r, RingRepairs::default());
            prop_assert_eq!(once, twice);
        }
    }
}
