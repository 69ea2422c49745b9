//! Name search throughput: the per-snapshot index against a plain scan that folds every
//! name per query and tests `contains` (what a handler without an index would do), in
//! the same run.
//!
//!   cargo bench --bench search
//!
//! Data: the embedded atlas (10,035 + 3,321 communes, districts, provinces, pilots and
//! tourism sites). Queries: exact, diacritics, no spaces, prefix and typo spellings; and
//! names followed by their district or province.

mod common;

use bando::model::Edition;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const QUERIES: [&str; 12] = [
    "duong xa", "Dương Xá", "duongxa", "duong sa", "phu cat", "huyen gia lam", "ha noi", "bat trang",
    "lang gom", "nguyen", "xa tan", "quoc oia",
];

/// Names written with their district or province, as people tell shared names apart.
const ADDRESSES: [&str; 6] = [
    "phu cat quoc oai", "Dương Xá, Gia Lâm, Hà Nội", "xa tan lap huyen dan phuong", "tan thanh ha giang",
    "quang vinh trung khanh", "Tân Lập, H. Đan Phượng",
];

fn bench(c: &mut Criterion) {
    let atlas = common::embedded_atlas();
    let started = std::time::Instant::now();
    let index = atlas.search_index();
    eprintln!("search index: {} entries built in {:?}", index.len(), started.elapsed());

    let mut names: Vec<&str> = Vec::new();
    for e in &atlas.editions {
        names.extend(e.communes.iter().map(|c| c.name.as_str()));
        names.extend(e.districts.values().map(|d| d.name.as_str()));
        names.extend(e.provinces.values().map(|p| p.name.as_str()));
    }
    names.extend(atlas.pilots.iter().map(|p| p.name.as_str()));
    names.extend(atlas.tourism.iter().map(|t| t.name.as_str()));

    let mut g = c.benchmark_group("search");
    g.throughput(Throughput::Elements(QUERIES.len() as u64));
    g.bench_function("index (12 queries, limit 10)", |b| {
        b.iter(|| {
            for q in QUERIES {
                black_box(index.search(black_box(q), Edition::E2024, 10));
            }
        })
    });
    g.bench_function("index, name and parents (6 queries, limit 10)", |b| {
        b.iter(|| {
            for q in ADDRESSES {
                black_box(index.search(black_box(q), Edition::E2024, 10));
            }
        })
    });
    g.bench_function("plain scan: fold every name + contains (12 queries)", |b| {
        b.iter(|| {
            for q in QUERIES {
                let q = bando::text::fold(q);
                let n = names.iter().filter(|name| bando::text::fold(name).contains(&q)).count();
                black_box(n);
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(8));
    targets = bench
}
criterion_main!(benches);
