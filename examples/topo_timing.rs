//! Times the tile pre-processing phases on a boundary file:
//!   cargo run --release --example topo_timing ../shared/geodata/communes-2025.fgb
use bando::tile::{mercator::project, simplify::Ranking, topology::Topology};
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("boundary file");
    let file = bando::load::read_boundaries(path.as_ref(), "code").expect("load");
    let areas: Vec<bando::index::PreparedArea> = file.features.iter().map(|f| bando::index::PreparedArea::new(&f.geometry)).collect();
    drop(file);
    let t = Instant::now();
    let topo = Topology::build(areas.len(), |i| areas[i].rings(), project);
    println!("topology: {:.2} s, {} arcs, {} points", t.elapsed().as_secs_f64(), topo.arc_count(), topo.points.len());
    let t = Instant::now();
    let r = Ranking::build(&topo.points, &topo.starts);
    println!("ranking: {:.2} s ({} zooms)", t.elapsed().as_secs_f64(), r.zooms.len());
}
