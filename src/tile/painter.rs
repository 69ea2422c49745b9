//! Draws units and points on one tile's grid: each ring is rebuilt from the arcs at the
//! tile's zoom, clipped to the tile plus its buffer, quantised to the 4096 grid, and
//! written as MVT geometry.
//!
//! Steps per ring ([`Painter::polygon`]): 1. collect the arc points kept at the zoom,
//! passing whole blocks and chunks of points that lie off the tile; 2. clip
//! (Sutherland–Hodgman, [`super::clip`]); 3. round to the grid, dropping repeated points;
//! 4. drop what collapses or is too small to see where dropping opens no gap; 5. wind as
//! MVT wants (exteriors positive with y down).

use super::mercator::tile_bounds;
use super::edition_tiles::{ArcBlock, EditionTiles, ARC_BLOCK, CHUNK};
use super::mvt::Geometry;
use super::simplify::ArcPass;
use super::topology::ArcRef;
use super::{clip, TileId, BUFFER, EXTENT};

/// Rings smaller than this (grid units², a 256 px pixel is 16 × 16 units) are dropped
/// when dropping cannot open a gap: holes (the unit around covers them) and rings
/// whose every arc is unshared (small islands).
pub(super) const MIN_RING_AREA: i64 = 256;

/// Islands smaller than this many pixels a side, as the tile is displayed, are left out of
/// district and province polygons, which the styles draw as dark outlines: a 1–3 px line
/// around an islet of a few pixels blots it out (the islets of Hạ Long bay became black
/// specks). The communes layer still fills and outlines them, and on the boundaries where
/// themes fill districts and provinces each unit's islets come as a feature of their own
/// (`islets=true`), filled and not outlined.
pub(super) const MIN_OUTLINED_ISLAND_PX: f64 = 8.0;

/// Pixels a side of a vector tile as MapLibre displays it.
pub const VECTOR_TILE_PX: u32 = 512;

/// Collects a ring's points, reducing each run of consecutive points that lie wholly
/// beyond one common clip line to the run's first and last points.
pub(super) struct RingBuilder {
    pub(super) points: Vec<[f64; 2]>,
    /// The clip lines (a bit each) every point of the current run lies beyond; 0
    /// when no run is open.
    pub(super) run_beyond: u8,
    /// The run's latest point, written when the run ends.
    pub(super) run_end: Option<[f64; 2]>,
}

impl RingBuilder {
    pub(super) fn new(mut points: Vec<[f64; 2]>) -> RingBuilder {
        points.clear();
        RingBuilder { points, run_beyond: 0, run_end: None }
    }

    /// Adds the next point; `beyond` has a bit set for each clip line the point is
    /// known to lie beyond (0 is always correct: the point is simply kept).
    pub(super) fn add(&mut self, p: [f64; 2], beyond: u8) {
        if self.run_beyond & beyond != 0 {
            self.run_beyond &= beyond;
            self.run_end = Some(p);
            return;
        }
        self.end_run();
        self.points.push(p);
        self.run_beyond = beyond;
    }

    /// Closes the open run, if any: the points that follow are kept as they come
    /// (through `points`, the hot path for the parts of a ring in the tile).
    pub(super) fn end_run(&mut self) {
        self.points.extend(self.run_end.take());
        self.run_beyond = 0;
    }

    pub(super) fn finish(mut self) -> Vec<[f64; 2]> {
        self.points.extend(self.run_end.take());
        self.points
    }
}

/// Per-tile drawing state: the transform to the tile grid and reusable buffers.
pub(super) struct Painter<'a> {
    pub(super) tiles: &'a EditionTiles,
    pub(super) z: u8,
    /// [`MIN_OUTLINED_ISLAND_PX`] squared, in the unit square at the tile's zoom and
    /// display size.
    pub(super) min_outlined_island: f64,
    pub(super) origin: [f64; 2],
    pub(super) scale: f64,
    pub(super) clip_rect: [f64; 4],
    pub(super) buf: Buffers,
}

/// The painter's scratch buffers, kept per thread between tiles: they grow to the
/// largest ring once instead of on every tile.
#[derive(Default)]
pub(super) struct Buffers {
    pub(super) kept: Vec<u32>,
    pub(super) ring: Vec<[f64; 2]>,
    pub(super) clipped: Vec<[f64; 2]>,
    pub(super) scratch: Vec<[f64; 2]>,
    pub(super) grid: Vec<[i32; 2]>,
    pub(super) geometry: Geometry,
}

thread_local! {
    static BUFFERS: std::cell::RefCell<Buffers> = std::cell::RefCell::default();
}

impl<'a> Painter<'a> {
    pub(super) fn new(tiles: &'a EditionTiles, tile: TileId, tile_px: u32) -> Self {
        let [x0, y0, x1, _] = tile_bounds(tile);
        let b = f64::from(BUFFER);
        let e = f64::from(EXTENT);
        // A pixel is the tile's side (x1 − x0 in the unit square) over its display size.
        let island_side = MIN_OUTLINED_ISLAND_PX * (x1 - x0) / f64::from(tile_px.max(1));
        Painter {
            tiles,
            z: tile.z,
            min_outlined_island: island_side * island_side,
            origin: [x0, y0],
            scale: e / (x1 - x0),
            clip_rect: [-b, -b, e + b, e + b],
            buf: BUFFERS.with(|cell| cell.take()),
        }
    }
}

impl Drop for Painter<'_> {
    fn drop(&mut self) {
        let buffers = std::mem::take(&mut self.buf);
        BUFFERS.with(|cell| cell.replace(buffers));
    }
}

impl<'a> Painter<'a> {

    /// The buffered tile in unit coordinates.
    pub(super) fn unit_bounds(&self) -> [f64; 4] {
        let [a, b, c, d] = self.clip_rect;
        [self.origin[0] + a / self.scale, self.origin[1] + b / self.scale, self.origin[0] + c / self.scale, self.origin[1] + d / self.scale]
    }

    pub(super) fn to_grid(&self, p: [f64; 2]) -> [f64; 2] {
        grid_point(self.origin, self.scale, p)
    }

    /// Rebuilds a ring at this zoom in tile-grid coordinates (into `self.buf.ring`).
    ///
    /// A chain of points lying wholly beyond one of the four clip lines (say, every
    /// point east of the buffered tile) contributes nothing to the clipped ring but
    /// the crossings of the edges that enter and leave it, which start and end at its
    /// first and last points: every point in between is removed at that line's stage,
    /// and the shortcut between the two stays beyond the line too. So runs of points
    /// beyond one common line are reduced to their first and last points (see
    /// `RingBuilder`), which gives the same clipped ring at a fraction of the cost.
    /// District and province outlines are tested `ARC_BLOCK` arcs at a time, every
    /// arc by its box, and the kept points of long arcs `CHUNK` points at a time: at
    /// high zooms most of an outline, and much of a long border, lies off the tile.
    pub(super) fn collect_ring(&mut self, arcs: &[ArcRef], blocks: &[ArcBlock]) {
        let mut ring = RingBuilder::new(std::mem::take(&mut self.buf.ring));
        let [bx0, by0, bx1, by1] = self.unit_bounds();
        let beyond = |b: [f64; 4]| u8::from(b[0] > bx1) | u8::from(b[2] < bx0) << 1 | u8::from(b[1] > by1) << 2 | u8::from(b[3] < by0) << 3;
        if blocks.is_empty() {
            self.collect_arcs(arcs, 0, &beyond, &mut ring);
        }
        for (b, block) in blocks.iter().enumerate() {
            let lo = b * ARC_BLOCK;
            let whole = beyond(block.bbox);
            if whole != 0 {
                if lo == 0 {
                    ring.add(self.to_grid(block.first), whole);
                }
                ring.add(self.to_grid(block.last), whole);
            } else {
                self.collect_arcs(&arcs[lo..arcs.len().min(lo + ARC_BLOCK)], lo, &beyond, &mut ring);
            }
        }
        self.buf.ring = ring.finish();
    }

    /// Adds `arcs`, the ring's arcs from position `start`, to `ring`.
    pub(super) fn collect_arcs(&mut self, arcs: &[ArcRef], start: usize, beyond: &impl Fn([f64; 4]) -> u8, ring: &mut RingBuilder) {
        let topo = &self.tiles.topo;
        let (scale, origin, z) = (self.scale, self.origin, self.z);
        let grid = |j: usize| grid_point(origin, scale, topo.points[j]);
        for (k, r) in arcs.iter().enumerate() {
            let k = start + k;
            let i = r.index();
            let (s, e) = (topo.starts[i] as usize, topo.starts[i + 1] as usize);
            let (first, last) = if r.reversed() { (e - 1, s) } else { (s, e - 1) };
            let whole = beyond(self.tiles.arc_boxes[i]);
            if whole != 0 {
                if k == 0 {
                    ring.add(grid(first), whole);
                }
                ring.add(grid(last), whole);
            } else if e - s < 4 * CHUNK || !self.tiles.ranking.densely_kept(s, e, z) {
                // A short arc, or few points at this zoom: take them as they come.
                ring.end_run();
                let points = &mut ring.points;
                self.tiles.ranking.visit_kept(ArcPass { start: s, end: e, zoom: z, reversed: r.reversed(), skip_first: k > 0 }, &mut self.buf.kept, |j| points.push(grid(j)));
            } else {
                // A long arc with many points kept: a chunk beyond a clip line gives
                // only its first and last kept points, and the points in between are
                // never read.
                let zooms = &self.tiles.ranking.zooms;
                let kept = |j: &usize| zooms[*j] <= z;
                let chunk = |lo: usize, hi: usize, ring: &mut RingBuilder| {
                    let m = beyond(self.tiles.chunk_boxes[lo / CHUNK]);
                    if m == 0 {
                        ring.end_run();
                        if r.reversed() {
                            (lo..hi).rev().filter(kept).for_each(|j| ring.points.push(grid(j)));
                        } else {
                            (lo..hi).filter(kept).for_each(|j| ring.points.push(grid(j)));
                        }
                    } else {
                        let (a, b) = if r.reversed() { ((lo..hi).rev().find(kept), (lo..hi).find(kept)) } else { ((lo..hi).find(kept), (lo..hi).rev().find(kept)) };
                        if let (Some(a), Some(b)) = (a, b) {
                            ring.add(grid(a), m);
                            if b != a {
                                ring.add(grid(b), m);
                            }
                        }
                    }
                };
                let skip = usize::from(k > 0);
                if r.reversed() {
                    let mut hi = e - skip;
                    while hi > s {
                        let lo = s.max((hi - 1) / CHUNK * CHUNK);
                        chunk(lo, hi, ring);
                        hi = lo;
                    }
                } else {
                    let mut lo = s + skip;
                    while lo < e {
                        let hi = e.min((lo / CHUNK + 1) * CHUNK);
                        chunk(lo, hi, ring);
                        lo = hi;
                    }
                }
            }
        }
    }

    /// Clips and quantises the collected ring; writes it into the geometry when it
    /// keeps an area of at least `min_area` (grid units²; 0: any area). `exterior` sets
    /// the winding the spec asks for.
    pub(super) fn emit_ring(&mut self, exterior: bool, min_area: i64) -> bool {
        let [cx0, cy0, cx1, cy1] = self.clip_rect;
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in &self.buf.ring {
            (x0, y0, x1, y1) = (x0.min(p[0]), y0.min(p[1]), x1.max(p[0]), y1.max(p[1]));
        }
        if x1 < cx0 || x0 > cx1 || y1 < cy0 || y0 > cy1 {
            return false;
        }
        let source = if x0 >= cx0 && x1 <= cx1 && y0 >= cy0 && y1 <= cy1 {
            &self.buf.ring
        } else {
            clip::clip_ring(&self.buf.ring, [x0, y0, x1, y1], self.clip_rect, &mut self.buf.clipped, &mut self.buf.scratch);
            &self.buf.clipped
        };
        self.buf.grid.clear();
        for p in source {
            let q = [round(p[0]), round(p[1])];
            if self.buf.grid.last() != Some(&q) {
                self.buf.grid.push(q);
            }
        }
        while self.buf.grid.len() > 1 && self.buf.grid.first() == self.buf.grid.last() {
            self.buf.grid.pop();
        }
        if self.buf.grid.len() < 3 {
            return false;
        }
        let n = self.buf.grid.len();
        let cross = |a: [i32; 2], b: [i32; 2]| i64::from(a[0]) * i64::from(b[1]) - i64::from(b[0]) * i64::from(a[1]);
        let area2: i64 = self.buf.grid.windows(2).map(|w| cross(w[0], w[1])).sum::<i64>() + cross(self.buf.grid[n - 1], self.buf.grid[0]);
        if area2 == 0 || area2.abs() < 2 * min_area {
            return false;
        }
        // MVT: exteriors have positive area with y down, holes negative.
        if (area2 > 0) != exterior {
            self.buf.grid.reverse();
        }
        self.buf.geometry.ring(&self.buf.grid);
        true
    }

    /// Draws a unit's polygons into `self.buf.geometry`; false when nothing is in the tile.
    /// `drop_small_holes`: communes may lose sub-pixel holes (the commune inside, or
    /// water, is all that is hidden); districts and provinces keep them, so that their
    /// coverage is that of their communes (a lagoon stays open in both).
    pub(super) fn polygon<'r>(&mut self, rings: impl Iterator<Item = (bool, &'r [ArcRef], &'r [ArcBlock])>, drop_small_holes: bool) -> bool {
        self.buf.geometry.clear();
        let mut has_exterior = false;
        let topo = &self.tiles.topo;
        for (exterior, arcs, blocks) in rings {
            // Holes follow their exterior; a hole without a drawn exterior is skipped.
            if !exterior && !has_exterior {
                continue;
            }
            let unshared = arcs.iter().all(|a| topo.uses[a.index()] < 2);
            self.collect_ring(arcs, blocks);
            let droppable = if exterior { unshared } else { drop_small_holes };
            let min_area = if droppable { MIN_RING_AREA } else { 0 };
            let drawn = self.emit_ring(exterior, min_area);
            has_exterior |= exterior && drawn;
        }
        has_exterior
    }

    pub(super) fn point(&mut self, p: [f64; 2]) -> bool {
        self.buf.geometry.clear();
        let g = self.to_grid(p);
        let [cx0, cy0, cx1, cy1] = self.clip_rect;
        if g[0] < cx0 || g[0] > cx1 || g[1] < cy0 || g[1] > cy1 {
            return false;
        }
        self.buf.geometry.point([round(g[0]), round(g[1])]);
        true
    }
}

/// `p` (unit square) on the grid of the tile whose corner is `origin`, `scale` grid
/// units per unit.
#[inline]
pub(super) fn grid_point(origin: [f64; 2], scale: f64, p: [f64; 2]) -> [f64; 2] {
    [(p[0] - origin[0]) * scale, (p[1] - origin[1]) * scale]
}

/// Rounds half away from zero, as `f64::round`, but inline: without SSE4.1 in the
/// baseline target `round` is a library call, and it runs once per output vertex.
/// Tile-grid values are far inside i32, so the truncating cast is exact.
#[inline]
pub(super) fn round(v: f64) -> i32 {
    if v >= 0.0 {
        (v + 0.5) as i32
    } else {
        (v - 0.5) as i32
    }
}


#[cfg(test)]
mod tests {
    use super::super::mercator::bounds;
    use super::{clip, RingBuilder};

    fn area(r: &[[f64; 2]]) -> f64 {
        let n = r.len();
        (0..n).map(|i| r[i][0] * r[(i + 1) % n][1] - r[(i + 1) % n][0] * r[i][1]).sum::<f64>() / 2.0
    }

    fn clipped(ring: &[[f64; 2]], rect: [f64; 4]) -> Vec<[f64; 2]> {
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        clip::clip_ring(ring, bounds(ring), rect, &mut out, &mut scratch);
        out
    }

    proptest::proptest! {
        // Reducing runs beyond a clip line to their ends clips to the same polygon.
        #[test]
        fn runs_beyond_a_line_clip_like_the_whole_ring(pts in proptest::collection::vec((-2.0f64..3.0, -2.0f64..3.0), 3..40), known in 0u8..16) {
            let rect = [0.0, 0.0, 1.0, 1.0];
            let ring: Vec<[f64; 2]> = pts.iter().map(|&(x, y)| [x, y]).collect();
            let mut builder = RingBuilder::new(Vec::new());
            for &p in &ring {
                let beyond = u8::from(p[0] > rect[2]) | u8::from(p[0] < rect[0]) << 1 | u8::from(p[1] > rect[3]) << 2 | u8::from(p[1] < rect[1]) << 3;
                // Callers may know only some of the lines a point lies beyond.
                builder.add(p, beyond & known);
            }
            let reduced = builder.finish();
            proptest::prop_assert!(reduced.len() <= ring.len());
            let (a, b) = (area(&clipped(&ring, rect)), area(&clipped(&reduced, rect)));
            proptest::prop_assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
    }

    #[test]
    fn inline_round_matches_f64_round_on_the_tile_grid() {
        // Every multiple of 1/64 in and around the buffered tile, halves included.
        for k in -(5000 * 64)..=(5000 * 64) {
            let v = f64::from(k) / 64.0;
            assert_eq!(super::round(v), v.round() as i32, "{v}");
        }
    }
}

