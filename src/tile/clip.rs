//! Clips a polygon ring to an axis-aligned rectangle (Sutherland–Hodgman, one edge
//! of the rectangle at a time, as geojson-vt clips by stripes). Where a concave ring
//! leaves and re-enters, the result runs along the rectangle's edge: that stays in the
//! buffer outside the visible tile, which is why tiles carry one.

/// Clips `ring` (closed or not; the result is not closed) to `[x0, y0, x1, y1]`.
/// `bounds` is the ring's own box, which the caller has at hand.
pub fn clip_ring(ring: &[[f64; 2]], bounds: [f64; 4], rect: [f64; 4], out: &mut Vec<[f64; 2]>, scratch: &mut Vec<[f64; 2]>) {
    out.clear();
    out.extend_from_slice(ring);
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    let [x0, y0, x1, y1] = rect;
    // Only the rectangle's edges that the ring crosses need a pass: at high zooms a
    // unit usually spills over one or two sides of the tile, not all four.
    let [rx0, ry0, rx1, ry1] = bounds;
    if rx0 < x0 {
        clip_edge(out, scratch, |p| p[0] >= x0, |a, b| lerp_x(a, b, x0));
    }
    if rx1 > x1 {
        clip_edge(out, scratch, |p| p[0] <= x1, |a, b| lerp_x(a, b, x1));
    }
    if ry0 < y0 {
        clip_edge(out, scratch, |p| p[1] >= y0, |a, b| lerp_y(a, b, y0));
    }
    if ry1 > y1 {
        clip_edge(out, scratch, |p| p[1] <= y1, |a, b| lerp_y(a, b, y1));
    }
}


fn lerp_x(a: [f64; 2], b: [f64; 2], x: f64) -> [f64; 2] {
    [x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])]
}

fn lerp_y(a: [f64; 2], b: [f64; 2], y: f64) -> [f64; 2] {
    [a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y]
}

fn clip_edge(
    ring: &mut Vec<[f64; 2]>,
    scratch: &mut Vec<[f64; 2]>,
    inside: impl Fn([f64; 2]) -> bool,
    cross: impl Fn([f64; 2], [f64; 2]) -> [f64; 2],
) {
    if ring.is_empty() {
        return;
    }
    scratch.clear();
    let mut prev = ring[ring.len() - 1];
    let mut prev_in = inside(prev);
    for &p in ring.iter() {
        let p_in = inside(p);
        if p_in != prev_in {
            scratch.push(cross(prev, p));
        }
        if p_in {
            scratch.push(p);
        }
        prev = p;
        prev_in = p_in;
    }
    std::mem::swap(ring, scratch);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds(ring: &[[f64; 2]]) -> [f64; 4] {
        ring.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])])
    }

    fn area(r: &[[f64; 2]]) -> f64 {
        let n = r.len();
        (0..n).map(|i| r[i][0] * r[(i + 1) % n][1] - r[(i + 1) % n][0] * r[i][1]).sum::<f64>() / 2.0
    }

    #[test]
    fn clips_a_square_to_its_overlap() {
        let ring = [[-1.0, -1.0], [2.0, -1.0], [2.0, 2.0], [-1.0, 2.0], [-1.0, -1.0]];
        let (mut out, mut s) = (Vec::new(), Vec::new());
        clip_ring(&ring, bounds(&ring), [0.0, 0.0, 1.0, 1.0], &mut out, &mut s);
        assert!((area(&out) - 1.0).abs() < 1e-12, "{out:?}");
        clip_ring(&ring, bounds(&ring), [5.0, 5.0, 6.0, 6.0], &mut out, &mut s);
        assert!(out.is_empty());
    }

    /// The area of `ring ∩ rect` computed exactly: the ring's f64 points as rationals,
    /// clipped by each edge of the rectangle (convex, so Sutherland–Hodgman is exact here),
    /// the shoelace sum taken in rationals and rounded once. A float reference, such as
    /// geo's boolean operations, which snap to an integer grid scaled to the ring's extent,
    /// is off by 1e-4 units² on long thin slivers.
    fn intersection_area(ring: &[[f64; 2]], rect: [f64; 4]) -> f64 {
        use num_rational::BigRational;
        use num_traits::{Signed, ToPrimitive};
        type Point = (BigRational, BigRational);
        let q = |v: f64| BigRational::from_float(v).expect("finite");
        let mut polygon: Vec<Point> = ring.iter().map(|p| (q(p[0]), q(p[1]))).collect();
        let [x0, y0, x1, y1] = rect.map(q);
        // One pass per edge: keep the side `inside`, cutting at `axis` = `at`.
        let pass = |polygon: Vec<Point>, x_axis: bool, at: &BigRational, keep_above: bool| -> Vec<Point> {
            let coordinate = |p: &Point| if x_axis { p.0.clone() } else { p.1.clone() };
            let inside = |p: &Point| if keep_above { coordinate(p) >= *at } else { coordinate(p) <= *at };
            let cut = |a: &Point, b: &Point| -> Point {
                let t = (at - coordinate(a)) / (coordinate(b) - coordinate(a));
                if x_axis {
                    (at.clone(), &a.1 + &t * (&b.1 - &a.1))
                } else {
                    (&a.0 + &t * (&b.0 - &a.0), at.clone())
                }
            };
            let mut out = Vec::with_capacity(polygon.len() + 4);
            for i in 0..polygon.len() {
                let (a, b) = (&polygon[(i + polygon.len() - 1) % polygon.len()], &polygon[i]);
                match (inside(a), inside(b)) {
                    (true, true) => out.push(b.clone()),
                    (true, false) => out.push(cut(a, b)),
                    (false, true) => out.extend([cut(a, b), b.clone()]),
                    (false, false) => {}
                }
            }
            out
        };
        for (x_axis, at, keep_above) in [(true, &x0, true), (true, &x1, false), (false, &y0, true), (false, &y1, false)] {
            polygon = pass(polygon, x_axis, at, keep_above);
        }
        let n = polygon.len();
        let twice: BigRational = (0..n).map(|i| &polygon[i].0 * &polygon[(i + 1) % n].1 - &polygon[(i + 1) % n].0 * &polygon[i].1).sum();
        (twice.abs() / BigRational::from_integer(2.into())).to_f64().expect("a finite area")
    }

    /// A simple ring, star-shaped around `centre`: spoke `k` of `n` at angle
    /// `(k + jitter) · 2π / n`, so consecutive spokes are less than π apart (n ≥ 4) and
    /// the fan of triangles from the centre never folds over itself.
    fn star(centre: (f64, f64), spokes: &[(f64, f64)]) -> Vec<[f64; 2]> {
        let step = std::f64::consts::TAU / spokes.len() as f64;
        spokes
            .iter()
            .enumerate()
            .map(|(k, &(jitter, r))| {
                let angle = (k as f64 + jitter) * step;
                [centre.0 + r * angle.cos(), centre.1 + r * angle.sin()]
            })
            .collect()
    }

    /// The tile grid's buffered rectangle (`EXTENT` 4096, `BUFFER` 64), as tiles clip.
    const TILE_RECT: [f64; 4] = [-64.0, -64.0, 4160.0, 4160.0];

    /// The star on which geo's boolean operations, the earlier reference, were off by
    /// 1.5e-4 units²; the clip agrees with exact arithmetic.
    #[test]
    fn a_long_thin_sliver_clips_to_its_exact_area() {
        let mut spokes = vec![(0.0, 1.0); 24];
        spokes[3] = (0.7232071488503449, 3066.0493367420495);
        spokes[4] = (0.7261759928994148, 4895.840685205716);
        spokes[11] = (0.9574922362238625, 1.0);
        spokes[15] = (0.16349334003992863, 1.0);
        spokes[16] = (0.954166174215323, 1.0);
        let ring = star((-1783.8555221067609, -1464.3920618667144), &spokes);
        let closed: Vec<[f64; 2]> = ring.iter().chain(ring.first()).copied().collect();
        let (mut out, mut s) = (Vec::new(), Vec::new());
        clip_ring(&closed, bounds(&closed), TILE_RECT, &mut out, &mut s);
        let (got, expected) = (area(&out).abs(), intersection_area(&ring, TILE_RECT));
        assert!(expected > 18.0 && (got - expected).abs() <= 1e-9, "clipped {got} expected {expected}");
    }

    proptest::proptest! {
        // The clipped area equals the area of the part inside, computed exactly
        // (`intersection_area`): clipping may neither drop nor add area, so an empty
        // result passes only when the triangle misses the rectangle.
        #[test]
        fn clipped_triangles_lie_within_the_rectangle(ax in -2.0f64..3.0, ay in -2.0f64..3.0, bx in -2.0f64..3.0, by in -2.0f64..3.0, cx in -2.0f64..3.0, cy in -2.0f64..3.0) {
            let ring = [[ax, ay], [bx, by], [cx, cy]];
            let rect = [0.0, 0.0, 1.0, 1.0];
            let (mut out, mut s) = (Vec::new(), Vec::new());
            clip_ring(&ring, bounds(&ring), rect, &mut out, &mut s);
            for p in &out {
                proptest::prop_assert!(p[0] >= -1e-9 && p[0] <= 1.0 + 1e-9 && p[1] >= -1e-9 && p[1] <= 1.0 + 1e-9);
            }
            let expected = intersection_area(&ring, rect);
            proptest::prop_assert!((area(&out).abs() - expected).abs() <= 1e-7, "clipped {} expected {expected}: {out:?}", area(&out).abs());
        }

        // Any simple ring, clipped to the tile's buffered rectangle, stays inside it
        // and keeps exactly the area inside it (Sutherland–Hodgman on a concave ring
        // adds edges along the rectangle, which enclose no area).
        #[test]
        fn clipped_rings_stay_inside_the_buffered_tile(
            cx in -2000.0f64..6000.0, cy in -2000.0f64..6000.0,
            spokes in proptest::collection::vec((0.0f64..1.0, 1.0f64..5000.0), 4..40),
            reversed: bool,
        ) {
            let mut ring = star((cx, cy), &spokes);
            if reversed {
                ring.reverse();
            }
            let closed: Vec<[f64; 2]> = ring.iter().chain(ring.first()).copied().collect();
            let (mut out, mut s) = (Vec::new(), Vec::new());
            clip_ring(&closed, bounds(&closed), TILE_RECT, &mut out, &mut s);
            let [x0, y0, x1, y1] = TILE_RECT;
            let eps = 1e-9 * 4096.0;
            for p in &out {
                proptest::prop_assert!(p[0] >= x0 - eps && p[0] <= x1 + eps && p[1] >= y0 - eps && p[1] <= y1 + eps, "{p:?} outside");
            }
            let expected = intersection_area(&ring, TILE_RECT);
            let got = area(&out).abs();
            // Relative to the area, plus 1e-4 grid units² for float rounding on thin slivers
            // thousands of units from the origin (float noise, not lost area).
            proptest::prop_assert!((got - expected).abs() <= 1e-6 * expected + 1e-4, "clipped {got} expected {expected}");
            // The winding is kept: a counter-clockwise ring clips counter-clockwise.
            if got > 1.0 {
                proptest::prop_assert_eq!(area(&out) > 0.0, area(&ring) > 0.0);
            }
        }

        // Skipping the passes of edges the ring does not cross changes nothing: the
        // result equals clipping by all four edges.
        #[test]
        fn skipped_passes_change_nothing(pts in proptest::collection::vec((-1.0f64..2.0, -1.0f64..2.0), 3..12)) {
            let ring: Vec<[f64; 2]> = pts.iter().map(|&(x, y)| [x, y]).collect();
            let (mut out, mut s) = (Vec::new(), Vec::new());
            let rect = [0.0, 0.0, 1.0, 1.0];
            clip_ring(&ring, bounds(&ring), rect, &mut out, &mut s);
            let mut all = ring.clone();
            clip_edge(&mut all, &mut s, |p| p[0] >= 0.0, |a, b| lerp_x(a, b, 0.0));
            clip_edge(&mut all, &mut s, |p| p[0] <= 1.0, |a, b| lerp_x(a, b, 1.0));
            clip_edge(&mut all, &mut s, |p| p[1] >= 0.0, |a, b| lerp_y(a, b, 0.0));
            clip_edge(&mut all, &mut s, |p| p[1] <= 1.0, |a, b| lerp_y(a, b, 1.0));
            proptest::prop_assert_eq!(out, all);
        }
    }
}
