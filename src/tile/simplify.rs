//! Per-vertex Douglas–Peucker importance, as geojson-vt stores it, turned into the
//! lowest zoom at which each vertex is kept. Arcs are ranked once per snapshot; a tile
//! at zoom z takes the vertices whose zoom is ≤ z, a prefix of each arc's ranking.
//!
//! A vertex is kept at zoom z when its distance to the simplified line exceeds
//! `TOLERANCE` units of the 4096 grid of a z tile. Children never appear before their
//! parent in the recursion, so each zoom's vertex set is a valid DP simplification.

/// Tolerance in tile grid units (of 4096): 2 units is an eighth of a 256 px pixel.
pub const TOLERANCE: f64 = 2.0;
/// Zoom value meaning "never kept" (beyond any zoom served).
pub const NEVER: u8 = u8::MAX;

/// The lowest zoom at which a vertex `d` (unit-square units) off the line is kept.
fn zoom_for(d: f64) -> u8 {
    if d <= 0.0 {
        return NEVER;
    }
    let z = (TOLERANCE / (4096.0 * d)).log2().floor() + 1.0;
    z.clamp(0.0, 254.0) as u8
}

fn distance(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return ((p[0] - a[0]).powi(2) + (p[1] - a[1]).powi(2)).sqrt();
    }
    let t = (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0);
    ((p[0] - a[0] - t * dx).powi(2) + (p[1] - a[1] - t * dy).powi(2)).sqrt()
}

/// Lowest zoom per vertex of one arc (endpoints: 0).
pub fn arc_zooms(points: &[[f64; 2]], out: &mut Vec<u8>) {
    let n = points.len();
    let base = out.len();
    out.resize(base + n, NEVER);
    if n == 0 {
        return;
    }
    out[base] = 0;
    out[base + n - 1] = 0;
    // (first, last, zoom of the segment's parent vertex)
    let mut stack = vec![(0usize, n - 1, 0u8)];
    while let Some((first, last, parent)) = stack.pop() {
        if last <= first + 1 {
            continue;
        }
        let (mut best, mut best_d) = (first + 1, -1.0);
        for i in first + 1..last {
            let d = distance(points[i], points[first], points[last]);
            if d > best_d {
                best = i;
                best_d = d;
            }
        }
        let z = zoom_for(best_d).max(parent);
        if z == NEVER {
            continue;
        }
        out[base + best] = z;
        stack.push((first, best, z));
        stack.push((best, last, z));
    }
}

/// Whether keeping `count` of an arc's `len` vertices is dense: more than an eighth
/// of them, where a scan of the arc's zooms beats sorting the kept prefix of its
/// ranking.
fn dense(count: usize, len: usize) -> bool {
    count * 8 > len
}

/// One walk along an arc of [`Ranking::visit_kept`]: the arc's vertices `start..end`
/// (indices into the topology's points), the zoom whose kept vertices are visited, the
/// direction (`reversed`: from `end - 1` down) and whether to leave out the first vertex
/// visited (`skip_first`: a ring's consecutive arcs share their joining vertex).
#[derive(Debug, Clone, Copy)]
pub struct ArcPass {
    pub start: usize,
    pub end: usize,
    pub zoom: u8,
    pub reversed: bool,
    pub skip_first: bool,
}

/// Rankings of all arcs: `zooms[i]` per vertex, and per arc its vertex positions
/// (relative to the arc start) ordered by zoom, then position.
pub struct Ranking {
    pub zooms: Vec<u8>,
    pub order: Vec<u32>,
}

impl Ranking {
    pub fn build(points: &[[f64; 2]], starts: &[u32]) -> Ranking {
        let mut zooms = Vec::with_capacity(points.len());
        let mut order = Vec::with_capacity(points.len());
        for w in starts.windows(2) {
            let (s, e) = (w[0] as usize, w[1] as usize);
            arc_zooms(&points[s..e], &mut zooms);
            let mut idx: Vec<u32> = (0..(e - s) as u32).collect();
            idx.sort_by_key(|&i| (zooms[s + i as usize], i));
            order.extend(idx);
        }
        Ranking { zooms, order }
    }

    /// Whether the arc `[s, e)` is densely kept at zoom `z` (see `dense`).
    pub fn densely_kept(&self, s: usize, e: usize, z: u8) -> bool {
        dense(self.kept_count(s, e, z), e - s)
    }

    /// How many vertices of the arc `[s, e)` are kept at zoom `z`: the length of the
    /// prefix of its ranking whose zooms are ≤ z.
    fn kept_count(&self, s: usize, e: usize, z: u8) -> usize {
        self.order[s..e].partition_point(|&i| self.zooms[s + i as usize] <= z)
    }

    /// Calls `visit` with the index of each vertex of the arc `pass.start..pass.end` kept
    /// at `pass.zoom`, in the pass's direction, leaving out the first one when
    /// `pass.skip_first` (see [`ArcPass`]). `scratch` holds sparse selections between calls.
    #[inline(never)] // measured: inlined into the ring loop it ran ~10% slower
    pub fn visit_kept(&self, pass: ArcPass, scratch: &mut Vec<u32>, mut visit: impl FnMut(usize)) {
        let ArcPass { start: s, end: e, zoom: z, reversed, skip_first } = pass;
        let zooms = &self.zooms[s..e];
        let order = &self.order[s..e];
        let count = self.kept_count(s, e, z);
        let skip = usize::from(skip_first);
        if dense(count, order.len()) {
            // Many vertices kept (high zooms): one scan, no index list.
            if reversed {
                (0..zooms.len()).rev().skip(skip).filter(|&j| zooms[j] <= z).for_each(|j| visit(s + j));
            } else {
                (0..zooms.len()).skip(skip).filter(|&j| zooms[j] <= z).for_each(|j| visit(s + j));
            }
        } else {
            scratch.clear();
            scratch.extend_from_slice(&order[..count]);
            scratch.sort_unstable();
            if reversed {
                scratch.iter().rev().skip(skip).for_each(|&j| visit(s + j as usize));
            } else {
                scratch.iter().skip(skip).for_each(|&j| visit(s + j as usize));
            }
        }
    }

    /// Positions (relative to the arc start, ascending) of the vertices of the arc
    /// `[s, e)` kept at zoom `z`, written into `out`.
    #[cfg(test)]
    pub fn kept(&self, s: usize, e: usize, z: u8, out: &mut Vec<u32>) {
        out.clear();
        self.visit_kept(ArcPass { start: s, end: e, zoom: z, reversed: false, skip_first: false }, &mut Vec::new(), |j| out.push((j - s) as u32));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_always_kept_and_detail_appears_with_zoom() {
        // A zigzag with amplitude 1e-4 of the world: about 0.4 units at z0, 400 at z10.
        let pts: Vec<[f64; 2]> = (0..=100).map(|i| [i as f64 * 1e-3, if i % 2 == 0 { 0.0 } else { 1e-4 }]).collect();
        let ranking = Ranking::build(&pts, &[0, pts.len() as u32]);
        let mut kept = Vec::new();
        ranking.kept(0, pts.len(), 0, &mut kept);
        assert_eq!(kept, vec![0, 100]);
        ranking.kept(0, pts.len(), 10, &mut kept);
        assert_eq!(kept.len(), 101);
        // Reversed with the first left out: the same vertices, backwards, minus one.
        for z in [0u8, 5, 10] {
            ranking.kept(0, pts.len(), z, &mut kept);
            let mut back = Vec::new();
            let pass = ArcPass { start: 0, end: pts.len(), zoom: z, reversed: true, skip_first: true };
            ranking.visit_kept(pass, &mut Vec::new(), |j| back.push(j as u32));
            let expected: Vec<u32> = kept.iter().rev().skip(1).copied().collect();
            assert_eq!(back, expected, "z{z}");
        }
        // Monotone: what z keeps, z + 1 keeps too.
        for z in 0..14 {
            let mut a = Vec::new();
            let mut b = Vec::new();
            ranking.kept(0, pts.len(), z, &mut a);
            ranking.kept(0, pts.len(), z + 1, &mut b);
            assert!(a.iter().all(|i| b.contains(i)));
        }
    }

    #[test]
    fn a_closed_arc_keeps_its_far_side() {
        let pts = vec![[0.0, 0.0], [0.01, 0.0], [0.01, 0.01], [0.0, 0.01], [0.0, 0.0]];
        let ranking = Ranking::build(&pts, &[0, 5]);
        let mut kept = Vec::new();
        ranking.kept(0, 5, 5, &mut kept);
        assert!(kept.len() >= 4, "{kept:?}");
    }
}
