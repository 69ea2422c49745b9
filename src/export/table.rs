//! The rows of each exportable layer: column names and types, and row `i` as values
//! and a WGS84 geometry, computed on demand.

use super::{ColumnKind, ExportRequest, Layer, Value};
use crate::atlas::Atlas;
use crate::model::{Edition, LonLat};
use crate::standing;
use flatgeobuf::GeometryType;
use std::collections::BTreeMap;

/// A layer as rows.
pub struct Table<'a> {
    pub name: &'static str,
    pub columns: Vec<(&'a str, ColumnKind)>,
    pub geometry_type: GeometryType,
    pub len: usize,
    values: Box<dyn Fn(usize) -> Vec<Value> + Send + Sync + 'a>,
    geometry: Box<dyn Fn(usize) -> geo::Geometry<f64> + Send + Sync + 'a>,
}

impl Table<'_> {
    /// Row `i`'s values, in column order.
    pub fn values(&self, i: usize) -> Vec<Value> {
        (self.values)(i)
    }

    pub fn geometry(&self, i: usize) -> geo::Geometry<f64> {
        (self.geometry)(i)
    }
}

use ColumnKind::{Float, Int, Text};

fn text(s: impl ToString) -> Value {
    Value::Text(s.to_string())
}

fn optional_text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, text)
}

fn int(n: Option<impl Into<i64>>) -> Value {
    n.map_or(Value::Null, |n| Value::Int(n.into()))
}

fn point(p: LonLat) -> geo::Geometry<f64> {
    geo::Geometry::Point(geo::Point::new(p.lon, p.lat))
}

/// The table of the requested layer (the request must have passed `check`).
pub fn table<'a>(atlas: &'a Atlas, tiles: &crate::tile::EditionTiles, req: &ExportRequest) -> Table<'a> {
    let (edition, as_of, year) = (atlas.edition(req.edition), req.as_of, req.as_of.year());
    match req.layer {
        Layer::Communes => {
            let mut columns = vec![("code", Text), ("name", Text), ("kind", Text)];
            if req.edition == Edition::E2024 {
                columns.extend([("district_code", Text), ("district_name", Text)]);
            }
            columns.extend([("province_code", Text), ("province_name", Text), ("year", Int), ("level", Text)]);
            match req.edition {
                Edition::E2024 => {
                    columns.extend([("level_year", Int), ("criteria_met", Int)]);
                    // One column per criterion and indicator (standing::columns).
                    columns.extend(standing::columns::names(atlas).map(|name| (name, Text)));
                }
                Edition::E2025 => columns.extend([
                    ("former_total", Int),
                    ("former_chua_dat", Int),
                    ("former_dat_chuan", Int),
                    ("former_nang_cao", Int),
                    ("former_kieu_mau", Int),
                    ("former_not_applicable", Int),
                    ("former_no_data", Int),
                ]),
            }
            columns.extend([("label_lon", Float), ("label_lat", Float)]);
            Table {
                name: "communes",
                columns,
                geometry_type: GeometryType::MultiPolygon,
                len: edition.communes.len(),
                values: Box::new(move |i| {
                    let c = &edition.communes[i];
                    let mut v = vec![text(c.code), text(&c.name), text(c.kind.as_str())];
                    if edition.edition == Edition::E2024 {
                        let d = c.district.and_then(|d| edition.districts.get(&d));
                        v.push(c.district.map_or(Value::Null, text));
                        v.push(d.map_or(Value::Null, |d| text(&d.name)));
                    }
                    v.push(text(c.province));
                    v.push(edition.provinces.get(&c.province).map_or(Value::Null, |p| text(&p.name)));
                    v.push(Value::Int(year.into()));
                    v.push(text(standing::commune_key(atlas, edition, i, as_of).as_str()));
                    match edition.edition {
                        Edition::E2024 => {
                            let record = standing::commune_level(atlas, c, as_of).record();
                            v.push(int(record.map(|r| r.year)));
                            v.push(int(record.and_then(|r| r.criteria_met)));
                            v.extend(standing::columns::values(atlas, c, as_of).into_iter().map(|s| s.map_or(Value::Null, text)));
                        }
                        Edition::E2025 => {
                            let f = standing::former_levels(atlas, i, as_of);
                            for n in [f.total, f.chua_dat, f.dat_chuan, f.nang_cao, f.kieu_mau, f.not_applicable, f.no_data] {
                                v.push(Value::Int(n as i64));
                            }
                        }
                    }
                    v.push(c.label_point.map_or(Value::Null, |p| Value::Float(p.lon)));
                    v.push(c.label_point.map_or(Value::Null, |p| Value::Float(p.lat)));
                    v
                }),
                geometry: Box::new(move |i| geo::Geometry::MultiPolygon(edition.index.area(i).to_multipolygon())),
            }
        }
        Layer::Districts | Layer::Provinces => {
            let districts = req.layer == Layer::Districts;
            let shapes: Vec<(String, geo::MultiPolygon<f64>)> = tiles
                .unit_shapes(districts)
                .into_iter()
                .map(|(code, shape)| (code.to_string(), shape))
                .collect();
            // Children counted once over the communes.
            let mut communes: BTreeMap<String, i64> = BTreeMap::new();
            let mut child_districts: BTreeMap<String, i64> = BTreeMap::new();
            for c in &edition.communes {
                let key = if districts { c.district.map(|d| d.to_string()) } else { Some(c.province.to_string()) };
                if let Some(k) = key {
                    *communes.entry(k).or_default() += 1;
                }
            }
            for d in edition.districts.values() {
                *child_districts.entry(d.province.to_string()).or_default() += 1;
            }
            let mut columns = vec![("code", Text), ("name", Text)];
            if districts {
                columns.extend([("province_code", Text), ("province_name", Text), ("year", Int), ("level", Text), ("level_year", Int)]);
            } else if req.edition == Edition::E2024 {
                columns.extend([("year", Int), ("completed_year", Int), ("districts", Int)]);
            }
            columns.push(("communes", Int));
            let len = shapes.len();
            let e = req.edition;
            let shapes = std::sync::Arc::new(shapes);
            let geometry_shapes = shapes.clone();
            Table {
                name: req.layer.as_str(),
                columns,
                geometry_type: GeometryType::MultiPolygon,
                len,
                values: Box::new(move |i| {
                    let code = &shapes[i].0;
                    let mut v = vec![text(code)];
                    if districts {
                        let d = code.parse().ok().and_then(|c| edition.districts.get(&c));
                        v.push(d.map_or(Value::Null, |d| text(&d.name)));
                        v.push(d.map_or(Value::Null, |d| text(d.province)));
                        v.push(d.and_then(|d| edition.provinces.get(&d.province)).map_or(Value::Null, |p| text(&p.name)));
                        v.push(Value::Int(year.into()));
                        let level = d.map(|d| standing::district_level(atlas, d.code, as_of));
                        v.push(text(level.map_or("no_data", |l| l.key().as_str())));
                        v.push(int(level.and_then(|l| l.record()).map(|r| r.year)));
                    } else {
                        let p = code.parse().ok().and_then(|c| edition.provinces.get(&c));
                        v.push(p.map_or(Value::Null, |p| text(&p.name)));
                        if e == Edition::E2024 {
                            v.push(Value::Int(year.into()));
                            v.push(int(p.and_then(|p| standing::province_completed(atlas, p.code, as_of))));
                            v.push(Value::Int(child_districts.get(code).copied().unwrap_or(0)));
                        }
                    }
                    v.push(Value::Int(communes.get(code).copied().unwrap_or(0)));
                    v
                }),
                geometry: Box::new(move |i| geo::Geometry::MultiPolygon(geometry_shapes[i].1.clone())),
            }
        }
        Layer::Pilots => {
            let old = atlas.edition(Edition::E2024);
            Table {
                name: "pilots",
                columns: vec![
                    ("id", Text),
                    ("name", Text),
                    ("kind", Text),
                    ("field", Text),
                    ("commune_code", Text),
                    ("commune_name", Text),
                    ("approved_year", Int),
                    ("decision", Text),
                    ("approved_on", Text),
                    ("directing_level", Text),
                    ("stage", Text),
                    ("url", Text),
                    ("lon", Float),
                    ("lat", Float),
                ],
                geometry_type: GeometryType::Point,
                len: atlas.pilots.len(),
                values: Box::new(move |i| {
                    let p = &atlas.pilots[i];
                    vec![
                        text(&p.id),
                        text(&p.name),
                        text(p.kind.as_str()),
                        text(&p.field),
                        text(p.commune),
                        old.commune(p.commune).map_or(Value::Null, |c| text(&c.name)),
                        int(p.approved_year),
                        optional_text(p.provenance.decision.as_deref()),
                        optional_text(p.provenance.approved_on.as_deref()),
                        optional_text(p.provenance.directing_level.map(|d| d.as_str())),
                        optional_text(p.provenance.stage.map(|s| s.as_str())),
                        optional_text(p.provenance.url.as_deref()),
                        Value::Float(p.position.lon),
                        Value::Float(p.position.lat),
                    ]
                }),
                geometry: Box::new(move |i| point(atlas.pilots[i].position)),
            }
        }
        Layer::Tourism => {
            let old = atlas.edition(Edition::E2024);
            Table {
                name: "tourism",
                columns: vec![
                    ("id", Text),
                    ("name", Text),
                    ("category", Text),
                    ("ocop_stars", Int),
                    ("commune_code", Text),
                    ("commune_name", Text),
                    ("url", Text),
                    ("lon", Float),
                    ("lat", Float),
                ],
                geometry_type: GeometryType::Point,
                len: atlas.tourism.len(),
                values: Box::new(move |i| {
                    let t = &atlas.tourism[i];
                    vec![
                        text(&t.id),
                        text(&t.name),
                        text(t.category.as_str()),
                        int(t.ocop_stars),
                        text(t.commune),
                        old.commune(t.commune).map_or(Value::Null, |c| text(&c.name)),
                        optional_text(t.url.as_deref()),
                        Value::Float(t.position.lon),
                        Value::Float(t.position.lat),
                    ]
                }),
                geometry: Box::new(move |i| point(atlas.tourism[i].position)),
            }
        }
    }
}
