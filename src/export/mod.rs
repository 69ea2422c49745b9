//! Open-data exports: communes (with their NTM level in a year), districts, provinces,
//! pilot models and tourism sites, as GeoJSON, CSV, FlatGeobuf or an Excel workbook.
//!
//! Steps: 1. [`ExportRequest::check`] refuses what cannot be exported (districts of
//! edition 2025) before anything is written; 2. [`table`] lists the layer's columns and
//! turns row `i` into values and a geometry on demand (geometry is rebuilt per row,
//! never held for the whole layer); 3. [`write`] writes the rows one by one to any
//! `io::Write`: GeoJSON feature by feature, CSV row by row (the same columns, without
//! polygons: points as `lon`/`lat`, communes with their label point),
//! FlatGeobuf through [`fgb`] (whose index needs every feature, so that file is
//! assembled first and then copied out), Excel through [`xlsx`] (the CSV columns, also
//! assembled first).
//! The HTTP API streams the same writer through a channel; `bando export` writes a file.

pub mod fgb;
mod table;
pub mod template;
pub mod xlsx;

pub use fgb::{ColumnKind, Value};
pub use table::{table, Table};

use crate::atlas::Atlas;
use crate::model::Edition;
use std::io::Write;

/// The layers that can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Communes,
    Districts,
    Provinces,
    Pilots,
    Tourism,
}

impl Layer {
    pub const ALL: [Layer; 5] = [Layer::Communes, Layer::Districts, Layer::Provinces, Layer::Pilots, Layer::Tourism];

    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Communes => "communes",
            Layer::Districts => "districts",
            Layer::Provinces => "provinces",
            Layer::Pilots => "pilots",
            Layer::Tourism => "tourism",
        }
    }

    pub fn parse(text: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.as_str() == text)
    }
}

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    Csv,
    Fgb,
    Xlsx,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::GeoJson, Format::Csv, Format::Fgb, Format::Xlsx];

    /// The file extension, which names the format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::GeoJson => "geojson",
            Format::Csv => "csv",
            Format::Fgb => "fgb",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.extension() == text)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::GeoJson => "application/geo+json",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Fgb => "application/vnd.flatgeobuf",
            Format::Xlsx => xlsx::MEDIA_TYPE,
        }
    }
}

/// What to export.
#[derive(Debug, Clone, Copy)]
pub struct ExportRequest {
    pub layer: Layer,
    pub format: Format,
    pub edition: Edition,
    /// When the NTM levels are read: the end of a year, or a day.
    pub as_of: crate::model::AsOf,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("edition {0} has no districts (the 2025 structure has provinces and communes only)")]
    NoDistricts(Edition),
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Fgb(#[from] fgb::FgbError),
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

impl ExportRequest {
    /// Refuses requests that have no answer, before anything is written.
    pub fn check(&self) -> Result<(), ExportError> {
        if self.layer == Layer::Districts && !self.edition.has_districts() {
            return Err(ExportError::NoDistricts(self.edition));
        }
        Ok(())
    }

    /// The file name a download suggests: `communes-2024-2025.geojson`.
    pub fn file_name(&self) -> String {
        match self.layer {
            Layer::Communes | Layer::Districts | Layer::Provinces => {
                format!("{}-{}-{}.{}", self.layer.as_str(), self.edition, self.as_of, self.format.extension())
            }
            Layer::Pilots | Layer::Tourism => format!("{}.{}", self.layer.as_str(), self.format.extension()),
        }
    }
}

/// Writes the export to `out`, row by row.
pub fn write(atlas: &Atlas, tiles: &crate::tile::EditionTiles, req: &ExportRequest, out: &mut dyn Write) -> Result<(), ExportError> {
    req.check()?;
    let t = table(atlas, tiles, req);
    match req.format {
        Format::GeoJson => write_geojson(&t, out)?,
        Format::Csv => write_csv(&t, out)?,
        Format::Fgb => {
            let rows = (0..t.len).map(|i| (t.geometry(i), t.values(i)));
            fgb::write_to(out, req.layer.as_str(), t.geometry_type, &t.columns, rows)?;
        }
        Format::Xlsx => xlsx::write(&t, out)?,
    }
    Ok(())
}

fn write_geojson(t: &Table<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
    write!(out, r#"{{"type":"FeatureCollection","name":"{}","features":["#, t.name)?;
    for i in 0..t.len {
        if i > 0 {
            out.write_all(b",")?;
        }
        let mut properties = serde_json::Map::new();
        for ((name, _), value) in t.columns.iter().zip(t.values(i)) {
            let v = match value {
                Value::Text(s) => serde_json::Value::String(s),
                Value::Int(n) => n.into(),
                Value::Float(x) => serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, Into::into),
                Value::Null => serde_json::Value::Null,
            };
            properties.insert((*name).to_string(), v);
        }
        let feature = geojson::Feature {
            bbox: None,
            geometry: Some(geojson::Geometry::from(&t.geometry(i))),
            id: None,
            properties: Some(properties),
            foreign_members: None,
        };
        out.write_all(b"\n")?;
        serde_json::to_writer(&mut *out, &feature).map_err(std::io::Error::from)?;
    }
    out.write_all(b"\n]}\n")?;
    Ok(())
}

fn write_csv(t: &Table<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(t.columns.iter().map(|c| c.0))?;
    for i in 0..t.len {
        w.write_record(t.values(i).iter().map(|v| match v {
            Value::Text(s) => s.clone(),
            Value::Int(n) => n.to_string(),
            Value::Float(x) => x.to_string(),
            Value::Null => String::new(),
        }))?;
    }
    w.flush()?;
    Ok(())
}
