//! Nearest point features (pilots, tourism sites) within a radius in metres.
//!
//! The R-tree holds lon/lat points; a query first takes the lon/lat window that the
//! radius spans at the query's latitude (a superset), then keeps the points whose
//! great-circle distance is within the radius, nearest first.

use crate::model::LonLat;
use rstar::{primitives::GeomWithData, RTree, AABB};

/// Metres per degree of latitude (mean); the window is widened by 1% to stay a superset.
const METRES_PER_DEGREE: f64 = 111_195.0 * 0.99;

pub struct PointIndex {
    tree: RTree<GeomWithData<[f64; 2], u32>>,
}

/// A point feature near a query, by its position in the feature list.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nearby {
    pub position: usize,
    pub distance_m: f64,
}

impl PointIndex {
    pub fn new(points: impl IntoIterator<Item = LonLat>) -> Self {
        let entries =
            points.into_iter().enumerate().map(|(i, p)| GeomWithData::new([p.lon, p.lat], i as u32)).collect();
        PointIndex { tree: RTree::bulk_load(entries) }
    }

    /// Features within `radius_m` of `p`, nearest first (ties by position).
    pub fn within(&self, p: LonLat, radius_m: f64) -> Vec<Nearby> {
        let dlat = radius_m / METRES_PER_DEGREE;
        let cos = p.lat.to_radians().cos().max(0.01);
        let dlon = dlat / cos;
        let env = AABB::from_corners([p.lon - dlon, p.lat - dlat], [p.lon + dlon, p.lat + dlat]);
        let mut hits: Vec<Nearby> = self
            .tree
            .locate_in_envelope(&env)
            .filter_map(|e| {
                let d = p.distance_m(LonLat::new(e.geom()[0], e.geom()[1]));
                (d <= radius_m).then_some(Nearby { position: e.data as usize, distance_m: d })
            })
            .collect();
        hits.sort_by(|a, b| a.distance_m.total_cmp(&b.distance_m).then(a.position.cmp(&b.position)));
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_points_within_the_radius_nearest_first() {
        let origin = LonLat::new(105.9641, 21.0024);
        // ~1.04 km east, ~2.2 km north, ~5.5 km west.
        let index = PointIndex::new([
            LonLat::new(105.974, 21.0024),
            LonLat::new(105.9641, 21.0224),
            LonLat::new(105.911, 21.0024),
        ]);
        let hits = index.within(origin, 3_000.0);
        assert_eq!(hits.iter().map(|h| h.position).collect::<Vec<_>>(), vec![0, 1]);
        assert!((hits[0].distance_m - 1_028.0).abs() < 20.0, "{:?}", hits[0]);
        assert!(index.within(origin, 500.0).is_empty());
    }
}
