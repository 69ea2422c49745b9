//! Voronoi cells of a set of sites: the division of a 2025 commune among the 2024
//! communes it took ([`super::nested`]).
//!
//! Steps:
//!   1. Delaunay-triangulate the sites (spade) with four far-away guard sites, so every
//!      real site's cell is bounded;
//!   2. a cell is the circumcentres of the triangles around its site, each circumcentre
//!      computed once and shared by its three cells, so neighbouring cells have
//!      bit-identical vertices along their common edge.

use anyhow::{anyhow, Result};
use geo::{Coord, LineString, Polygon};
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};
use std::collections::HashMap;

struct Site {
    position: Point2<f64>,
}

impl HasPosition for Site {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.position
    }
}

/// Bounded Voronoi cells (convex, counter-clockwise), one per site, which together cover
/// the box `cover` (`[min_x, min_y, max_x, max_y]`) whole.
pub fn voronoi_cells(sites: &[[f64; 2]], cover: [f64; 4]) -> Result<Vec<Polygon<f64>>> {
    let mut tri: DelaunayTriangulation<Site> = DelaunayTriangulation::new();
    let mut handles = Vec::with_capacity(sites.len());
    for s in sites {
        let h = tri.insert(Site { position: Point2::new(s[0], s[1]) }).map_err(|e| anyhow!("site {s:?}: {e:?}"))?;
        handles.push(h);
    }
    // Guard sites far outside the box around the sites and `cover`: every real cell
    // becomes bounded, and no point of `cover` is nearer a guard than a site. A point of
    // the box is within its diagonal of every site, and over `margin` from every guard.
    let [mut x0, mut y0, mut x1, mut y1] = cover;
    for s in sites {
        (x0, y0, x1, y1) = (x0.min(s[0]), y0.min(s[1]), x1.max(s[0]), y1.max(s[1]));
    }
    let margin = 2.0 * (x1 - x0).hypot(y1 - y0) + 1.0;
    for (x, y) in [(x0 - margin, y0 - margin), (x1 + margin, y0 - margin), (x1 + margin, y1 + margin), (x0 - margin, y1 + margin)] {
        tri.insert(Site { position: Point2::new(x, y) }).map_err(|e| anyhow!("guard site: {e:?}"))?;
    }
    anyhow::ensure!(tri.num_vertices() == sites.len() + 4, "sites are not distinct");
    let mut centres: HashMap<usize, Coord<f64>> = HashMap::new();
    let mut cells = Vec::with_capacity(sites.len());
    for (h, s) in handles.iter().zip(sites) {
        let mut ring: Vec<Coord<f64>> = Vec::new();
        for edge in tri.vertex(*h).out_edges() {
            let face = edge.face().as_inner().ok_or_else(|| anyhow!("unbounded cell at {s:?}"))?;
            let c = *centres.entry(face.fix().index()).or_insert_with(|| {
                let p = face.circumcenter();
                Coord { x: p.x, y: p.y }
            });
            if ring.last() != Some(&c) {
                ring.push(c);
            }
        }
        // Order counter-clockwise around the site (the cell is convex).
        ring.sort_by(|a, b| (a.y - s[1]).atan2(a.x - s[0]).total_cmp(&(b.y - s[1]).atan2(b.x - s[0])));
        ring.dedup();
        ring.push(ring[0]);
        cells.push(Polygon::new(LineString(ring), vec![]));
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{Area, Contains, Point};

    #[test]
    fn cells_hold_their_sites_and_share_their_edges() {
        let sites: Vec<[f64; 2]> = (0..40).map(|i| [0.05 + (i % 7) as f64 * 0.13, 0.05 + (i / 7) as f64 * 0.17 + (i % 3) as f64 * 0.01]).collect();
        let cells = voronoi_cells(&sites, [-3.0, -3.0, 4.0, 4.0]).unwrap();
        // They cover the box: their areas within it add up to its area.
        let cover = geo::Rect::new((-3.0, -3.0), (4.0, 4.0)).to_polygon();
        let inside: f64 = cells.iter().map(|c| geo::BooleanOps::intersection(c, &cover).unsigned_area()).sum();
        assert!((inside - 49.0).abs() < 1e-6, "{inside}");
        for (cell, s) in cells.iter().zip(&sites) {
            assert!(cell.contains(&Point::new(s[0], s[1])), "site {s:?} outside its cell");
            assert!(cell.signed_area() > 0.0, "cell of {s:?} is not counter-clockwise");
        }
        // An edge of one cell is, reversed and bit for bit, an edge of another.
        let edges: std::collections::HashSet<[u64; 4]> = cells
            .iter()
            .flat_map(|c| c.exterior().lines().map(|l| [l.start.x.to_bits(), l.start.y.to_bits(), l.end.x.to_bits(), l.end.y.to_bits()]))
            .collect();
        let shared = edges.iter().filter(|e| edges.contains(&[e[2], e[3], e[0], e[1]])).count();
        assert!(shared >= 2 * (40 + 40), "{shared} shared edges");
    }
}
