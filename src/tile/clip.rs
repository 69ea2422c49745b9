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

    /// The area of `ring ∩ rect` computed independently, by geo's boolean operations.
    fn intersection_area(ring: &[[f64; 2]], rect: [f64; 4]) -> f64 {
        use geo::{Area, BooleanOps, LineString, Polygon};
        let polygon = Polygon::new(LineString::from(ring.iter().map(|p| (p[0], p[1])).collect::<Vec<_>>()), vec![]);
        let [x0, y0, x1, y1] = rect;
        let r = Polygon::new(LineString::from(vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1)]), vec![]);
        polygon.intersection(&r).unsigned_area()
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

    proptest::proptest! {
        // The clipped area equals the area of the part inside, computed independently
        // (geo's BooleanOps): clipping may neither drop nor add area, so an empty
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
            // Relative to the area, plus 1e-4 grid units² for the rounding of the independent
            // BooleanOps on thin slivers thousands of units from the origin (a degenerate
            // star of repeated spokes differed by 4e-6 units²: float noise, not lost area).
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
