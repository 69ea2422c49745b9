//! A uniform grid of candidates over an edition's extent: each cell lists, in position
//! order, the shapes whose bounding box reaches into it. Locating a point costs one
//! cell lookup instead of an R-tree descent; the first candidate that contains the
//! point is the answer (the lowest position, as the overlap rule wants).

pub struct CandidateGrid {
    x0: f64,
    y0: f64,
    scale_x: f64,
    scale_y: f64,
    nx: usize,
    ny: usize,
    /// CSR layout: candidates of cell `k` are `items[offsets[k]..offsets[k + 1]]`.
    offsets: Vec<u32>,
    items: Vec<u32>,
}

/// Cells per shape: enough that a cell holds a handful of boxes, few enough that the
/// grid stays small (a few MB for 10,000 communes).
const CELLS_PER_SHAPE: usize = 16;

impl CandidateGrid {
    /// `boxes[i]` is `[min_x, min_y, max_x, max_y]` of shape `i`; empty shapes carry
    /// non-finite boxes and are left out.
    pub fn new(boxes: &[[f64; 4]]) -> Self {
        let finite: Vec<&[f64; 4]> = boxes.iter().filter(|b| b.iter().all(|v| v.is_finite())).collect();
        let mut extent = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for b in &finite {
            extent = [extent[0].min(b[0]), extent[1].min(b[1]), extent[2].max(b[2]), extent[3].max(b[3])];
        }
        let (w, h) = (extent[2] - extent[0], extent[3] - extent[1]);
        if finite.is_empty() || !(w > 0.0 && h > 0.0) {
            return CandidateGrid { x0: 0.0, y0: 0.0, scale_x: 0.0, scale_y: 0.0, nx: 0, ny: 0, offsets: vec![0], items: vec![] };
        }
        let target = (finite.len() * CELLS_PER_SHAPE) as f64;
        let nx = ((target * w / h).sqrt().round() as usize).clamp(1, 4096);
        let ny = ((target / nx as f64).round() as usize).clamp(1, 4096);
        let mut grid = CandidateGrid {
            x0: extent[0],
            y0: extent[1],
            scale_x: nx as f64 / w,
            scale_y: ny as f64 / h,
            nx,
            ny,
            offsets: vec![0; nx * ny + 1],
            items: Vec::new(),
        };
        // Two passes, count then fill, in position order so lists come out sorted.
        let cells_of = |g: &CandidateGrid, b: &[f64; 4]| (g.col(b[0])..=g.col(b[2]), g.row(b[1])..=g.row(b[3]));
        for b in boxes.iter().filter(|b| b.iter().all(|v| v.is_finite())) {
            let (cols, rows) = cells_of(&grid, b);
            for r in rows {
                for c in cols.clone() {
                    grid.offsets[r * nx + c + 1] += 1;
                }
            }
        }
        for k in 0..nx * ny {
            grid.offsets[k + 1] += grid.offsets[k];
        }
        let mut fill = grid.offsets.clone();
        let mut items = vec![0u32; grid.offsets[nx * ny] as usize];
        for (i, b) in boxes.iter().enumerate().filter(|(_, b)| b.iter().all(|v| v.is_finite())) {
            let (cols, rows) = cells_of(&grid, b);
            for r in rows {
                for c in cols.clone() {
                    let slot = &mut fill[r * nx + c];
                    items[*slot as usize] = i as u32;
                    *slot += 1;
                }
            }
        }
        grid.items = items;
        grid
    }

    fn col(&self, x: f64) -> usize {
        (((x - self.x0) * self.scale_x).max(0.0) as usize).min(self.nx - 1)
    }

    fn row(&self, y: f64) -> usize {
        (((y - self.y0) * self.scale_y).max(0.0) as usize).min(self.ny - 1)
    }

    /// Shapes whose box may hold the point, in position order.
    #[inline]
    pub fn candidates(&self, x: f64, y: f64) -> &[u32] {
        let (fx, fy) = ((x - self.x0) * self.scale_x, (y - self.y0) * self.scale_y);
        // Also refuses NaN.
        if !(fx >= 0.0 && fy >= 0.0 && fx <= self.nx as f64 && fy <= self.ny as f64) {
            return &[];
        }
        let k = (fy as usize).min(self.ny - 1) * self.nx + (fx as usize).min(self.nx - 1);
        &self.items[self.offsets[k] as usize..self.offsets[k + 1] as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_boxes_that_reach_a_cell_in_order() {
        let grid = CandidateGrid::new(&[[0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 3.0], [f64::INFINITY; 4], [2.5, 0.0, 3.0, 0.5]]);
        assert_eq!(grid.candidates(1.5, 1.5), &[0, 1]);
        assert!(grid.candidates(0.1, 0.1).contains(&0));
        assert!(!grid.candidates(0.1, 0.1).contains(&1));
        assert!(grid.candidates(2.9, 0.1).contains(&3));
        assert!(grid.candidates(-1.0, 0.0).is_empty());
        assert!(grid.candidates(f64::NAN, 0.0).is_empty());
    }
}
