//! Point thinning: the zoom from which each pilot or tourism site is drawn.
//!
//! At national zooms points cover each other: the country's OCOP products alone number
//! in the thousands, and at zoom 5 Vietnam is some 600 px tall. Drawing them all there
//! shows a blot and makes every low-zoom tile carry every point. As tippecanoe drops
//! the densest features at low zoom, each point gets the zoom from which tiles carry it
//! ([`appear_zooms`]):
//!   1. order the points by priority: the caller's weight (higher first), then a hash of
//!      the point's id, so that equal weights give a spatially unbiased sample that is the
//!      same on every run and machine;
//!   2. for each zoom below [`ALL_POINTS_FROM_ZOOM`]: place every point already shown at
//!      a lower zoom, then, in priority order, every other point at least [`SPACING_PX`]
//!      from each point placed (in the pixels of a 512-px tile, as MapLibre draws it);
//!      a point placed here appears from this zoom;
//!   3. the points still unplaced appear from [`ALL_POINTS_FROM_ZOOM`].
//!
//! A point, once shown, is shown at every higher zoom: step 2 places the points of the
//! zooms below first, and distances only grow with the zoom, so they never conflict.

use std::collections::HashMap;

/// From this zoom tiles carry every point, however close (names of points are shown
/// from zoom 12; commune names from 10).
pub const ALL_POINTS_FROM_ZOOM: u8 = 10;

/// Least distance between two points drawn below [`ALL_POINTS_FROM_ZOOM`], in pixels of
/// a 512-px tile: the width of the styles' usual symbol (radius 6) at zoom 9, where
/// symbols reach full size ([`crate::style::POINT_SCALE`]); below it they are smaller, so
/// the points drawn never cover each other.
pub const SPACING_PX: f64 = 12.0;

/// Per point (same order as `points`, Web Mercator unit coordinates), the zoom from which
/// it is drawn; `weight` ranks points (higher first) and `id` breaks ties (steps of the
/// module doc).
pub fn appear_zooms(points: &[[f64; 2]], weight: impl Fn(usize) -> u8, id: impl Fn(usize) -> u64) -> Vec<u8> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by_key(|&k| (std::cmp::Reverse(weight(k)), id(k), k));
    let mut appear = vec![ALL_POINTS_FROM_ZOOM; points.len()];
    for z in 0..ALL_POINTS_FROM_ZOOM {
        let spacing = SPACING_PX / (512.0 * f64::from(1u32 << z));
        let mut placed = Placed { spacing, cells: HashMap::new() };
        // Points shown from a lower zoom stay: place them first, whatever their priority.
        for &k in order.iter().filter(|&&k| appear[k] < z) {
            placed.insert(points[k]);
        }
        for &k in &order {
            if appear[k] == ALL_POINTS_FROM_ZOOM && placed.is_clear(points[k]) {
                placed.insert(points[k]);
                appear[k] = z;
            }
        }
    }
    appear
}

/// The points placed at one zoom, hashed into square cells of the spacing's side, so that
/// a point's rivals lie in its own cell or the 8 around it.
struct Placed {
    spacing: f64,
    cells: HashMap<(i64, i64), Vec<[f64; 2]>>,
}

impl Placed {
    fn cell(&self, p: [f64; 2]) -> (i64, i64) {
        ((p[0] / self.spacing).floor() as i64, (p[1] / self.spacing).floor() as i64)
    }

    fn insert(&mut self, p: [f64; 2]) {
        let c = self.cell(p);
        self.cells.entry(c).or_default().push(p);
    }

    /// No placed point closer than the spacing.
    fn is_clear(&self, p: [f64; 2]) -> bool {
        let (cx, cy) = self.cell(p);
        let limit = self.spacing * self.spacing;
        (cx - 1..=cx + 1).all(|x| {
            (cy - 1..=cy + 1).all(|y| {
                self.cells.get(&(x, y)).is_none_or(|near| near.iter().all(|q| (q[0] - p[0]).powi(2) + (q[1] - p[1]).powi(2) >= limit))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unit coordinates `px` pixels of a 512-px tile apart at zoom `z`.
    fn apart(px: f64, z: u8) -> f64 {
        px / (512.0 * f64::from(1u32 << z))
    }

    #[test]
    fn far_points_appear_at_zoom_0_and_close_ones_when_they_separate() {
        let base = [0.8, 0.45];
        // 1.5 spacings apart at zoom 4, so 0.75 of one at zoom 3.
        let near = [base[0] + apart(1.5 * SPACING_PX, 4), base[1]];
        let far = [0.2, 0.2];
        let z = appear_zooms(&[base, near, far], |k| u8::from(k == 0), |k| k as u64);
        assert_eq!(z, vec![0, 4, 0]);
    }

    #[test]
    fn the_heavier_point_wins_and_ties_go_by_id() {
        let a = [0.5, 0.5];
        let b = [0.5 + 1e-9, 0.5];
        assert_eq!(appear_zooms(&[a, b], |k| if k == 1 { 2 } else { 0 }, |k| k as u64), vec![ALL_POINTS_FROM_ZOOM, 0]);
        assert_eq!(appear_zooms(&[a, b], |_| 0, |k| 9 - k as u64), vec![ALL_POINTS_FROM_ZOOM, 0]);
    }

    #[test]
    fn shown_points_stay_shown_and_keep_their_spacing() {
        // A dense random cloud over a small area: every zoom shows a superset of the one
        // before, with every pair of shown points at least the spacing apart.
        let mut h = crate::fnv::OFFSET;
        let mut next = || {
            h = crate::fnv::fold(h, b"x");
            (h >> 11) as f64 / (1u64 << 53) as f64
        };
        let points: Vec<[f64; 2]> = (0..2_000).map(|_| [0.78 + 0.02 * next(), 0.44 + 0.02 * next()]).collect();
        let appear = appear_zooms(&points, |k| (k % 3) as u8, |k| crate::fnv::hash(&k.to_le_bytes()));
        for z in 0..ALL_POINTS_FROM_ZOOM {
            let shown: Vec<[f64; 2]> = points.iter().zip(&appear).filter(|(_, &a)| a <= z).map(|(p, _)| *p).collect();
            assert!(!shown.is_empty(), "zoom {z} shows no point");
            let limit = apart(SPACING_PX, z);
            for (i, p) in shown.iter().enumerate() {
                for q in &shown[i + 1..] {
                    assert!(((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2)).sqrt() >= limit * (1.0 - 1e-12), "zoom {z}: {p:?} and {q:?} closer than the spacing");
                }
            }
        }
        let counts: Vec<usize> = (0..=ALL_POINTS_FROM_ZOOM).map(|z| appear.iter().filter(|&&a| a <= z).count()).collect();
        assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
        assert_eq!(counts[ALL_POINTS_FROM_ZOOM as usize], points.len());
        // The cloud is 10 px wide at zoom 0 (one or two points fit) and still thinned at 9.
        assert!(counts[0] <= 2 && counts[ALL_POINTS_FROM_ZOOM as usize - 1] < points.len(), "{counts:?}");
    }
}
