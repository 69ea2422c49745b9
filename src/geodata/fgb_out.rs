//! Writes MultiPolygon features with string properties as FlatGeobuf (EPSG:4326, with
//! the packed Hilbert R-tree index). The output depends only on the input: byte-stable.

use anyhow::{anyhow, Context, Result};
use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::{ColumnValue, PropertyProcessor};
use std::path::Path;

pub struct Feature {
    pub geometry: geo::MultiPolygon<f64>,
    /// Values in the order of the column names.
    pub values: Vec<String>,
}

pub fn write(path: &Path, layer: &str, columns: &[&str], features: &[Feature]) -> Result<u64> {
    let options = FgbWriterOptions { crs: FgbCrs { code: 4326, ..Default::default() }, ..Default::default() };
    let mut fgb = FgbWriter::create_with_options(layer, GeometryType::MultiPolygon, options)?;
    for name in columns {
        fgb.add_column(name, ColumnType::String, |_, col| col.nullable = true);
    }
    for f in features {
        let geometry = geo::Geometry::MultiPolygon(f.geometry.clone());
        let mut failure = None;
        fgb.add_feature_geom(geometry, |feat| {
            for (i, (name, value)) in columns.iter().zip(&f.values).enumerate() {
                if let Err(e) = feat.property(i, name, &ColumnValue::String(value)) {
                    failure = Some(e);
                }
            }
        })?;
        if let Some(e) = failure {
            return Err(anyhow!("{}: property: {e}", path.display()));
        }
    }
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    fgb.write(std::io::BufWriter::new(file))?;
    Ok(std::fs::metadata(path)?.len())
}
