//! Turns real commune boundaries, digitised commune by commune, into a partition on
//! the grid of [`super::grid`]: no two communes overlap, and a border between two
//! communes has the same vertices on both sides, so arc topology finds it as one arc.
//!
//! Steps:
//!   0. crumbs: parts and holes under about 1 m² are dropped;
//!   1. overlaps: each commune loses what it shares with communes of lower code (the
//!      README's rule: where a boundary file overlaps itself, the lowest code wins).
//!      A commune that overlaps nothing keeps its rings exactly as read;
//!   2. nodes: a vertex of one commune lying on an edge of another (within
//!      [`NODE_TOLERANCE`]: the crossing points step 1 rounds to the grid) is inserted
//!      into that edge; steps 1–2 repeat until they change nothing;
//!   3. gaps: the holes of the union of all communes (slivers the source left between
//!      neighbours) are each given to the neighbour that shares the longest border
//!      with it, lowest code on a tie. Holes over [`MAX_GAP_KM2`] would be land in no
//!      commune: they are left and counted, never silently filled;
//!   4. jogs: where two neighbours' borders still run a hair apart without sharing
//!      vertices (see [`super::jogs`] for how they get past steps 1–3), each side's
//!      vertices are put on the other's edges, so that every border is one arc.

use super::grid::{self, Pt, Ring, Shape};
use crate::tile::dissolve::dissolve;
use crate::tile::topology::Topology;
use i_overlay::core::overlay_rule::OverlayRule;
use rstar::primitives::GeomWithData;
use rstar::{RTree, AABB};

/// How far (grid units, 1e-7°) a vertex may lie off another commune's edge and still
/// be put on it: the crossing points step 1 rounds to the grid are within half a
/// unit's diagonal (0.71). Larger would move borders: the source's vertices are 10
/// units apart, and putting one on an edge 8 units away opens a new overlap.
pub const NODE_TOLERANCE: f64 = 1.0;
/// Passes of steps 1–2 at most (two are needed in practice: the second finds nothing
/// or only the slivers the first one's rounding left).
const MAX_PASSES: usize = 4;
/// Largest hole between communes that is filled (km²): slivers, not missing land.
pub const MAX_GAP_KM2: f64 = 1.0;
/// Parts smaller than this (grid units², twice the area; about 1 m²), in the source or
/// left by step 1, are crumbs, not land.
const MIN_PART_AREA2: i128 = 20_000;

/// What cleaning changed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CleanReport {
    /// Parts and holes under about 1 m² dropped (digitising crumbs of the source).
    pub crumbs_dropped: usize,
    /// Cuts of a commune by lower codes that removed area (a commune may be cut in
    /// several passes), and the area removed (km², approx.).
    pub overlapping_communes: usize,
    pub overlap_km2: f64,
    /// Passes of steps 1–2 until nothing changed.
    pub passes: usize,
    /// Vertices inserted into neighbours' edges.
    pub nodes_inserted: usize,
    /// Holes given to a neighbour, and their area (km², approx.).
    pub gaps_filled: usize,
    pub gap_km2: f64,
    /// Holes left because they are larger than `MAX_GAP_KM2`.
    pub gaps_left: usize,
    /// Step 4.
    pub jogs: super::jogs::JogReport,
}

/// Cleans `shapes` (indexed by commune, in code order) into a partition.
pub fn clean(mut shapes: Vec<Shape>) -> (Vec<Shape>, CleanReport) {
    let mut report = CleanReport::default();
    for shape in &mut shapes {
        let before = shape.iter().map(Vec::len).sum::<usize>();
        shape.retain(|p| grid::ring_area2(&p[0]) >= MIN_PART_AREA2);
        for p in shape.iter_mut() {
            p.retain(|r| grid::ring_area2(r).abs() >= MIN_PART_AREA2);
        }
        report.crumbs_dropped += before - shape.iter().map(Vec::len).sum::<usize>();
    }
    // Cutting rounds crossing points to the grid, which can leave overlaps of a
    // fraction of a unit where three borders meet; a second pass cuts those along
    // vertices that now exist on both sides, so it adds no new rounding.
    for _ in 0..MAX_PASSES {
        let cut = resolve_overlaps(&mut shapes, &mut report);
        let inserted = insert_nodes(&mut shapes);
        report.nodes_inserted += inserted;
        report.passes += 1;
        if cut == 0 && inserted == 0 {
            break;
        }
    }
    fill_gaps(&mut shapes, &mut report);
    report.jogs = super::jogs::close(&mut shapes);
    (shapes, report)
}

/// Approximate km² of twice-area grid units² at Vietnam's mean latitude (reports only).
fn km2(area2: i128) -> f64 {
    let degree_km = 111.32;
    area2 as f64 / 2.0 / (grid::UNITS_PER_DEGREE * grid::UNITS_PER_DEGREE) * degree_km * degree_km * 16f64.to_radians().cos()
}

type Boxed = GeomWithData<rstar::primitives::Rectangle<[i64; 2]>, usize>;

fn box_tree(shapes: &[Shape]) -> RTree<Boxed> {
    let boxes = shapes
        .iter()
        .enumerate()
        .filter_map(|(i, s)| grid::bbox(s).map(|b| Boxed::new(rstar::primitives::Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]), i)))
        .collect();
    RTree::bulk_load(boxes)
}

/// Step 1: every commune minus the communes of lower code whose box meets its own, as
/// they are after their own cut. Returns how many communes changed.
fn resolve_overlaps(shapes: &mut [Shape], report: &mut CleanReport) -> usize {
    let tree = box_tree(shapes);
    let mut changed = 0;
    for i in 0..shapes.len() {
        let (lower_shapes, rest) = shapes.split_at_mut(i);
        let shape = &mut rest[0];
        let Some(b) = grid::bbox(shape) else { continue };
        let mut lower: Vec<usize> =
            tree.locate_in_envelope_intersecting(&AABB::from_corners([b[0], b[1]], [b[2], b[3]])).map(|g| g.data).filter(|&j| j < i).collect();
        if lower.is_empty() {
            continue;
        }
        lower.sort_unstable();
        let cut = grid::overlay([&*shape], lower.iter().map(|&j| &lower_shapes[j]), OverlayRule::Difference);
        let cut: Shape = cut.into_iter().filter(|p| grid::ring_area2(&p[0]) >= MIN_PART_AREA2).collect();
        let (before, after) = (grid::shape_area2(shape), grid::shape_area2(&cut));
        if after != before {
            changed += 1;
            report.overlapping_communes += 1;
            report.overlap_km2 += km2(before - after);
            *shape = cut;
        }
    }
    changed
}

type Vertex = GeomWithData<[i64; 2], usize>;

/// Step 2: inserts every vertex lying on another commune's edge into that edge.
/// Returns how many insertions were made.
fn insert_nodes(shapes: &mut [Shape]) -> usize {
    let mut vertices: Vec<Vertex> = Vec::new();
    for (c, shape) in shapes.iter().enumerate() {
        vertices.extend(shape.iter().flatten().flatten().map(|p| Vertex::new(*p, c)));
    }
    vertices.sort_unstable_by_key(|v| (*v.geom(), v.data));
    vertices.dedup_by_key(|v| (*v.geom(), v.data));
    let own: Vec<(Pt, usize)> = vertices.iter().map(|v| (*v.geom(), v.data)).collect();
    let tree = RTree::bulk_load(vertices);
    let reach = NODE_TOLERANCE.ceil() as i64;
    let mut inserted = 0;
    for (c, shape) in shapes.iter_mut().enumerate() {
        for ring in shape.iter_mut().flatten() {
            let n = ring.len();
            // (point, distance, edge, position along it) for every edge a point is on.
            let mut found: Vec<(Pt, f64, usize, f64)> = Vec::new();
            for i in 0..n {
                let (p, q) = (ring[i], ring[(i + 1) % n]);
                let env = AABB::from_corners([p[0].min(q[0]) - reach, p[1].min(q[1]) - reach], [p[0].max(q[0]) + reach, p[1].max(q[1]) + reach]);
                for v in tree.locate_in_envelope(&env) {
                    let x = *v.geom();
                    // Only another commune's vertex: one of this commune's own is where
                    // its ring already goes (inserting it would fold the ring back).
                    if v.data == c || x == p || x == q || own.binary_search(&(x, c)).is_ok() {
                        continue;
                    }
                    if let Some((t, d)) = grid::position_on(p, q, x, NODE_TOLERANCE) {
                        found.push((x, d, i, t));
                    }
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
            inserted += found.len();
            let mut out: Ring = Vec::with_capacity(n + found.len());
            let mut next = found.iter().peekable();
            for (i, p) in ring.iter().enumerate() {
                out.push(*p);
                while let Some(f) = next.next_if(|f| f.2 == i) {
                    out.push(f.0);
                }
            }
            *ring = out;
        }
    }
    inserted
}

/// Step 3: holes of the union given to a neighbour.
fn fill_gaps(shapes: &mut [Shape], report: &mut CleanReport) {
    let topo = topology(shapes);
    let everyone = vec![Some(0u32); shapes.len()];
    let rings = dissolve(&topo, &everyone, 1).into_iter().next().unwrap_or_default();
    // Which commune uses each arc (an arc on the union's outline is used by one only).
    let mut user = vec![usize::MAX; topo.arc_count()];
    for u in 0..topo.unit_count() {
        for ring in topo.rings_of(u) {
            for r in topo.arcs_of(ring) {
                user[r.index()] = u;
            }
        }
    }
    let mut gifts: Vec<(usize, Shape)> = Vec::new();
    for ring in rings {
        let points: Vec<Pt> = ring
            .arcs
            .iter()
            .flat_map(|r| {
                let a = topo.arc(r.index());
                let pts: Vec<Pt> = a.iter().map(|p| [p[0] as i64, p[1] as i64]).collect();
                if r.reversed() { pts.into_iter().rev().collect::<Vec<_>>() } else { pts }
            })
            .collect();
        let Some(gap) = grid::open_ring(points) else { continue };
        let area2 = grid::ring_area2(&gap);
        if area2 >= 0 {
            continue; // an outline of the union (counter-clockwise), not a hole
        }
        if km2(-area2) > MAX_GAP_KM2 {
            report.gaps_left += 1;
            continue;
        }
        // The neighbour along the longest part of the hole's outline; lowest on a tie.
        let mut border: Vec<(usize, f64)> = ring
            .arcs
            .iter()
            .map(|r| {
                let a = topo.arc(r.index());
                (user[r.index()], a.windows(2).map(|w| (w[1][0] - w[0][0]).hypot(w[1][1] - w[0][1])).sum::<f64>())
            })
            .collect();
        border.sort_by_key(|b| b.0);
        let mut best = (usize::MAX, -1.0);
        for chunk in border.chunk_by(|a, b| a.0 == b.0) {
            let length: f64 = chunk.iter().map(|b| b.1).sum();
            if length > best.1 {
                best = (chunk[0].0, length);
            }
        }
        report.gaps_filled += 1;
        report.gap_km2 += km2(-area2);
        let mut hole = gap;
        hole.reverse(); // counter-clockwise: a polygon of its own
        gifts.push((best.0, vec![vec![hole]]));
    }
    gifts.sort_by_key(|g| g.0);
    for chunk in gifts.chunk_by(|a, b| a.0 == b.0) {
        let c = chunk[0].0;
        let merged = grid::overlay(std::iter::once(&shapes[c]).chain(chunk.iter().map(|g| &g.1)), [], OverlayRule::Union);
        shapes[c] = merged;
    }
}

/// A ring as [`Topology::build`] reads it: whether it is exterior, its xs and its ys.
type RingCoords = (bool, Vec<f64>, Vec<f64>);

/// Arc topology of grid shapes (coordinates kept as integral f64).
pub fn topology(shapes: &[Shape]) -> Topology {
    let rings: Vec<Vec<RingCoords>> = shapes
        .iter()
        .map(|s| {
            s.iter()
                .flat_map(|p| p.iter().enumerate())
                .map(|(k, r)| {
                    let closed = r.iter().chain(std::iter::once(&r[0]));
                    (k == 0, closed.clone().map(|p| p[0] as f64).collect(), closed.map(|p| p[1] as f64).collect())
                })
                .collect()
        })
        .collect();
    Topology::build(rings.len(), |u| rings[u].iter().map(|(e, xs, ys)| (*e, xs.as_slice(), ys.as_slice())), |x, y| [x, y])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(x0: i64, y0: i64, x1: i64, y1: i64) -> Shape {
        vec![vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]]]]
    }

    #[test]
    fn overlaps_go_to_the_lowest_code_and_borders_become_shared() {
        let o = 1_060_000_000;
        // 0 and 1 overlap by a strip 10 wide; 1's border then runs through 0's edge.
        let shapes = vec![rect(o, o / 5, o + 1000, o / 5 + 1000), rect(o + 990, o / 5, o + 2000, o / 5 + 1000)];
        let (clean, report) = clean(shapes);
        assert_eq!(report.overlapping_communes, 1);
        assert_eq!(grid::shape_area2(&clean[0]), 2 * 1000 * 1000);
        assert_eq!(grid::shape_area2(&clean[1]), 2 * 1000 * 1000);
        let topo = topology(&clean);
        assert_eq!((0..topo.arc_count()).filter(|&i| topo.uses[i] == 2).count(), 1);
    }

    #[test]
    fn a_sliver_between_neighbours_goes_to_the_longest_border() {
        let o = 1_060_000_000;
        let y = o / 5;
        // 0 left, 1 right, 2 below both; a gap 5 wide between 0 and 1, open to
        // neither side: 0 and 1 reach y + 1000 on a shared top neighbour 3.
        let shapes = vec![
            rect(o, y, o + 1000, y + 1000),
            rect(o + 1005, y, o + 2000, y + 1000),
            rect(o, y - 1000, o + 2000, y),
            rect(o, y + 1000, o + 2000, y + 1100),
        ];
        let (clean, report) = clean(shapes);
        assert_eq!((report.gaps_filled, report.gaps_left), (1, 0), "{report:?}");
        // The sliver borders 0 and 1 along 1000 and 2 and 3 along 5: 0 gets it (lowest).
        assert_eq!(grid::shape_area2(&clean[0]), 2 * 1005 * 1000);
        let total: i128 = clean.iter().map(grid::shape_area2).sum();
        assert_eq!(total, 2 * 2000 * 2100);
    }
}
