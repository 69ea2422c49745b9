//! Web Mercator (EPSG:3857) normalised to the unit square: x and y in [0, 1], y
//! growing southwards as tile rows do. Tile (z, x, y) spans [x, x+1] · 2^-z.

use super::TileId;
use std::f64::consts::PI;

/// Latitude where Web Mercator is cut (the square's edge).
pub const MAX_LAT: f64 = 85.051_128_779_806_59;

/// Projects degrees to the unit square.
#[inline]
pub fn project(lon: f64, lat: f64) -> [f64; 2] {
    let lat = lat.clamp(-MAX_LAT, MAX_LAT);
    let sin = lat.to_radians().sin();
    let x = lon / 360.0 + 0.5;
    let y = 0.5 - 0.25 * ((1.0 + sin) / (1.0 - sin)).ln() / PI;
    [x, y]
}

/// Back to degrees.
pub fn unproject(x: f64, y: f64) -> [f64; 2] {
    let lon = (x - 0.5) * 360.0;
    let lat = (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees();
    [lon, lat]
}

/// The tile's square in unit coordinates: `[min_x, min_y, max_x, max_y]`.
pub fn tile_bounds(t: TileId) -> [f64; 4] {
    let size = 1.0 / f64::from(1u32 << t.z);
    let (x0, y0) = (f64::from(t.x) * size, f64::from(t.y) * size);
    [x0, y0, x0 + size, y0 + size]
}

/// The box `[min_x, min_y, max_x, max_y]` of points in the plane (the unit square or a
/// tile's grid).
pub fn bounds(points: &[[f64; 2]]) -> [f64; 4] {
    points.iter().fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, p| [b[0].min(p[0]), b[1].min(p[1]), b[2].max(p[0]), b[3].max(p[1])])
}

/// Whether the boxes `a` and `b` share a point (edges included).
pub fn overlaps(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// Whether `p` lies in the box `b` (edges included).
pub fn in_box(b: [f64; 4], p: [f64; 2]) -> bool {
    p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3]
}

/// Squared distance between two points in the plane.
pub fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_known_tiles() {
        let [x, y] = project(105.85, 21.03);
        let [lon, lat] = unproject(x, y);
        assert!((lon - 105.85).abs() < 1e-9 && (lat - 21.03).abs() < 1e-9);
        // Hà Nội is in tile 8/203/112 (OSM numbering).
        assert_eq!(((x * 256.0) as u32, (y * 256.0) as u32), (203, 112));
        // The z0 tile spans the whole Web Mercator square.
        let [x0, y0, x1, y1] = tile_bounds(TileId { z: 0, x: 0, y: 0 });
        let ([w, n], [e, s]) = (unproject(x0, y0), unproject(x1, y1));
        assert!((w + 180.0).abs() < 1e-9 && (e - 180.0).abs() < 1e-9);
        assert!((n - MAX_LAT).abs() < 1e-9 && (s + MAX_LAT).abs() < 1e-9);
    }
}
