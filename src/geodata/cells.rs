//! Generated commune boundaries: Voronoi cells of the communes' sites, clipped to the
//! national outline, with borders shared exactly between neighbours.
//!
//! Steps:
//!   1. read the Natural Earth outline and repair it (it is invalid as delivered: a ring
//!      crosses itself near 106.566, 20.378): a union of its parts through geo's
//!      BooleanOps rebuilds valid rings;
//!   2. the domain is that outline plus a small square around every site the coarse
//!      outline misses (wards on Hạ Long bay, Lũng Cú at the northern tip, the far
//!      islands of Hoàng Sa and Trường Sa), so every commune gets land;
//!   3. Delaunay-triangulate the sites (spade) with four far-away guard sites, so every
//!      real site's Voronoi cell is bounded; a cell is the circumcentres of the triangles
//!      around its site, each circumcentre computed once and shared by its three cells;
//!   4. cells that cross the domain's boundary are intersected with it (BooleanOps);
//!      the others are kept exactly;
//!   5. BooleanOps re-quantises coordinates per call, so every vertex is welded to the
//!      first vertex seen within 1e-6° (10 cm): both sides of a border end up with
//!      bit-identical vertices. Islands stay separate parts; nothing leaves the domain.

use crate::index::PreparedArea;
use anyhow::{anyhow, Context, Result};
use geo::{Area, BooleanOps, BoundingRect, Coord, LineString, MultiPolygon, Polygon};
use rstar::{primitives::Rectangle, RTree, AABB};
use spade::{DelaunayTriangulation, HasPosition, Point2, Triangulation};
use std::collections::HashMap;
use std::path::Path;

/// Reads the outline GeoJSON and returns it repaired (valid, unioned parts).
pub fn read_outline(path: &Path) -> Result<MultiPolygon<f64>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let geojson: geojson::GeoJson = text.parse().with_context(|| format!("{}: not GeoJSON", path.display()))?;
    let collection: geo::GeometryCollection<f64> =
        geo::GeometryCollection::<f64>::try_from(&geojson).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    let mut polygons = Vec::new();
    for g in collection {
        match g {
            geo::Geometry::Polygon(p) => polygons.push(p),
            geo::Geometry::MultiPolygon(m) => polygons.extend(m.0),
            _ => {}
        }
    }
    anyhow::ensure!(!polygons.is_empty(), "{}: no polygon", path.display());
    Ok(geo::unary_union(&polygons))
}

/// The outline plus a square around each site it misses; half-width at most 0.02°
/// (0.05° for isolated islands), and under half the distance to the nearest site.
pub fn domain(outline: &MultiPolygon<f64>, sites: &[[f64; 2]]) -> (MultiPolygon<f64>, usize) {
    let land = PreparedArea::new(outline);
    let tree = RTree::bulk_load(sites.to_vec());
    let mut squares = Vec::new();
    for &s in sites {
        if land.contains(s[0], s[1]) {
            continue;
        }
        let nearest = tree
            .nearest_neighbor_iter(&s)
            .find(|q| *q != &s)
            .map_or(1.0, |q| ((q[0] - s[0]).powi(2) + (q[1] - s[1]).powi(2)).sqrt());
        let r = if nearest > 0.2 { 0.05 } else { (0.45 * nearest).min(0.02) };
        squares.push(square(s, r));
    }
    let missed = squares.len();
    let squares = geo::unary_union(&squares);
    (outline.union(&squares), missed)
}

fn square(c: [f64; 2], r: f64) -> Polygon<f64> {
    Polygon::new(
        LineString::from(vec![
            (c[0] - r, c[1] - r),
            (c[0] + r, c[1] - r),
            (c[0] + r, c[1] + r),
            (c[0] - r, c[1] + r),
            (c[0] - r, c[1] - r),
        ]),
        vec![],
    )
}

/// The Voronoi cell of each site, clipped to `domain`, welded. `sites` must be distinct.
pub fn clipped_cells(sites: &[[f64; 2]], domain: &MultiPolygon<f64>, welder: &mut Welder) -> Result<Vec<MultiPolygon<f64>>> {
    let raw = voronoi_cells(sites)?;
    let boundary = boundary_edges(domain);
    let mut out = Vec::with_capacity(raw.len());
    for cell in raw {
        let rect = cell.bounding_rect().ok_or_else(|| anyhow!("empty Voronoi cell"))?;
        let env = AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        let crosses_boundary = boundary.locate_in_envelope_intersecting(&env).next().is_some();
        let clipped = if crosses_boundary { cell.intersection(domain) } else { MultiPolygon(vec![cell]) };
        out.push(welder.weld(&clipped));
    }
    Ok(out)
}

fn boundary_edges(domain: &MultiPolygon<f64>) -> RTree<Rectangle<[f64; 2]>> {
    let mut edges = Vec::new();
    for p in &domain.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for l in ring.lines() {
                edges.push(Rectangle::from_corners([l.start.x, l.start.y], [l.end.x, l.end.y]));
            }
        }
    }
    RTree::bulk_load(edges)
}

struct Site {
    position: Point2<f64>,
}

impl HasPosition for Site {
    type Scalar = f64;
    fn position(&self) -> Point2<f64> {
        self.position
    }
}

/// Unclipped, bounded Voronoi cells (convex, counter-clockwise), one per site.
fn voronoi_cells(sites: &[[f64; 2]]) -> Result<Vec<Polygon<f64>>> {
    let mut tri: DelaunayTriangulation<Site> = DelaunayTriangulation::new();
    let mut handles = Vec::with_capacity(sites.len());
    for s in sites {
        let h = tri.insert(Site { position: Point2::new(s[0], s[1]) }).map_err(|e| anyhow!("site {s:?}: {e:?}"))?;
        handles.push(h);
    }
    // Guard sites far outside the sites' extent: every real cell becomes bounded.
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for s in sites {
        (x0, y0, x1, y1) = (x0.min(s[0]), y0.min(s[1]), x1.max(s[0]), y1.max(s[1]));
    }
    let margin = 10.0 * (x1 - x0).max(y1 - y0).max(1.0);
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

/// Snaps vertices to the first vertex seen within `TOLERANCE`, so that computations of
/// the same point in two cells (which may differ in the last bits) become identical.
#[derive(Default)]
pub struct Welder {
    grid: HashMap<(i64, i64), Vec<Coord<f64>>>,
}

const TOLERANCE: f64 = 1e-6;
/// Parts smaller than this (deg², about 1 m²) are BooleanOps crumbs, not land.
const MIN_PART_AREA: f64 = 1e-10;

impl Welder {
    fn snap(&mut self, p: Coord<f64>) -> Coord<f64> {
        let key = ((p.x / TOLERANCE).floor() as i64, (p.y / TOLERANCE).floor() as i64);
        for dx in -1..=1 {
            for dy in -1..=1 {
                if let Some(list) = self.grid.get(&(key.0 + dx, key.1 + dy)) {
                    if let Some(q) = list.iter().find(|q| (q.x - p.x).abs() <= TOLERANCE && (q.y - p.y).abs() <= TOLERANCE) {
                        return *q;
                    }
                }
            }
        }
        self.grid.entry(key).or_default().push(p);
        p
    }

    fn ring(&mut self, ring: &LineString<f64>) -> Option<LineString<f64>> {
        let mut out: Vec<Coord<f64>> = Vec::with_capacity(ring.0.len());
        for &c in &ring.0 {
            let c = self.snap(c);
            if out.last() != Some(&c) {
                out.push(c);
            }
        }
        if out.first() != out.last() {
            out.push(out[0]);
        }
        (out.len() >= 4).then_some(LineString(out))
    }

    /// Welds every vertex; drops crumbs; orients exteriors CCW and holes CW.
    pub fn weld(&mut self, shape: &MultiPolygon<f64>) -> MultiPolygon<f64> {
        use geo::orient::{Direction, Orient};
        let polygons = shape
            .0
            .iter()
            .filter_map(|p| {
                let exterior = self.ring(p.exterior())?;
                let holes = p.interiors().iter().filter_map(|h| self.ring(h)).collect();
                let polygon = Polygon::new(exterior, holes);
                (polygon.unsigned_area() >= MIN_PART_AREA).then_some(polygon)
            })
            .collect();
        MultiPolygon(polygons).orient(Direction::Default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_tile_the_domain_and_hold_their_sites() {
        let domain = MultiPolygon(vec![square([0.5, 0.5], 0.5), square([3.0, 0.5], 0.2)]);
        let sites: Vec<[f64; 2]> =
            (0..40).map(|i| [0.05 + (i % 7) as f64 * 0.13, 0.05 + (i / 7) as f64 * 0.17 + (i % 3) as f64 * 0.01]).chain([[3.0, 0.5]]).collect();
        let cells = clipped_cells(&sites, &domain, &mut Welder::default()).unwrap();
        let total: f64 = cells.iter().map(|c| c.unsigned_area()).sum();
        // BooleanOps quantises to ~1e-8°, so areas agree to that order, not to the last bit.
        assert!((total - domain.unsigned_area()).abs() < 1e-6, "{total}");
        for (cell, s) in cells.iter().zip(&sites) {
            assert!(PreparedArea::new(cell).contains(s[0], s[1]), "site {s:?} outside its cell");
        }
        // The island site's cell is the island alone, not a bridge to the mainland.
        assert_eq!(cells[40].0.len(), 1);
        assert!((cells[40].unsigned_area() - 0.16).abs() < 1e-6);
    }
}
