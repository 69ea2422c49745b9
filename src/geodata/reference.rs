//! Reads the reference tables (`geodata/reference/communes-*.csv`): codes, names, kinds,
//! parents and a representative point per commune.
//!
//! Steps: 1. read the sheet with the loaders' CSV plumbing, so every problem of the file
//! names its line, field and value and all of them come in one report; 2. refuse duplicate
//! codes; 3. sort by code; 4. move apart communes that share one point.

use crate::load::{LoadError, Problem};
use crate::model::{CommuneCode, VIETNAM_EXTENT};
use std::path::{Path, PathBuf};

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

/// A reference table as read: the rows that read well, the code of every line whose code
/// parses (so checks against other files can run even where another field is bad), and
/// the problems found.
pub struct Table {
    pub path: PathBuf,
    pub communes: Vec<RefCommune>,
    pub codes: Vec<(CommuneCode, u64)>,
    pub problems: Vec<Problem>,
}

/// The path of `communes-{edition}.csv` in `dir`.
pub fn path(dir: &Path, edition: u16) -> PathBuf {
    dir.join(format!("communes-{edition}.csv"))
}

/// Reads `communes-{edition}.csv`, sorted by code; every problem of the file in one error.
#[cfg(test)]
pub fn read(dir: &Path, edition: u16) -> Result<Vec<RefCommune>, LoadError> {
    let table = read_table(dir, edition)?;
    LoadError::check(table.communes, table.problems)
}

/// Reads `communes-{edition}.csv`, keeping the good rows beside the problems. Fails at
/// once only when the file cannot be read or lacks a required column.
pub fn read_table(dir: &Path, edition: u16) -> Result<Table, LoadError> {
    const REQUIRED: [&str; 7] = ["code", "name", "kind", "province_code", "province_name", "lon", "lat"];
    let path = path(dir, edition);
    let sheet = crate::load::csv_sheet(&path, &REQUIRED)?;
    let [x0, y0, x1, y1] = VIETNAM_EXTENT;
    let mut codes = Vec::new();
    let mut parsed = sheet.parse_rows(|row| {
        let code = row.parse("code", CommuneCode::parse);
        if let Some(c) = code {
            codes.push((c, row.line()));
        }
        let name = row.required("name");
        let kind = row.required("kind");
        let province_code = row.required("province_code");
        let province_name = row.required("province_name");
        let lon = row.parse("lon", |t| crate::load::parse_degrees(t, x0..=x1, "lon"));
        let lat = row.parse("lat", |t| crate::load::parse_degrees(t, y0..=y1, "lat"));
        // The extent is optional, but given at all it must be whole.
        let extent_columns = [("min_lon", x0..=x1), ("min_lat", y0..=y1), ("max_lon", x0..=x1), ("max_lat", y0..=y1)];
        let extent = if extent_columns.iter().all(|(c, _)| row.text(c).is_empty()) {
            Some(None)
        } else {
            match extent_columns.map(|(c, range)| row.parse(c, |t| crate::load::parse_degrees(t, range, c))) {
                [Some(a), Some(b), Some(c), Some(d)] => Some(Some([a, b, c, d])),
                _ => None,
            }
        };
        code?;
        Some(RefCommune {
            code: row.text("code").to_string(),
            name: name?.to_string(),
            kind: kind?.to_string(),
            district_code: row.text("district_code").to_string(),
            district_name: row.text("district_name").to_string(),
            province_code: province_code?.to_string(),
            province_name: province_name?.to_string(),
            lon: row.text("lon").to_string(),
            lat: row.text("lat").to_string(),
            site: [lon?, lat?],
            extent: extent?,
        })
    });
    parsed.no_duplicates("code", |c: &RefCommune| c.code.clone(), |c| c.code.clone(), "commune code");
    let (rows, problems) = parsed.into_parts();
    let mut communes: Vec<RefCommune> = rows.into_iter().map(|r| r.value).collect();
    communes.sort_by(|a, b| a.code.cmp(&b.code));
    separate_shared_points(&mut communes);
    Ok(Table { path, communes, codes, problems })
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
