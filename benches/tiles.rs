//! Cold tile generation (render + MVT encode, no cache) at z5, z8, z11 and z13 over
//! the densest areas, Hà Nội and the Mekong delta (Cần Thơ):
//!
//!   cargo bench --bench tiles
//!
//! On the embedded data (edition 2024) and, when present, the real
//! ../shared/geodata/communes-2025.fgb (edition 2025). Warm serving: what the server
//! does for a tile already in its cache (cache lookup, ETag, response with headers).

mod common;

use bando::api::tile_cache::{CachedTile, TileCache, TileKey};
use bando::api::tile_pipeline::Source;
use bando::api::tile_request::{parse_request, tile_etag};
use bando::api::tiles::tile_response;
use bando::pyramid::gzip;
use bando::model::AsOf;
use bando::snapshot::Snapshot;
use std::collections::HashMap;
use bando::model::Edition;
use bando::tile::{mercator::project, render_mvt, MapKind, TileId, TileView};
use criterion::{black_box, criterion_group, criterion_main, Criterion};

const PLACES: [(&str, f64, f64); 2] = [("hanoi", 105.85, 21.03), ("mekong", 105.78, 10.03)];

fn tile_at(lon: f64, lat: f64, z: u8) -> TileId {
    let [x, y] = project(lon, lat);
    let n = f64::from(1u32 << z);
    TileId::new(u32::from(z), (x * n) as u32, (y * n) as u32).expect("tile")
}

fn bench_atlas(c: &mut Criterion, name: &str, atlas: &Snapshot, edition: Edition) {
    let mut group = c.benchmark_group(format!("tile_cold/{name}"));
    group.sample_size(20);
    for (place, lon, lat) in PLACES {
        for z in [5u8, 8, 11, 13] {
            let tile = tile_at(lon, lat, z);
            let view = TileView { map: MapKind::Ntm, edition, as_of: AsOf::Year(2025) };
            group.bench_function(format!("{place}/z{z}"), |b| b.iter(|| render_mvt(atlas, atlas.tiles(edition), view, black_box(tile)).len()));
        }
    }
    group.finish();

    // Warm: the Hà Nội z8 tile served from the cache.
    let request = parse_request("ntm", "8", "203", "112.mvt", &HashMap::from([("edition".to_string(), edition.year().to_string())]), &atlas.years())
        .expect("request");
    let raw = render_mvt(atlas, atlas.tiles(edition), request.view, request.tile);
    let cache = TileCache::new(64 << 20);
    let key = TileKey::of(&atlas.version, &request);
    cache.insert(key.clone(), CachedTile { gzip: gzip(&raw).expect("gzip").into() });
    let cache_control = axum::http::HeaderValue::from_static("public, max-age=3600");
    c.bench_function(&format!("tile_warm/{name}/hanoi/z8"), |b| {
        b.iter(|| {
            let hit = cache.get(black_box(&key.as_ref())).expect("cached");
            let etag = tile_etag(&atlas.version, &request, true);
            tile_response(hit, Source::Hit, true, &etag, &cache_control).expect("response")
        })
    });
}

fn tiles(c: &mut Criterion) {
    let embedded = common::embedded_atlas();
    bench_atlas(c, "embedded_2024", &embedded, Edition::E2024);
    drop(embedded);
    if let Some(atlas) = common::real_atlas() {
        bench_atlas(c, "real_communes_2025", &atlas, Edition::E2025);
    }
}

criterion_group!(benches, tiles);
criterion_main!(benches);
