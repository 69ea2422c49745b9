//! Batch point queries: answering 100,000 points in one thread against all cores, in the
//! same run (does splitting each block across threads pay?).
//!
//!   cargo bench --bench batch
//!
//! Data: the real ../shared/geodata/communes-2025.fgb when present (edition 2025), else
//! the embedded communes of 2024. Points: 100,000 seeded points uniform over Vietnam's
//! mainland bounding box, as the PostGIS comparison (benches/compare) draws them. The
//! work timed is what `POST /api/v1/communes/at` does after parsing: locate every point
//! and write its JSON answer, block by block.

mod common;

use bando::model::Edition;
use bando::query::batch::{self, Shape};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn points(n: usize) -> Vec<[f64; 2]> {
    let mut s = 2025_u64;
    let mut next = move || {
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as f64 / u64::MAX as f64
    };
    (0..n).map(|_| [102.14 + 7.33 * next(), 8.18 + 15.21 * next()]).collect()
}

fn bench(c: &mut Criterion) {
    let (atlas, edition) = match common::real_atlas() {
        Some(a) => (a, Edition::E2025),
        None => (common::embedded_atlas(), Edition::E2024),
    };
    let body = serde_json::to_vec(&points(100_000)).expect("points");
    let input = batch::parse(Shape::JsonArray, &body).expect("valid points");
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut group = c.benchmark_group(format!("batch_100k_edition_{edition}"));
    group.sample_size(10);
    group.throughput(Throughput::Elements(input.len() as u64));
    for threads in [1, cores] {
        group.bench_function(format!("{threads}_threads"), |b| {
            b.iter(|| {
                let e = atlas.edition(edition);
                let mut bytes = 0;
                for start in (0..input.len()).step_by(8_192) {
                    let end = (start + 8_192).min(input.len());
                    bytes += input.answer_block(&atlas, e, bando::model::AsOf::Year(2025), start..end, threads).len();
                }
                bytes
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
