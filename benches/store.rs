//! The managed store's write paths on real SQLite files: seeding the embedded records
//! (111,025: 96,196 criteria rows) as publication 1, and approving a submission of
//! 10,000 changed records (conflict check, upserts, change log, publication row,
//! `synchronous=FULL` commit). The atlas rebuild an approval triggers is timed by the
//! atlas benches, not here.
//!
//!   cargo bench --bench store

use bando::atlas::Inputs;
use bando::model::{Record, RecordKind};
use bando::store::{Approval, Store};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("bando-bench-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn bench(c: &mut Criterion) {
    let records = bando::manage::seed::read(&Inputs::embedded(bando::config::EMBEDDED_GEODATA)).unwrap();
    let mut group = c.benchmark_group("store");
    group.sample_size(10);
    group.bench_function("seed the embedded records", |b| {
        b.iter_batched(
            || (scratch("seed"), records.clone()),
            |(dir, records)| {
                Store::open(&dir).unwrap().seed(records, "seed").unwrap();
                std::fs::remove_dir_all(&dir).unwrap();
            },
            BatchSize::PerIteration,
        )
    });

    let dir = scratch("approve");
    let store = Store::open(&dir).unwrap();
    store.seed(records, "seed").unwrap();
    let column = RecordKind::Criteria.column_index("note").unwrap();
    let mut round = 0u64;
    group.bench_function("approve 10,000 changed records", |b| {
        b.iter_batched(
            || {
                round += 1;
                let changed: Vec<Record> = store
                    .published_page(RecordKind::Criteria, None, 10_000)
                    .unwrap()
                    .into_iter()
                    .map(|mut r| {
                        r.fields[column] = format!("bench {round}");
                        r
                    })
                    .collect();
                store.create_draft("editor", &[], "bench.xlsx", changed).unwrap()
            },
            |id| store.approve(&Approval::new(id, "admin")).unwrap(),
            BatchSize::PerIteration,
        )
    });
    group.finish();
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

criterion_group!(benches, bench);
criterion_main!(benches);
