//! Reads the reference tables (`geodata/reference/communes-*.csv`): codes, names, kinds,
//! parents and a representative point per commune. Errors name the file and line.

use anyhow::{anyhow, Context, Result};
use std::path::Path;

/// One commune row of a reference table.
#[derive(Debug, Clone)]
pub struct RefCommune {
    pub code: String,
    pub name: String,
    /// The Vietnamese label as written in the table (Xã, Phường, Thị trấn, Đặc khu).
    pub kind: String,
    pub district_code: String,
    pub district_name: String,
    pub province_code: String,
    pub province_name: String,
    /// The representative point as written (kept as text so outputs are byte-stable).
    pub lon: String,
    pub lat: String,
    /// The site of its Voronoi cell (edition 2024): the point, or the centre of its extent
    /// where several communes share one point (the source fell back to a parent's
    /// centroid); the label point where the generated boundary leaves the point outside.
    pub site: [f64; 2],
    /// Extent `[min_lon, min_lat, max_lon, max_lat]` when the table gives one.
    pub extent: Option<[f64; 4]>,
}

impl RefCommune {
    pub fn is_xa(&self) -> bool {
        self.kind == "Xã"
    }
}

/// Reads `communes-{edition}.csv`, sorted by code.
pub fn read(dir: &Path, edition: u16) -> Result<Vec<RefCommune>> {
    let path = dir.join(format!("communes-{edition}.csv"));
    let mut reader = csv::Reader::from_path(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let need = |name: &str| col(name).ok_or_else(|| anyhow!("{}: no column '{name}'", path.display()));
    let (code, name, kind, pcode, pname, lon, lat) =
        (need("code")?, need("name")?, need("kind")?, need("province_code")?, need("province_name")?, need("lon")?, need("lat")?);
    let (dcode, dname) = (col("district_code"), col("district_name"));
    let extent_cols = [col("min_lon"), col("min_lat"), col("max_lon"), col("max_lat")];
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        let r = record.with_context(|| format!("{}:{line}", path.display()))?;
        let num = |idx: usize, field: &str| -> Result<f64> {
            r[idx].trim().parse::<f64>().map_err(|_| anyhow!("{}:{line}: field '{field}' = '{}' is not a number", path.display(), &r[idx]))
        };
        let site = [num(lon, "lon")?, num(lat, "lat")?];
        let extent = match extent_cols {
            [Some(a), Some(b), Some(c), Some(d)] => Some([num(a, "min_lon")?, num(b, "min_lat")?, num(c, "max_lon")?, num(d, "max_lat")?]),
            _ => None,
        };
        let text = |idx: Option<usize>| idx.map(|k| r[k].trim().to_string()).unwrap_or_default();
        out.push(RefCommune {
            code: r[code].trim().to_string(),
            name: r[name].trim().to_string(),
            kind: r[kind].trim().to_string(),
            district_code: text(dcode),
            district_name: text(dname),
            province_code: r[pcode].trim().to_string(),
            province_name: r[pname].trim().to_string(),
            lon: r[lon].trim().to_string(),
            lat: r[lat].trim().to_string(),
            site,
            extent,
        });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    separate_shared_points(&mut out);
    Ok(out)
}

/// Where several communes share one representative point, every one but the first (by
/// code) moves to the centre of its own extent, or failing that steps 300 m aside, so
/// that each commune gets a cell of its own and its label point lies in it.
fn separate_shared_points(communes: &mut [RefCommune]) {
    let mut seen = std::collections::HashSet::new();
    for (k, c) in communes.iter_mut().enumerate() {
        let key = |p: [f64; 2]| (p[0].to_bits(), p[1].to_bits());
        if seen.insert(key(c.site)) {
            continue;
        }
        // The extent's centre, unless it is (nearly) the shared point itself, as when
        // the extent was drawn around that point.
        let centre = c
            .extent
            .map(|[a, b, x, y]| [(a + x) / 2.0, (b + y) / 2.0])
            .filter(|p| (p[0] - c.site[0]).abs().max((p[1] - c.site[1]).abs()) > 1e-3);
        let mut site = centre.filter(|p| !seen.contains(&key(*p))).unwrap_or(c.site);
        let mut step = 0;
        while seen.contains(&key(site)) {
            step += 1;
            let angle = (k * 7 + step) as f64 * 2.399_963; // golden angle: spread the steps
            site = [c.site[0] + 0.003 * step as f64 * angle.cos(), c.site[1] + 0.003 * step as f64 * angle.sin()];
        }
        seen.insert(key(site));
        c.site = site;
        c.lon = format!("{:.6}", site[0]);
        c.lat = format!("{:.6}", site[1]);
    }
}
