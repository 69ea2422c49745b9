//! PNG encoding of the rendered maps: indexed colour whenever it can be, because a
//! choropleth is a few flat class colours plus the anti-aliased edges between them.
//!
//! Steps: 1. count the picture's colours ([`palette_and_lookup`]); 2. when they fit in
//! 256, write each pixel's index into that exact palette (lossless); 3. otherwise (dense
//! edges at z7–z10, symbols) keep the most frequent colours exact, cut the rest into
//! Wu boxes ([`wu_palette`], quantette), recentre those once ([`refine`]) and map every
//! other colour once to its nearest entry ([`Nearest`]); 4. pack the indices at the
//! smallest bit depth that holds the palette (1, 2, 4 or 8 bits) and 5. deflate them without row
//! filters at zlib level 4 ([`DEFLATE_LEVEL`]), a chunk of rows at a time ([`deflated_rows`]).
//!
//! Measured on the 144 tiles of `benches/compare/raster_vs_mapnik.sh` (real 2025
//! communes; `cargo bench --bench raster -- png_encode`), per tile: the RGB encoder
//! before (8-bit RGB, fdeflate fast) 27.1 KB in 0.14 ms; this one 8.1 KB in 0.72 ms, of
//! which ≈ 0.54 ms is counting and quantising. zlib levels 1/2/3/4/6/9: 1,376,718 /
//! 1,205,232 / 1,184,948 / 1,159,996 / 1,146,251 / 1,130,551 B in 0.55 / 0.63 / 0.69 /
//! 0.72 / 0.98 / 1.88 ms: level 4 is where another 1% of bytes starts costing a third
//! more time. NeuQuant (`color_quant`) gave the same bytes at 15–30 times the encode time
//! (5.8–10 ms per tile), more than drawing the tile; the popularity method alone (the
//! 256 most frequent colours, Heckbert 1982) moved a rare blend to a far colour (a
//! channel-sum of 121, a visible speck) where Wu's boxes keep every pixel within 23.

use std::io::Write;

use quantette::palette::Srgb;
use quantette::{wu, ColorCounts, PaletteSize};
use tiny_skia::Pixmap;

/// The zlib level of the image data.
const DEFLATE_LEVEL: u32 = 4;

/// Colours at most in a PNG palette.
const MAX_COLOURS: usize = 256;

/// Palette entries at most given to the most frequent colours, kept exact; the rest
/// are Wu's cuts over the other colours. A choropleth tile has a dozen or so frequent
/// colours; keeping more leaves fewer entries for the blends and moves them further (on
/// the test picture, 160 kept: worst channel-sum error 44, mean 0.59; 32 kept: 35, 0.47).
const MAX_KEPT: usize = 32;

/// Pixels a colour needs to be kept exact when the picture has more than 256 colours.
const MIN_KEPT_COUNT: u32 = 4;

/// Encodes an opaque pixmap as an indexed-colour PNG.
pub fn encode_png(pixmap: &Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    encode_png_with(pixmap, DEFLATE_LEVEL)
}

/// [`encode_png`] at another zlib level (0–9): the benchmark's way of choosing
/// [`DEFLATE_LEVEL`] (`cargo bench --bench raster -- png_encode`).
#[doc(hidden)]
pub fn encode_png_with(pixmap: &Pixmap, level: u32) -> Result<Vec<u8>, png::EncodingError> {
    let (width, height) = (pixmap.width(), pixmap.height());
    let (palette, index_of) = palette_and_lookup(pixmap.data());
    let depth = bit_depth(palette.len());
    // The png crate deflates only at its fixed presets; the image data is deflated here
    // at the chosen level and written as the one IDAT chunk.
    let data = deflated_rows(pixmap.data(), width as usize, &index_of, depth, level)?;
    let mut out = Vec::with_capacity(data.len() + 3 * palette.len() + 64);
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(depth);
    encoder.set_palette(palette.iter().flat_map(|c| [c[0], c[1], c[2]]).collect::<Vec<u8>>());
    let mut writer = encoder.write_header()?;
    writer.write_chunk(png::chunk::IDAT, &data)?;
    writer.finish()?;
    Ok(out)
}

/// The RGBA pixels of pixmap data (opaque, so premultiplied equals straight) as u32.
fn pixels(data: &[u8]) -> impl Iterator<Item = u32> + '_ {
    data.chunks_exact(4).map(|p| u32::from_le_bytes([p[0], p[1], p[2], p[3]]))
}

/// A picture's palette (most frequent colour first) and each colour's index in it.
///
/// Every distinct colour is counted (runs of one colour, the common case, cost one
/// comparison per pixel). When there are at most 256 the palette is exact. Otherwise the
/// most frequent colours (up to [`MAX_KEPT`], each of at least [`MIN_KEPT_COUNT`]
/// pixels: the flat class fills, background and outline colour) stay exact, and the
/// other entries are Wu's cuts over the remaining colours weighted by their counts, so
/// the many rare anti-aliasing blends are each stood for by the mean of similar blends
/// rather than by whichever frequent colour happens to be nearest.
fn palette_and_lookup(data: &[u8]) -> (Vec<[u8; 4]>, HashMap<u32, u32>) {
    let mut counts: HashMap<u32, u32> = HashMap::default();
    let mut run: Option<(u32, u32)> = None;
    for key in pixels(data) {
        match &mut run {
            Some((last, n)) if *last == key => *n += 1,
            _ => {
                if let Some((last, n)) = run {
                    *counts.entry(last).or_default() += n;
                }
                run = Some((key, 1));
            }
        }
    }
    if let Some((last, n)) = run {
        *counts.entry(last).or_default() += n;
    }
    let mut by_count: Vec<(u32, u32)> = counts.iter().map(|(k, n)| (*k, *n)).collect();
    // Most frequent first: the common colours get the small indices, which deflate a
    // little better, and the order is deterministic.
    by_count.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let exact = by_count.len() <= MAX_COLOURS;
    let kept = if exact { by_count.len() } else { by_count.iter().take(MAX_KEPT).take_while(|(_, n)| *n >= MIN_KEPT_COUNT).count() };
    let mut palette: Vec<[u8; 4]> = by_count[..kept].iter().map(|(k, _)| k.to_le_bytes()).collect();
    if !exact {
        palette.extend(wu_palette(&by_count[kept..], MAX_COLOURS - kept));
    }
    // Reuse the table: colour → palette index.
    for (index, (key, _)) in by_count[..kept].iter().enumerate() {
        counts.insert(*key, index as u32);
    }
    if !exact {
        refine(&mut palette, kept, &by_count[kept..]);
    }
    // A rare colour goes to the nearest of Wu's entries, never to a kept colour: a pixel
    // shows a class fill, the background or the outline colour only if it had it, so
    // no background appears inside the country and no fill bleeds into an edge.
    let index = Nearest::new(&palette[kept..]);
    for (key, _) in &by_count[kept..] {
        counts.insert(*key, (kept + index.find(key.to_le_bytes())) as u32);
    }
    (palette, counts)
}

/// Up to `size` colours standing for `rest` (colour, pixel count), by Wu's variance-
/// minimising box cuts over a 16-level-per-channel histogram (quantette). 16 levels
/// rather than 32: 0.1 ms less per tile, 6% fewer bytes (fewer, better-filled boxes),
/// and after [`refine`] a smaller worst error on the test picture (23 against 35).
fn wu_palette(rest: &[(u32, u32)], size: usize) -> Vec<[u8; 4]> {
    let colours = Counts {
        colours: rest.iter().map(|(k, _)| { let c = k.to_le_bytes(); Srgb::new(c[0], c[1], c[2]) }).collect(),
        counts: rest.iter().map(|(_, n)| *n).collect(),
    };
    let size = PaletteSize::from_clamped(size as u16);
    wu::palette(&colours, size, &wu::UIntBinner::<16>).palette.into_iter().map(|c| [c.red, c.green, c.blue, 255]).collect()
}

/// One k-means step (Lloyd): each entry from `first` on (Wu's) moves to the
/// count-weighted mean of the colours nearest to it among them. Wu's entries are the
/// means of boxes cut on a 16-level grid, and a colour may sit nearer another box's
/// mean than its own; this step recentres them on the colours they actually stand for.
fn refine(palette: &mut [[u8; 4]], first: usize, rest: &[(u32, u32)]) {
    let mut sums = vec![[0u64; 4]; palette.len() - first];
    let index = Nearest::new(&palette[first..]);
    for (key, n) in rest {
        let c = key.to_le_bytes();
        let sum = &mut sums[index.find(c)];
        for i in 0..3 {
            sum[i] += u64::from(c[i]) * u64::from(*n);
        }
        sum[3] += u64::from(*n);
    }
    for (entry, sum) in palette[first..].iter_mut().zip(&sums) {
        // An entry no colour is nearest to stays where Wu put it.
        for i in 0..3 {
            if let Some(mean) = (sum[i] + sum[3] / 2).checked_div(sum[3]) {
                entry[i] = mean as u8;
            }
        }
    }
}

/// Deduplicated colours and their pixel counts, as quantette reads them.
struct Counts {
    colours: Vec<Srgb<u8>>,
    counts: Vec<u32>,
}

impl ColorCounts<Srgb<u8>, u8, 3> for Counts {
    fn colors(&self) -> &[Srgb<u8>] {
        &self.colours
    }
    fn total_count(&self) -> u32 {
        self.counts.iter().sum()
    }
    fn counts(&self) -> Option<&[u32]> {
        Some(&self.counts)
    }
    fn indices(&self) -> Option<&[u32]> {
        None
    }
}

/// Nearest palette entry by squared RGB distance, searched outward from the query's red
/// value in the palette sorted by red, stopping when the red gap alone exceeds the best
/// distance: a few dozen comparisons instead of 256 per colour.
struct Nearest {
    by_red: Vec<([i32; 3], usize)>,
}

impl Nearest {
    fn new(palette: &[[u8; 4]]) -> Self {
        let mut by_red: Vec<([i32; 3], usize)> =
            palette.iter().enumerate().map(|(i, c)| ([i32::from(c[0]), i32::from(c[1]), i32::from(c[2])], i)).collect();
        by_red.sort_unstable_by_key(|(c, i)| (c[0], *i));
        Nearest { by_red }
    }

    fn find(&self, colour: [u8; 4]) -> usize {
        let q = [i32::from(colour[0]), i32::from(colour[1]), i32::from(colour[2])];
        let start = self.by_red.partition_point(|(c, _)| c[0] < q[0]);
        let (mut best, mut best_index) = (i32::MAX, 0);
        let mut consider = |(c, i): &([i32; 3], usize)| {
            let d = (c[0] - q[0]).pow(2) + (c[1] - q[1]).pow(2) + (c[2] - q[2]).pow(2);
            // Ties go to the lower index (the more frequent colour), as a full scan would.
            if d < best || (d == best && *i < best_index) {
                best = d;
                best_index = *i;
            }
            (c[0] - q[0]).pow(2) <= best
        };
        let (mut up, mut down) = (start, start);
        let (mut go_up, mut go_down) = (true, true);
        while go_up || go_down {
            if go_up {
                go_up = up < self.by_red.len() && consider(&self.by_red[up]);
                up += 1;
            }
            if go_down {
                go_down = down > 0 && consider(&self.by_red[down - 1]);
                down = down.saturating_sub(1);
            }
        }
        best_index
    }
}

/// A multiplicative hash for colour keys: they are already well spread u32s, and the
/// table is looked up once per run of pixels, so SipHash's cost would show.
#[derive(Default)]
struct ColourHasher(u64);

impl std::hash::Hasher for ColourHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type HashMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<ColourHasher>>;

fn bit_depth(colours: usize) -> png::BitDepth {
    match colours {
        0..=2 => png::BitDepth::One,
        3..=4 => png::BitDepth::Two,
        5..=16 => png::BitDepth::Four,
        _ => png::BitDepth::Eight,
    }
}

/// The image data: rows of palette indices packed at `depth` bits, each row starting on
/// a byte after its filter type byte (0, none: row filters predict smooth gradients, and
/// cost bytes on palette indices, which have none: +19–28% with Sub, Up or Paeth on the
/// comparison's tiles), deflated at zlib `level`.
///
/// The rows are made and deflated a chunk at a time, never all at once: a 4096×4096
/// static map would otherwise hold 32 MiB of indices and packed rows beside its 64 MiB
/// of pixels.
fn deflated_rows(data: &[u8], width: usize, index_of: &HashMap<u32, u32>, depth: png::BitDepth, level: u32) -> std::io::Result<Vec<u8>> {
    /// Packed rows handed to the deflater at once.
    const CHUNK_BYTES: usize = 64 << 10;
    let bits = depth as usize;
    let per_byte = 8 / bits;
    let row_bytes = width.div_ceil(per_byte);
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::with_capacity(data.len() / 16 + 64), flate2::Compression::new(level));
    let mut chunk: Vec<u8> = Vec::with_capacity(CHUNK_BYTES + row_bytes + 1);
    let mut last = (u32::MAX, 0u8);
    let mut index = |key: u32| {
        if key != last.0 {
            last = (key, index_of[&key] as u8);
        }
        last.1
    };
    for line in data.chunks_exact(width * 4) {
        chunk.push(0);
        if bits == 8 {
            chunk.extend(pixels(line).map(&mut index));
        } else {
            let start = chunk.len();
            chunk.resize(start + row_bytes, 0);
            for (x, key) in pixels(line).enumerate() {
                let shift = 8 - bits * (x % per_byte + 1);
                chunk[start + x / per_byte] |= index(key) << shift;
            }
        }
        if chunk.len() >= CHUNK_BYTES {
            zlib.write_all(&chunk)?;
            chunk.clear();
        }
    }
    zlib.write_all(&chunk)?;
    zlib.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tiny_skia::{Color, Paint, PathBuilder, Transform};

    fn decode(png_bytes: &[u8]) -> (png::ColorType, png::BitDepth, Vec<[u8; 3]>) {
        let mut decoder = png::Decoder::new(png_bytes);
        // Expand palette and low bit depths to RGB(A) 8 bits for comparison.
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let (color, depth) = (reader.info().color_type, reader.info().bit_depth);
        let mut buf = vec![0; reader.output_buffer_size()];
        let frame = reader.next_frame(&mut buf).unwrap();
        let channels = frame.color_type.samples();
        let rgb = buf[..frame.buffer_size()].chunks_exact(channels).map(|p| [p[0], p[1], p[2]]).collect();
        (color, depth, rgb)
    }

    fn rgb_of(pixmap: &Pixmap) -> Vec<[u8; 3]> {
        pixmap.data().chunks_exact(4).map(|p| [p[0], p[1], p[2]]).collect()
    }

    #[test]
    fn a_few_flat_colours_round_trip_exactly_at_a_low_bit_depth() {
        let mut pixmap = Pixmap::new(37, 11).unwrap();
        pixmap.fill(Color::from_rgba8(10, 20, 30, 255));
        for (x, c) in [(3, [200, 0, 0]), (17, [0, 200, 0]), (36, [0, 0, 200])] {
            let i = (5 * 37 + x) * 4;
            pixmap.data_mut()[i..i + 4].copy_from_slice(&[c[0], c[1], c[2], 255]);
        }
        let (color, depth, rgb) = decode(&encode_png(&pixmap).unwrap());
        assert_eq!((color, depth), (png::ColorType::Indexed, png::BitDepth::Two));
        assert_eq!(rgb, rgb_of(&pixmap));
    }

    #[test]
    fn anti_aliased_edges_under_256_colours_stay_lossless() {
        let mut pixmap = Pixmap::new(256, 256).unwrap();
        pixmap.fill(Color::from_rgba8(240, 240, 230, 255));
        let mut paint = Paint::default();
        paint.set_color_rgba8(30, 120, 60, 255);
        paint.anti_alias = true;
        let circle = PathBuilder::from_circle(128.0, 128.0, 90.3).unwrap();
        pixmap.fill_path(&circle, &paint, tiny_skia::FillRule::Winding, Transform::identity(), None);
        let (color, depth, rgb) = decode(&encode_png(&pixmap).unwrap());
        assert_eq!((color, depth), (png::ColorType::Indexed, png::BitDepth::Eight));
        assert_eq!(rgb, rgb_of(&pixmap));
    }

    #[test]
    fn more_than_256_colours_keep_the_flat_fills_exact_and_move_rare_edges_a_little_and_never_far() {
        // A choropleth-like picture: discs of eight class colours with anti-aliased edges
        // and outlines over each other, which blends far more than 256 colours.
        let mut pixmap = Pixmap::new(256, 256).unwrap();
        pixmap.fill(Color::from_rgba8(235, 240, 245, 255));
        let classes = [[215, 48, 39], [252, 141, 89], [254, 224, 139], [217, 239, 139], [145, 207, 96], [26, 152, 80], [69, 117, 180], [120, 120, 120]];
        let mut outline = Paint::default();
        outline.set_color_rgba8(60, 60, 60, 200);
        outline.anti_alias = true;
        let stroke = tiny_skia::Stroke { width: 0.8, ..Default::default() };
        for k in 0..60u32 {
            let (x, y, r) = ((k * 73 % 256) as f32, (k * 151 % 256) as f32, 12.0 + (k * 7 % 30) as f32);
            let c = classes[k as usize % classes.len()];
            let mut paint = Paint::default();
            paint.set_color_rgba8(c[0], c[1], c[2], 255);
            paint.anti_alias = true;
            let disc = PathBuilder::from_circle(x + 0.37, y + 0.61, r).unwrap();
            pixmap.fill_path(&disc, &paint, tiny_skia::FillRule::Winding, Transform::identity(), None);
            pixmap.stroke_path(&disc, &outline, &stroke, Transform::identity(), None);
        }
        let original = rgb_of(&pixmap);
        let distinct: std::collections::HashSet<[u8; 3]> = original.iter().copied().collect();
        assert!(distinct.len() > 256, "the picture has only {} colours", distinct.len());
        let (color, _, rgb) = decode(&encode_png(&pixmap).unwrap());
        assert_eq!(color, png::ColorType::Indexed);
        let error = |a: &[u8; 3], b: &[u8; 3]| a.iter().zip(b).map(|(x, y)| x.abs_diff(*y) as u32).sum::<u32>();
        for class in classes {
            for (got, want) in rgb.iter().zip(&original).filter(|(_, w)| **w == class) {
                assert_eq!(got, want, "a flat fill changed colour");
            }
        }
        let flat: Vec<[u8; 3]> = classes.iter().copied().chain([[235, 240, 245]]).collect();
        for (got, want) in rgb.iter().zip(&original) {
            assert!(!flat.contains(got) || got == want, "the edge colour {want:?} became the flat colour {got:?}");
        }
        let total: u32 = rgb.iter().zip(&original).map(|(a, b)| error(a, b)).sum();
        let moved = rgb.iter().zip(&original).filter(|(a, b)| a != b).count();
        let mean = f64::from(total) / original.len() as f64;
        let worst = rgb.iter().zip(&original).map(|(a, b)| error(a, b)).max().unwrap();
        eprintln!("moved {moved}, mean {mean}, worst {worst}");
        // 3,579 colours, 6.9% of the pixels outside the 256 most frequent: any 256-colour
        // palette moves some pixels. They must move little, and none far (a speck).
        assert!(mean < 0.6, "mean channel-sum error {mean}");
        assert!(worst <= 32, "a pixel moved by a channel-sum of {worst}");
    }
}
