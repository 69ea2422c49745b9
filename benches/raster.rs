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
use bando::raster::{encode_png, render_tile};
use bando::style::Styles;
use bando::tile::{mercator::project, render_mvt, MapKind, TileId, TileView};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

const HA_NOI: (f64, f64) = (105.85, 21.03);

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

fn raster(c: &mut Criterion) {
    let embedded = common::embedded_atlas();
    bench_atlas(c, "embedded_2024", &embedded, Edition::E2024);
    drop(embedded);
    if let Some(atlas) = common::real_atlas() {
        bench_atlas(c, "real_communes_2025", &atlas, Edition::E2025);
    }
}

criterion_group!(benches, raster);
criterion_main!(benches);
