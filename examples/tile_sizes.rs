//! Prints the raw and gzip bytes and the render time (best of 5) of a few NTM tiles (Hà Nội
//! and the Mekong delta, z5, z8, z11; both editions), to measure what tile attributes cost:
//!   cargo run --release --example tile_sizes [-- --dense-criteria]
//!
//! `--dense-criteria` first writes an assessment file as full as the data allows and
//! builds the atlas with it: for 2024 and 2025, every xã gets a row for each criterion of
//! the set it is assessed on (met as its level and `criteria_met` say) and for the
//! indicators 8.4 and 15.2 with a value; every district a row for 9.5, 6.5 and 9.2.
use bando::atlas::{build, Inputs};
use bando::model::{AsOf, Edition, Level};
use bando::tile::{mercator::project, render_mvt, MapKind, TileId, TileView};
use std::fmt::Write as _;

const PLACES: [(&str, f64, f64); 2] = [("hanoi", 105.85, 21.03), ("mekong", 105.78, 10.03)];

fn main() {
    let mut inputs = Inputs::embedded(bando::config::EMBEDDED_GEODATA);
    let dense = std::env::args().any(|a| a == "--dense-criteria");
    if dense {
        let plain = build(&inputs).expect("atlas").0;
        let path = std::env::temp_dir().join(format!("bando-dense-criteria-{}.csv", std::process::id()));
        std::fs::write(&path, dense_criteria(&plain)).expect("write criteria");
        inputs.criteria = Some(path);
    }
    let atlas = bando::snapshot::Snapshot::new(build(&inputs).expect("atlas").0);
    for edition in [Edition::E2024, Edition::E2025] {
        for (place, lon, lat) in PLACES {
            for z in [5u8, 8, 11] {
                let [x, y] = project(lon, lat);
                let n = f64::from(1u32 << z);
                let tile = TileId::new(u32::from(z), (x * n) as u32, (y * n) as u32).expect("tile");
                let view = TileView { map: MapKind::Ntm, edition, as_of: AsOf::Year(2025) };
                let mut best = f64::MAX;
                for _ in 0..5 {
                    let t = std::time::Instant::now();
                    std::hint::black_box(render_mvt(&atlas, atlas.tiles(edition), view, tile));
                    best = best.min(t.elapsed().as_secs_f64() * 1000.0);
                }
                let raw = render_mvt(&atlas, atlas.tiles(edition), view, tile);
                let gz = bando::pyramid::gzip(&raw).expect("gzip").len();
                println!("edition {} {place} z{z} {tile}: {} raw, {gz} gzip, {best:.3} ms", edition.year(), raw.len());
            }
        }
    }
}

/// Step 1 of the module doc: rows that agree with the results file.
fn dense_criteria(atlas: &bando::atlas::Atlas) -> String {
    let mut out = String::from("unit_code,year,set,criterion,indicator,met,value,assessed_on,note\n");
    let e2024 = atlas.edition(Edition::E2024);
    for year in [2024u16, 2025] {
        for c in e2024.communes.iter().filter(|c| c.kind.ntm_eligible()) {
            let level = bando::standing::commune_level(atlas, c, AsOf::Year(year));
            let record = level.record();
            let (set, met) = match record.map(|r| r.level) {
                Some(Level::ChuaDat) | None => ("xa_ntm_2021", record.and_then(|r| r.criteria_met).map_or(10, usize::from)),
                Some(_) => ("xa_nang_cao_2021", (c.code.0 % 19) as usize),
            };
            // A chưa đạt commune's rows must agree with a record of the same year; skip
            // those whose record of that year gives no count.
            if set == "xa_ntm_2021" && record.is_some_and(|r| r.year == year && r.criteria_met.is_none()) {
                continue;
            }
            for n in 1..=19usize {
                let _ = writeln!(out, "{},{year},{set},{n},,{},,,", c.code, n <= met);
            }
            let _ = writeln!(out, "{},{year},{set},8,4,{},{},,", c.code, c.code.0 % 3 != 0, 50 + c.code.0 % 50);
            if set == "xa_nang_cao_2021" {
                let _ = writeln!(out, "{},{year},{set},15,2,{},{},,", c.code, c.code.0 % 2 == 0, 30 + c.code.0 % 70);
            }
        }
        for code in e2024.districts.keys() {
            let _ = writeln!(out, "{code},{year},huyen_ntm_2021,9,5,{},{},,", code.0 % 2 == 0, 60 + code.0 % 40);
            let _ = writeln!(out, "{code},{year},huyen_nang_cao_2021,6,5,{},,,", code.0 % 3 == 0);
            let _ = writeln!(out, "{code},{year},huyen_nang_cao_2021,9,2,{},,,", code.0 % 4 == 0);
        }
    }
    out
}
