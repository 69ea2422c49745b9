//! Pictures read back independently of bando's renderer: PNG decoded with the png crate,
//! pixels located with the spherical Web Mercator formulas, colours from `#rrggbb`.

use super::{Raw, Server};
use std::f64::consts::PI;

/// World pixel (at 256 px tiles) of a lon/lat at zoom z: spherical Web Mercator.
pub fn world_pixel(lon: f64, lat: f64, z: u8) -> (f64, f64) {
    let size = 256.0 * f64::from(1u32 << z);
    let x = (lon + 180.0) / 360.0 * size;
    let s = lat.to_radians().sin();
    let y = (0.5 - ((1.0 + s) / (1.0 - s)).ln() / (4.0 * PI)) * size;
    (x, y)
}

/// The lon/lat of a world pixel at zoom z.
pub fn lon_lat_of_pixel(px: f64, py: f64, z: u8) -> (f64, f64) {
    let size = 256.0 * f64::from(1u32 << z);
    let lon = px / size * 360.0 - 180.0;
    let lat = (PI * (1.0 - 2.0 * py / size)).sinh().atan().to_degrees();
    (lon, lat)
}

/// A decoded picture, 8-bit RGB.
pub struct Png {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Png {
    pub fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        let i = ((y * self.width + x) * 3) as usize;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}

/// Decodes a PNG with the png crate into 8-bit RGB.
pub fn decode_png(bytes: &[u8]) -> Png {
    let mut decoder = png::Decoder::new(bytes);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("PNG frame");
    let channels = info.color_type.samples();
    let rgb = buf[..info.buffer_size()].chunks(channels).flat_map(|p| [p[0], p[1], p[2]]).collect();
    Png { width: info.width, height: info.height, rgb }
}

/// The picture of a 200 `image/png` answer.
pub fn png_of(r: &Raw) -> Png {
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.header("content-type"), Some("image/png"));
    decode_png(&r.body)
}

/// `#rrggbb` as bytes.
pub fn hex(text: &str) -> [u8; 3] {
    let h = text.trim_start_matches('#');
    let c = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).expect("hex colour");
    [c(0), c(2), c(4)]
}

/// The fills of the NTM map's legend as its style serves it for `query` (`theme=…&…`), by
/// class key.
pub fn legend_fills(server: &Server, query: &str) -> std::collections::HashMap<String, [u8; 3]> {
    let (status, style) = server.get_json(&format!("/styles/ntm.json?{query}"));
    assert_eq!(status, 200, "{style}");
    style["metadata"]["bando:legend"]["classes"].as_array().unwrap().iter().map(|c| (c["key"].as_str().unwrap().to_string(), hex(c["fill"].as_str().unwrap()))).collect()
}
