//! Shapes on an integer grid of 1e-7 degree (about 1 cm): every cleaning and
//! simplification step of real boundaries works here, so that a vertex shared by two
//! communes is the same pair of integers on both sides and boolean operations
//! (i_overlay, integer-exact) never re-quantise what they do not cut.
//!
//! The real source is digitised to 6 decimals, so reading it onto this grid is exact.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::{IntOverlayOptions, Overlay, ShapeType};
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::core::solver::{Precision, Solver, Strategy};
use i_overlay::i_float::int::point::IntPoint;

/// Grid units per degree.
pub const UNITS_PER_DEGREE: f64 = 1e7;
/// A grid point `[x, y]` in 1e-7 degree.
pub type Pt = [i64; 2];
/// A ring, open (the first point is not repeated at the end).
pub type Ring = Vec<Pt>;
/// Polygons, each its exterior (counter-clockwise) then its holes (clockwise).
pub type Shape = Vec<Vec<Ring>>;

/// i_overlay takes i32: coordinates are offset by a point near Vietnam's centre, which
/// keeps them within ±2^28 (a 2^31 range would be too close to its limits).
const ORIGIN: Pt = [110 * 10_000_000, 16 * 10_000_000];

pub fn to_units(degrees: f64) -> i64 {
    (degrees * UNITS_PER_DEGREE).round() as i64
}

pub fn to_degrees(units: i64) -> f64 {
    units as f64 / UNITS_PER_DEGREE
}

/// Twice the signed area of a ring (counter-clockwise positive), exact.
pub fn ring_area2(ring: &[Pt]) -> i128 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (p, q) = (ring[i], ring[(i + 1) % n]);
            i128::from(p[0]) * i128::from(q[1]) - i128::from(q[0]) * i128::from(p[1])
        })
        .sum()
}

/// Twice the area of a shape (exteriors minus holes), exact.
pub fn shape_area2(shape: &Shape) -> i128 {
    shape.iter().flatten().map(|r| ring_area2(r)).sum()
}

/// Even-odd test of `a` over all rings (a point on an edge counts as outside: an anchor on a
/// border is lost).
pub fn rings_contain<'a>(rings: impl IntoIterator<Item = &'a Ring>, a: Pt) -> bool {
    let mut odd = false;
    for ring in rings {
        let n = ring.len();
        for i in 0..n {
            let (p, q) = (ring[i], ring[(i + 1) % n]);
            if orientation(p, q, a) == 0 && a[0] >= p[0].min(q[0]) && a[0] <= p[0].max(q[0]) && a[1] >= p[1].min(q[1]) && a[1] <= p[1].max(q[1]) {
                return false;
            }
            if (p[1] > a[1]) != (q[1] > a[1]) {
                // x of the edge at a's y, compared without division.
                let lhs = i128::from(a[0] - p[0]) * i128::from(q[1] - p[1]);
                let rhs = i128::from(q[0] - p[0]) * i128::from(a[1] - p[1]);
                if (q[1] > p[1] && lhs < rhs) || (q[1] < p[1] && lhs > rhs) {
                    odd = !odd;
                }
            }
        }
    }
    odd
}

/// Sign of the turn p → q → r: 1 counter-clockwise, -1 clockwise, 0 collinear. Exact.
pub fn orientation(p: Pt, q: Pt, r: Pt) -> i32 {
    let v = i128::from(q[0] - p[0]) * i128::from(r[1] - p[1]) - i128::from(q[1] - p[1]) * i128::from(r[0] - p[0]);
    v.signum() as i32
}

fn on_segment(p: Pt, q: Pt, r: Pt) -> bool {
    r[0] >= p[0].min(q[0]) && r[0] <= p[0].max(q[0]) && r[1] >= p[1].min(q[1]) && r[1] <= p[1].max(q[1])
}

/// Whether two segments meet anywhere other than at one shared end where they part
/// ways (two segments on top of each other always conflict).
pub fn conflict(a: [Pt; 2], b: [Pt; 2]) -> bool {
    let shared = [(0, 0), (0, 1), (1, 0), (1, 1)].into_iter().find(|&(i, j)| a[i] == b[j]);
    if let Some((i, j)) = shared {
        let (p, x, y) = (a[i], a[1 - i], b[1 - j]);
        if x == y {
            return true; // the same segment twice
        }
        // Meeting at p only, unless they run along each other from p.
        let (ux, uy, vx, vy) = (x[0] - p[0], x[1] - p[1], y[0] - p[0], y[1] - p[1]);
        let cross = i128::from(ux) * i128::from(vy) - i128::from(uy) * i128::from(vx);
        let dot = i128::from(ux) * i128::from(vx) + i128::from(uy) * i128::from(vy);
        return cross == 0 && dot > 0;
    }
    let (o1, o2) = (orientation(a[0], a[1], b[0]), orientation(a[0], a[1], b[1]));
    let (o3, o4) = (orientation(b[0], b[1], a[0]), orientation(b[0], b[1], a[1]));
    if o1 * o2 < 0 && o3 * o4 < 0 {
        return true;
    }
    (o1 == 0 && on_segment(a[0], a[1], b[0]))
        || (o2 == 0 && on_segment(a[0], a[1], b[1]))
        || (o3 == 0 && on_segment(b[0], b[1], a[0]))
        || (o4 == 0 && on_segment(b[0], b[1], a[1]))
}

/// Where `x` lies along the edge `p`→`q` (0..1, ends excluded) and how far off it,
/// when it is within `tolerance` (grid units) of it.
pub fn position_on(p: Pt, q: Pt, x: Pt, tolerance: f64) -> Option<(f64, f64)> {
    let (dx, dy) = ((q[0] - p[0]) as f64, (q[1] - p[1]) as f64);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return None;
    }
    let (ex, ey) = ((x[0] - p[0]) as f64, (x[1] - p[1]) as f64);
    let t = (ex * dx + ey * dy) / len2;
    let off = (ex * dy - ey * dx).abs() / len2.sqrt();
    (t > 0.0 && t < 1.0 && off <= tolerance).then_some((t, off))
}

/// An interior point of a shape (geo's), when it lies strictly inside on the grid.
pub fn interior_point(shape: &Shape) -> Option<Pt> {
    use geo::InteriorPoint;
    let p = to_geo(shape).interior_point()?;
    let q = [to_units(p.x()), to_units(p.y())];
    rings_contain(shape.iter().flatten(), q).then_some(q)
}

/// `[min_x, min_y, max_x, max_y]`, or None for an empty shape.
pub fn bbox(shape: &Shape) -> Option<[i64; 4]> {
    let mut it = shape.iter().flatten().flatten();
    let first = *it.next()?;
    Some(it.fold([first[0], first[1], first[0], first[1]], |b, p| [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])]))
}

/// A ring from closed or open points: consecutive repeats and the closing point
/// dropped; None when fewer than 3 points remain.
pub fn open_ring(points: impl IntoIterator<Item = Pt>) -> Option<Ring> {
    let mut ring: Ring = Vec::new();
    for p in points {
        if ring.last() != Some(&p) {
            ring.push(p);
        }
    }
    while ring.len() > 1 && ring.first() == ring.last() {
        ring.pop();
    }
    (ring.len() >= 3).then_some(ring)
}

/// Reads a geo multipolygon onto the grid.
pub fn from_geo(shape: &MultiPolygon<f64>) -> Shape {
    let ring = |ls: &LineString<f64>| open_ring(ls.0.iter().map(|c| [to_units(c.x), to_units(c.y)]));
    shape
        .0
        .iter()
        .filter_map(|p| {
            let exterior = ring(p.exterior())?;
            Some(std::iter::once(exterior).chain(p.interiors().iter().filter_map(ring)).collect())
        })
        .collect()
}

/// The shape in degrees, rings closed.
pub fn to_geo(shape: &Shape) -> MultiPolygon<f64> {
    let ring = |r: &Ring| {
        let mut coords: Vec<Coord<f64>> = r.iter().map(|p| Coord { x: to_degrees(p[0]), y: to_degrees(p[1]) }).collect();
        coords.push(coords[0]);
        LineString(coords)
    };
    MultiPolygon(shape.iter().map(|p| Polygon::new(ring(&p[0]), p[1..].iter().map(ring).collect())).collect())
}

/// A boolean operation on the grid: the subject shapes with the clip shapes (nonzero
/// fill, so overlapping inputs count once). Every input vertex is kept, collinear or
/// not, so what the operation does not cut stays vertex for vertex as it was; points
/// where edges cross are rounded to the grid. Single-threaded: the same input always
/// gives the same output.
pub fn overlay<'a>(subject: impl IntoIterator<Item = &'a Shape>, clip: impl IntoIterator<Item = &'a Shape>, rule: OverlayRule) -> Shape {
    let solver = Solver { strategy: Strategy::Auto, precision: Precision::ABSOLUTE, multithreading: None };
    let mut ov = Overlay::new_custom(1024, IntOverlayOptions::keep_all_points(), solver);
    let to_int = |p: &Pt| IntPoint::new((p[0] - ORIGIN[0]) as i32, (p[1] - ORIGIN[1]) as i32);
    for (shapes, kind) in [(subject.into_iter().collect::<Vec<_>>(), ShapeType::Subject), (clip.into_iter().collect(), ShapeType::Clip)] {
        for ring in shapes.into_iter().flatten().flatten() {
            ov.add_path_iter(ring.iter().map(to_int), kind);
        }
    }
    let polygons = ov
        .overlay(rule, FillRule::NonZero)
        .into_iter()
        .filter_map(|polygon| {
            let rings: Vec<Ring> = polygon
                .into_iter()
                .filter_map(|c| open_ring(c.into_iter().map(|p| [i64::from(p.x) + ORIGIN[0], i64::from(p.y) + ORIGIN[1]])))
                .collect();
            // A polygon whose exterior degenerated is dropped with its holes.
            (!rings.is_empty() && ring_area2(&rings[0]) > 0).then_some(rings)
        })
        .collect();
    split_pinches(polygons)
}

/// The shape with every ring that passes through one vertex twice split there into its
/// loops, regrouped: counter-clockwise loops are polygons, clockwise ones holes of the
/// smallest polygon around them. i_overlay may return such a pinched ring where two parts
/// touch at a point, or where a hole touches its exterior; a valid polygon has none. A
/// shape without one is returned as it is.
pub fn split_pinches(shape: Shape) -> Shape {
    if !shape.iter().flatten().any(has_pinch) {
        return shape;
    }
    let mut loops = Vec::new();
    for ring in shape.into_iter().flatten() {
        split_ring(ring, &mut loops);
    }
    let (exteriors, holes): (Vec<Ring>, Vec<Ring>) = loops.into_iter().partition(|r| ring_area2(r) > 0);
    let mut polygons: Vec<Vec<Ring>> = exteriors.into_iter().map(|e| vec![e]).collect();
    for hole in holes {
        let around = |p: &Vec<Ring>| hole.iter().any(|&v| rings_contain([&p[0]], v));
        if let Some(k) = (0..polygons.len()).filter(|&k| around(&polygons[k])).min_by_key(|&k| ring_area2(&polygons[k][0])) {
            polygons[k].push(hole);
        }
    }
    polygons
}

fn has_pinch(ring: &Ring) -> bool {
    let mut seen = std::collections::HashSet::with_capacity(ring.len());
    ring.iter().any(|p| !seen.insert(*p))
}

/// Splits a ring at its first repeated vertex, recursively; loops without area go.
fn split_ring(ring: Ring, out: &mut Vec<Ring>) {
    let mut seen: std::collections::HashMap<Pt, usize> = std::collections::HashMap::with_capacity(ring.len());
    for (k, p) in ring.iter().enumerate() {
        if let Some(&i) = seen.get(p) {
            let inner = ring[i..k].to_vec();
            let rest: Ring = ring[..i].iter().chain(&ring[k..]).copied().collect();
            for part in [inner, rest] {
                if part.len() >= 3 && ring_area2(&part) != 0 {
                    split_ring(part, out);
                }
            }
            return;
        }
        seen.insert(*p, k);
    }
    out.push(ring);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square(x0: i64, y0: i64, s: i64) -> Shape {
        vec![vec![vec![[x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s]]]]
    }

    #[test]
    fn difference_keeps_untouched_vertices_and_cuts_exactly() {
        let o = 1_060_000_000;
        let a = square(o, o / 5, 100);
        let b = square(o + 50, o / 5 + 50, 100);
        let d = overlay([&b], [&a], OverlayRule::Difference);
        assert_eq!(shape_area2(&d), 2 * (100 * 100 - 50 * 50));
        let pts: Vec<Pt> = d.iter().flatten().flatten().copied().collect();
        assert!(pts.contains(&[o + 150, o / 5 + 150]), "{pts:?}");
        assert!(pts.contains(&[o + 100, o / 5 + 50]) && pts.contains(&[o + 50, o / 5 + 100]), "{pts:?}");
    }

    #[test]
    fn crossing_and_touching_segments_conflict_and_parting_ones_do_not() {
        assert!(conflict([[0, 0], [10, 10]], [[0, 10], [10, 0]]));
        assert!(conflict([[0, 0], [10, 0]], [[5, 0], [5, 5]]));
        assert!(conflict([[0, 0], [10, 0]], [[0, 0], [5, 0]]));
        assert!(conflict([[0, 0], [10, 0]], [[10, 0], [0, 0]]));
        assert!(!conflict([[0, 0], [10, 0]], [[10, 0], [10, 5]]));
        assert!(!conflict([[0, 0], [10, 0]], [[0, 0], [-5, 0]]));
    }

    #[test]
    fn pinched_rings_become_polygons_and_holes() {
        // Two squares touching at a corner, as one ring through that corner twice.
        let bow = vec![vec![vec![[0, 0], [10, 0], [10, 10], [20, 10], [20, 20], [10, 20], [10, 10], [0, 10]]]];
        let split = split_pinches(bow);
        assert_eq!(split.len(), 2, "{split:?}");
        assert!(split.iter().all(|p| p.len() == 1 && ring_area2(&p[0]) == 200));
        // A hole touching its exterior at one vertex, drawn as one pinched ring.
        let pinched = vec![vec![vec![[0, 0], [30, 0], [30, 30], [0, 30], [0, 0], [10, 10], [10, 20], [20, 20], [20, 10], [10, 10]]]];
        let split = split_pinches(pinched.clone());
        assert_eq!(split.len(), 1, "{split:?}");
        assert_eq!(split[0].len(), 2, "{split:?}");
        assert_eq!(shape_area2(&split), 2 * (900 - 100));
        // A valid shape is left as it is.
        let square = vec![vec![vec![[0, 0], [10, 0], [10, 10], [0, 10]]]];
        assert_eq!(split_pinches(square.clone()), square);
    }

    #[test]
    fn grid_round_trip_is_exact_at_six_decimals() {
        for v in [105.838_123, 8.5, 117.999_999, 21.002_414] {
            assert_eq!(to_degrees(to_units(v)), (v * 1e6_f64).round() / 1e6);
        }
    }
}
