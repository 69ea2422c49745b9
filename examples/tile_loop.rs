//! Renders the 3×3 tiles around Hà Nội and Cần Thơ at one zoom, many times, on the
//! real 2025 communes: a steady loop to profile tile rendering under `perf` or
//! `valgrind --tool=callgrind --toggle-collect='bando::tile::layers::render_mvt'`
//! (instruction counts are repeatable on a busy machine, times are not):
//!   cargo run --release --example tile_loop [ZOOM=13] [REPS=20000]
use bando::atlas::{build, Inputs};
use bando::model::Edition;
use bando::tile::{render_mvt, MapKind, TileId, TileView};
fn main() {
    let mut inputs = Inputs::embedded(bando::config::EMBEDDED_GEODATA);
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/geodata/communes-2025.fgb");
    if !file.exists() {
        println!("skipped: {} not found", file.display());
        return;
    }
    inputs.boundaries.push(file);
    let atlas = bando::snapshot::Snapshot::new(build(&inputs).expect("atlas").0);
    let z: u8 = std::env::args()
        .nth(1)
        .map_or(13, |s| s.parse().expect("zoom"));
    let reps: usize = std::env::args()
        .nth(2)
        .map_or(20000, |s| s.parse().expect("repetitions"));
    let centres = [(105.85, 21.03), (105.78, 10.03)];
    let mut tiles = vec![];
    for (lon, lat) in centres {
        let [x, y] = bando::tile::mercator::project(lon, lat);
        let n = f64::from(1u32 << z);
        let (cx, cy) = ((x * n) as u32, (y * n) as u32);
        for dx in 0..3 {
            for dy in 0..3 {
                tiles.push(TileId::new(u32::from(z), cx + dx - 1, cy + dy - 1).unwrap());
            }
        }
    }
    let view = TileView {
        map: MapKind::Ntm,
        edition: Edition::E2025,
        as_of: bando::model::AsOf::Year(2025),
    };
    if std::env::var_os("PER_TILE").is_some() {
        for &tile in &tiles {
            let t = std::time::Instant::now();
            let mut bytes = 0;
            for _ in 0..reps {
                bytes = render_mvt(&atlas, atlas.tiles(view.edition), view, tile).len();
            }
            println!("{tile}: {:.1} µs, {bytes} bytes", t.elapsed().as_secs_f64() * 1e6 / reps as f64);
        }
    }
    let t = std::time::Instant::now();
    let mut bytes = 0;
    for _ in 0..reps {
        for &tile in &tiles {
            bytes += render_mvt(&atlas, atlas.tiles(view.edition), view, tile).len();
        }
    }
    let per = t.elapsed().as_secs_f64() * 1e6 / (reps * tiles.len()) as f64;
    println!(
        "z{z}: {per:.1} µs/tile, {} bytes/tile",
        bytes / (reps * tiles.len())
    );
}
