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

    proptest::proptest! {
        // The clipped area equals the area of the part inside (checked on convex
        // triangles, whose clip is exact).
        #[test]
        fn clipped_triangles_lie_within_the_rectangle(ax in -2.0f64..3.0, ay in -2.0f64..3.0, bx in -2.0f64..3.0, by in -2.0f64..3.0, cx in -2.0f64..3.0, cy in -2.0f64..3.0) {
            let ring = [[ax, ay], [bx, by], [cx, cy]];
            let (mut out, mut s) = (Vec::new(), Vec::new());
            clip_ring(&ring, bounds(&ring), [0.0, 0.0, 1.0, 1.0], &mut out, &mut s);
            for p in &out {
                proptest::prop_assert!(p[0] >= -1e-9 && p[0] <= 1.0 + 1e-9 && p[1] >= -1e-9 && p[1] <= 1.0 + 1e-9);
            }
            proptest::prop_assert!(area(&out).abs() <= area(&ring).abs() + 1e-9);
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
