//! PNG tile rendering, cold (vector layers rendered and read back, fills, outlines,
//! points, PNG encoding; no cache) at z5, z8 and z11 over Hà Nội, 256 px and 512 px:
//!
//!   cargo bench --bench raster
//!
//! On the embedded data (edition 2024) and, when present, the real
//! ../shared/geodata/communes-2025.fgb (edition 2025). The same tiles' vector
//! rendering alone (`mvt/…`) is measured beside them as the anchor: the difference is
//! what drawing and encoding the picture costs.

mod common;

use bando::model::AsOf;
use bando::snapshot::Snapshot;
use bando::model::Edition;
use bando::raster::{encode_png, encode_png_with, render_tile};
use bando::style::Styles;
use bando::tile::{mercator::project, render_mvt, MapKind, TileId, TileView};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

const HA_NOI: (f64, f64) = (105.85, 21.03);
const MEKONG: (f64, f64) = (105.78, 10.03);

fn tile_at(lon: f64, lat: f64, z: u8) -> TileId {
    let [x, y] = project(lon, lat);
    let n = f64::from(1u32 << z);
    TileId::new(u32::from(z), (x * n) as u32, (y * n) as u32).expect("tile")
}

fn bench_atlas(c: &mut Criterion, name: &str, atlas: &Snapshot, edition: Edition) {
    let styles = Styles::embedded();
    let themed = bando::style::Themed::level(&styles.ntm);
    let mut group = c.benchmark_group(format!("png_tile/{name}/hanoi"));
    group.sample_size(20);
    for z in [5u8, 8, 11] {
        let tile = tile_at(HA_NOI.0, HA_NOI.1, z);
        let view = TileView { map: MapKind::Ntm, edition, as_of: AsOf::Year(2025) };
        group.bench_function(format!("mvt/z{z}"), |b| b.iter(|| render_mvt(atlas, atlas.tiles(edition), view, black_box(tile)).len()));
        for ratio in [1u32, 2] {
            group.bench_function(format!("png{}/z{z}", if ratio == 2 { "@2x" } else { "" }), |b| {
                b.iter(|| encode_png(&render_tile(atlas, atlas.tiles(edition), &themed, view, black_box(tile), ratio)).expect("png").len())
            });
        }
    }
    group.finish();
}

/// The PNG encoding before palettes, kept as the anchor: 8-bit RGB, fast (fdeflate).
fn encode_rgb_fast(pixmap: &tiny_skia::Pixmap) -> Vec<u8> {
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().expect("header");
    writer.write_image_data(&rgb).expect("data");
    writer.finish().expect("finish");
    out
}

/// Bytes and encode time of the comparison's tiles (z5–z12, 3 × 3 around Hà Nội and the
/// Mekong delta, as benches/compare/raster_vs_mapnik.py) with the palette encoder against
/// the RGB anchor; totals are printed, times measured by criterion.
fn bench_encoding(c: &mut Criterion, name: &str, atlas: &Snapshot, edition: Edition) {
    let styles = Styles::embedded();
    let themed = bando::style::Themed::level(&styles.ntm);
    let view = TileView { map: MapKind::Ntm, edition, as_of: AsOf::Year(2025) };
    let mut pixmaps = Vec::new();
    for (lon, lat) in [HA_NOI, MEKONG] {
        for z in 5u8..=12 {
            let centre = tile_at(lon, lat, z);
            for dy in -1i64..=1 {
                for dx in -1i64..=1 {
                    let (x, y) = (i64::from(centre.x) + dx, i64::from(centre.y) + dy);
                    let Ok(tile) = TileId::new(u32::from(z), x as u32, y as u32) else { continue };
                    pixmaps.push(render_tile(atlas, atlas.tiles(edition), &themed, view, tile, 1));
                }
            }
        }
    }
    let dense = pixmaps
        .iter()
        .filter(|p| p.data().chunks_exact(4).map(|c| [c[0], c[1], c[2]]).collect::<std::collections::HashSet<_>>().len() > 256)
        .count();
    eprintln!("png colours/{name}: {dense} of {} tiles have more than 256 colours", pixmaps.len());
    let palette: usize = pixmaps.iter().map(|p| encode_png(p).expect("png").len()).sum();
    let rgb: usize = pixmaps.iter().map(|p| encode_rgb_fast(p).len()).sum();
    eprintln!(
        "png bytes/{name}: {} tiles, palette encoder {palette} B, RGB fast anchor {rgb} B ({:.2}×)",
        pixmaps.len(),
        palette as f64 / rgb as f64
    );
    // zlib levels for the palette indices: total bytes and the fastest of three passes
    // over all tiles.
    for level in [0u32, 1, 2, 3, 4, 6, 9] {
        let mut bytes = 0;
        let mut best = std::time::Duration::MAX;
        for _ in 0..3 {
            let start = std::time::Instant::now();
            bytes = pixmaps.iter().map(|p| encode_png_with(p, level).expect("png").len()).sum::<usize>();
            best = best.min(start.elapsed());
        }
        eprintln!("png level/{name}: zlib {level}: {bytes} B, {:.3} ms per tile", best.as_secs_f64() * 1e3 / pixmaps.len() as f64);
    }
    let mut group = c.benchmark_group(format!("png_encode/{name}"));
    group.sample_size(10);
    group.bench_function("palette", |b| b.iter(|| pixmaps.iter().map(|p| encode_png(black_box(p)).expect("png").len()).sum::<usize>()));
    group.bench_function("rgb_fast_anchor", |b| b.iter(|| pixmaps.iter().map(|p| encode_rgb_fast(black_box(p)).len()).sum::<usize>()));
    group.finish();
}

fn raster(c: &mut Criterion) {
    let embedded = common::embedded_atlas();
    bench_encoding(c, "embedded_2024", &embedded, Edition::E2024);
    bench_atlas(c, "embedded_2024", &embedded, Edition::E2024);
    drop(embedded);
    if let Some(atlas) = common::real_atlas() {
        bench_encoding(c, "real_communes_2025", &atlas, Edition::E2025);
        bench_atlas(c, "real_communes_2025", &atlas, Edition::E2025);
    }
}

criterion_group!(benches, raster);
criterion_main!(benches);
