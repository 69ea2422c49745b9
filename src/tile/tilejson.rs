//! The TileJSON 3.0.0 document of a map's view: served at `GET /tiles/{map}.json` and
//! written into the archives of `bando export --map`.
//!
//! Steps: 1. bounds: the union of the edition's commune boxes, clamped to Web Mercator;
//! 2. center: the middle of the mainland when inside the bounds, else the bounds' middle;
//! 3. `vector_layers` with their fields ([`super::vector_layers`]); 4. attribution naming
//! sample data; names and descriptions in Vietnamese with English in `name_en` /
//! `description_en`.

use super::{vector_layers, MapKind, MAX_ZOOM};
use crate::atlas::Atlas;
use crate::model::{Edition, VIETNAM_EXTENT};
use serde_json::{json, Value};

/// Where the map opens: the middle of the mainland.
const CENTER: [f64; 3] = [105.85, 16.0, 5.0];
/// Web Mercator's latitude limit.
const MAX_LAT: f64 = 85.051_129;

/// The TileJSON document of a map's view; `template` is the tile URL of a served map
/// (an archive has none: its tiles are inside it).
pub fn document(atlas: &Atlas, map: MapKind, edition: Edition, year: u16, template: Option<String>) -> Value {
    let bounds = bounds(atlas, edition);
    let center = if (bounds[0]..=bounds[2]).contains(&CENTER[0]) && (bounds[1]..=bounds[3]).contains(&CENTER[1]) {
        CENTER
    } else {
        [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0, CENTER[2]]
    };
    let sample = atlas.has_sample_data();
    let (name, name_en, description, description_en) = texts(map, edition, year);
    let mut doc = json!({
        "tilejson": "3.0.0",
        "name": name,
        "name_en": name_en,
        "description": if sample { format!("{description} Dữ liệu MẪU, không phải số liệu chính thức.") } else { description },
        "description_en": if sample { format!("{description_en} SAMPLE data, not official figures.") } else { description_en },
        "version": atlas.version,
        "attribution": attribution(atlas),
        "scheme": "xyz",
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": bounds,
        "center": center,
        "vector_layers": vector_layers(map, edition, &atlas.criteria.catalog, year),
        "edition": edition,
        "year": year,
        "sample": sample,
    });
    if let Some(template) = template {
        doc["tiles"] = json!([template]);
    }
    doc
}

fn texts(map: MapKind, edition: Edition, year: u16) -> (String, String, String, String) {
    let bounds_vi = match edition {
        Edition::E2024 => "ranh giới xã trước ngày 1/7/2025",
        Edition::E2025 => "ranh giới xã từ ngày 1/7/2025",
    };
    let bounds_en = match edition {
        Edition::E2024 => "communes as before 1 July 2025",
        Edition::E2025 => "communes from 1 July 2025",
    };
    match map {
        MapKind::Ntm => (
            "Bản đồ số về kết quả xây dựng nông thôn mới".into(),
            "New Rural Development results map".into(),
            format!(
                "Mức đạt chuẩn nông thôn mới của xã, huyện, tỉnh đến hết năm {year} ({bounds_vi}); \
                 mô hình thí điểm xã nông thôn mới thông minh, xã thương mại điện tử, thôn thông minh."
            ),
            format!(
                "New Rural Development (NTM) level of communes, districts and provinces at the end of {year} \
                 ({bounds_en}); smart-commune, e-commerce-commune and smart-village pilots."
            ),
        ),
        MapKind::Tourism => (
            "Bản đồ số về du lịch nông thôn".into(),
            "Rural tourism map".into(),
            format!("Điểm du lịch nông thôn, homestay, làng nghề và sản phẩm OCOP 3–5 sao ({bounds_vi})."),
            format!("Rural tourism sites, homestays, craft villages and 3–5 star OCOP products ({bounds_en})."),
        ),
    }
}

/// The union of the edition's commune boxes, clamped to Web Mercator.
pub fn bounds(atlas: &Atlas, edition: Edition) -> [f64; 4] {
    let index = &atlas.edition(edition).index;
    let mut b = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
    for i in 0..index.len() {
        let area = index.area(i);
        if area.is_empty() {
            continue;
        }
        let [x0, y0, x1, y1] = area.bbox();
        b = [b[0].min(x0), b[1].min(y0), b[2].max(x1), b[3].max(y1)];
    }
    if !b.iter().all(|v| v.is_finite()) {
        b = VIETNAM_EXTENT;
    }
    let round = |v: f64| (v * 1e6).round() / 1e6;
    [round(b[0].max(-180.0)), round(b[1].max(-MAX_LAT)), round(b[2].min(180.0)), round(b[3].min(MAX_LAT))]
}

/// The data sources, naming sample data as such.
pub fn attribution(atlas: &Atlas) -> String {
    let s = &atlas.sources;
    let mut parts = Vec::new();
    if atlas.editions.iter().any(|e| e.boundaries.sample) {
        parts.push("vietnamadminunits (MIT)".to_string());
        parts.push("vietnamese-provinces-database (MIT)".to_string());
    }
    for e in atlas.editions.iter().filter(|e| !e.boundaries.sample) {
        if let Some(name) = e.boundaries.path.file_name() {
            parts.push(format!("boundaries {}: {}", e.edition, name.to_string_lossy()));
        }
    }
    if [&s.results, &s.district_results, &s.province_results, &s.pilots, &s.tourism].iter().any(|d| d.sample) {
        parts.push("sample NTM data (not official)".to_string());
    }
    parts.join("; ")
}

