//! Geographic positions in WGS84 degrees.

/// A WGS84 position in degrees.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct LonLat {
    pub lon: f64,
    pub lat: f64,
}

/// Vietnam's extent, the far islands (Hoàng Sa, Trường Sa) included, with a margin:
/// `[min_lon, min_lat, max_lon, max_lat]`. Coordinates outside it are refused as input
/// errors (usually swapped lon/lat or a projected CRS).
pub const VIETNAM_EXTENT: [f64; 4] = [101.5, 6.0, 118.5, 24.0];

impl LonLat {
    pub fn new(lon: f64, lat: f64) -> Self {
        LonLat { lon, lat }
    }

    /// True when the position is finite and inside [`VIETNAM_EXTENT`].
    pub fn in_vietnam_extent(self) -> bool {
        let [x0, y0, x1, y1] = VIETNAM_EXTENT;
        self.lon.is_finite()
            && self.lat.is_finite()
            && (x0..=x1).contains(&self.lon)
            && (y0..=y1).contains(&self.lat)
    }

    /// Great-circle distance in metres (haversine on the mean Earth radius; errors
    /// under 0.5% against the ellipsoid, well within what "nearby" needs).
    pub fn distance_m(self, other: LonLat) -> f64 {
        const R: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().min(1.0).asin()
    }
}

impl From<LonLat> for geo::Coord<f64> {
    fn from(p: LonLat) -> Self {
        geo::Coord { x: p.lon, y: p.lat }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hanoi_to_ho_chi_minh_city_is_about_1140_km() {
        let hn = LonLat::new(105.8342, 21.0278);
        let hcm = LonLat::new(106.6297, 10.8231);
        let d = hn.distance_m(hcm);
        assert!((1_130_000.0..1_150_000.0).contains(&d), "{d}");
    }

    #[test]
    fn extent_covers_the_far_islands_and_refuses_swapped_coordinates() {
        assert!(LonLat::new(112.33, 16.83).in_vietnam_extent()); // Hoàng Sa
        assert!(LonLat::new(114.33, 8.64).in_vietnam_extent()); // Trường Sa
        assert!(!LonLat::new(21.0, 105.9).in_vietnam_extent());
        assert!(!LonLat::new(f64::NAN, 10.0).in_vietnam_extent());
    }
}
