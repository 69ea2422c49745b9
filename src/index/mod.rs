//! Spatial indexes over one edition's communes and over point features.
//!
//! Steps at build time:
//!   1. prepare each commune's polygon ([`PreparedArea`]): flatten its rings and bucket
//!      its edges into horizontal bands, so a point test reads a handful of edges
//!      instead of the ~1,800 of a typical real commune;
//!   2. bulk-load an `rstar` R-tree of the communes' bounding boxes.
//!
//!   3. lay a uniform grid of candidates over the edition ([`grid::CandidateGrid`]).
//!
//! Per point query: 1. the grid cell of the point lists the communes whose box reaches
//! it, in code order; 2. each is tested exactly (its inside/outside raster first, the
//! banded crossing test only near its edges); the first that contains the point
//! answers. The R-tree serves bounding-box queries.
//!
//! Answers on borders and overlaps are deterministic:
//! - a point exactly on a border shared by two communes belongs to exactly one of them:
//!   the one it would fall in if moved an infinitesimal step north, then east
//!   (half-open crossing rule, see [`PreparedArea::contains`]);
//! - where real boundary files overlap (neighbours digitised separately), the commune
//!   with the lowest code wins.

mod grid;
mod points;
mod prepared;

pub use points::{Nearby, PointIndex};
pub use prepared::PreparedArea;

use crate::model::LonLat;
use rstar::{primitives::GeomWithData, primitives::Rectangle, RTree, AABB};

type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;

/// Point-in-polygon index over the communes of one edition. Positions are the
/// communes' positions in the edition's commune list (sorted by code).
pub struct AreaIndex {
    areas: Vec<PreparedArea>,
    tree: RTree<BoxEntry>,
    grid: grid::CandidateGrid,
}

impl AreaIndex {
    /// Builds the index; `areas[i]` is the shape of unit `i`.
    pub fn new(areas: Vec<PreparedArea>) -> Self {
        let entries = areas
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.is_empty())
            .map(|(i, a)| {
                let [x0, y0, x1, y1] = a.bbox();
                GeomWithData::new(Rectangle::from_corners([x0, y0], [x1, y1]), i as u32)
            })
            .collect();
        let boxes: Vec<[f64; 4]> = areas.iter().map(PreparedArea::bbox).collect();
        AreaIndex { grid: grid::CandidateGrid::new(&boxes), areas, tree: RTree::bulk_load(entries) }
    }

    /// The unit containing the point (lowest position first where shapes overlap).
    #[inline]
    pub fn locate(&self, p: LonLat) -> Option<usize> {
        self.grid
            .candidates(p.lon, p.lat)
            .iter()
            .map(|&i| i as usize)
            .find(|&i| self.areas[i].contains(p.lon, p.lat))
    }

    /// Every unit containing the point, in position order (more than one only where
    /// the boundary file overlaps itself). Same candidates and test as [`Self::locate`].
    pub fn locate_all(&self, p: LonLat) -> Vec<usize> {
        self.grid
            .candidates(p.lon, p.lat)
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| self.areas[i].contains(p.lon, p.lat))
            .collect()
    }

    /// Units whose bounding box intersects `[min_lon, min_lat, max_lon, max_lat]`.
    pub fn in_bbox(&self, bbox: [f64; 4]) -> impl Iterator<Item = usize> + '_ {
        let env = AABB::from_corners([bbox[0], bbox[1]], [bbox[2], bbox[3]]);
        self.tree.locate_in_envelope_intersecting(&env).map(|e| e.data as usize)
    }

    pub fn area(&self, i: usize) -> &PreparedArea {
        &self.areas[i]
    }

    pub fn len(&self) -> usize {
        self.areas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.areas.is_empty()
    }

    /// Vertices held, all shapes together.
    pub fn vertex_count(&self) -> usize {
        self.areas.iter().map(PreparedArea::vertex_count).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, MultiPolygon};

    fn square(x0: f64, y0: f64, x1: f64, y1: f64) -> PreparedArea {
        PreparedArea::new(&MultiPolygon(vec![polygon![
            (x: x0, y: y0), (x: x1, y: y0), (x: x1, y: y1), (x: x0, y: y1), (x: x0, y: y0)
        ]]))
    }

    #[test]
    fn shared_border_points_get_exactly_one_answer() {
        // Two squares sharing the border x = 1; a third above sharing y = 1.
        let index = AreaIndex::new(vec![
            square(0.0, 0.0, 1.0, 1.0),
            square(1.0, 0.0, 2.0, 1.0),
            square(0.0, 1.0, 2.0, 2.0),
        ]);
        // On the north–south border: the eastern square.
        assert_eq!(index.locate_all(LonLat::new(1.0, 0.5)), vec![1]);
        // On the east–west border: the northern one.
        assert_eq!(index.locate_all(LonLat::new(0.5, 1.0)), vec![2]);
        // At the corner where all three meet: still one.
        assert_eq!(index.locate_all(LonLat::new(1.0, 1.0)).len(), 1);
        assert_eq!(index.locate(LonLat::new(3.0, 0.5)), None);
    }

    #[test]
    fn overlaps_resolve_to_the_lowest_position() {
        let index = AreaIndex::new(vec![square(0.0, 0.0, 2.0, 2.0), square(1.0, 1.0, 3.0, 3.0)]);
        assert_eq!(index.locate_all(LonLat::new(1.5, 1.5)), vec![0, 1]);
        assert_eq!(index.locate(LonLat::new(1.5, 1.5)), Some(0));
        assert_eq!(index.locate(LonLat::new(2.5, 2.5)), Some(1));
    }
}
