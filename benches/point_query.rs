//! Point-in-polygon throughput: the prepared index against a plain `geo::Contains`
//! scan (R-tree candidates, then ring tests) in the same run.
//!
//!   cargo bench --bench point_query
//!
//! Also the whole point answer (locate, level, nearby places, criteria checklist, JSON)
//! with and without its criteria checklist, in the same run.
//!
//! Data: the embedded national communes (edition 2024, generated) and, when present,
//! the real ../shared/geodata/communes-2025.fgb (3,321 communes, ≈7.1 M vertices).
//! Points: 20,000 deterministic points, each drawn inside a random commune's bounding
//! box, so most fall on land and many near borders.

mod common;

use bando::index::AreaIndex;
use bando::model::{AsOf, Edition, LonLat};
use bando::query::{commune_at, PointQuery};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use geo::{Contains, MultiPolygon, Point};
use rstar::{primitives::GeomWithData, primitives::Rectangle, RTree};

fn points_in_boxes(index: &AreaIndex, n: usize) -> Vec<LonLat> {
    let mut s = 0x5eed_u64;
    let mut next = move || {
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|_| {
            let [x0, y0, x1, y1] = index.area(next() as usize % index.len()).bbox();
            let (u, v) = (next() as f64 / u64::MAX as f64, next() as f64 / u64::MAX as f64);
            LonLat::new(x0 + u * (x1 - x0), y0 + v * (y1 - y0))
        })
        .collect()
}

/// The baseline: the same R-tree candidates, tested with geo's `Contains`.
struct PlainIndex {
    shapes: Vec<MultiPolygon<f64>>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
}

impl PlainIndex {
    fn new(index: &AreaIndex) -> Self {
        let shapes: Vec<_> = (0..index.len()).map(|i| index.area(i).to_multipolygon()).collect();
        let entries = (0..index.len())
            .map(|i| {
                let [x0, y0, x1, y1] = index.area(i).bbox();
                GeomWithData::new(Rectangle::from_corners([x0, y0], [x1, y1]), i)
            })
            .collect();
        PlainIndex { shapes, tree: RTree::bulk_load(entries) }
    }

    fn locate(&self, p: LonLat) -> Option<usize> {
        let point = Point::new(p.lon, p.lat);
        self.tree.locate_all_at_point(&[p.lon, p.lat]).map(|e| e.data).filter(|&i| self.shapes[i].contains(&point)).min()
    }
}

fn bench_index(c: &mut Criterion, name: &str, index: &AreaIndex) {
    let points = points_in_boxes(index, 20_000);
    let plain = PlainIndex::new(index);
    // The two must agree before their speeds are compared.
    let disagreements = points.iter().filter(|&&p| index.locate(p) != plain.locate(p)).count();
    assert!(disagreements <= points.len() / 10_000, "{disagreements} disagreements on {name}");
    let mut group = c.benchmark_group(format!("point_in_polygon/{name}"));
    group.throughput(Throughput::Elements(points.len() as u64));
    group.sample_size(20);
    group.bench_function("prepared", |b| {
        b.iter(|| points.iter().filter_map(|&p| index.locate(black_box(p))).count())
    });
    group.bench_function("geo_contains", |b| {
        b.iter(|| points.iter().filter_map(|&p| plain.locate(black_box(p))).count())
    });
    group.finish();
}

/// The whole point answer as the API writes it (locate, level, nearby places, the criteria
/// checklist, JSON), and the same answer without its checklist: what the checklist costs.
fn bench_answer(c: &mut Criterion, atlas: &bando::atlas::Atlas) {
    let index = &atlas.edition(Edition::E2024).index;
    let points = points_in_boxes(index, 2_000);
    let query = |p| PointQuery { position: p, edition: Edition::E2024, as_of: AsOf::Year(2024), radius_m: 5_000.0 };
    let mut group = c.benchmark_group("point_answer/embedded_2024");
    group.throughput(Throughput::Elements(points.len() as u64));
    group.sample_size(20);
    group.bench_function("with_criteria", |b| {
        b.iter(|| points.iter().filter_map(|&p| commune_at(atlas, query(black_box(p)))).map(|a| serde_json::to_vec(&a).unwrap().len()).sum::<usize>())
    });
    group.bench_function("without_criteria", |b| {
        b.iter(|| {
            points
                .iter()
                .filter_map(|&p| commune_at(atlas, query(black_box(p))))
                .map(|mut a| {
                    a.head.criteria = None;
                    serde_json::to_vec(&a).unwrap().len()
                })
                .sum::<usize>()
        })
    });
    group.finish();
}

fn point_in_polygon(c: &mut Criterion) {
    let embedded = common::embedded_atlas();
    bench_index(c, "embedded_2024", &embedded.edition(Edition::E2024).index);
    bench_answer(c, &embedded);
    drop(embedded);
    if let Some(atlas) = common::real_atlas() {
        bench_index(c, "real_communes_2025", &atlas.edition(Edition::E2025).index);
    }
}

criterion_group!(benches, point_in_polygon);
criterion_main!(benches);
