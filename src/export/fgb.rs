//! Writes features with typed properties as FlatGeobuf (EPSG:4326, with the packed
//! Hilbert R-tree index). The output depends only on the input: byte-stable.
//!
//! Steps: 1. declare the columns; 2. add the features one by one (the writer keeps
//! them in a temporary file); 3. write the header, the index and the features to the
//! output (the index needs every feature first, so nothing is written before the end).

use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, PropertyProcessor};
use std::io::Write;
use std::path::Path;

/// A property value; `Null` leaves the property out.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Int(i64),
    Float(f64),
    Null,
}

/// The type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Int,
    Float,
}

/// A feature of the embedded data: a multipolygon with string properties.
pub struct Feature {
    pub geometry: geo::MultiPolygon<f64>,
    /// Values in the order of the column names.
    pub values: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum FgbError {
    #[error("FlatGeobuf: {0}")]
    Fgb(#[from] flatgeobuf::Error),
    #[error("FlatGeobuf property: {0}")]
    Property(#[from] geozero::error::GeozeroError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Writes `features` (geometry, values in column order) to `out`.
pub fn write_to<W: Write>(
    out: W,
    layer: &str,
    geometry_type: GeometryType,
    columns: &[(&str, ColumnKind)],
    features: impl IntoIterator<Item = (geo::Geometry<f64>, Vec<Value>)>,
) -> Result<(), FgbError> {
    let options = FgbWriterOptions { crs: FgbCrs { code: 4326, ..Default::default() }, ..Default::default() };
    let mut fgb = FgbWriter::create_with_options(layer, geometry_type, options)?;
    for (name, kind) in columns {
        let t = match kind {
            ColumnKind::Text => ColumnType::String,
            ColumnKind::Int => ColumnType::Long,
            ColumnKind::Float => ColumnType::Double,
        };
        fgb.add_column(name, t, |_, col| col.nullable = true);
    }
    for (geometry, values) in features {
        let mut failure = None;
        fgb.add_feature_geom(geometry, |feat| {
            for (i, ((name, _), value)) in columns.iter().zip(&values).enumerate() {
                let written = match value {
                    Value::Text(s) => feat.property(i, name, &ColumnValue::String(s)),
                    Value::Int(n) => feat.property(i, name, &ColumnValue::Long(*n)),
                    Value::Float(x) => feat.property(i, name, &ColumnValue::Double(*x)),
                    Value::Null => Ok(false),
                };
                if let Err(e) = written {
                    failure = Some(e);
                }
            }
        })?;
        if let Some(e) = failure {
            return Err(e.into());
        }
    }
    fgb.write(out)?;
    Ok(())
}

/// Writes multipolygons with string columns to `path` (the embedded data); returns
/// the file's size.
pub fn write(path: &Path, layer: &str, columns: &[&str], features: &[Feature]) -> anyhow::Result<u64> {
    use anyhow::Context;
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let columns: Vec<(&str, ColumnKind)> = columns.iter().map(|c| (*c, ColumnKind::Text)).collect();
    let rows = features.iter().map(|f| {
        (geo::Geometry::MultiPolygon(f.geometry.clone()), f.values.iter().map(|v| Value::Text(v.clone())).collect())
    });
    write_to(std::io::BufWriter::new(file), layer, GeometryType::MultiPolygon, &columns, rows)
        .with_context(|| path.display().to_string())?;
    Ok(std::fs::metadata(path)?.len())
}
