//! Upload validation of a 10,000-row workbook: a whole large province with criteria.
//!
//!   cargo bench --bench upload
//!
//! Data: the embedded atlas. The workbook is written with rust_xlsxwriter in the
//! template's layout for the edition-2025 province with the most 2024 xã: wide criteria
//! rows for each xã, years 2021–2025 and both commune sets with every item filled (up to
//! 8,000 rows, about 20 long criteria records each), then commune result rows up to
//! 10,000 rows in all. The bench times
//! `read_upload` on it (guard, calamine, the loaders, references, scope); the target is
//! under 2 s per workbook on the team's 2-core machine.

use bando::atlas::{build, Inputs};
use bando::load::upload::layout::criteria_items;
use bando::load::upload::{province_units, read_upload, UploadScope};
use bando::model::{Edition, ProvinceCode, UnitScope};
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};

/// Rows of the workbook: wide criteria rows as far as the province's xã, years and sets
/// go (at most 8,000), then commune result rows up to this total.
const ROWS: usize = 10_000;
const MAX_CRITERIA_ROWS: usize = 8_000;

fn workbook(atlas: &bando::atlas::Atlas) -> (Vec<u8>, ProvinceCode, usize) {
    let e2025 = atlas.edition(Edition::E2025);
    let e2024 = atlas.edition(Edition::E2024);
    let xa_of = |p: ProvinceCode| -> Vec<String> {
        province_units(atlas, &[p]).communes_2024.into_iter().filter(|c| e2024.commune(*c).is_some_and(|c| c.kind.ntm_eligible())).map(|c| c.to_string()).collect()
    };
    let province = e2025.provinces.keys().copied().max_by_key(|p| xa_of(*p).len()).expect("provinces");
    let xa = xa_of(province);
    let catalog = &atlas.criteria.catalog;
    let items = criteria_items(catalog, UnitScope::Commune);
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("TieuChi_Xa").expect("name");
    let mut header = vec!["unit_code".to_string(), "year".into(), "set".into()];
    header.extend(items.iter().map(|i| i.to_string()));
    for (c, h) in header.iter().enumerate() {
        ws.write_string(1, c as u16, h).expect("write");
    }
    let keys = xa.iter().flat_map(|x| (2021..=2025).flat_map(move |y| ["xa_ntm_2021", "xa_nang_cao_2021"].map(|s| (x.clone(), y, s))));
    let mut criteria_rows = 0;
    for (r, (code, year, set)) in keys.take(MAX_CRITERIA_ROWS).enumerate() {
        criteria_rows += 1;
        let r = r as u32 + 2;
        ws.write_string(r, 0, &code).expect("write");
        ws.write_number(r, 1, f64::from(year)).expect("write");
        ws.write_string(r, 2, set).expect("write");
        let set = catalog.get(set).expect("set");
        for (c, item) in items.iter().enumerate() {
            if set.item(*item).is_some() {
                ws.write_string(r, c as u16 + 3, if (r as usize + c) % 7 == 0 { "không" } else { "có" }).expect("write");
            }
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("KetQua_Xa").expect("name");
    for (c, h) in ["code", "year", "level", "criteria_met", "recognized_on", "decision"].iter().enumerate() {
        ws.write_string(1, c as u16, *h).expect("write");
    }
    let keys = (2010..=2030).flat_map(|y| xa.iter().map(move |x| (x.clone(), y)));
    for (r, (code, year)) in keys.take(ROWS - criteria_rows).enumerate() {
        let r = r as u32 + 2;
        ws.write_string(r, 0, &code).expect("write");
        ws.write_number(r, 1, f64::from(year)).expect("write");
        ws.write_string(r, 2, "Đạt chuẩn NTM").expect("write");
        ws.write_number(r, 3, 19.0).expect("write");
        ws.write_string(r, 4, format!("{year}-06-30")).expect("write");
    }
    (wb.save_to_buffer().expect("save"), province, criteria_rows)
}

fn bench(c: &mut Criterion) {
    let atlas = build(&Inputs::embedded(bando::config::EMBEDDED_GEODATA)).expect("embedded").0;
    let (bytes, province, criteria_rows) = workbook(&atlas);
    let scope = UploadScope::Provinces(vec![province]);
    let started = Instant::now();
    let upload = read_upload("province.xlsx", &bytes, &atlas, &scope).unwrap_or_else(|e| panic!("{e}"));
    println!(
        "upload: province {province}, {} bytes, {ROWS} rows ({criteria_rows} wide criteria rows), {} records, read in {:?}",
        bytes.len(),
        upload.len(),
        started.elapsed()
    );
    let mut group = c.benchmark_group("upload");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("read_upload_10000_rows", |b| b.iter(|| read_upload("province.xlsx", &bytes, &atlas, &scope).map(|u| u.len())));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
