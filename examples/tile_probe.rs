//! Renders the tiles over a point at several zooms and prints sizes and times:
//!   cargo run --release --example tile_probe [BOUNDARIES.fgb]
use bando::atlas::{build, Inputs};
use bando::model::Edition;
use bando::tile::{mercator::project, render_mvt, MapKind, TileId, TileView};

fn main() {
    let mut inputs = Inputs::embedded(bando::config::EMBEDDED_GEODATA);
    let edition = match std::env::args().nth(1) {
        Some(f) => {
            inputs.boundaries.push(f.into());
            Edition::E2025
        }
        None => Edition::E2024,
    };
    let t = std::time::Instant::now();
    let atlas = bando::snapshot::Snapshot::new(build(&inputs).expect("atlas").0);
    println!("atlas built in {:.2} s; tile vertices {}", t.elapsed().as_secs_f64(), atlas.tiles(edition).vertex_count());
    let [x, y] = project(105.85, 21.03);
    for z in [0u8, 5, 8, 11, 13] {
        let n = f64::from(1u32 << z);
        let tile = TileId::new(u32::from(z), (x * n) as u32, (y * n) as u32).unwrap();
        let view = TileView { map: MapKind::Ntm, edition, as_of: bando::model::AsOf::Year(2025) };
        let t = std::time::Instant::now();
        let reps = 5;
        let mut size = 0;
        for _ in 0..reps {
            size = render_mvt(&atlas, atlas.tiles(edition), view, tile).len();
        }
        println!("z{z} {tile}: {size} bytes, {:.2} ms", t.elapsed().as_secs_f64() * 1000.0 / reps as f64);
    }
}
